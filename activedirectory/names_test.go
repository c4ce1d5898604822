package activedirectory

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSAMAccountName(t *testing.T) {
	for _, tc := range []struct {
		first, last string
		n           int
		want        string
	}{
		{"Jo", "Bloggs", 1, "jo.bloggs"},
		{"Jo", "Bloggs", 2, "jo.bloggs2"},
		{"Zoë", "Núñez", 1, "zoe.nunez"},
		{"Søren", "Weiß", 1, "soren.weiss"},
		{"Mary Ann", "O'Brien", 1, "mary-ann.obrien"},
		{"Mary-Ann", "O'Neill-Smythe", 1, "mary-ann.oneill-smyt"},
		{"Mary-Ann", "O'Neill-Smythe", 12, "mary-ann.oneill-sm12"},
		{"Abcdefghijklmnopqrs", "Tuv", 1, "abcdefghijklmnopqrs"},   // no dot at the end
		{"Abcdefghijklmnopqr", "Stuv", 10, "abcdefghijklmnopqr10"}, // shortened, no dot before the number
		{"Abcdefghijklmnopq", "Rs-tuv", 100, "abcdefghijklmnopq100"},
		{"Abcdefghijklmnopqrs-", "T", 1, "abcdefghijklmnopqrs"}, // no hyphen at the end
		{"李", "Smith", 1, "smith"},
		{"李", "王", 1, "user"},
	} {
		got := samCandidate(samBase(tc.first, tc.last), tc.n)
		if got != tc.want {
			t.Errorf("sAMAccountName(%s %s, %d) = %q, want %q", tc.first, tc.last, tc.n, got, tc.want)
		}
		if len(got) > maxSAMAccountName || strings.HasSuffix(got, ".") {
			t.Errorf("sAMAccountName(%s %s, %d) = %q: longer than 20 or ends in a dot", tc.first, tc.last, tc.n, got)
		}
	}
}

func TestCN(t *testing.T) {
	long := strings.Repeat("é", 70)
	for _, tc := range []struct {
		display string
		n       int
		want    string
	}{
		{"Jo Bloggs", 1, "Jo Bloggs"},
		{"Jo  Bloggs ", 2, "Jo Bloggs 2"},
		{long, 1, strings.Repeat("é", 64)},
		{long, 10, strings.Repeat("é", 61) + " 10"},
		{"", 1, "user"},
	} {
		got := cnCandidate(cnBase(tc.display), tc.n)
		if got != tc.want {
			t.Errorf("cn(%q, %d) = %q, want %q", tc.display, tc.n, got, tc.want)
		}
		if utf8.RuneCountInString(got) > maxCN {
			t.Errorf("cn(%q, %d) has %d characters, over %d", tc.display, tc.n, utf8.RuneCountInString(got), maxCN)
		}
	}
}
