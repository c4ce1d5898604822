package pushfile

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

func TestDefaultPicklists(t *testing.T) {
	p := DefaultPicklists()
	want := map[Field][]string{
		Title: {"Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Sir", "Dame", "Lord", "Lady", "Rev"},
		ClinicalSpeciality: {"Anaesthetics", "Cardiology", "Clinical Genetics", "Dermatology", "Emergency Medicine",
			"General Practice", "General Surgery", "Geriatric Medicine", "Haematology", "Obstetrics and Gynaecology",
			"Oncology", "Ophthalmology", "Paediatrics", "Pathology", "Psychiatry", "Public Health", "Radiology",
			"Respiratory Medicine", "Urology"},
		ClinicalRole: {"Doctor", "Nurse", "Midwife", "Pharmacist", "Paramedic", "Dentist", "Allied Health Professional",
			"Healthcare Scientist", "Healthcare Assistant", "Clinical Support", "Non-Clinical"},
		WorkArea: {"Acute Care", "Ambulance Service", "Community Care", "Mental Health", "Primary Care",
			"Public Health", "Social Care", "Research", "Education", "Administration"},
	}
	for f, values := range want {
		for _, v := range values {
			if !slices.Contains(p.Values(f), v) {
				t.Errorf("%v: got %q, want it to hold %q", f, p.Values(f), v)
			}
		}
	}
	if got := p.Values(FirstName); got != nil {
		t.Errorf("got %q for FirstName, want nil", got)
	}
}

func TestLoadPicklists(t *testing.T) {
	p, err := LoadPicklists(PicklistPaths{Title: "testdata/picklists/titles.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Values(Title), []string{"Mr", "Dr", "Captain"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := p.Values(ClinicalRole); !slices.Contains(got, "Midwife") {
		t.Errorf("got %q, want the default ClinicalRole list", got)
	}
	rows := mustReadAll(t, oneRow(map[Field]string{Title: "captain"}), Options{Picklists: p})
	if got := rows[0].Value[Title]; got != "Captain" {
		t.Errorf("got %q, want %q", got, "Captain")
	}
	rows = mustReadAll(t, oneRow(map[Field]string{Title: "Mrs"}), Options{Picklists: p})
	if got, want := rows[0].Detail, `Title: unknown value "Mrs" (did you mean "Mr"?)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLoadPicklistsErrors(t *testing.T) {
	tests := []struct {
		name  string
		paths PicklistPaths
		want  string
	}{
		{"missing file", PicklistPaths{WorkArea: "testdata/picklists/nope.txt"}, "load WorkArea pick list: open testdata/picklists/nope.txt"},
		{"duplicate", PicklistPaths{ClinicalRole: "testdata/picklists/duplicate.txt"}, `load ClinicalRole pick list from testdata/picklists/duplicate.txt: line 2: value "nurse" repeats "Nurse"`},
		{"comma", PicklistPaths{ClinicalRole: "testdata/picklists/comma.txt"}, `line 2: value "Nurse, Senior" contains a comma, which separates values in a cell`},
		{"empty", PicklistPaths{ClinicalSpeciality: "testdata/picklists/empty.txt"}, "the list has no values"},
		{"not utf-8", PicklistPaths{Title: "testdata/picklists/latin1.txt"}, "the file is not UTF-8 text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPicklists(tc.paths)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	_, err := LoadPicklists(PicklistPaths{WorkArea: "testdata/picklists/nope.txt"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want it to wrap fs.ErrNotExist", err)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Doctor":                "doctor",
		"  Allied   HEALTH\tx ": "allied health x",
		"ÉCOLE\u00A0Normale":    "école normale",
		"":                      "",
	}
	for in, want := range tests {
		if got := string(fold(nil, in)); got != want {
			t.Errorf("fold(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestPicklistLookupDoesNotAllocate(t *testing.T) {
	l := DefaultPicklists().list(ClinicalRole)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		var ok bool
		buf, _, ok = l.lookup(buf, " allied HEALTH professional")
		if !ok {
			t.Fatal("not found")
		}
	})
	if allocs != 0 {
		t.Errorf("got %v allocations per lookup, want 0", allocs)
	}
}
