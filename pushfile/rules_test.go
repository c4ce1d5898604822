package pushfile

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

// newHeader lists every new-format column, in Field order.
func newHeader() []string {
	var h []string
	for f := range NumFields {
		h = append(h, f.String())
	}
	return h
}

// oneRow returns a new-format file with one row: Ann Smith, Local ID A1 of
// RR8, with the cells of set changed.
func oneRow(set map[Field]string) string {
	cells := make([]string, NumFields)
	cells[FirstName], cells[LastName], cells[LocalID], cells[Organisation] = "Ann", "Smith", "A1", "RR8"
	for f, v := range set {
		cells[f] = v
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(newHeader())
	w.Write(cells)
	w.Flush()
	return b.String()
}

func TestFieldRules(t *testing.T) {
	tests := []struct {
		name      string
		field     Field
		in        string
		want      string // normalised value
		wantProbs string // Detail; "" for a valid row
		registry  bool
	}{
		// Names.
		{name: "name trimmed", field: FirstName, in: "  Ann  ", want: "Ann"},
		{name: "name spaces collapsed", field: LastName, in: "Smith   Jones", want: "Smith Jones"},
		{name: "name line break collapsed", field: LastName, in: "Smith\nJones", want: "Smith Jones"},
		{name: "name accents", field: FirstName, in: "Zoë-Chloé", want: "Zoë-Chloé"},
		{name: "first name required", field: FirstName, in: "", wantProbs: "FirstName: is required"},
		{name: "last name blank is missing", field: LastName, in: "   ", wantProbs: "LastName: is required"},
		{name: "name 64 characters", field: FirstName, in: strings.Repeat("é", 64), want: strings.Repeat("é", 64)},
		{name: "name too long", field: FirstName, in: strings.Repeat("a", 65), wantProbs: "FirstName: is 65 characters long; at most 64 are allowed"},
		{name: "name with @", field: LastName, in: "smith@nhs.net", wantProbs: "LastName: must not contain @, < or >"},
		{name: "name with <", field: LastName, in: "<script>", wantProbs: "LastName: must not contain @, < or >"},
		{name: "name control character", field: FirstName, in: "An\x07n", wantProbs: "FirstName: contains a control character: retype the value"},
		{name: "name C1 control", field: FirstName, in: "An\u0085n", wantProbs: "FirstName: contains a control character: retype the value"},

		// Job title.
		{name: "job title", field: JobTitle, in: "Staff  Nurse", want: "Staff Nurse"},
		{name: "job title 128", field: JobTitle, in: strings.Repeat("x", 128), want: strings.Repeat("x", 128)},
		{name: "job title too long", field: JobTitle, in: strings.Repeat("x", 129), wantProbs: "JobTitle: is 129 characters long; at most 128 are allowed"},
		{name: "job title may have @", field: JobTitle, in: "Lead @ A&E", want: "Lead @ A&E"},
		{name: "job title control", field: JobTitle, in: "a\x01b", wantProbs: "JobTitle: contains a control character: retype the value"},

		// Local ID.
		{name: "local id blank allowed", field: LocalID, in: "", want: ""},
		{name: "local id", field: LocalID, in: " 12345 ", want: "12345"},
		{name: "local id too long", field: LocalID, in: strings.Repeat("1", 65), wantProbs: "Local ID: is 65 characters long; at most 64 are allowed"},
		{name: "local id excel mangled", field: LocalID, in: "1.23457E+11", wantProbs: `Local ID: "1.23457E+11" looks like a number Excel turned into scientific notation: format the column as Text in Excel and enter the IDs again`},
		{name: "local id excel mangled lower e", field: LocalID, in: "1e+11", wantProbs: `Local ID: "1e+11" looks like a number Excel turned into scientific notation: format the column as Text in Excel and enter the IDs again`},
		{name: "local id with E is fine", field: LocalID, in: "12E45", want: "12E45"},
		{name: "local id line break", field: LocalID, in: "A\n1", wantProbs: "Local ID: contains a control character or line break: retype the value"},

		// Organisation and unit.
		{name: "organisation upper-cased", field: Organisation, in: "rr8", want: "RR8"},
		{name: "organisation required", field: Organisation, in: "", wantProbs: "Organisation: is required"},
		{name: "organisation too short", field: Organisation, in: "R8", wantProbs: `Organisation: "R8" is not an organisation code: it must be 3 to 10 letters and digits, such as "RR8"`},
		{name: "organisation too long", field: Organisation, in: "ABCDEFGHIJK", wantProbs: `Organisation: "ABCDEFGHIJK" is not an organisation code: it must be 3 to 10 letters and digits, such as "RR8"`},
		{name: "organisation bad characters", field: Organisation, in: "RR-8", wantProbs: `Organisation: "RR-8" is not an organisation code: it must be 3 to 10 letters and digits, such as "RR8"`},
		{name: "organisation any shape without registry", field: Organisation, in: "ZZZ99", want: "ZZZ99"},
		{name: "organisation known", field: Organisation, in: "ls111", want: "LS111", registry: true},
		{name: "organisation unknown", field: Organisation, in: "ZZZ99", registry: true, wantProbs: `Organisation: unknown organisation code "ZZZ99": use the code shown in the Organisation section of the Portal`},
		{name: "unit blank", field: OrganisationUnit, in: "", want: ""},
		{name: "unit upper-cased", field: OrganisationUnit, in: "drr81", want: "DRR81"},
		{name: "unit must start with D", field: OrganisationUnit, in: "RR81", wantProbs: `OrganisationUnit: "RR81" is not an organisation unit code: it must start with D and have only letters and digits, such as "DLS1110234"`},
		{name: "unit of the organisation", field: OrganisationUnit, in: "DRR82", want: "DRR82", registry: true},
		{name: "unit of another organisation", field: OrganisationUnit, in: "DLS1110234", registry: true, wantProbs: `OrganisationUnit: "DLS1110234" is not a unit of organisation RR8: use a code from the Manage Organisation section of the Portal`},

		// Pick lists.
		{name: "title", field: Title, in: "dr", want: "Dr"},
		{name: "title full stop", field: Title, in: "Mrs.", want: "Mrs"},
		{name: "title unknown", field: Title, in: "Mister", wantProbs: `Title: unknown value "Mister"`},
		{name: "title typo", field: Title, in: "Prf", wantProbs: `Title: unknown value "Prf" (did you mean "Prof"?)`},
		{name: "title is single", field: Title, in: "Dr, Prof", wantProbs: `Title: takes one value, not a list: unknown value "Dr, Prof"`},
		{name: "role list", field: ClinicalRole, in: "nurse, Doctor", want: "Doctor,Nurse"},
		{name: "role list sorted", field: ClinicalRole, in: "Doctor,Nurse", want: "Doctor,Nurse"},
		{name: "role repeats removed", field: ClinicalRole, in: "Nurse,NURSE, nurse", want: "Nurse"},
		{name: "role empty items", field: ClinicalRole, in: ",Midwife,,", want: "Midwife"},
		{name: "role spaces inside", field: ClinicalRole, in: "allied   health  professional", want: "Allied Health Professional"},
		{name: "role typo", field: ClinicalRole, in: "Doctor,Nurce", wantProbs: `ClinicalRole: unknown value "Nurce" (did you mean "Nurse"?)`},
		{name: "speciality", field: ClinicalSpeciality, in: "clinical genetics,Public Health", want: "Clinical Genetics,Public Health"},
		{name: "speciality prefix suggestion", field: ClinicalSpeciality, in: "Obstetrics", wantProbs: `ClinicalSpeciality: unknown value "Obstetrics" (did you mean "Obstetrics and Gynaecology"?)`},
		{name: "speciality two unknown", field: ClinicalSpeciality, in: "Cardiolgy,Knitting", wantProbs: `ClinicalSpeciality: unknown value "Cardiolgy" (did you mean "Cardiology"?); ClinicalSpeciality: unknown value "Knitting"`},
		{name: "work area", field: WorkArea, in: "Research,acute care", want: "Acute Care,Research"},
		{name: "many unknown values", field: WorkArea, in: "a,b,c,d,e,f,g", wantProbs: `WorkArea: unknown value "a"; WorkArea: unknown value "b"; WorkArea: unknown value "c"; WorkArea: unknown value "d"; WorkArea: unknown value "e"; WorkArea: 2 more unknown values`},

		// EmailSize.
		{name: "size blank", field: EmailSize, in: "", want: ""},
		{name: "size", field: EmailSize, in: "4", want: "4"},
		{name: "size leading zero", field: EmailSize, in: "04", want: "4"},
		{name: "size GB", field: EmailSize, in: "10 GB", want: "10"},
		{name: "size 100", field: EmailSize, in: "100gb", want: "100"},
		{name: "size 0", field: EmailSize, in: "0", wantProbs: `EmailSize: "0" is not a mailbox size: it must be a whole number of GB from 1 to 100`},
		{name: "size 101", field: EmailSize, in: "101", wantProbs: `EmailSize: "101" is not a mailbox size: it must be a whole number of GB from 1 to 100`},
		{name: "size fraction", field: EmailSize, in: "4.5", wantProbs: `EmailSize: "4.5" is not a mailbox size: it must be a whole number of GB from 1 to 100`},
		{name: "size negative", field: EmailSize, in: "-4", wantProbs: `EmailSize: "-4" is not a mailbox size: it must be a whole number of GB from 1 to 100`},
		{name: "size huge", field: EmailSize, in: "99999999999999999999", wantProbs: `EmailSize: "99999999999999999999" is not a mailbox size: it must be a whole number of GB from 1 to 100`},

		// Phones.
		{name: "phone", field: OfficePhone, in: "+44 (0)113 123-4567", want: "+44 (0)113 123-4567"},
		{name: "phone spaces collapsed", field: MobilePhone, in: "07700   900\u00A0123", want: "07700 900 123"},
		{name: "phone letters", field: Fax, in: "0113 FAX", wantProbs: "Fax: may contain only digits, spaces and + ( ) -"},
		{name: "phone no digits", field: Pager, in: "-", wantProbs: "Pager: has no digits: leave the cell blank when there is no number"},
		{name: "phone excel mangled", field: MobilePhone, in: "4.479E+11", wantProbs: `MobilePhone: "4.479E+11" looks like a number Excel turned into scientific notation: format the column as Text in Excel and enter the numbers again`},
		{name: "phone 32", field: OfficePhone, in: strings.Repeat("1", 32), want: strings.Repeat("1", 32)},
		{name: "phone too long", field: OfficePhone, in: strings.Repeat("1", 33), wantProbs: "OfficePhone: is 33 characters long; at most 32 are allowed"},
		{name: "phone formula", field: OfficePhone, in: "=1+1", wantProbs: "OfficePhone: may contain only digits, spaces and + ( ) -"},

		// Password.
		{name: "password blank", field: Password, in: "", want: ""},
		{name: "password three categories", field: Password, in: "Abcdefg1", want: "Abcdefg1"},
		{name: "password symbols", field: Password, in: "abcdef1!", want: "abcdef1!"},
		{name: "password european letters", field: Password, in: "éÉéÉéÉé1", want: "éÉéÉéÉé1"},
		{name: "password short", field: Password, in: "Ab1!", wantProbs: "Password: is too short: use at least 8 characters, or leave it blank to have one generated"},
		{name: "password two categories", field: Password, in: "abcdefgh1", wantProbs: "Password: must mix at least 3 of: upper-case letters, lower-case letters, digits, symbols such as ! $ % & *"},
		{name: "password control", field: Password, in: "Abcdefg1\x01", wantProbs: "Password: contains a control character or unreadable character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.registry {
				opts.Registry = newTestRegistry()
			}
			rows := mustReadAll(t, oneRow(map[Field]string{tc.field: tc.in}), opts)
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			row := rows[0]
			if row.Detail != tc.wantProbs {
				t.Errorf("got detail %q, want %q", row.Detail, tc.wantProbs)
			}
			if row.Valid != (tc.wantProbs == "") {
				t.Errorf("got valid %v, want %v", row.Valid, tc.wantProbs == "")
			}
			if tc.wantProbs == "" && row.Value[tc.field] != tc.want {
				t.Errorf("got value %q, want %q", row.Value[tc.field], tc.want)
			}
			if tc.field == Password && tc.in != "" && strings.Contains(row.Detail, tc.in) {
				t.Errorf("got the password in the detail %q", row.Detail)
			}
		})
	}
}

func TestMultiValuesNormaliseEqual(t *testing.T) {
	a := mustReadAll(t, oneRow(map[Field]string{ClinicalRole: "nurse, Doctor"}), Options{})
	b := mustReadAll(t, oneRow(map[Field]string{ClinicalRole: "Doctor,Nurse"}), Options{})
	if a[0].Value[ClinicalRole] != b[0].Value[ClinicalRole] {
		t.Errorf("got %q and %q, want them equal", a[0].Value[ClinicalRole], b[0].Value[ClinicalRole])
	}
}

func TestDuplicateLocalID(t *testing.T) {
	in := "FirstName,LastName,Local ID,Organisation\n" +
		"Ann,Smith,A1,RR8\n" +
		"Bob,Jones,,RR8\n" +
		"Cat,Brown,,RR8\n" + // blank IDs never repeat
		"\n" +
		"Dan,Green,a1,RR8\n" + // case does not matter
		"Eve,White,A2,RR8\n" +
		"Fay,Black,A2,RR8\n"
	rows := mustReadAll(t, in, Options{})
	want := []string{"", "", "", "Local ID: duplicate Local ID, first on line 2", "", "Local ID: duplicate Local ID, first on line 7"}
	for i, row := range rows {
		if row.Detail != want[i] {
			t.Errorf("line %d: got %q, want %q", row.Line, row.Detail, want[i])
		}
	}
}

func TestOldFormat(t *testing.T) {
	header := "Unique ID,Title,First Name,Last Name,Previous Family Name,Initials,Job Title,Department," +
		"Organisation Code,Organisation Site Code,GP Practice Code,Room,Telephone,Mobile,Fax,Pager,Web Page\n"
	tests := []struct {
		name      string
		row       string
		want      map[Field]string
		wantProbs string
	}{
		{
			name: "mapped",
			row:  "U1,dr,Ann,Smith,,,Nurse,drr81,rr8,,,,0113 1,07700 1,0113 2,0113 3,",
			want: map[Field]string{LocalID: "U1", Title: "Dr", FirstName: "Ann", LastName: "Smith", JobTitle: "Nurse",
				OrganisationUnit: "DRR81", Organisation: "RR8", OfficePhone: "0113 1", MobilePhone: "07700 1", Fax: "0113 2", Pager: "0113 3"},
		},
		{
			name:      "GP practice code is the organisation, and Detail says so",
			row:       "U1,,Ann,Smith,,,,,,,y00001,,,,,,",
			want:      map[Field]string{Organisation: "Y00001"},
			wantProbs: `GP Practice Code is no longer managed: practices are now organisations, so "Y00001" was used as the Organisation Code (put it there in future files)`,
		},
		{
			name: "GP practice code the same as the organisation code: nothing to say",
			row:  "U1,,Ann,Smith,,,,,y00001,,Y00001,,,,,,",
			want: map[Field]string{Organisation: "Y00001"},
		},
		{
			name:      "ignored columns noted",
			row:       "U1,,Ann,Smith,Jones,A,,,RR8,SITE1,Y00001,12,,,,,http://x",
			want:      map[Field]string{Organisation: "RR8"},
			wantProbs: "Previous Family Name is no longer managed and was ignored; Initials is no longer managed and was ignored; Organisation Site Code is no longer managed and was ignored; GP Practice Code is no longer managed and was ignored (Organisation Code is used); Room is no longer managed and was ignored; Web Page is no longer managed and was ignored",
		},
		{
			name:      "problems use old column names",
			row:       "1.23E+11,,Ann,,,,,DRR99,RR8,,,,phone,,,,",
			wantProbs: `Unique ID: "1.23E+11" looks like a number Excel turned into scientific notation: format the column as Text in Excel and enter the IDs again; Last Name: is required; Department: "DRR99" is not a unit of organisation RR8: use a code from the Manage Organisation section of the Portal; Telephone: may contain only digits, spaces and + ( ) -`,
		},
		{
			name:      "organisation required",
			row:       "U1,,Ann,Smith,,,,,,,,,,,,,",
			wantProbs: `Organisation Code: is required (or fill in "GP Practice Code")`,
		},
		{
			name:      "bad GP practice code",
			row:       "U1,,Ann,Smith,,,,,,,Y1,,,,,,",
			wantProbs: `GP Practice Code: "Y1" is not an organisation code: it must be 3 to 10 letters and digits, such as "RR8"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := mustReadAll(t, header+tc.row+"\n", Options{Registry: newTestRegistry()})
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			if rows[0].Detail != tc.wantProbs {
				t.Errorf("got detail %q, want %q", rows[0].Detail, tc.wantProbs)
			}
			for f, want := range tc.want {
				if got := rows[0].Value[f]; got != want {
					t.Errorf("%v: got %q, want %q", f, got, want)
				}
			}
		})
	}
}

// NHSmail 1's Department was free text: only a value that looks like a unit
// code is one; anything else is ignored with a note, and the row stays
// valid with no unit.
func TestOldFormatDepartment(t *testing.T) {
	const header = "Unique ID,First Name,Last Name,Department,Organisation Code\r\n"
	const ignored = `Department %s is not a unit code and was ignored (unit codes start with D, such as "DLS1110234"); a new user is assigned to the organisation`
	tests := []struct {
		name     string
		row      string
		wantUnit string
		want     string // Detail
		valid    bool
	}{
		{"unit code", "U1,Ann,Smith,DRR81,RR8", "DRR81", "", true},
		{"unit code in lower case", "U1,Ann,Smith,drr82,RR8", "DRR82", "", true},
		{"free text", "U1,Ann,Smith,Cardiology,RR8", "", fmt.Sprintf(ignored, `"Cardiology"`), true},
		{"a word starting with D", "U1,Ann,Smith,Dermatology,RR8", "", fmt.Sprintf(ignored, `"Dermatology"`), true},
		{"words with a digit", "U1,Ann,Smith,Ward 7,RR8", "", fmt.Sprintf(ignored, `"Ward 7"`), true},
		{"quoted, with a comma", `U1,Ann,Smith,"Surgery, General",RR8`, "", fmt.Sprintf(ignored, `"Surgery, General"`), true},
		{"blank", "U1,Ann,Smith,  ,RR8", "", "", true},
		{"a unit code of another organisation", "U1,Ann,Smith,DLS1110234,RR8", "DLS1110234",
			`Department: "DLS1110234" is not a unit of organisation RR8: use a code from the Manage Organisation section of the Portal`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := mustReadAll(t, header+tc.row+"\r\n", Options{Registry: newTestRegistry()})
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			got := rows[0]
			if got.Detail != tc.want || got.Valid != tc.valid || got.Value[OrganisationUnit] != tc.wantUnit {
				t.Errorf("got detail %q valid %v unit %q, want %q %v %q", got.Detail, got.Valid, got.Value[OrganisationUnit], tc.want, tc.valid, tc.wantUnit)
			}
		})
	}
}

func TestNotesKeepRowValid(t *testing.T) {
	in := "Unique ID,First Name,Last Name,Organisation Code,Room\nU1,Ann,Smith,RR8,12\n"
	r, err := Open(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if !row.Valid() || len(row.Notes) != 1 {
		t.Errorf("got valid %v notes %q, want valid with one note", row.Valid(), row.Notes)
	}
	if got, want := r.ColumnName(LocalID), "Unique ID"; got != want {
		t.Errorf("got column name %q, want %q", got, want)
	}
	if row.Has[Password] || !row.Has[Organisation] || !row.Has[LocalID] {
		t.Errorf("got Has %v, want Organisation and LocalID but not Password", row.Has)
	}
}
