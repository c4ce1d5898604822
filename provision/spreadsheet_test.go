package provision

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"connectord/store"
)

// wantRow is the Result and Detail a results row must have.
type wantRow struct {
	name   string
	status Status
	detail string
}

// checkResults processes testdata/file and compares every row's Result and
// Detail, exactly, with want.
func checkResults(t *testing.T, f *fixture, file string, want []wantRow) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.process(t, in, false)
	res := resultsOf(t, got)
	if len(res) != len(want) {
		t.Fatalf("got %d result rows, want %d:\n%s", len(res), len(want), got)
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			if Status(res[i][0]) != w.status || res[i][1] != w.detail {
				t.Errorf("got %s %q, want %s %q", res[i][0], res[i][1], w.status, w.detail)
			}
		})
	}
}

// An NHSmail 1 file's columns that are no longer managed are noted in
// Detail whatever the row's result, not dropped silently (guide 5.3).
func TestOldFormatUnmanagedColumns(t *testing.T) {
	checkResults(t, newFixture(t), "nhsmail1-unmanaged.csv", []wantRow{
		{"new, with Room and Web Page", New,
			"Room is no longer managed and was ignored; Web Page is no longer managed and was ignored"},
		{"unchanged, with Previous Family Name and Initials", NoChange,
			"Previous Family Name is no longer managed and was ignored; Initials is no longer managed and was ignored"},
		{"updated, with Organisation Site Code", Updated,
			"changed: JobTitle; Organisation Site Code is no longer managed and was ignored"},
		{"GP Practice Code as the organisation", New,
			`GP Practice Code is no longer managed: practices are now organisations, so "A81001" was used as the Organisation Code (put it there in future files)`},
		{"GP Practice Code beside another Organisation Code", New,
			"GP Practice Code is no longer managed and was ignored (Organisation Code is used)"},
		{"access denied, with Room", Denied,
			"admin.leeds@nhs.net does not hold the Connector role for organisation X26 (it does for: A81001, RR8); Room is no longer managed and was ignored"},
	})
}

// NHSmail 1's Department was free text: only a value that looks like a unit
// code is used as the OrganisationUnit; any other is ignored with a note,
// and a new user is assigned to the organisation itself.
func TestOldFormatDepartment(t *testing.T) {
	f := newFixture(t)
	const ignored = `Department %q is not a unit code and was ignored (unit codes start with D, such as "DLS1110234"); a new user is assigned to the organisation`
	checkResults(t, f, "nhsmail1-department.csv", []wantRow{
		{"new, free text", New, fmt.Sprintf(ignored, "Cardiology")},
		{"existing, free text: the unit is kept", NoChange, fmt.Sprintf(ignored, "Cardiology")},
		{"a word starting with D", New, fmt.Sprintf(ignored, "Dermatology")},
		{"a unit code", New, ""},
		{"a unit code in lower case", New, ""},
		{"a unit code the organisation does not have", Invalid,
			`Department: "DRR899" is not a unit of organisation RR8: use a code from the Manage Organisation section of the Portal`},
	})
	wantUnits := map[string]string{"adam.bell@nhs.net": "", "jane.doe@nhs.net": "DRR801", "cara.dunn@nhs.net": "",
		"dev.rao@nhs.net": "DRR802", "eva.lind@nhs.net": "DRR803"}
	tx, err := f.st.BeginDirectory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for addr, want := range wantUnits {
		var m store.Mailbox
		if ok, err := tx.ByAddress(addr, &m); err != nil || !ok {
			t.Fatalf("%s: found %v, %v", addr, ok, err)
		}
		if m.Org != "RR8" || m.Unit != want {
			t.Errorf("%s: got %s unit %q, want RR8 unit %q", addr, m.Org, m.Unit, want)
		}
	}
}

// A UK telephone number without its leading 0 (or +) is applied as it is,
// with a warning in Detail after what processing says.
func TestPhoneWithoutLeadingZero(t *testing.T) {
	const tail = "; it was applied as it is: format the column as Text in Excel and type the %s, or write the number with spaces"
	warn := func(col, v, lost string) string {
		return fmt.Sprintf(`%s: "%s" looks like a spreadsheet dropped the leading %s ("%s%s")`+tail, col, v, lost, lost, v, lost)
	}
	f := newFixture(t)
	checkResults(t, f, "phones-without-zero.csv", []wantRow{
		{"updated", Updated, "changed: MobilePhone; " + warn("MobilePhone", "7700900123", "0")},
		{"new", New, warn("OfficePhone", "1132433144", "0") + "; " + warn("MobilePhone", "447700900124", "+")},
		{"numbers as typed", New, ""},
	})
	tx, err := f.st.BeginDirectory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var m store.Mailbox
	if ok, err := tx.ByAddress("jane.doe@nhs.net", &m); err != nil || !ok || m.MobilePhone != "7700900123" {
		t.Errorf("got mobile %q (%v, %v), want the number applied as it is", m.MobilePhone, ok, err)
	}
}

// A numeric Local ID a spreadsheet stripped of its leading zeros, while the
// directory has the padded one in the same organisation, would create a
// second mailbox for one person: INVALID, naming the Local ID it means.
func TestLocalIDLostLeadingZeros(t *testing.T) {
	f := newFixture(t)
	tx, err := f.st.BeginDirectory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []store.Mailbox{
		{Address: "ann.zero@nhs.net", LocalID: "0012345", Org: "RR8", FirstName: "Ann", LastName: "Zero", JobTitle: "Nurse"},
		{Address: "bea.far@nhs.net", LocalID: "0777", Org: "X26", FirstName: "Bea", LastName: "Far", JobTitle: "Nurse"},
	} {
		m.Kind, m.EmailSize = store.KindMailbox, 4
		if err := tx.Insert(&m, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	const lost = `%s: "%s" is not in the directory, but "%s" (%s) of RR8 is: a spreadsheet probably dropped its leading zeros, ` +
		`and this row would create a second mailbox for the same person; format the column as Text in Excel and use "%s"`
	checkResults(t, f, "local-id-zeros.csv", []wantRow{
		{"leading zeros dropped", Invalid, fmt.Sprintf(lost, "Local ID", "12345", "0012345", "ann.zero@nhs.net", "0012345")},
		{"the Local ID as it is", NoChange, ""},
		{"padded in another organisation only", New, ""},
		{"a number nobody has", New, ""},
		{"created earlier in the file", New, ""},
		{"then without its zero", Invalid, fmt.Sprintf(lost, "Local ID", "999", "0999", "dot.twice@nhs.net", "0999")},
	})
	checkResults(t, f, "nhsmail1-local-id-zeros.csv", []wantRow{
		{"NHSmail 1 Unique ID", Invalid, fmt.Sprintf(lost, "Unique ID", "12345", "0012345", "ann.zero@nhs.net", "0012345")},
	})
}
