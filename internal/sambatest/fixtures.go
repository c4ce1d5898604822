package sambatest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// Conn returns a connection bound as the Administrator over LDAPS, closed
// when the test ends: for fixtures and for checking what a test wrote.
func (dc *DC) Conn(t testing.TB) *ldap.Conn {
	t.Helper()
	c, err := dc.dial()
	if err != nil {
		t.Fatalf("connect to the test DC as Administrator: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// OU makes an organizational unit of the test's own directly under BaseDN
// and returns its DN. Its name comes from the test's name and a number
// unique in the DC's life, so a test run twice (-count) gets a fresh one.
// It is not removed: the DC is thrown away with everything in it.
func (dc *DC) OU(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", ouName(t.Name()), dc.ous.Add(1))
	dn := "OU=" + ldap.EscapeDN(name) + "," + dc.BaseDN
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	if err := dc.Conn(t).Add(req); err != nil {
		t.Fatalf("make test OU %s: %v", dn, err)
	}
	return dn
}

// ouName keeps letters, digits and hyphens of a test name, at most 48 of them.
func ouName(test string) string {
	var b strings.Builder
	for _, r := range test {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		case r == '/' || r == '_':
			b.WriteByte('-')
		}
		if b.Len() == 48 {
			break
		}
	}
	return b.String()
}

// Stall stops the DC's process (SIGSTOP), so that it accepts connections
// (the kernel does) but answers nothing: a hung server. The returned
// function resumes it; it also runs when the test ends. Tests that stall the
// shared DC must not run in parallel with others that use it.
func (dc *DC) Stall(t testing.TB) (resume func()) {
	t.Helper()
	if err := syscall.Kill(dc.Pid(), syscall.SIGSTOP); err != nil {
		t.Fatalf("stall the DC: %v", err)
	}
	done := false
	resume = func() {
		if !done {
			done = true
			if err := syscall.Kill(dc.Pid(), syscall.SIGCONT); err != nil {
				t.Errorf("resume the DC: %v", err)
			}
		}
	}
	t.Cleanup(resume)
	return resume
}

// AddLDIF adds the entries of an LDIF text straight into the DC's
// database with ldbadd, in one transaction, as the system: for bulk
// fixtures (2,000 contacts take about half as long as over LDAP, which
// commits each add on its own). The running Samba sees them at once.
func (dc *DC) AddLDIF(t testing.TB, ldif string) {
	t.Helper()
	cmd := exec.Command("ldbadd", "-H", "tdb://"+filepath.Join(dc.Dir, "dc", "private", "sam.ldb"))
	cmd.Stdin = strings.NewReader(ldif)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ldbadd: %v\n%s", err, out)
	}
}

// Reindex rebuilds the DC's indexes (samba-tool dbcheck --reindex): after an
// attribute is made indexed (searchFlags 1), Samba finds existing values
// through the new index only once this has run.
func (dc *DC) Reindex(t testing.TB) {
	t.Helper()
	out, err := exec.Command("samba-tool", "dbcheck", "--reindex", "-H", "tdb://"+filepath.Join(dc.Dir, "dc", "private", "sam.ldb")).CombinedOutput()
	if err != nil {
		t.Fatalf("samba-tool dbcheck --reindex: %v\n%s", err, out)
	}
}

// AddACE adds access control entries (SDDL, e.g. "(OA;CI;CC;<class GUID>;;<SID>)")
// to the security descriptor of dn, with samba-tool dsacl set.
func (dc *DC) AddACE(t testing.TB, dn, sddl string) {
	t.Helper()
	out, err := exec.Command("samba-tool", "dsacl", "set", "-H", "tdb://"+filepath.Join(dc.Dir, "dc", "private", "sam.ldb"),
		"--objectdn="+dn, "--sddl="+sddl).CombinedOutput()
	if err != nil {
		t.Fatalf("samba-tool dsacl set %s: %v\n%s", dn, err, out)
	}
}
