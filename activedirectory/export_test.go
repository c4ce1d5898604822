package activedirectory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestBulk fills an organisation with 2,000 entries (1,800 contacts, which
// Samba adds fastest, and 200 users) and then exports them in pages and
// looks 500 Local IDs up in one search.
func TestBulk(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PageSize = 600 })
	rr8 := f.orgOU(t, "RR8")
	const n = 2000
	var ldif strings.Builder
	for i := range n {
		if i%10 != 0 {
			fmt.Fprintf(&ldif, "dn: CN=Contact %d,%s\nobjectClass: contact\nemployeeID: RR8-%d\n\n", i, rr8, i)
			continue
		}
		fmt.Fprintf(&ldif, "dn: CN=User %d,%s\nobjectClass: user\nsAMAccountName: %s\nemployeeID: RR8-%d\ngivenName: User\nsn: %d\n\n",
			i, rr8, f.sam(fmt.Sprintf("e%d-", i)), i, i)
	}
	fmt.Fprintf(&ldif, "dn: CN=PC1,%s\nobjectClass: computer\nsAMAccountName: %s\n\n", rr8, f.sam("pc$"))
	f.dc.AddLDIF(t, ldif.String())
	t.Run("export", func(t *testing.T) { testExport(t, f) })
	t.Run("lookup", func(t *testing.T) { testLookupBatch(t, f) })
}

func testExport(t *testing.T, f *fixture) {
	before := f.c.Stats().Searches
	seen := map[string]bool{}
	var users, contacts int
	err := f.c.Export(context.Background(), func(e Entry) error {
		if seen[e.DN] {
			t.Errorf("%s exported twice", e.DN)
		}
		seen[e.DN] = true
		switch e.Class {
		case User:
			users++
		case Contact:
			contacts++
		}
		if e.Organisation != "RR8" {
			t.Errorf("%s: organisation %q, want RR8", e.DN, e.Organisation)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if users != 200 || contacts != 1800 {
		t.Errorf("%d users and %d contacts, want 200 and 1800 (and no computer)", users, contacts)
	}
	if pages := f.c.Stats().Searches - before; pages != 4 {
		t.Errorf("%d pages, want 4 (600, 600, 600, 200)", pages)
	}

	t.Run("stops at the callback's error", func(t *testing.T) {
		stop := errors.New("enough")
		calls := 0
		err := f.c.Export(context.Background(), func(Entry) error {
			if calls++; calls == 10 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 10 {
			t.Errorf("got %v after %d calls, want %v after 10", err, calls, stop)
		}
		// The abandoned result must not break the connection.
		if _, err := f.c.LookupLocalIDs(context.Background(), []string{"RR8-1"}); err != nil {
			t.Errorf("search after the early stop: %v", err)
		}
	})
}
