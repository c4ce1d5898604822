package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Organisation is one ODS/ISD organisation with its units and its mailbox
// creation limit: connectord creates at most CreationLimit mailboxes for it
// in total; Created counts those it has created.
type Organisation struct {
	Code          string
	Name          string
	CreationLimit int
	Created       int
	Units         []string
}

// PutOrganisations adds or replaces organisations (and their unit lists) in
// one transaction. Created counts are kept.
func (s *Store) PutOrganisations(ctx context.Context, orgs []Organisation) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, o := range orgs {
			_, err := tx.ExecContext(ctx, `INSERT INTO organisations (code, name, creation_limit) VALUES (?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, creation_limit = excluded.creation_limit`,
				o.Code, o.Name, o.CreationLimit)
			if err != nil {
				return fmt.Errorf("organisation %s: %w", o.Code, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM org_units WHERE org_code = ?`, o.Code); err != nil {
				return fmt.Errorf("organisation %s units: %w", o.Code, err)
			}
			for _, u := range o.Units {
				if _, err := tx.ExecContext(ctx, `INSERT INTO org_units (org_code, unit_code) VALUES (?, ?) ON CONFLICT DO NOTHING`, o.Code, u); err != nil {
					return fmt.Errorf("organisation %s unit %s: %w", o.Code, u, err)
				}
			}
		}
		return nil
	})
}

// Organisations lists every organisation by code.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT o.code, o.name, o.creation_limit, o.created_count,
		coalesce((SELECT string_agg(unit_code, ';' ORDER BY unit_code) FROM org_units u WHERE u.org_code = o.code), '')
		FROM organisations o ORDER BY o.code`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		var units string
		if err := rows.Scan(&o.Code, &o.Name, &o.CreationLimit, &o.Created, &units); err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		if units != "" {
			o.Units = strings.Split(units, ";")
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Registry is an in-memory snapshot of the organisation codes and units,
// used to validate files.
type Registry struct {
	units map[string]map[string]struct{}
}

// Registry loads the organisation registry. It is empty when no
// organisations have been imported.
func (s *Store) Registry(ctx context.Context) (*Registry, error) {
	r := &Registry{units: map[string]map[string]struct{}{}}
	rows, err := s.db.QueryContext(ctx, `SELECT code FROM organisations`)
	if err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, fmt.Errorf("load organisations: %w", err)
		}
		r.units[code] = map[string]struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	urows, err := s.db.QueryContext(ctx, `SELECT org_code, unit_code FROM org_units`)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	defer urows.Close()
	for urows.Next() {
		var org, unit string
		if err := urows.Scan(&org, &unit); err != nil {
			return nil, fmt.Errorf("load units: %w", err)
		}
		if m := r.units[org]; m != nil {
			m[unit] = struct{}{}
		}
	}
	return r, urows.Err()
}

// Len is the number of organisations.
func (r *Registry) Len() int { return len(r.units) }

// HasOrganisation reports whether code is a known organisation.
func (r *Registry) HasOrganisation(code string) bool {
	_, ok := r.units[code]
	return ok
}

// HasUnit reports whether unit belongs to organisation org.
func (r *Registry) HasUnit(org, unit string) bool {
	_, ok := r.units[org][unit]
	return ok
}

// Codes lists the organisation codes, sorted.
func (r *Registry) Codes() []string {
	out := make([]string, 0, len(r.units))
	for c := range r.units {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
