package activedirectory

import (
	"context"

	"github.com/go-ldap/ldap/v3"
)

// Export calls fn for every user and contact under base_dn (computers, which
// AD also counts as users, are left out), with a paged search: one page in
// memory at a time, whatever the size of the directory. It stops at fn's
// first error and returns it.
func (c *Client) Export(ctx context.Context, fn func(Entry) error) error {
	req := ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(&"+entryFilter+")", c.entryAttributes(), nil)
	return wrapf(c.paged(ctx, req, func(le *ldap.Entry) error { return fn(c.entry(le)) }), "export %s", c.cfg.BaseDN)
}
