package activedirectory

import (
	"context"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// AddressesTaken reports which of the addresses an entry anywhere under
// base_dn already has, as its mail, its userPrincipalName or one of its
// proxyAddresses (smtp: or SMTP:), in one search. Addresses compare
// ignoring the case of ASCII letters only. The result holds only the
// taken ones, in the spelling asked.
func (c *Client) AddressesTaken(ctx context.Context, addrs []string) (map[string]bool, error) {
	if len(addrs) == 0 {
		return map[string]bool{}, nil
	}
	var b strings.Builder
	b.WriteString("(|")
	for _, a := range addrs {
		v := ldap.EscapeFilter(a)
		// proxyAddresses matches ignoring case, so smtp: finds SMTP: too.
		b.WriteString("(mail=" + v + ")(userPrincipalName=" + v + ")(proxyAddresses=smtp:" + v + ")")
	}
	b.WriteString(")")
	req := ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		b.String(), []string{"mail", "userPrincipalName", "proxyAddresses"}, nil)
	taken := map[string]bool{}
	err := c.paged(ctx, req, func(e *ldap.Entry) error {
		var have []string
		have = append(have, e.GetEqualFoldAttributeValues("mail")...)
		have = append(have, e.GetEqualFoldAttributeValues("userPrincipalName")...)
		for _, p := range e.GetEqualFoldAttributeValues("proxyAddresses") {
			if len(p) > 5 && equalFoldASCII(p[:5], "smtp:") {
				have = append(have, p[5:])
			}
		}
		for _, a := range addrs {
			for _, h := range have {
				if equalFoldASCII(a, h) {
					taken[a] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "check %d addresses", len(addrs))
	}
	return taken, nil
}
