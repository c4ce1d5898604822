package activedirectory

import (
	"strconv"

	"github.com/go-ldap/ldap/v3"
)

// Class is the kind of a directory entry.
type Class int

const (
	User    Class = iota + 1 // a user account: a mailbox
	Contact                  // a contact (migrated from NHSmail 1): never updated by files
)

func (c Class) String() string {
	switch c {
	case User:
		return "user"
	case Contact:
		return "contact"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Entry is a user or contact as connectord sees it.
type Entry struct {
	DN    string
	Class Class
	// Organisation is the code of the organisation whose container
	// (organisation_dn) holds the entry, as spelt in the DN; "" when it is
	// under no organisation's container.
	Organisation      string
	LocalID           string
	Address           string // mail
	UserPrincipalName string
	SAMAccountName    string
	// Values holds the managed fields that have an attribute; the others
	// are blank.
	Values Values
	// Disabled: userAccountControl has ACCOUNTDISABLE (a user created in two
	// steps whose password was never set is disabled).
	Disabled bool
	// MustChangePassword: pwdLastSet is 0, so the user must choose a new
	// password at first sign-in.
	MustChangePassword bool
}

const (
	uacAccountDisable = 0x2
	uacNormalAccount  = 0x200
)

// entryAttributes are the attributes every entry search asks for.
func (c *Client) entryAttributes() []string {
	attrs := []string{"objectClass", c.cfg.LocalIDAttribute, "mail", "userPrincipalName", "sAMAccountName",
		"userAccountControl", "pwdLastSet"}
	for _, a := range c.attrs {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	return attrs
}

// entry decodes a search result.
func (c *Client) entry(e *ldap.Entry) Entry {
	out := Entry{
		DN:                e.DN,
		LocalID:           e.GetEqualFoldAttributeValue(c.cfg.LocalIDAttribute),
		Address:           e.GetEqualFoldAttributeValue("mail"),
		UserPrincipalName: e.GetEqualFoldAttributeValue("userPrincipalName"),
		SAMAccountName:    e.GetEqualFoldAttributeValue("sAMAccountName"),
		Class:             User,
	}
	for _, oc := range e.GetEqualFoldAttributeValues("objectClass") {
		if equalFoldASCII(oc, "contact") {
			out.Class = Contact
		}
	}
	for f, a := range c.attrs {
		if a != "" {
			out.Values[f] = e.GetEqualFoldAttributeValue(a)
		}
	}
	if uac, err := strconv.ParseInt(e.GetEqualFoldAttributeValue("userAccountControl"), 10, 64); err == nil {
		out.Disabled = uac&uacAccountDisable != 0
	}
	out.MustChangePassword = e.GetEqualFoldAttributeValue("pwdLastSet") == "0"
	if dn, err := ldap.ParseDN(e.DN); err == nil {
		out.Organisation = c.orgs.organisation(dn)
	}
	return out
}
