package pushfile

import (
	"slices"
	"strings"
	"testing"
)

func TestHeader(t *testing.T) {
	const row = "\nAnn,Smith,A1,RR8\n"
	tests := []struct {
		name       string
		in         string
		wantFormat Format
		wantProbs  []string // nil: the header is good
	}{
		{name: "new format", in: "FirstName,LastName,Local ID,Organisation" + row, wantFormat: FormatNew},
		{name: "names ignore case spaces _ and -", in: "first_name,LAST-NAME,localid,  organisation " + row, wantFormat: FormatNew},
		{name: "any order", in: "Organisation,Local ID,LastName,FirstName\nRR8,A1,Smith,Ann\n", wantFormat: FormatNew},
		{name: "all new columns", in: "ID,ClinicalRole,ClinicalSpeciality,EmailSize,Fax,FirstName,JobTitle,LastName,Local ID,MobilePhone," +
			"OfficePhone,Organisation,OrganisationUnit,Pager,Password,Title,WorkArea" + row, wantFormat: FormatNew},
		{name: "results columns accepted", in: "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword" + row, wantFormat: FormatNew},
		{name: "old format", in: "Unique ID,Title,First Name,Last Name,Previous Family Name,Initials,Job Title,Department," +
			"Organisation Code,Organisation Site Code,GP Practice Code,Room,Telephone,Mobile,Fax,Pager,Web Page\n1,Mr,A,B,,,,,RR8\n", wantFormat: FormatOld},
		{name: "old format with GP Practice Code only", in: "Unique ID,First Name,Last Name,GP Practice Code" + row, wantFormat: FormatOld},
		{name: "spaces before quoted header cells", in: `FirstName, "LastName", "Local ID",Organisation` + row, wantFormat: FormatNew},
		{name: "blank header cells allowed", in: "FirstName,LastName,Local ID,Organisation,,," + row, wantFormat: FormatNew},
		{name: "blank lines before the header", in: "\n\n,,,\nFirstName,LastName,Local ID,Organisation" + row, wantFormat: FormatNew},
		{name: "missing mandatory columns", in: "FirstName,Organisation" + row, wantProbs: []string{
			`missing mandatory column "LastName"`,
			`missing mandatory column "Local ID"`,
		}},
		{name: "old format missing columns", in: "Unique ID,First Name" + row, wantProbs: []string{
			`missing mandatory column "Last Name"`,
			`missing mandatory column "Organisation Code" (or "GP Practice Code")`,
		}},
		{name: "shared columns only count as new", in: "FirstName,LastName" + row, wantProbs: []string{
			`missing mandatory column "Local ID"`,
			`missing mandatory column "Organisation"`,
		}},
		{name: "unknown column with suggestion", in: "FirstName,LastName,Local ID,Orgnisation" + row, wantProbs: []string{
			`unknown column "Orgnisation" (did you mean "Organisation"?)`,
			`missing mandatory column "Organisation"`,
		}},
		{name: "unknown column without suggestion", in: "FirstName,LastName,Local ID,Organisation,Shoe Size" + row, wantProbs: []string{
			`unknown column "Shoe Size"`,
		}},
		{name: "old format suggestion uses old names", in: "Unique ID,First Name,Last Name,Organisation Code,Telphone" + row, wantProbs: []string{
			`unknown column "Telphone" (did you mean "Telephone"?)`,
		}},
		{name: "same column twice", in: "FirstName,LastName,Local ID,Organisation,local_id" + row, wantProbs: []string{
			`column "local_id" appears more than once (columns C and E): keep one of them`,
		}},
		{name: "mixed formats", in: "FirstName,LastName,Local ID,Organisation,Unique ID,Telephone" + row, wantProbs: []string{
			"the header is in neither format: it mixes new-format columns (Local ID, Organisation) with NHSmail 1 columns (Unique ID, Telephone); use the columns of one format only",
		}},
		{name: "no header", in: "Ann,Smith,A1,RR8\nBob,Jones,A2,RR8\n", wantProbs: []string{
			`the first line is a header in neither format: it must name the columns, e.g. "FirstName,LastName,Local ID,Organisation" (new format) or "Unique ID,First Name,Last Name,Organisation Code" (NHSmail 1 format)`,
		}},
		{name: "every problem at once", in: "FirstName,Frist Name,Orgnisation,FirstName\n", wantProbs: []string{
			`column "FirstName" appears more than once (columns A and D): keep one of them`,
			`unknown column "Frist Name" (did you mean "FirstName"?)`,
			`unknown column "Orgnisation" (did you mean "Organisation"?)`,
			`missing mandatory column "LastName"`,
			`missing mandatory column "Local ID"`,
			`missing mandatory column "Organisation"`,
			"the file has a header but no data rows: add one line per user under the header",
		}},
		{name: "header not valid csv", in: "FirstName,Last\"Name\nAnn,Smith\n", wantProbs: []string{
			`the header line is not valid CSV: a quote mark (") is inside a cell that does not start with one: put the whole cell in quotes and double the quote marks inside it (""), or remove them`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tc.in), Options{})
			if tc.wantProbs != nil {
				if got := fileProblems(t, err); !slices.Equal(got, tc.wantProbs) {
					t.Errorf("got problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.wantProbs, "\n"))
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := r.Format(); got != tc.wantFormat {
				t.Errorf("got format %v, want %v", got, tc.wantFormat)
			}
		})
	}
}

func TestFileErrorText(t *testing.T) {
	_, err := Open(strings.NewReader("FirstName,Orgnisation\n"), Options{})
	want := `line 1: unknown column "Orgnisation" (did you mean "Organisation"?)` + "\n" +
		`line 1: missing mandatory column "LastName"` + "\n" +
		`line 1: missing mandatory column "Local ID"` + "\n" +
		`line 1: missing mandatory column "Organisation"` + "\n" +
		"the file has a header but no data rows: add one line per user under the header"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestNoDataRows(t *testing.T) {
	for _, in := range []string{
		"FirstName,LastName,Local ID,Organisation\n",
		"FirstName,LastName,Local ID,Organisation\n,,,\n  ,\t, ,\n\n",
	} {
		r, err := Open(strings.NewReader(in), Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		_, err = r.Next()
		if got := fileProblems(t, err); len(got) != 1 || !strings.Contains(got[0], "no data rows") {
			t.Errorf("got %q, want the no-data-rows problem", got)
		}
	}
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnLetter(i); got != want {
			t.Errorf("columnLetter(%d): got %q, want %q", i, got, want)
		}
	}
}

func TestTooManyHeaderProblems(t *testing.T) {
	in := "FirstName,LastName,Local ID,Organisation" + strings.Repeat(",Bogus", 80) + "\nA,B,C,RR8\n"
	_, err := Open(strings.NewReader(in), Options{})
	got := fileProblems(t, err)
	if len(got) != maxFileProblems || got[len(got)-1] != "31 more problems are not listed" {
		t.Errorf("got %d problems ending %q, want %d ending with the count of the rest", len(got), got[len(got)-1], maxFileProblems)
	}
}
