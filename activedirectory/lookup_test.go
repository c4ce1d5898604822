package activedirectory

import (
	"context"
	"fmt"
	"testing"
)

// TestLookup: contacts are told from users, each entry says whose
// organisation's container holds it, and a Local ID on two entries returns both.
func TestLookup(t *testing.T) {
	f := newFixture(t, nil)
	rr8, rx1 := f.orgOU(t, "RR8"), f.orgOU(t, "RX1")
	f.add(t, "CN=Jo Bloggs,"+rr8, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"jo.bloggs"},
		"employeeID": {"RR8-1"}, "givenName": {"Jo"}, "sn": {"Bloggs"}, "mail": {"jo.bloggs@" + f.domain}, "title": {"Nurse"},
		"department": {"D12"}})
	f.add(t, "CN=Old Contact,"+rr8, map[string][]string{"objectClass": {"contact"}, "employeeID": {"RR8-2"},
		"mail": {"old.contact@" + f.domain}})
	f.add(t, "CN=Moved Away,"+rx1, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"moved.away"}, "employeeID": {"RR8-3"}})
	f.add(t, "CN=Nowhere,"+f.ou, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"nowhere1"}, "employeeID": {"RR8-4"}})
	f.add(t, "CN=Twin One,"+rr8, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"twin.one"}, "employeeID": {"RR8-5"}})
	f.add(t, "CN=Twin Two,"+rx1, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"twin.two"}, "employeeID": {"RR8-5"}})
	f.add(t, "CN=PC1,"+rr8, map[string][]string{"objectClass": {"computer"}, "sAMAccountName": {"PC1$"}, "employeeID": {"RR8-6"}})
	f.add(t, "CN=Accented,"+rr8, map[string][]string{"objectClass": {"contact"}, "employeeID": {"RR8-é7"}})
	f.add(t, "CN=Kay,"+rr8, map[string][]string{"objectClass": {"contact"}, "employeeID": {"RR8-k8"}})

	got, err := f.c.LookupLocalIDs(context.Background(), []string{"RR8-1", "rr8-2", "RR8-3", "RR8-4", "RR8-5", "RR8-6", "RR8-404",
		"RR8-É7", "RR8-\u212A8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id    string
		class Class
		org   string
		n     int
	}{
		{"RR8-1", User, "RR8", 1},
		{"rr8-2", Contact, "RR8", 1}, // AD matches ignoring case
		{"RR8-3", User, "RX1", 1},
		{"RR8-4", User, "", 1},
		{"RR8-5", User, "", 2},
		{"RR8-6", 0, "", 0}, // a computer is not a person
		{"RR8-404", 0, "", 0},
		// Samba matches É to é, but Local IDs are the same only ignoring
		// ASCII case, as in connectord's own directory.
		{"RR8-É7", 0, "", 0},
		{"RR8-\u212A8", 0, "", 0}, // the Kelvin sign is not k
	} {
		es := got[tc.id]
		if len(es) != tc.n {
			t.Errorf("%s: %d entries, want %d", tc.id, len(es), tc.n)
			continue
		}
		if tc.n == 1 && (es[0].Class != tc.class || es[0].Organisation != tc.org) {
			t.Errorf("%s: class %v, organisation %q; want %v, %q", tc.id, es[0].Class, es[0].Organisation, tc.class, tc.org)
		}
	}
	jo := got["RR8-1"][0]
	if jo.Values[FirstName] != "Jo" || jo.Values[LastName] != "Bloggs" || jo.Values[JobTitle] != "Nurse" ||
		jo.Values[OrganisationUnit] != "D12" || jo.Address != "jo.bloggs@"+f.domain || jo.LocalID != "RR8-1" || jo.SAMAccountName != f.sam("jo.bloggs") {
		t.Errorf("RR8-1: %+v", jo)
	}
	if !jo.Disabled {
		t.Errorf("RR8-1, added without a password, is not Disabled: %+v", jo)
	}
}

// testLookupBatch (in TestBulk): 500 Local IDs are one search with
// lookup_batch 500, and three with the default batch of 200.
func testLookupBatch(t *testing.T, f *fixture) {
	ids := make([]string, 500) // 300 there (RR8-1700 to RR8-1999), 200 not
	for i := range ids {
		ids[i] = fmt.Sprintf("RR8-%d", 1700+i)
	}
	for _, tc := range []struct {
		batch    int
		searches int64
	}{{500, 1}, {DefaultLookupBatch, 3}} {
		t.Run(fmt.Sprint(tc.batch), func(t *testing.T) {
			f.c.cfg.LookupBatch = tc.batch
			before := f.c.Stats().Searches
			got, err := f.c.LookupLocalIDs(context.Background(), ids)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.c.Stats().Searches - before; n != tc.searches {
				t.Errorf("%d searches, want %d", n, tc.searches)
			}
			if len(got) != 300 {
				t.Errorf("found %d Local IDs, want 300", len(got))
			}
			for i := 1700; i < 2000; i++ {
				want := Contact
				if i%10 == 0 {
					want = User
				}
				if es := got[fmt.Sprintf("RR8-%d", i)]; len(es) != 1 || es[0].Class != want {
					t.Errorf("RR8-%d: %+v, want one %v", i, es, want)
				}
			}
		})
	}
}

// TestUnlinkedUsers lists the users of one organisation without a Local ID.
func TestUnlinkedUsers(t *testing.T) {
	f := newFixture(t, nil)
	rr8, rx1 := f.orgOU(t, "RR8"), f.orgOU(t, "RX1")
	staff := "OU=Staff," + rr8
	f.add(t, staff, map[string][]string{"objectClass": {"organizationalUnit"}})
	user := func(dn, sam string, extra ...string) {
		attrs := map[string][]string{"objectClass": {"user"}, "sAMAccountName": {sam}, "givenName": {"José"}, "sn": {"Núñez"}}
		if len(extra) > 0 {
			attrs["employeeID"] = extra
		}
		f.add(t, dn, attrs)
	}
	user("CN=José Núñez,"+rr8, "jose.nunez")
	user("CN=José Núñez,"+staff, "jose.nunez2")
	user("CN=Linked,"+rr8, "linked", "RR8-1")
	user("CN=Other Org,"+rx1, "other.org")
	f.add(t, "CN=A Contact,"+rr8, map[string][]string{"objectClass": {"contact"}, "givenName": {"José"}})
	var got []string
	err := f.c.UnlinkedUsers(context.Background(), "RR8", func(e Entry) error {
		if e.Values[FirstName] != "José" || e.Values[LastName] != "Núñez" || e.Organisation != "RR8" {
			t.Errorf("entry %+v", e)
		}
		got = append(got, e.SAMAccountName)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("got %q, want jose.nunez and jose.nunez2", got)
	}
	if err := f.c.UnlinkedUsers(context.Background(), "R99", func(Entry) error { return nil }); err != nil {
		t.Errorf("an organisation without a container: %v", err)
	}
}
