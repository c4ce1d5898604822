package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With directory.backend ldap, 'directory import' says it does not apply,
// before connecting to anything, and imports nothing.
func TestDirectoryImportRefusedOnLDAP(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "connectord.yaml")
	yaml := "data_dir: " + dir + "\ndirectory:\n  backend: ldap\n  ldap:\n" +
		"    url: ldaps://127.0.0.1:1\n    bind_dn: CN=svc,DC=nhs,DC=test\n    password_file: " + filepath.Join(dir, "none") +
		"\n    base_dn: DC=nhs,DC=test\n    organisation_dn: \"OU={organisation},DC=nhs,DC=test\"\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	code := run(context.Background(), []string{"-config", cfg, "directory", "import", "../../testdata/directory.csv"},
		strings.NewReader(""), &out, &errb)
	if code != exitUnusable || !strings.Contains(errb.String(), "directory import does not apply to directory.backend ldap") {
		t.Errorf("got exit %d, %q; want %d and that import does not apply to ldap", code, errb.String(), exitUnusable)
	}
}
