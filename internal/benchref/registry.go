package benchref

import (
	"context"
	"database/sql"
	"fmt"
)

// registry is the organisations and units, read once, for the reader's
// organisation rules.
type registry struct {
	orgs  map[string]bool
	units map[[2]string]bool
}

func readRegistry(ctx context.Context, db *sql.DB) (*registry, error) {
	r := &registry{orgs: map[string]bool{}, units: map[[2]string]bool{}}
	rows, err := db.QueryContext(ctx, `SELECT code, '' FROM organisations UNION ALL SELECT org_code, unit_code FROM org_units`)
	if err != nil {
		return nil, fmt.Errorf("read organisations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, unit string
		if err := rows.Scan(&org, &unit); err != nil {
			return nil, fmt.Errorf("read organisations: %w", err)
		}
		if unit == "" {
			r.orgs[org] = true
		} else {
			r.units[[2]string{org, unit}] = true
		}
	}
	return r, rows.Err()
}

func (r *registry) HasOrganisation(code string) bool { return r.orgs[code] }
func (r *registry) HasUnit(org, unit string) bool    { return r.units[[2]string{org, unit}] }
