package directoryfile

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/store"
)

func TestReadOrganisations(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // each must appear; empty means no error
	}{
		{"good", "Organisation,Name,CreationLimit,OrganisationUnits\r\nrr8,Leeds,10,drr801;DRR802\r\n", nil},
		{"semicolons and BOM", "\uFEFFOrganisation;Name;CreationLimit\r\nRR8;Leeds;10\r\n", nil},
		{"every problem at once",
			"Organisation,Name,CreationLimit,OrganisationUnits\r\nR!8,Leeds,-1,XYZ\r\nRR8,A,1,\r\nRR8,B,1,\r\n",
			[]string{"o.csv:2: Organisation: \"R!8\"", "o.csv:2: CreationLimit", "o.csv:2: OrganisationUnits: \"XYZ\"", "o.csv:4: Organisation: RR8 is already on line 3"}},
		{"missing column", "Organisation,Name\r\nRR8,Leeds\r\n", []string{`missing column "CreationLimit"`}},
		{"unknown column", "Organisation,CreationLimit,Colour\r\nRR8,1,red\r\n", []string{`unknown column "Colour"`}},
		{"empty", "", []string{"empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadOrganisations(strings.NewReader(tc.in), "o.csv")
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want an *Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestImportReportRefusesWholeFile(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutOrganisations(ctx, []store.Organisation{{Code: "RR8", CreationLimit: 1, Units: []string{"DRR801"}}}); err != nil {
		t.Fatal(err)
	}
	reg, _ := st.Registry(ctx)
	in := "EmailAddress,Local ID,Organisation,OrganisationUnit,Type,FirstName,LastName\r\n" +
		"good@nhs.net,L1,RR8,DRR801,Mailbox,Ann,Other\r\n" +
		"bad,L2,RR8,,Mailbox,Bob,Jones\r\n" +
		"x@nhs.net,L3,ZZZ,,Robot,Cat,Smith\r\n" +
		"y@nhs.net,L1,RR8,DRR999,Mailbox,Dan,Brown\r\n"
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ImportReport(strings.NewReader(in), "d.csv", tx, reg, time.Now())
	tx.Rollback()
	for _, w := range []string{"d.csv:3: EmailAddress", "d.csv:4: Type", "d.csv:4: Organisation", "d.csv:5: OrganisationUnit"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if n, _ := st.CountMailboxes(ctx); n != 0 {
		t.Errorf("%d mailboxes imported from a refused file, want 0", n)
	}
}
