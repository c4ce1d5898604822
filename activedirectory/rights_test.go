package activedirectory

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// The rights docs/directory.md asks for, as SDDL on the container that
// holds the organisations' containers (here the test's OU).
const (
	guidOU            = "bf967aa5-0de6-11d0-a285-00aa003049e2" // class organizationalUnit
	guidUser          = "bf967aba-0de6-11d0-a285-00aa003049e2" // class user
	guidResetPassword = "00299570-246d-11d0-a768-00aa006e0529" // User-Force-Change-Password
)

var serviceRights = []struct{ name, ace string }{
	{"create OUs", "(OA;CI;CC;" + guidOU + ";;%s)"},
	{"create and delete users", "(OA;CI;CCDC;" + guidUser + ";;%s)"},
	{"write users' attributes", "(OA;CIIO;RPWP;;" + guidUser + ";%s)"},
	{"reset users' passwords", "(OA;CIIO;CR;" + guidResetPassword + ";" + guidUser + ";%s)"},
}

// TestServiceAccountRights: a service account with only the documented
// rights can do all connectord does; without each one, what needs it fails.
func TestServiceAccountRights(t *testing.T) {
	for _, missing := range append([]string{""}, rightNames()...) {
		name := "all"
		if missing != "" {
			name = "without " + missing
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			svc := f.serviceAccount(t, missing)
			ctx := context.Background()
			_, ensureErr := svc.EnsureOrganisation(ctx, "RR8")
			u := newUser("RR8", "RR8-1", "Svc", "Made"+f.tag, "svc.made@"+f.domain, "Initial-Passw0rd")
			u.Values[JobTitle], u.Values[OrganisationUnit] = "Nurse", "D1"
			e, createErr := svc.CreateUser(ctx, u)
			var updateErr, resetErr error
			if createErr == nil {
				v := e.Values
				v[JobTitle] = "Matron"
				updateErr = svc.Update(ctx, e.DN, &v, JobTitle)
				resetErr = svc.ResetPassword(ctx, e.DN, "Another-Passw0rd")
			}
			got := map[string]error{"EnsureOrganisation": ensureErr, "CreateUser": createErr, "Update": updateErr, "ResetPassword": resetErr}
			// What must fail without the right; the rest must work (unless
			// it came after a failed create).
			fails := map[string][]string{
				"create OUs":              {"EnsureOrganisation", "CreateUser"},
				"create and delete users": {"CreateUser"},
				"write users' attributes": {"Update", "ResetPassword"}, // a reset writes userAccountControl and pwdLastSet too
				"reset users' passwords":  {"ResetPassword"},
			}[missing]
			for op, err := range got {
				mustFail := slices.Contains(fails, op)
				switch {
				case mustFail && err == nil:
					t.Errorf("%s succeeded without the right to %s", op, missing)
				case !mustFail && err != nil:
					t.Errorf("%s: %v", op, err)
				}
			}
			if createErr == nil {
				if _, err := svc.LookupLocalIDs(ctx, []string{"RR8-1"}); err != nil {
					t.Errorf("lookup: %v", err)
				}
			}
		})
	}
}

func rightNames() []string {
	var out []string
	for _, r := range serviceRights {
		out = append(out, r.name)
	}
	return out
}

// serviceAccount makes a user in CN=Users with the rights on the test's OU
// (all but the one named missing) and returns a Client bound as it.
func (f *fixture) serviceAccount(t *testing.T, missing string) *Client {
	t.Helper()
	ctx := context.Background()
	dn := "CN=svc-connectord-" + f.tag + ",CN=Users," + f.dc.BaseDN
	const pw = "Service-Passw0rd"
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"user"})
	req.Attribute("sAMAccountName", []string{"svc-connectord-" + f.tag})
	req.Attribute("unicodePwd", []string{unicodePwd(pw)})
	req.Attribute("userAccountControl", []string{"512"})
	if err := f.admin.Add(req); err != nil {
		t.Fatalf("add the service account: %v", err)
	}
	res, err := f.admin.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"objectSid"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read the service account's SID: %v", err)
	}
	sid := sidString(res.Entries[0].GetRawAttributeValue("objectSid"))
	var aces strings.Builder
	for _, r := range serviceRights {
		if r.name != missing {
			fmt.Fprintf(&aces, r.ace, sid)
		}
	}
	f.dc.AddACE(t, f.ou, aces.String())
	cfg := f.cfg
	cfg.BindDN = dn
	cfg.PasswordFile = ""
	t.Setenv("AD_TEST_SERVICE_PASS", pw)
	cfg.PasswordEnv = "AD_TEST_SERVICE_PASS"
	c, err := Dial(ctx, cfg, testLog(t))
	if err != nil {
		t.Fatalf("bind as the service account: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// sidString renders a binary SID as S-1-5-21-….
func sidString(b []byte) string {
	if len(b) < 8 {
		return ""
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	s := fmt.Sprintf("S-%d-%d", b[0], auth)
	for i := 8; i+4 <= len(b) && (i-8)/4 < int(b[1]); i += 4 {
		s += fmt.Sprintf("-%d", binary.LittleEndian.Uint32(b[i:]))
	}
	return s
}
