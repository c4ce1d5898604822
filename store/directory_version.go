package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// DirectoryVersion changes whenever what a dry run of a file reads may
// have changed: every change to the directory writes an audit row in its
// transaction (the newest row's id stands for them all), and the registry
// (codes, units, creation limits and counts) is read whole. The console
// keeps a held file's dry run until it changes.
func (s *Store) DirectoryVersion(ctx context.Context) (string, error) {
	var audit int64
	var orgs, units string
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT coalesce(max(id), 0) FROM audit),
		(SELECT coalesce(string_agg(code || ':' || creation_limit || ':' || created_count, ',' ORDER BY code), '')
			FROM organisations),
		(SELECT coalesce(string_agg(org_code || ':' || unit_code, ',' ORDER BY org_code, unit_code), '')
			FROM org_units)`).Scan(&audit, &orgs, &units)
	if err != nil {
		return "", fmt.Errorf("read the directory's version: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n%s", audit, orgs, units)
	return hex.EncodeToString(h.Sum(nil)), nil
}
