package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runIn runs one command with stdin.
func runIn(t *testing.T, db, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"-db", db}, args...), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestUsersCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"add a reviewer", "a long enough password\n", []string{"users", "add", "Rita", "-role", "reviewer"}, 0, "rita can sign in to the console as a reviewer"},
		{"add an operator", "another long password", []string{"users", "add", "oscar@nhs.net", "-role", "operator"}, 0, "oscar@nhs.net can sign in to the console as an operator"},
		{"add twice", "a long enough password\n", []string{"users", "add", "rita", "-role", "operator"}, 1, "already has an account"},
		{"no role", "a long enough password\n", []string{"users", "add", "sam"}, 2, "-role must be reviewer or operator"},
		{"bad name", "a long enough password\n", []string{"users", "add", "sam smith", "-role", "reviewer"}, 2, "not a usable name"},
		{"short password", "short\n", []string{"users", "add", "sam", "-role", "reviewer"}, 2, "at least 12 characters"},
		{"no password", "", []string{"users", "add", "sam", "-role", "reviewer"}, 2, "standard input"},
		{"disable", "", []string{"users", "disable", "rita"}, 0, "can no longer sign in"},
		{"disable unknown", "", []string{"users", "disable", "nobody"}, 1, "not found"},
		{"new password", "a brand new password\n", []string{"users", "password", "rita"}, 0, "has a new password"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := runIn(t, db, tc.stdin, tc.args...)
			if code != tc.wantCode || !strings.Contains(errs, tc.wantErr) {
				t.Errorf("got exit %d, %q; want %d and %q", code, errs, tc.wantCode, tc.wantErr)
			}
		})
	}
	out, _, code := runIn(t, db, "", "users", "list")
	if code != 0 || !strings.Contains(out, "oscar@nhs.net  operator") || !strings.Contains(out, "rita           reviewer") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "password") || strings.Contains(out, "argon2") {
		t.Errorf("list shows password material:\n%s", out)
	}
}
