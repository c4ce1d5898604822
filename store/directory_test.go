package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ZeroPadded finds a Local ID by the number a spreadsheet left of it, in
// the same organisation only, with an indexed lookup (never a scan).
func TestZeroPadded(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8"}, {Code: "X26"}}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i, e := range []struct{ id, org string }{
		{"000123", "RR8"}, {"0456", "X26"}, {"0A7", "RR8"}, {"789", "RR8"}, {"00", "RR8"}, {"0100", "RR8"},
	} {
		m := &Mailbox{Address: fmt.Sprintf("p%d@nhs.net", i), LocalID: e.id, Org: e.org, Kind: KindMailbox, EmailSize: 4}
		if err := tx.Insert(m, now); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		number, org, wantID, wantAddr string
	}{
		{"123", "RR8", "000123", "p0@nhs.net"},
		{"456", "RR8", "", ""}, // another organisation's
		{"456", "X26", "0456", "p1@nhs.net"},
		{"789", "RR8", "", ""}, // only itself, no zeros
		{"100", "RR8", "0100", "p5@nhs.net"},
		{"10", "RR8", "", ""},
		{"A7", "RR8", "0A7", "p2@nhs.net"}, // not a number, but zero-padded all the same
	}
	for _, tc := range tests {
		id, addr, found, err := tx.ZeroPadded(tc.number, tc.org)
		if err != nil {
			t.Fatal(err)
		}
		if id != tc.wantID || addr != tc.wantAddr || found != (tc.wantID != "") {
			t.Errorf("ZeroPadded(%q, %q): got %q %q %v, want %q %q", tc.number, tc.org, id, addr, found, tc.wantID, tc.wantAddr)
		}
	}

	if onPostgres() {
		return // the plan below is SQLite's
	}
	rows, err := tx.Tx().QueryContext(ctx, "EXPLAIN QUERY PLAN "+dialectSQLite.unpaddedQuery(), 3, "123", "RR8")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX mailboxes_local_id_unpadded") || strings.Contains(got, "SCAN") {
		t.Errorf("query plan %q, want a search of mailboxes_local_id_unpadded", got)
	}
}
