package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// ByLocalIDs finds every entry asked for, ignoring ASCII case only, once
// each however often it is asked for, across batches of lookupBatch, and
// reports none that is missing.
func TestByLocalIDs(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8"}}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const n = 2*lookupBatch + 7
	for i := range n {
		m := &Mailbox{Address: fmt.Sprintf("p%d@nhs.net", i), LocalID: fmt.Sprintf("Emp%05d", i), Org: "RR8", Kind: KindMailbox, EmailSize: 4}
		if err := tx.Insert(m, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"k1", "x"} {
		if err := tx.Insert(&Mailbox{Address: id + "@nhs.net", LocalID: id, Org: "RR8", Kind: KindMailbox}, now); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		ids  []string
		want []string // the addresses found, sorted
	}{
		{"none", nil, nil},
		{"one, in another case", []string{"EMP00003"}, []string{"p3@nhs.net"}},
		{"missing", []string{"nope", "EMP99999"}, nil},
		{"the Kelvin sign is not k", []string{"\u212a1", "K1"}, []string{"k1@nhs.net"}},
		{"repeats", []string{"x", "X", "x"}, []string{"x@nhs.net"}},
	}
	var all, allWant []string
	for i := n - 1; i >= 0; i-- {
		all = append(all, fmt.Sprintf("emp%05d", i))
		allWant = append(allWant, fmt.Sprintf("p%d@nhs.net", i))
	}
	slices.Sort(allWant)
	tests = append(tests, struct {
		name string
		ids  []string
		want []string
	}{"more than two batches", append(all, "missing"), allWant})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var found []Mailbox
			err := tx.ByLocalIDs(slices.Clone(tc.ids), func(m *Mailbox) error {
				found = append(found, *m)
				got = append(got, m.Address)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range found {
				var one Mailbox
				if _, err := tx.ByLocalID(m.LocalID, &one); err != nil || one != m {
					t.Errorf("%s: got %+v, want %+v (ByLocalID, %v)", m.LocalID, m, one, err)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFoldLocalID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"abc", "abc"}, {"AbC-9", "abc-9"}, {"\u212a", "\u212a"}, {"ÉA", "Éa"},
	} {
		if got := FoldLocalID(tc.in); got != tc.want {
			t.Errorf("FoldLocalID(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TakenNumbers reads the numbers a base's addresses take, exactly as
// generated (no leading zeros, no 1, this domain only), with the address
// index.
func TestTakenNumbers(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8"}}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, local := range []string{"john.smith", "john.smith2", "john.smith02", "john.smith1", "john.smithson",
		"john.smith-jones", "John.Smith3", "john.smith40", "john.smith99999", "john.smit", "john.smith7"} {
		if err := tx.Insert(&Mailbox{Address: local + "@nhs.net", Org: "RR8", Kind: KindMailbox}, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Insert(&Mailbox{Address: "john.smith5@nhs.scot", Org: "RR8", Kind: KindMailbox}, now); err != nil {
		t.Fatal(err)
	}
	got, err := tx.TakenNumbers("john.smith", "nhs.net", 100000)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 7, 40, 99999}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, _ := tx.TakenNumbers("john.smith", "nhs.net", 50); !slices.Equal(got, []int{1, 2, 7, 40}) {
		t.Errorf("below 50: got %v, want [1 2 7 40]", got)
	}
	if onPostgres() {
		return // the plan below is SQLite's
	}
	var plan []string
	rows, err := tx.Tx().QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT address FROM mailboxes WHERE address >= ? AND address < ?", "a0", "aA")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "USING COVERING INDEX") {
		t.Errorf("plan %q, want a search of the address index", plan)
	}
}
