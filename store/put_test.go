package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Put adds a new address, replaces the entry of an address already there
// (keeping its id and creation time), and refuses a Local ID another
// address holds, ignoring ASCII case, whichever path it takes.
func TestPut(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8"}, {Code: "RR9"}}); err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	later := first.Add(time.Hour)
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ann := Mailbox{Address: "ann.other@nhs.net", LocalID: "L1", Org: "RR8", Kind: KindMailbox, FirstName: "Ann", LastName: "Other"}
	if err := tx.Put(&ann, first); err != nil {
		t.Fatal(err)
	}
	var was Mailbox
	if _, err := tx.ByAddress(ann.Address, &was); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		m       Mailbox
		wantErr string // in the error; "" for none
		want    Mailbox
	}{
		{"the same address replaces the entry", Mailbox{Address: "ann.other@nhs.net", LocalID: "L1", Org: "RR9",
			Kind: KindContact, FirstName: "Ann", LastName: "Else", JobTitle: "Nurse"}, "",
			Mailbox{Address: "ann.other@nhs.net", LocalID: "L1", Org: "RR9", Kind: KindContact, FirstName: "Ann",
				LastName: "Else", JobTitle: "Nurse"}},
		{"the same address takes a new Local ID", Mailbox{Address: "ann.other@nhs.net", LocalID: "L7", Org: "RR8",
			Kind: KindMailbox, FirstName: "Ann", LastName: "Other"}, "",
			Mailbox{Address: "ann.other@nhs.net", LocalID: "L7", Org: "RR8", Kind: KindMailbox, FirstName: "Ann", LastName: "Other"}},
		{"a new address", Mailbox{Address: "cy.new@nhs.net", LocalID: "L3", Org: "RR8", Kind: KindMailbox,
			FirstName: "Cy", LastName: "New"}, "",
			Mailbox{Address: "cy.new@nhs.net", LocalID: "L3", Org: "RR8", Kind: KindMailbox, FirstName: "Cy", LastName: "New"}},
		// Last: on PostgreSQL the refusal ends the transaction.
		{"another address with its Local ID", Mailbox{Address: "bob.else@nhs.net", LocalID: "l7", Org: "RR8",
			Kind: KindMailbox, FirstName: "Bob", LastName: "Else"}, ErrLocalIDTaken.Error(), Mailbox{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			err := tx.Put(&m, later)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one naming %s", err, tc.wantErr)
				}
				if ok, _ := tx.ByAddress(tc.m.Address, &m); ok {
					t.Errorf("%s: stored after the error", tc.m.Address)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got Mailbox
			if ok, err := tx.ByAddress(tc.m.Address, &got); err != nil || !ok {
				t.Fatalf("ByAddress: %v %v", ok, err)
			}
			if got.Address == was.Address && (got.ID != was.ID || !got.CreatedAt.Equal(first)) {
				t.Errorf("replaced: got id %d created %v, want id %d created %v", got.ID, got.CreatedAt, was.ID, first)
			}
			if !got.UpdatedAt.Equal(later) {
				t.Errorf("updated %v, want %v", got.UpdatedAt, later)
			}
			tc.want.ID, tc.want.EmailSize, tc.want.CreatedAt, tc.want.UpdatedAt = got.ID, got.EmailSize, got.CreatedAt, got.UpdatedAt
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
