package activedirectory

import (
	"context"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// LookupZeroPadded finds the users and contacts in the organisation's
// container whose Local ID is number with leading zeros ("000123" for
// "123"): the Local IDs a spreadsheet may have stripped. number is digits
// not starting with 0. One substring search; the result is in no order.
func (c *Client) LookupZeroPadded(ctx context.Context, org, number string) ([]Entry, error) {
	attr := c.cfg.LocalIDAttribute
	filter := "(&" + entryFilter + "(" + attr + "=0*)(" + attr + "=*" + ldap.EscapeFilter(number) + "))"
	req := ldap.NewSearchRequest(c.orgs.dn(org), ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, c.entryAttributes(), nil)
	var out []Entry
	err := c.paged(ctx, req, func(le *ldap.Entry) error {
		if e := c.entry(le); strings.TrimLeft(e.LocalID, "0") == number {
			out = append(out, e)
		}
		return nil
	})
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil, nil // no container yet
	}
	return out, wrapf(err, "look up Local ID %s with leading zeros", number)
}
