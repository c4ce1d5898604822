package activedirectory

import (
	"context"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// Update replaces the given fields of the entry dn with their values in v,
// in one modify (AD applies it whole or not at all); a blank value removes
// the attribute. Every field must have an attribute (see Mapped), and no
// value may be longer than its attribute allows (a *ValueError, before
// anything is sent). The address, the Local ID and the names AD derives
// accounts by (cn, sAMAccountName) are never changed here.
func (c *Client) Update(ctx context.Context, dn string, v *Values, fields ...Field) error {
	if len(fields) == 0 {
		return nil
	}
	req := ldap.NewModifyRequest(dn, nil)
	for _, f := range fields {
		if f < 0 || f >= NumFields || c.attrs[f] == "" {
			return fmt.Errorf("update %s: %s has no attribute in this directory", dn, f)
		}
		attr := c.attrs[f]
		if err := c.checkLength(f.String(), attr, v[f]); err != nil {
			return err
		}
		if v[f] == "" {
			req.Replace(attr, nil)
		} else {
			req.Replace(attr, []string{v[f]})
		}
	}
	return wrapf(c.modify(ctx, req), "update %s", dn)
}
