package activedirectory

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestAddressesTaken(t *testing.T) {
	f := newFixture(t, nil)
	rr8 := f.orgOU(t, "RR8")
	f.add(t, "CN=By Mail,"+rr8, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"by.mail"}, "mail": {"by.mail@" + f.domain}})
	f.add(t, "CN=By UPN,"+rr8, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"by.upn"}, "userPrincipalName": {"By.UPN@" + f.domain}})
	f.add(t, "CN=By Proxy,"+rr8, map[string][]string{"objectClass": {"contact"},
		"proxyAddresses": {"SMTP:primary@" + f.domain, "smtp:alias@" + f.domain, "X500:/o=NHS/cn=kate@" + f.domain}})
	f.add(t, "CN=Kate,"+rr8, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"kate"}, "mail": {"kate@" + f.domain}})
	// Outside base_dn (the test's OU): not this directory's business.
	outside := "outside" + f.tag + "@" + f.domain
	f.add(t, "CN=Outside "+f.tag+",CN=Users,"+f.dc.BaseDN, map[string][]string{"objectClass": {"contact"}, "mail": {outside}})

	asked := []string{
		"by.mail@" + f.domain, "by.upn@" + f.domain, "PRIMARY@" + f.domain, "alias@" + strings.ToUpper(f.domain),
		"x500@" + f.domain, "free@" + f.domain, "\u212Aate@" + f.domain, // Kelvin sign: not kate
		outside,
	}
	got, err := f.c.AddressesTaken(context.Background(), asked)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PRIMARY@" + f.domain, "alias@" + strings.ToUpper(f.domain), "by.mail@" + f.domain, "by.upn@" + f.domain}
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, want) {
		t.Errorf("taken: %q, want %q", keys, want)
	}
}
