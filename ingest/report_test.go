package ingest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"connectord/pushfile"
)

// The acknowledgement's validation report lists the rows that will be
// applied but look damaged by a spreadsheet, bounded like the invalid rows.
func TestValidationReportWarnings(t *testing.T) {
	phones, err := os.ReadFile("../pushfile/testdata/spreadsheet/phones.csv")
	if err != nil {
		t.Fatal(err)
	}
	const tail = "; it was applied as it is: format the column as Text in Excel and type the 0, or write the number with spaces"
	var many strings.Builder
	many.WriteString("FirstName,LastName,Local ID,Organisation,MobilePhone\r\n")
	for i := range maxReportLines + 3 {
		fmt.Fprintf(&many, "Ann,Smith,M%d,RR8,7700900123\r\n", i)
	}
	tests := []struct {
		name string
		file string
		want string
	}{
		{
			name: "telephone numbers without their leading 0 or +",
			file: string(phones),
			want: "The file has 5 rows: 5 valid, 0 invalid.\n" +
				"\n3 rows will be applied, but look damaged by a spreadsheet. Check, and if a value\n" +
				"is wrong, fix it and send the whole file again before the cutoff:\n\n" +
				`  line 2: OfficePhone: "1132433144" looks like a spreadsheet dropped the leading 0 ("01132433144")` + tail +
				`; MobilePhone: "7700900123" looks like a spreadsheet dropped the leading 0 ("07700900123")` + tail + "\n" +
				`  line 3: MobilePhone: "447700900123" looks like a spreadsheet dropped the leading + ("+447700900123"); ` +
				"it was applied as it is: format the column as Text in Excel and type the +, or write the number with spaces\n" +
				`  line 5: Pager: "7700900123" looks like a spreadsheet dropped the leading 0 ("07700900123")` + tail + "\n",
		},
		{
			name: "one row",
			file: "FirstName,LastName,Local ID,Organisation,OfficePhone\r\nAnn,Smith,P1,RR8,1132433144\r\n",
			want: "The file has 1 row: 1 valid, 0 invalid.\n" +
				"\n1 row will be applied, but looks damaged by a spreadsheet. Check, and if a value\n" +
				"is wrong, fix it and send the whole file again before the cutoff:\n\n" +
				`  line 2: OfficePhone: "1132433144" looks like a spreadsheet dropped the leading 0 ("01132433144")` + tail + "\n",
		},
		{
			name: "an invalid row's warning is in its invalid line",
			file: "FirstName,LastName,Local ID,Organisation,OfficePhone\r\nAnn,,P1,RR8,1132433144\r\n",
			want: "The file has 1 row: 0 valid, 1 invalid.\n" +
				"\nInvalid rows are not applied. Fix them and send the whole file again before the cutoff\nif you want them in this night's run:\n\n" +
				`  line 2: LastName: is required; OfficePhone: "1132433144" looks like a spreadsheet dropped the leading 0 ("01132433144")` + tail + "\n",
		},
		{
			name: "nothing to warn of",
			file: "FirstName,LastName,Local ID,Organisation,OfficePhone\r\nAnn,Smith,P1,RR8,01132433144\r\n",
			want: "The file has 1 row: 1 valid, 0 invalid.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := checkFile(strings.NewReader(tc.file), pushfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.report(func(string) bool { return true }).text(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	t.Run("bounded", func(t *testing.T) {
		c, err := checkFile(bytes.NewReader([]byte(many.String())), pushfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := c.report(func(string) bool { return true }).text()
		if n := strings.Count(got, "\n  line "); n != maxReportLines {
			t.Errorf("got %d warning lines, want %d", n, maxReportLines)
		}
		want := fmt.Sprintf("%d rows will be applied, but look damaged", maxReportLines+3)
		if !strings.Contains(got, want) || !strings.HasSuffix(got, "  … and 3 more rows like these (the results email will list every one)\n") {
			t.Errorf("got\n%s\nwant %q and the 3 rows not listed counted at the end", got, want)
		}
	})
}
