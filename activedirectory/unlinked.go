package activedirectory

import (
	"context"

	"github.com/go-ldap/ldap/v3"
)

// UnlinkedUsers calls fn for every user in the organisation's container
// (at any depth) that has no Local ID: the accounts a new row may be a
// duplicate of (PROCESSED_DUPLICATE). It is one paged search; the caller
// compares names its own way (the push-file rule ignores case and accents,
// which AD's equality match does not: José and Jose differ there), once
// per organisation and file rather than once per row.
func (c *Client) UnlinkedUsers(ctx context.Context, org string, fn func(Entry) error) error {
	filter := "(&(objectCategory=person)(objectClass=user)(!(" + c.cfg.LocalIDAttribute + "=*)))"
	req := ldap.NewSearchRequest(c.orgs.dn(org), ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, c.entryAttributes(), nil)
	err := c.paged(ctx, req, func(le *ldap.Entry) error { return fn(c.entry(le)) })
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil // no container yet: no accounts
	}
	return wrapf(err, "list the users of %s without a Local ID", org)
}
