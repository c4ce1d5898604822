package provision

import (
	"os"
	"path/filepath"
	"testing"
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
