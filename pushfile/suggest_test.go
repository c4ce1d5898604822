package pushfile

import (
	"strings"
	"testing"
)

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"orgnisation", "organisation", 1},
		{"café", "cafe", 1},
	}
	for _, tc := range tests {
		if got := levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("levenshtein(%q, %q): got %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"FirstName", "LastName", "Local ID", "Organisation", "OrganisationUnit"}
	tests := []struct {
		in, want string
	}{
		{"Orgnisation", "Organisation"},
		{"local-id", "Local ID"},
		{"Frist Name", "FirstName"},
		{"Shoe Size", ""},
		{"Org", ""},
		{"OrganisationU", "Organisation"},
		{strings.Repeat("x", 1000), ""},
	}
	for _, tc := range tests {
		if got := nearest(tc.in, names, normName); got != tc.want {
			t.Errorf("nearest(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
