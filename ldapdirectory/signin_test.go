package ldapdirectory

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"connectord/activedirectory"
	"connectord/provision"
)

// cells are the cells of a results line (no quoted commas in these tests).
func cells(line string) []string { return strings.Split(line, ",") }

// A new account can sign in with the password the results file gives it,
// generated or supplied: AD takes the password and asks for a new one
// (data 773), which it says only when the password is right. A password
// AD's policy refuses makes the row INVALID with AD's reason, and leaves
// no account.
func TestNewAccountsSignIn(t *testing.T) {
	f := newFixture(t)
	file := header +
		"Ada,Lovelace,S1,RR8,,Nurse,,,,\r\n" + // generated password
		"Alan,Turing,S2,RR8,,Nurse,,,,Given!Passw0rd\r\n" // supplied
	got, sum := f.apply(t, []byte(file), false)
	// The file's rules take this password; the domain's, made stricter
	// for the test, do not.
	f.minPasswordLength(t, 14)
	refused, _ := f.apply(t, []byte(header+"Wendy,Short,S3,RR8,,Nurse,,,,Short!Pw0rd\r\n"), false)
	got += strings.SplitN(refused, "\r\n", 2)[1]
	lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(lines), got)
	}
	for i, pw := range []string{"", "Given!Passw0rd"} {
		c := cells(lines[i+1])
		n := len(c)
		if c[n-4] != string(provision.New) {
			t.Fatalf("row %d: got %s %q, want PROCESSED_NEW", i+1, c[n-4], c[n-3])
		}
		if pw == "" {
			pw = c[n-1]
		}
		err := activedirectory.SignIn(context.Background(), f.cfg, c[n-2], pw)
		if !errors.Is(err, activedirectory.ErrMustChangePassword) {
			t.Errorf("row %d: sign in as %s: got %v, want the password taken and a change asked for", i+1, c[n-2], err)
		}
		if err := activedirectory.SignIn(context.Background(), f.cfg, c[n-2], pw+"x"); !errors.Is(err, activedirectory.ErrInvalidCredentials) {
			t.Errorf("row %d: a wrong password: got %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	c := cells(lines[3])
	n := len(c)
	if c[n-4] != string(provision.Invalid) || !strings.HasPrefix(c[n-3], "Password: Active Directory refused the password: ") {
		t.Errorf("refused password: got %s %q, want INVALID with AD's reason", c[n-4], c[n-3])
	}
	if !strings.Contains(c[n-3], "too short") {
		t.Errorf("refused password: got %q, want Samba's reason (too short)", c[n-3])
	}
	if strings.Contains(got, "Short!Pw0rd") {
		t.Error("the refused password is in the results")
	}
	es, err := f.dial(t).LookupLocalID(context.Background(), "S3")
	if err != nil || len(es) != 0 {
		t.Errorf("after the refusal: %v, %v; want no account", es, err)
	}
	if sum.Counts[provision.New] != 2 {
		t.Errorf("counts %v, want 2 new", sum.Counts)
	}
}

// A dry run changes nothing in AD, yet decides the file as the real run
// does: the second John Smith of the file gets john.smith3.
func TestDryRunOnlyReads(t *testing.T) {
	f := newFixture(t)
	f.seedAD(t)
	file := header + "John,Smith,D1,RR8,,,,,,\r\nJohn,Smith,D2,RR8,,,,,,\r\nJane,Doe,L1001,RR8,,Surgeon,,,,\r\n"
	dry, _ := f.apply(t, []byte(file), true)
	c := f.dial(t)
	for _, id := range []string{"D1", "D2"} {
		if es, err := c.LookupLocalID(context.Background(), id); err != nil || len(es) != 0 {
			t.Errorf("after the dry run, %s: %v, %v; want no account", id, es, err)
		}
	}
	if es, _ := c.LookupLocalID(context.Background(), "L1001"); len(es) != 1 || es[0].Values[activedirectory.JobTitle] != "Consultant" {
		t.Errorf("after the dry run, L1001: %+v, want JobTitle Consultant as before", es)
	}
	real, _ := f.apply(t, []byte(file), false)
	strip := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\r\n")[1:] {
			if c := cells(l); len(c) > 4 {
				out = append(out, c[len(c)-4]+" "+c[len(c)-2])
			}
		}
		return out
	}
	if d, r := strings.Join(strip(dry), "; "), strings.Join(strip(real), "; "); d != r || !strings.Contains(r, "john.smith3@") {
		t.Errorf("dry run decided %q, the real run %q; want the same, with john.smith3", d, r)
	}
}

// minPasswordLength sets the domain's shortest password until the test ends.
func (f *fixture) minPasswordLength(t *testing.T, n int) {
	t.Helper()
	set := func(n int) error {
		out, err := exec.Command("samba-tool", "domain", "passwordsettings", "set", "-H",
			"tdb://"+filepath.Join(f.dc.Dir, "dc", "private", "sam.ldb"), "--min-pwd-length="+strconv.Itoa(n)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("samba-tool domain passwordsettings: %v\n%s", err, out)
		}
		return nil
	}
	if err := set(n); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set(7); err != nil {
			t.Error(err)
		}
	})
}
