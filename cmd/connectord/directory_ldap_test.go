package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/store"
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

// A night that cannot reach Active Directory leaves the file waiting: not
// processed, no results email, the night failed and saying why; the next
// night takes the file again.
func TestNightWithoutAD(t *testing.T) {
	m := newMailboxSetup(t, 50)
	m.addConfig("directory:\n  backend: ldap\n  ldap:\n    url: ldaps://127.0.0.1:1\n    bind_dn: CN=svc,DC=nhs,DC=test\n" +
		"    password_env: CONNECTORD_TEST_AD_PASS\n    base_dn: DC=nhs,DC=test\n    organisation_dn: \"OU={organisation},DC=nhs,DC=test\"\n")
	t.Setenv("CONNECTORD_TEST_AD_PASS", "x")
	m.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", "staff.csv", "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"),
		time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	m.must("poll", "-once")
	c := &cli{t: t, db: filepath.Join(m.dir, "var", "connectord.db")}
	for night := range 2 {
		_, errs, code := c.run("-config", m.config, "batch", "run", "-no-sync", "-day", "2026-03-20")
		if code == 0 {
			t.Errorf("night %d: exit 0, want a failure (%s)", night+1, errs)
		}
		st := m.store()
		ctx := context.Background()
		subs, err := st.Submissions(ctx, store.SubmissionFilter{Sender: "admin.leeds@nhs.net"})
		if err != nil {
			t.Fatal(err)
		}
		runs, _ := st.Runs(ctx, "2026-03-20", 0)
		mail, _ := st.Outbox(ctx, store.OutboxFilter{})
		st.Close()
		if len(subs) != 1 || subs[0].State != store.StateAccepted {
			t.Errorf("night %d: submission %+v, want still accepted", night+1, subs)
		}
		if len(runs) != night+1 || runs[0].State != store.RunFailed || !strings.Contains(runs[0].Errors, "connect to ldaps://127.0.0.1:1") {
			t.Errorf("night %d: runs %+v, want failed, naming the directory", night+1, runs)
		}
		for _, o := range mail {
			if o.Kind == store.MailResults {
				t.Errorf("night %d: a results email went out: %+v", night+1, o)
			}
		}
	}
}
