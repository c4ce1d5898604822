package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// SenderQuery selects one page of the roster, which runs by address.
type SenderQuery struct {
	// Part matches part of the address, ignoring ASCII case.
	Part  string
	Limit int
	// After and Before page through the roster: the Limit addresses
	// after address After, or before address Before.
	After, Before string
}

// SendersPage lists one page of the roster by address.
func (s *Store) SendersPage(ctx context.Context, q SenderQuery) ([]Sender, error) {
	var where []string
	var args []any
	if q.Part != "" {
		where, args = append(where, `s.address `+s.dialect.caseInsensitiveLike()+` ? ESCAPE '\'`), append(args, likePattern(q.Part))
	}
	order := " ORDER BY s.address"
	switch {
	case q.After != "":
		where, args = append(where, "s.address > ?"), append(args, q.After)
	case q.Before != "":
		where, args, order = append(where, "s.address < ?"), append(args, q.Before), " ORDER BY s.address DESC"
	}
	sql := `SELECT s.address, s.added_at,
		coalesce((SELECT string_agg(org_code, ',' ORDER BY org_code) FROM sender_orgs o WHERE o.address = s.address), '')
		FROM senders s`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += order
	if q.Limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list senders: %w", err)
	}
	defer rows.Close()
	var out []Sender
	for rows.Next() {
		var sd Sender
		var added, orgs string
		if err := rows.Scan(&sd.Address, &added, &orgs); err != nil {
			return nil, fmt.Errorf("list senders: %w", err)
		}
		sd.AddedAt = parseTime(added)
		if orgs != "" {
			sd.Orgs = strings.Split(orgs, ",")
		}
		out = append(out, sd)
	}
	if q.After == "" && q.Before != "" {
		slices.Reverse(out)
	}
	return out, rows.Err()
}
