package activedirectory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// readDirectory learns the domain, checks that base_dn exists, and reads
// from the schema that every attribute connectord writes exists, and its
// longest value.
func (c *Client) readDirectory(ctx context.Context) error {
	root, err := c.searchOne(ctx, "", ldap.ScopeBaseObject, "(objectClass=*)", []string{"defaultNamingContext", "schemaNamingContext"})
	if err != nil || root == nil {
		return fmt.Errorf("read the directory's root DSE: %w", orNotFound(err))
	}
	c.domainDN = root.GetAttributeValue("defaultNamingContext")
	schema := root.GetAttributeValue("schemaNamingContext")
	if c.domainDN == "" || schema == "" {
		return fmt.Errorf("%s does not look like Active Directory: its root DSE has no defaultNamingContext or schemaNamingContext", c.cfg.URL)
	}
	if e, err := c.searchOne(ctx, c.cfg.BaseDN, ldap.ScopeBaseObject, "(objectClass=*)", []string{"objectClass"}); err != nil || e == nil {
		return fmt.Errorf("directory.ldap.base_dn %s: %w", c.cfg.BaseDN, orNotFound(err))
	}
	want := map[string]string{strings.ToLower(c.cfg.LocalIDAttribute): "directory.ldap.local_id_attribute"}
	for f, attr := range c.attrs {
		if attr != "" {
			want[strings.ToLower(attr)] = "the attribute for " + Field(f).String()
		}
	}
	filter := "(|"
	for attr := range want {
		filter += "(lDAPDisplayName=" + ldap.EscapeFilter(attr) + ")"
	}
	filter += ")"
	res, err := c.search(ctx, ldap.NewSearchRequest(schema, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		filter, []string{"lDAPDisplayName", "rangeUpper"}, nil))
	if err != nil {
		return fmt.Errorf("read the directory's schema: %w", err)
	}
	c.limits = map[string]int{}
	for _, e := range res.Entries {
		name := strings.ToLower(e.GetAttributeValue("lDAPDisplayName"))
		delete(want, name)
		if n, err := strconv.Atoi(e.GetAttributeValue("rangeUpper")); err == nil && n > 0 {
			c.limits[name] = n
		}
	}
	for attr, what := range want {
		return fmt.Errorf("%s: the directory's schema has no attribute %s", what, attr)
	}
	return nil
}

// checkLength refuses a value longer than its attribute allows.
func (c *Client) checkLength(field, attr, value string) error {
	if max, ok := c.limits[strings.ToLower(attr)]; ok && utf8.RuneCountInString(value) > max {
		return &ValueError{Field: field, Attribute: attr, Max: max}
	}
	return nil
}

// MaxLength is the most characters the directory takes for f (0: no limit
// known, or f is not written to the directory).
func (c *Client) MaxLength(f Field) int {
	if f < 0 || f >= NumFields || c.attrs[f] == "" {
		return 0
	}
	return c.limits[strings.ToLower(c.attrs[f])]
}

// MaxLocalIDLength is the most characters the Local ID attribute takes
// (employeeID: 16 on AD and Samba; 0 when the schema sets no limit).
func (c *Client) MaxLocalIDLength() int {
	return c.limits[strings.ToLower(c.cfg.LocalIDAttribute)]
}

// Mapped reports whether f is written to the directory; the caller keeps
// the fields that are not.
func (c *Client) Mapped(f Field) bool { return f >= 0 && f < NumFields && c.attrs[f] != "" }

// Attribute is the attribute that holds f ("" when none).
func (c *Client) Attribute(f Field) string {
	if f < 0 || f >= NumFields {
		return ""
	}
	return c.attrs[f]
}
