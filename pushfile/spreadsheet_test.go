package pushfile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// wantRow is what one row of a file must come to.
type wantRow struct {
	name   string
	detail string
	valid  bool
}

// checkFileRows reads testdata/spreadsheet/file and compares each row's
// Detail and validity with want, in order.
func checkFileRows(t *testing.T, file string, want []wantRow) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "spreadsheet", file))
	if err != nil {
		t.Fatal(err)
	}
	rows := mustReadAll(t, string(data), Options{})
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			if rows[i].Detail != w.detail || rows[i].Valid != w.valid {
				t.Errorf("line %d: got %q valid %v, want %q valid %v", rows[i].Line, rows[i].Detail, rows[i].Valid, w.detail, w.valid)
			}
		})
	}
}

const saveAsUTF8 = `save the file as "CSV UTF-8 (Comma delimited)" and send it again`

// UTF-8 that a spreadsheet read as Windows-1252 and saved as UTF-8 again is
// refused, showing the text it should have been; real accented names,
// including ones Windows-1252 cannot hold, stay valid.
func TestMojibake(t *testing.T) {
	checkFileRows(t, "mojibake.csv", []wantRow{
		{"ZoÃ«", `FirstName: looks like "Zoë" saved with the wrong encoding: ` + saveAsUTF8, false},
		{"O'Brien-MÃ¼ller", `LastName: looks like "O'Brien-Müller" saved with the wrong encoding: ` + saveAsUTF8, false},
		{"Łucja through an undefined Windows-1252 byte", `FirstName: looks like "Łucja" saved with the wrong encoding: ` + saveAsUTF8, false},
		{"job title with an en dash", `JobTitle: looks like "Physiotherapist – Band 6" saved with the wrong encoding: ` + saveAsUTF8, false},
		{"saved wrongly twice", `FirstName: looks like "Zoë" saved with the wrong encoding: ` + saveAsUTF8, false},
		{"Local ID", `Local ID: looks like "JOSÉ01" saved with the wrong encoding: ` + saveAsUTF8, false},
		{"Zoë Núñez", "", true},
		{"José Ørsted", "", true},
		{"Łucja Nguyễn", "", true},
		{"François Müller-Weiß", "", true},
		{"Björk Sørensen, an upper-case É after a dash", "", true},
		{"Siân Ó Dálaigh", "", true},
	})
}

// A Windows-1252 save ("CSV (Comma delimited)") writes "?" for a letter it
// cannot hold; the decoder writes U+FFFD for bytes it cannot read. Either
// in a name is refused with the advice to save as CSV UTF-8.
func TestLostCharacters(t *testing.T) {
	const lost = `contains "?", which is what a spreadsheet saves for a letter it cannot store (such as Ł): ` + saveAsUTF8
	checkFileRows(t, "lost-characters.csv", []wantRow{
		{"?ucja", "FirstName: " + lost, false},
		{"Nguy?n", "LastName: " + lost, false},
		{"Zoë in Windows-1252", "", true},
		{"a question mark in a job title", "", true},
	})
	checkFileRows(t, "replacement.csv", []wantRow{
		{"U+FFFD in a first name", "FirstName: contains characters that could not be read: " + saveAsUTF8, false},
		{"U+FFFD in a last name", "LastName: contains characters that could not be read: " + saveAsUTF8, false},
	})
}

func TestUndoMojibake(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ZoÃ«", "Zoë", true},
		{"Ã…ngstrÃ¶m", "Ångström", true},
		{"â€œquotedâ€\u009d", "“quoted”", true},
		{"Zoë", "", false},
		{"Ann", "", false},
		{"Łucja", "", false},   // Ł is not in Windows-1252
		{"Ã", "", false},       // C3 alone is not UTF-8
		{"Ã\uFFFD", "", false}, // U+FFFD is not in Windows-1252
	}
	for _, tc := range tests {
		got, ok := undoMojibake(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("undoMojibake(%q): got %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// A UK telephone number a spreadsheet took for a number loses its leading 0
// (or the + of +44). The row is still valid and the value applied as it
// is, with a warning in Detail.
func TestLostPhonePrefix(t *testing.T) {
	const tail = "; it was applied as it is: format the column as Text in Excel and type the %s, or write the number with spaces"
	zero := func(col, v string) string {
		return fmt.Sprintf(`%s: "%s" looks like a spreadsheet dropped the leading 0 ("0%s")`+tail, col, v, v, "0")
	}
	plus := func(col, v string) string {
		return fmt.Sprintf(`%s: "%s" looks like a spreadsheet dropped the leading + ("+%s")`+tail, col, v, v, "+")
	}
	checkFileRows(t, "phones.csv", []wantRow{
		{"landline and mobile without 0", zero("OfficePhone", "1132433144") + "; " + zero("MobilePhone", "7700900123"), true},
		{"44 without +", plus("MobilePhone", "447700900123"), true},
		{"numbers as typed", "", true},
		{"+44 kept, a pager without 0", zero("Pager", "7700900123"), true},
		{"9 digits, another country, spaces", "", true},
	})
	rows := mustReadAll(t, "FirstName,LastName,Local ID,Organisation,MobilePhone\nAnn,Smith,P1,RR8,7700900123\n", Options{})
	if got := rows[0].Value[MobilePhone]; got != "7700900123" {
		t.Errorf("got value %q, want the number applied as it is", got)
	}
}
