package activedirectory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Placeholder is what Config.OrganisationDN writes for the organisation code.
const Placeholder = "{organisation}"

// orgTemplate is organisation_dn, split around its {organisation} RDN:
// below are the RDNs nearer the accounts (OU=Users in
// "OU=Users,OU={organisation},DC=…"), suffix those above it.
type orgTemplate struct {
	raw    string
	attr   string             // the type of the {organisation} RDN (OU)
	below  []*ldap.RelativeDN // every one an OU
	suffix []*ldap.RelativeDN
}

func parseOrgTemplate(raw string) (orgTemplate, error) {
	t := orgTemplate{raw: raw}
	if strings.Count(raw, Placeholder) != 1 {
		return t, fmt.Errorf("must hold %s exactly once, as the value of an OU, e.g. OU=%s,DC=example,DC=nhs,DC=uk", Placeholder, Placeholder)
	}
	dn, err := ldap.ParseDN(raw)
	if err != nil {
		return t, fmt.Errorf("not a DN: %w", err)
	}
	at := -1
	for i, rdn := range dn.RDNs {
		for _, a := range rdn.Attributes {
			if strings.Contains(a.Value, Placeholder) {
				if a.Value != Placeholder || len(rdn.Attributes) != 1 {
					return t, fmt.Errorf("%s must be the whole value of its RDN (OU=%s), not part of %s=%s", Placeholder, Placeholder, a.Type, a.Value)
				}
				at = i
			}
		}
	}
	if at < 0 {
		return t, errors.New(Placeholder + " is not in an RDN value")
	}
	for _, rdn := range dn.RDNs[:at+1] {
		if len(rdn.Attributes) != 1 || !equalFoldASCII(rdn.Attributes[0].Type, "OU") {
			return t, fmt.Errorf("the RDNs from %s down must be OUs (connectord creates them), not %s", Placeholder, rdn.String())
		}
	}
	if at == len(dn.RDNs)-1 {
		return t, fmt.Errorf("%s must be below a domain, e.g. OU=%s,DC=example,DC=nhs,DC=uk", Placeholder, Placeholder)
	}
	t.attr = dn.RDNs[at].Attributes[0].Type
	t.below, t.suffix = dn.RDNs[:at], dn.RDNs[at+1:]
	return t, nil
}

// dn is the organisation's container: the template with org in place of
// the placeholder, escaped, in the operator's own spelling otherwise.
func (t *orgTemplate) dn(org string) string {
	return strings.Replace(t.raw, Placeholder, ldap.EscapeDN(org), 1)
}

// parents are the DNs from the organisation's own OU down to its container
// (one DN when the template has nothing below the placeholder): the OUs
// ensureOrganisation may have to create, top first.
func (t *orgTemplate) parents(org string) []string {
	full := t.dn(org)
	dn, err := ldap.ParseDN(full)
	if err != nil {
		return []string{full}
	}
	out := make([]string, 0, len(t.below)+1)
	for i := len(t.below); i >= 0; i-- {
		out = append(out, joinRDNs(dn.RDNs[i:]))
	}
	out[len(out)-1] = full
	return out
}

// organisation returns the organisation whose container holds the entry dn
// (at any depth), or "" when it is under none.
func (t *orgTemplate) organisation(dn *ldap.DN) string {
	n, s, b := len(dn.RDNs), len(t.suffix), len(t.below)
	if n < s+b+2 { // the entry, the below RDNs, the organisation, the suffix
		return ""
	}
	if !sameRDNs(dn.RDNs[n-s:], t.suffix) || !sameRDNs(dn.RDNs[n-s-1-b:n-s-1], t.below) {
		return ""
	}
	org := dn.RDNs[n-s-1]
	if len(org.Attributes) != 1 || !equalFoldASCII(org.Attributes[0].Type, t.attr) {
		return ""
	}
	return org.Attributes[0].Value
}

// sameRDNs compares RDNs as AD compares DNs, but folding ASCII letters only.
func sameRDNs(a, b []*ldap.RelativeDN) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i].Attributes) != len(b[i].Attributes) {
			return false
		}
		for j := range a[i].Attributes {
			x, y := a[i].Attributes[j], b[i].Attributes[j]
			if !equalFoldASCII(x.Type, y.Type) || !equalFoldASCII(x.Value, y.Value) {
				return false
			}
		}
	}
	return true
}

// equalFoldASCII compares ignoring the case of ASCII letters only (never
// Unicode folding: K, U+212A, is not k).
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// joinRDNs writes RDNs back as a DN string.
func joinRDNs(rdns []*ldap.RelativeDN) string {
	parts := make([]string, len(rdns))
	for i, r := range rdns {
		var avas []string
		for _, a := range r.Attributes {
			avas = append(avas, a.Type+"="+ldap.EscapeDN(a.Value))
		}
		parts[i] = strings.Join(avas, "+")
	}
	return strings.Join(parts, ",")
}
