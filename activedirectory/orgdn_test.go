package activedirectory

import (
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestOrganisationOfDN(t *testing.T) {
	flat, err := parseOrgTemplate("OU={organisation},DC=example,DC=nhs,DC=uk")
	if err != nil {
		t.Fatal(err)
	}
	deep, err := parseOrgTemplate("OU=Users,OU={organisation},OU=Trusts,DC=example,DC=nhs,DC=uk")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		t    *orgTemplate
		dn   string
		want string
	}{
		{"in the container", &flat, "CN=Jo Bloggs,OU=RR8,DC=example,DC=nhs,DC=uk", "RR8"},
		{"in a sub-OU", &flat, "CN=Jo Bloggs,OU=Staff,OU=RR8,DC=example,DC=nhs,DC=uk", "RR8"},
		{"other case", &flat, "cn=Jo Bloggs,ou=RR8,dc=EXAMPLE,dc=nhs,dc=uk", "RR8"},
		{"escaped value", &flat, `CN=Bloggs\, Jo,OU=R\+8,DC=example,DC=nhs,DC=uk`, "R+8"},
		{"the container itself", &flat, "OU=RR8,DC=example,DC=nhs,DC=uk", ""},
		{"another domain", &flat, "CN=Jo Bloggs,OU=RR8,DC=other,DC=nhs,DC=uk", ""},
		{"in CN=Users", &flat, "CN=Jo Bloggs,CN=Users,DC=example,DC=nhs,DC=uk", ""},
		{"Kelvin sign in the suffix", &flat, "CN=Jo,OU=RR8,DC=example,DC=nhs,DC=u\u212A", ""},
		{"deep: in the container", &deep, "CN=Jo,OU=Users,OU=RR8,OU=Trusts,DC=example,DC=nhs,DC=uk", "RR8"},
		{"deep: beside the container", &deep, "CN=Jo,OU=Other,OU=RR8,OU=Trusts,DC=example,DC=nhs,DC=uk", ""},
		{"deep: too shallow", &deep, "CN=Jo,OU=RR8,OU=Trusts,DC=example,DC=nhs,DC=uk", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dn, err := ldap.ParseDN(tc.dn)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.t.organisation(dn); got != tc.want {
				t.Errorf("organisation(%s) = %q, want %q", tc.dn, got, tc.want)
			}
		})
	}
}

func TestOrganisationDN(t *testing.T) {
	deep, err := parseOrgTemplate("OU=Users,OU={organisation},DC=example,DC=nhs,DC=uk")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := deep.dn("R+8"), `OU=Users,OU=R\+8,DC=example,DC=nhs,DC=uk`; got != want {
		t.Errorf("dn = %s, want %s", got, want)
	}
	got := deep.parents("RR8")
	want := []string{"OU=RR8,DC=example,DC=nhs,DC=uk", "OU=Users,OU=RR8,DC=example,DC=nhs,DC=uk"}
	if !slices.Equal(got, want) {
		t.Errorf("parents = %q, want %q", got, want)
	}
}
