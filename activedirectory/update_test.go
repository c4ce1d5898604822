package activedirectory

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestUpdate(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	u := newUser("RR8", "RR8-1", "Jo", "Bloggs", "jo.bloggs@"+f.domain, "Initial-Passw0rd")
	u.Values[Pager], u.Values[WorkArea] = "0800 1", "Ward 3"
	e, err := f.c.CreateUser(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	v := e.Values
	v[JobTitle], v[OfficePhone], v[ClinicalRole], v[Pager], v[DisplayName] = "Matron", "+44 113 000", "Nurse,Midwife", "", "Jo Bloggs-Smith"
	v[LastName] = "Bloggs-Smith"
	before := f.c.Stats().Modifies
	if err := f.c.Update(ctx, e.DN, &v, JobTitle, OfficePhone, ClinicalRole, Pager, LastName, DisplayName); err != nil {
		t.Fatal(err)
	}
	if n := f.c.Stats().Modifies - before; n != 1 {
		t.Errorf("%d modifies, want 1", n)
	}
	es, err := f.c.LookupLocalID(ctx, "RR8-1")
	if err != nil || len(es) != 1 {
		t.Fatalf("read back: %v, %v", es, err)
	}
	got := es[0].Values
	if got != v {
		t.Errorf("read back\n got %q\nwant %q", got, v)
	}
	if got[Pager] != "" || got[WorkArea] != "Ward 3" {
		t.Errorf("pager %q (want removed), work area %q (want kept)", got[Pager], got[WorkArea])
	}
	if es[0].SAMAccountName != e.SAMAccountName || es[0].DN != e.DN || es[0].Address != e.Address {
		t.Errorf("the names changed: %+v, was %+v", es[0], e)
	}

	t.Run("unmapped field", func(t *testing.T) {
		err := f.c.Update(ctx, e.DN, &v, EmailSize)
		if err == nil || !strings.Contains(err.Error(), "EmailSize has no attribute") {
			t.Errorf("got %v, want an error naming EmailSize", err)
		}
	})
	t.Run("too long", func(t *testing.T) {
		v := v
		v[OrganisationUnit] = "D" + strings.Repeat("1", 64)
		var ve *ValueError
		if err := f.c.Update(ctx, e.DN, &v, OrganisationUnit); !errors.As(err, &ve) || ve.Field != "OrganisationUnit" || ve.Max != 64 {
			t.Errorf("got %v, want a ValueError for OrganisationUnit, at most 64", err)
		}
	})
	t.Run("no such entry", func(t *testing.T) {
		if err := f.c.Update(ctx, "CN=Nobody,"+f.ou, &v, JobTitle); err == nil {
			t.Error("updating a missing entry succeeded")
		}
	})
}
