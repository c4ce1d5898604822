package ldapdirectory

import (
	"os"
	"strings"
	"testing"

	"connectord/provision"
)

// header is a short push-file header for hand-written rows.
const header = "FirstName,LastName,Local ID,Organisation,OrganisationUnit,JobTitle,Title,EmailSize,MobilePhone,Password\r\n"

// The same push files against the same directory content give the same
// results file, row for row, on the embedded directory and on Active
// Directory: every status, a mapped and an unmapped field changed, Local
// IDs in another case, a duplicate by folded name, the creation limit, and
// the first results file sent again.
func TestSameResultsOnBothBackends(t *testing.T) {
	f := newFixture(t)
	f.seedAD(t)
	embedded := newStore(t)
	f.seedEmbedded(t, embedded)
	sample, err := os.ReadFile("../testdata/push-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{
		string(sample),
		header + "Jane,Doe,l1001,RR8,,,,,,\r\n" + // NOCHANGE, the Local ID in another case
			"John,Smith,L1002,RR8,DRR801,,,,,\r\n" + // UPDATED: OrganisationUnit, mapped to department
			"Zoë,Núñez,l2001,RR8,,,,16,,\r\n" + // UPDATED: EmailSize, kept in the store
			"Príya,Pátel,P9,RR8,,,,,,\r\n" + // DUPLICATE ignoring accents
			"Olive,Contact,L1003,RR8,,Boss,,,,\r\n" + // CONTACT
			"Amy,Pond,A9,A81001,,,,,,\r\n" + // creation limit reached
			"New,Person,,RR8,,Nurse,,,,\r\n", // NEW with a generated Local ID
		"", // the first results file, sent again
	}
	var first string
	for i, file := range files {
		if file == "" {
			file = first
		}
		want, _ := applyTo(t, embedded, f.sender, f.domain, []byte(file), false, provision.Embedded)
		got, _ := f.apply(t, []byte(file), false)
		if i == 0 {
			first = got
		}
		if got != want {
			t.Errorf("file %d: Active Directory's results differ from the embedded directory's:\ngot:\n%s\nwant:\n%s", i+1, got, want)
		}
		if i == 0 && !strings.Contains(got, "PROCESSED_LEAVER") {
			t.Fatalf("file 1: no leaver:\n%s", got)
		}
	}
}
