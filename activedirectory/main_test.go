package activedirectory

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"connectord/internal/sambatest"

	"github.com/go-ldap/ldap/v3"
)

// dcs is the package's Samba DC, shared by its tests; each test works in an
// OU of its own.
var dcs sambatest.Shared

func TestMain(m *testing.M) { os.Exit(dcs.Run(m)) }

// testAttributes maps the fields without a standard attribute onto ones in
// Samba's schema (it has no Exchange extensionAttributes). EmailSize stays
// unmapped.
var testAttributes = map[string]string{
	"OrganisationUnit":   "department",
	"ClinicalRole":       "employeeType",
	"ClinicalSpeciality": "division",
	"WorkArea":           "physicalDeliveryOfficeName",
}

// testConfig points at the DC, with base_dn the test's own OU and the
// organisations' containers in it.
func testConfig(dc *sambatest.DC, ou string) Config {
	return Config{
		URL:            dc.LDAPSURL,
		CAFile:         dc.CAFile,
		BindDN:         dc.BindDN,
		PasswordFile:   dc.PasswordFile,
		BaseDN:         ou,
		OrganisationDN: "OU={organisation}," + ou,
		Attributes:     testAttributes,
		Timeout:        time.Minute,
	}
}

// fixture is a DC, an OU of the test's own, a Client configured on it, and
// an Administrator connection for setting things up and checking.
type fixture struct {
	dc     *sambatest.DC
	ou     string
	tag    string // unique in the DC's life: for names that are unique domain-wide
	domain string // the mail domain of the test's addresses, t<tag>.nhs.net: AD keeps UPNs unique
	cfg    Config
	c      *Client
	admin  *ldap.Conn
}

// newFixture makes a fixture; edit, when given, changes the configuration.
func newFixture(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	dc := dcs.DC(t)
	f := &fixture{dc: dc, ou: dc.OU(t), admin: dc.Conn(t)}
	f.tag = f.ou[strings.LastIndexByte(f.ou[:strings.IndexByte(f.ou, ',')], '-')+1 : strings.IndexByte(f.ou, ',')]
	f.domain = "t" + f.tag + ".nhs.net"
	f.cfg = testConfig(dc, f.ou)
	if edit != nil {
		edit(&f.cfg)
	}
	c, err := Dial(context.Background(), f.cfg, testLog(t))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	f.c = c
	return f
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// add creates an entry as Administrator. A sAMAccountName gets the
// fixture's tag (before a final $): it must be unique in the whole domain,
// which the tests share.
func (f *fixture) add(t *testing.T, dn string, attrs map[string][]string) {
	t.Helper()
	req := ldap.NewAddRequest(dn, nil)
	for k, v := range attrs {
		if k == "sAMAccountName" {
			v = []string{f.sam(v[0])}
		}
		req.Attribute(k, v)
	}
	if err := f.admin.Add(req); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}

// sam is a sAMAccountName with the fixture's tag.
func (f *fixture) sam(name string) string {
	if base, ok := strings.CutSuffix(name, "$"); ok {
		return base + f.tag + "$"
	}
	return name + f.tag
}

// orgOU makes an organisation's container as Administrator and returns its DN.
func (f *fixture) orgOU(t *testing.T, org string) string {
	t.Helper()
	dn := "OU=" + org + "," + f.ou
	f.add(t, dn, map[string][]string{"objectClass": {"organizationalUnit"}})
	return dn
}

// read returns attrs of dn as Administrator sees them, or nil when dn does not exist.
func (f *fixture) read(t *testing.T, dn string, attrs ...string) *ldap.Entry {
	t.Helper()
	res, err := f.admin.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", attrs, nil))
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil
	}
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read %s: %v", dn, err)
	}
	return res.Entries[0]
}

// count is how many entries match filter under the test's OU.
func (f *fixture) count(t *testing.T, filter string) int {
	t.Helper()
	res, err := f.admin.SearchWithPaging(ldap.NewSearchRequest(f.ou, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, []string{"dn"}, nil), 1000)
	if err != nil {
		t.Fatalf("search %s: %v", filter, err)
	}
	return len(res.Entries)
}
