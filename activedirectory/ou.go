package activedirectory

import (
	"context"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// EnsureOrganisation makes the organisation's container (organisation_dn
// with its code) when it is missing, with any OU above it down from the
// {organisation} one, and returns its DN. What exists is remembered for the
// life of the Client.
func (c *Client) EnsureOrganisation(ctx context.Context, org string) (string, error) {
	dn := c.orgs.dn(org)
	c.mu.Lock()
	known := c.ous[dn]
	c.mu.Unlock()
	if known {
		return dn, nil
	}
	for _, p := range c.orgs.parents(org) {
		if err := c.ensureOU(ctx, p); err != nil {
			return "", fmt.Errorf("make the container of organisation %s: %w", org, err)
		}
	}
	c.mu.Lock()
	c.ous[dn] = true
	c.mu.Unlock()
	return dn, nil
}

func (c *Client) ensureOU(ctx context.Context, dn string) error {
	e, err := c.searchOne(ctx, dn, ldap.ScopeBaseObject, "(objectClass=*)", []string{"objectClass"})
	if err != nil {
		return err
	}
	if e != nil {
		return nil
	}
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	err = c.add(ctx, req)
	if ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists) {
		return nil // made at the same moment by another request
	}
	if err == nil {
		c.log.Info("created organisation container", "dn", dn)
	}
	return err
}
