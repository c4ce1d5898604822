package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectord/activedirectory"
	"connectord/internal/imaptest"
	"connectord/internal/sambatest"
	"connectord/store"

	"github.com/go-ldap/ldap/v3"
)

// dcs is the package's Samba DC, started by the first test that needs one;
// each test works in an OU of its own.
var dcs sambatest.Shared

// adCrashPoints sets the Active Directory kill points: "after-row:N" once
// N rows' results are durable in the journal, "after-add:N" once the Nth
// account is added and before its password is set (two-step creation).
func adCrashPoints(h *hooks, crash string, kill func()) {
	name, n, ok := strings.Cut(crash, ":")
	count, err := strconv.Atoi(n)
	if !ok || err != nil {
		return
	}
	seen := 0
	switch name {
	case "after-row":
		h.afterRecordRow = func(r store.JournalRecord) {
			if seen += btoi(r.Done); seen == count {
				kill()
			}
		}
	case "after-add":
		h.afterAdd = func(string) {
			if seen++; seen == count {
				kill()
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

const adRunDay = "2026-03-20"

// adCase is a connectord whose directory is an OU of the package's DC,
// with 200 users already in it, and a 2,000-row file from a trusted sender
// taken from the mailbox and due on adRunDay.
type adCase struct {
	*mailboxSetup
	dc     *sambatest.DC
	ou     string
	domain string
}

// adFile is 2,000 rows: 200 changes to the users already there (a mapped
// field and a kept one), 1,700 new users with Local IDs (every tenth with
// its own password, the rest generated) and 100 without (Local ID and
// password generated), interleaved.
func adFile() string {
	var b strings.Builder
	b.WriteString("FirstName,LastName,Local ID,Organisation,OrganisationUnit,JobTitle,EmailSize,Password\r\n")
	k, g := 0, 0
	for j := range 2000 {
		switch {
		case j%10 == 0:
			fmt.Fprintf(&b, "Seed,User%d,U%d,RR8,DRR802,Matron,16,\r\n", j/10, j/10)
		case j%20 == 5:
			fmt.Fprintf(&b, "Gen,Person%d,,RR8,DRR803,Porter,,\r\n", g)
			g++
		default:
			pw := ""
			if k%10 == 0 {
				pw = fmt.Sprintf("Given!Passw0rd%d", k)
			}
			fmt.Fprintf(&b, "Kim,Person%d,K%d,RR8,DRR801,Nurse,8,%s\r\n", k, k, pw)
			k++
		}
	}
	return b.String()
}

// newADCase sets one up in an OU of dc; ldapExtra is more of the
// directory.ldap section.
func newADCase(t *testing.T, dc *sambatest.DC, twoStep bool, ldapExtra string) *adCase {
	t.Helper()
	c := &adCase{mailboxSetup: newMailboxSetup(t, 50), dc: dc, ou: dc.OU(t)}
	rdn := c.ou[:strings.IndexByte(c.ou, ',')]
	tag := rdn[strings.LastIndexByte(rdn, '-')+1:]
	c.domain = "k" + tag + ".nhs.net"
	c.must("org", "import", writeFile(t, "orgs.csv", "Organisation,Name,CreationLimit,OrganisationUnits\r\n"+
		"RR8,Leeds Teaching Hospitals NHS Trust,10000,DRR801;DRR802;DRR803\r\n"))
	c.addConfig(fmt.Sprintf("directory:\n  domain: %s\n  backend: ldap\n  ldap:\n    url: %s\n    ca_file: %s\n"+
		"    bind_dn: %s\n    password_file: %s\n    base_dn: %s\n    organisation_dn: \"OU={organisation},%s\"\n"+
		"    attributes: {OrganisationUnit: department}\n    two_step_create: %t\n%s",
		c.domain, dc.LDAPSURL, dc.CAFile, dc.BindDN, dc.PasswordFile, c.ou, c.ou, twoStep, ldapExtra))
	var ldif strings.Builder
	fmt.Fprintf(&ldif, "dn: OU=RR8,%s\nobjectClass: organizationalUnit\n\n", c.ou)
	for i := range 200 {
		fmt.Fprintf(&ldif, "dn: CN=Seed User%d,OU=RR8,%s\nobjectClass: user\nsAMAccountName: s%su%d\n"+
			"userPrincipalName: seed.user%d@%s\nmail: seed.user%d@%s\nemployeeID: U%d\ngivenName: Seed\nsn: User%d\n"+
			"displayName: Seed User%d\ntitle: Nurse\ndepartment: DRR801\n\n", i, c.ou, tag, i, i, c.domain, i, c.domain, i, i, i)
	}
	dc.AddLDIF(t, ldif.String())
	c.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", "staff.csv", adFile()), time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	c.must("poll", "-once")
	return c
}

// A night SIGKILLed at three points of a 2,000-row file applied to Active
// Directory, and run again, ends as a night that was never interrupted: the
// same accounts with the same attribute values, one account per Local ID,
// the same Result for every row, one results email, and every new account
// signs in with the password its results row gives.
//
// A single-process Samba applies one operation at a time, so the cases run
// at once on three DCs (the package's and two of this test's): two cases
// each on the first two, and the one that stalls its DC alone on the third.
// Each compares with the uninterrupted night once that has finished.
func TestKillNightOnAD(t *testing.T) {
	if testing.Short() {
		t.Skip("applies a 2,000-row file to a Samba DC several times")
	}
	sambatest.SkipUnlessRunnable(t)
	var second, third sambatest.Shared
	t.Cleanup(func() {
		for _, s := range []*sambatest.Shared{&second, &third} {
			if err := s.Stop(); err != nil {
				t.Errorf("stop a test DC: %v", err)
			}
		}
	})
	uninterrupted := &awaited[adSummary]{done: make(chan struct{})}
	t.Run("uninterrupted", func(t *testing.T) {
		t.Parallel()
		defer close(uninterrupted.done)
		clean := newADCase(t, dcs.DC(t), false, "")
		clean.must("batch", "run", "-no-sync", "-day", adRunDay)
		want := clean.adSummary()
		if n := strings.Count(want.results, ",PROCESSED_NEW,"); n != 1800 {
			t.Fatalf("the uninterrupted night made %d accounts, want 1800:\n%s", n, want.results[:min(len(want.results), 2000)])
		}
		uninterrupted.v, uninterrupted.ok = want, true
	})
	for _, tc := range []struct {
		name, crash string
		twoStep     bool
		dc          *sambatest.Shared
	}{
		{"between rows", "after-row:1000", false, &dcs},
		{"between an add and its password", "after-add:700", true, &second},
		{"between the last row and the results email", "after-apply", false, &second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newADCase(t, tc.dc.DC(t), tc.twoStep, "")
			if err := c.batchCmd(adRunDay, tc.crash).Run(); !killedBySIGKILL(err) {
				t.Fatalf("got %v, want death by SIGKILL", err)
			}
			if mail := c.resultsMails(); mail != 0 {
				t.Fatalf("after the kill: %d results emails, want none yet", mail)
			}
			halfMade := c.disabledNewUsers()
			if tc.twoStep && len(halfMade) != 1 {
				t.Errorf("after a kill between an add and its password: %d disabled new accounts, want 1", len(halfMade))
			}
			c.must("batch", "run", "-no-sync", "-day", adRunDay)
			c.compare(t, uninterrupted.wait(t), halfMade)
		})
	}
	t.Run("AD unreachable mid-file", func(t *testing.T) {
		t.Parallel()
		unreachableMidFile(t, third.DC(t), uninterrupted)
	})
}

// awaited is a value one parallel subtest makes and others wait for.
type awaited[T any] struct {
	done chan struct{}
	v    T
	ok   bool
}

// wait blocks until the value is made, and fails the test if its maker did.
func (a *awaited[T]) wait(t *testing.T) T {
	t.Helper()
	<-a.done
	if !a.ok {
		t.Fatal("the uninterrupted night failed, so there is nothing to compare with")
	}
	return a.v
}

// compare checks that the case's night, now finished, left what want did:
// the same results, accounts and export, one results email, and accounts
// that sign in with their results passwords (halfMade among them).
func (c *adCase) compare(t *testing.T, want adSummary, halfMade []string) {
	t.Helper()
	got := c.adSummary()
	compareLines(t, "results", got.results, want.results)
	compareLines(t, "accounts", got.accounts, want.accounts)
	compareLines(t, "export", got.export, want.export)
	if got.mails != 1 {
		t.Errorf("%d results emails, want 1", got.mails)
	}
	c.signIn(t, got, halfMade)
}

// adSummary is what a night left, with what differs between two correct
// runs (the domain and OU, generated Local IDs, passwords) taken out.
type adSummary struct {
	results, accounts, export string
	mails                     int
	passwords                 map[string]string // address → password from the results file
}

func (c *adCase) adSummary() adSummary {
	c.t.Helper()
	st := c.store()
	subs, err := st.Submissions(context.Background(), store.SubmissionFilter{Sender: "admin.leeds@nhs.net"})
	st.Close()
	if err != nil || len(subs) != 1 || subs[0].State != store.StateProcessed {
		c.t.Fatalf("submissions %+v, %v; want the one file processed", subs, err)
	}
	data, err := os.ReadFile(filepath.Join(c.dir, "var", "results", fmt.Sprintf("%d.csv", subs[0].ID)))
	if err != nil {
		c.t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		c.t.Fatal(err)
	}
	s := adSummary{mails: c.resultsMails(), passwords: map[string]string{}}
	var generated []string
	var lines []string
	for _, r := range rows[1:] {
		n := len(r)
		if r[0] == "Gen" {
			generated = append(generated, r[2])
		}
		if r[n-4] == "PROCESSED_NEW" {
			pw := r[n-1]
			if k, err := strconv.Atoi(strings.TrimPrefix(r[2], "K")); pw == "" && err == nil {
				pw = fmt.Sprintf("Given!Passw0rd%d", k) // the file's own (results files never echo it)
			}
			s.passwords[r[n-2]] = pw
		}
		lines = append(lines, strings.Join(append(r[:7:7], r[n-4:n-1]...), ","))
	}
	norm := strings.NewReplacer(append([]string{c.domain, "DOMAIN", c.ou, "OU"}, genPairs(generated)...)...)
	s.results = norm.Replace(strings.Join(lines, "\n"))
	s.accounts = norm.Replace(c.accounts())
	export := strings.Split(strings.TrimSpace(c.must("directory", "export")), "\r\n")
	sort.Strings(export[1:]) // AD's order, not the embedded directory's
	s.export = norm.Replace(strings.Join(export, "\n"))
	return s
}

// genPairs maps each generated Local ID to one placeholder.
func genPairs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id, "GENERATED")
		}
	}
	return out
}

// accounts lists every user under the case's OU, sorted, failing the test
// on a Local ID held by more than one.
func (c *adCase) accounts() string {
	c.t.Helper()
	attrs := []string{"employeeID", "mail", "userPrincipalName", "givenName", "sn", "displayName", "title", "department",
		"userAccountControl", "pwdLastSet"}
	res, err := c.dc.Conn(c.t).SearchWithPaging(ldap.NewSearchRequest(c.ou, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=user)", attrs, nil), 1000)
	if err != nil {
		c.t.Fatal(err)
	}
	perID := map[string]int{}
	var lines []string
	for _, e := range res.Entries {
		id := e.GetAttributeValue("employeeID")
		if perID[id]++; perID[id] == 2 {
			c.t.Errorf("Local ID %s is on more than one account", id)
		}
		line := strings.Split(e.DN, ",")[0]
		for _, a := range attrs {
			line += "," + e.GetAttributeValue(a)
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// resultsMails counts the results emails queued.
func (c *adCase) resultsMails() int {
	c.t.Helper()
	st := c.store()
	defer st.Close()
	mail, err := st.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		c.t.Fatal(err)
	}
	n := 0
	for _, o := range mail {
		if o.Kind == store.MailResults {
			n++
		}
	}
	return n
}

// disabledNewUsers are the addresses of accounts a file added but did not
// yet give a password (the seeded users are disabled too, and left out).
func (c *adCase) disabledNewUsers() []string {
	c.t.Helper()
	res, err := c.dc.Conn(c.t).SearchWithPaging(ldap.NewSearchRequest(c.ou, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2)(!(employeeID=U*)))", []string{"mail"}, nil), 1000)
	if err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, e := range res.Entries {
		out = append(out, e.GetAttributeValue("mail"))
	}
	return out
}

// compareLines reports the first lines where got and want differ.
func compareLines(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	shown := 0
	for i := 0; i < max(len(g), len(w)) && shown < 5; i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("%s line %d: got %q, want %q", what, i+1, gl, wl)
			shown++
		}
	}
	t.Errorf("%s: %d lines, want %d", what, len(g), len(w))
}

// signIn binds as every seventh new account, and as each account that was
// half made when the night was killed, with the password its results row
// gives: AD takes it and asks for a new one.
func (c *adCase) signIn(t *testing.T, s adSummary, halfMade []string) {
	t.Helper()
	cfg := activedirectory.Config{URL: c.dc.LDAPSURL, CAFile: c.dc.CAFile, BindDN: c.dc.BindDN, PasswordFile: c.dc.PasswordFile,
		BaseDN: c.ou, OrganisationDN: "OU={organisation}," + c.ou}
	addrs := make([]string, 0, len(s.passwords))
	for a := range s.passwords {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	var try []string
	for i, a := range addrs {
		if i%7 == 0 {
			try = append(try, a)
		}
	}
	for _, a := range append(try, halfMade...) {
		pw, ok := s.passwords[a]
		if !ok {
			t.Errorf("%s: no PROCESSED_NEW row in the results", a)
			continue
		}
		if err := activedirectory.SignIn(context.Background(), cfg, a, pw); !errors.Is(err, activedirectory.ErrMustChangePassword) {
			t.Errorf("sign in as %s with its results password: got %v, want the password taken and a change asked for", a, err)
		}
	}
}
