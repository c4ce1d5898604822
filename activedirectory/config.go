package activedirectory

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Config is how to reach and use the directory: the directory.ldap section
// of connectord's configuration. Messages from Validate name its keys.
type Config struct {
	// URL is ldaps://host[:636], or ldap://host[:389] with StartTLS.
	URL      string
	StartTLS bool
	// CAFile is a PEM file of the authorities to trust for the server's
	// certificate; empty trusts the system's.
	CAFile string
	// BindDN is the service account, e.g. CN=connectord,OU=Service
	// Accounts,DC=example,DC=nhs,DC=uk (a UPN, connectord@example.nhs.uk,
	// also binds on AD).
	BindDN string
	// PasswordFile (its first line) or PasswordEnv holds the service
	// account's password: exactly one of them is set.
	PasswordFile string
	PasswordEnv  string
	// BaseDN is searched for Local IDs, addresses and contacts, and exported.
	BaseDN string
	// OrganisationDN is where an organisation's accounts live, with
	// {organisation} for its code: OU={organisation},DC=example,DC=nhs,DC=uk.
	OrganisationDN string
	// LocalIDAttribute holds the Local ID (default employeeID).
	LocalIDAttribute string
	// Attributes names the attribute for the fields that have no standard
	// one: OrganisationUnit, ClinicalRole, ClinicalSpeciality, WorkArea,
	// EmailSize. A field not named is not written to the directory.
	Attributes map[string]string
	// Timeout bounds every operation: connecting, the TLS handshake, each
	// request (default 30 s).
	Timeout time.Duration
	// LookupBatch is how many Local IDs one search asks for (default 200).
	LookupBatch int
	// PageSize is the page of a paged search (default 500; AD's maximum is 1000).
	PageSize int
	// TwoStepCreate adds a new user disabled and then sets its password, for
	// servers that refuse a password in the add. By default connectord sets
	// the password in the add and falls back to two steps by itself when the
	// server refuses that.
	TwoStepCreate bool
}

// Defaults for the zero values.
const (
	DefaultLocalIDAttribute = "employeeID"
	DefaultTimeout          = 30 * time.Second
	DefaultLookupBatch      = 200
	DefaultPageSize         = 500
	maxLookupBatch          = 1000
)

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.LocalIDAttribute == "" {
		c.LocalIDAttribute = DefaultLocalIDAttribute
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.LookupBatch == 0 {
		c.LookupBatch = DefaultLookupBatch
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	return c
}

// Validate checks the configuration without contacting the server. Every
// problem is reported, one per line, naming the key.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("directory.ldap.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if err := c.checkURL(); err != nil {
		bad("url", "%v", err)
	}
	if c.BindDN == "" {
		bad("bind_dn", "is required: the service account connectord binds as")
	} else if _, err := ldap.ParseDN(c.BindDN); err != nil && !strings.Contains(c.BindDN, "@") {
		bad("bind_dn", "%q is neither a DN nor a user principal name: %v", c.BindDN, err)
	}
	switch {
	case c.PasswordFile == "" && c.PasswordEnv == "":
		bad("password_file", "or password_env is required: where the service account's password is")
	case c.PasswordFile != "" && c.PasswordEnv != "":
		bad("password_file", "and password_env are both set; set one")
	}
	base, err := ldap.ParseDN(c.BaseDN)
	if c.BaseDN == "" || err != nil {
		bad("base_dn", "%q is not a DN (e.g. DC=example,DC=nhs,DC=uk)", c.BaseDN)
		base = nil
	}
	if t, err := parseOrgTemplate(c.OrganisationDN); err != nil {
		bad("organisation_dn", "%q: %v", c.OrganisationDN, err)
	} else if base != nil {
		if dn, err := ldap.ParseDN(t.dn("X")); err != nil || !within(dn, base) {
			bad("organisation_dn", "%q is not under base_dn %q: accounts created there would not be found again", c.OrganisationDN, c.BaseDN)
		}
	}
	if !validAttributeName(c.LocalIDAttribute) {
		bad("local_id_attribute", "%q is not an attribute name", c.LocalIDAttribute)
	}
	if m, err := newMapping(c.Attributes); err != nil {
		errs = append(errs, err)
	} else if err := checkMappingClashes(m, c.LocalIDAttribute); err != nil {
		errs = append(errs, err)
	}
	if c.Timeout < 0 {
		bad("timeout", "must be positive")
	}
	if c.LookupBatch < 1 || c.LookupBatch > maxLookupBatch {
		bad("lookup_batch", "%d: must be 1 to %d", c.LookupBatch, maxLookupBatch)
	}
	if c.PageSize < 1 || c.PageSize > 1000 {
		bad("page_size", "%d: must be 1 to 1000 (AD's MaxPageSize)", c.PageSize)
	}
	return errors.Join(errs...)
}

// checkURL refuses anything that would bind in clear.
func (c Config) checkURL() error {
	u, err := url.Parse(c.URL)
	if c.URL == "" || err != nil || u.Host == "" {
		return fmt.Errorf("%q is not ldaps://host[:port] or ldap://host[:port]", c.URL)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("%q: give only the scheme, host and port", c.URL)
	}
	if _, port, err := net.SplitHostPort(u.Host); err == nil && port == "" {
		return fmt.Errorf("%q: empty port", c.URL)
	}
	switch u.Scheme {
	case "ldaps":
		if c.StartTLS {
			return fmt.Errorf("%q is already TLS; start_tls is for ldap:// (set it false)", c.URL)
		}
	case "ldap":
		if !c.StartTLS {
			return fmt.Errorf("%q without start_tls would send the service account's password and new users' passwords in clear: use ldaps:// or set start_tls: true", c.URL)
		}
	default:
		return fmt.Errorf("%q: the scheme must be ldaps or ldap (with start_tls)", c.URL)
	}
	return nil
}

// checkMappingClashes refuses two fields, or a field and the Local ID, in one attribute.
func checkMappingClashes(m mapping, localID string) error {
	reserved := []string{localID, "mail", "userPrincipalName", "sAMAccountName", "cn", "unicodePwd", "userAccountControl", "objectClass"}
	for f, attr := range m {
		if attr == "" {
			continue
		}
		for _, r := range reserved {
			if equalFoldASCII(attr, r) {
				return fmt.Errorf("directory.ldap.attributes.%s: %s is an attribute connectord manages itself", Field(f), attr)
			}
		}
		for g := Field(f) + 1; g < NumFields; g++ {
			if equalFoldASCII(attr, m[g]) {
				return fmt.Errorf("directory.ldap.attributes: %s and %s both map to %s", Field(f), g, attr)
			}
		}
	}
	return nil
}

// within reports whether dn is base or below it.
func within(dn, base *ldap.DN) bool {
	n, b := len(dn.RDNs), len(base.RDNs)
	return n >= b && sameRDNs(dn.RDNs[n-b:], base.RDNs)
}

// password reads the service account's password.
func (c Config) password() (string, error) {
	if c.PasswordEnv != "" {
		pw := os.Getenv(c.PasswordEnv)
		if pw == "" {
			return "", fmt.Errorf("directory.ldap.password_env: $%s is empty or not set", c.PasswordEnv)
		}
		return pw, nil
	}
	f, err := os.Open(c.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("directory.ldap.password_file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() || strings.TrimRight(sc.Text(), "\r") == "" {
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("directory.ldap.password_file %s: %w", c.PasswordFile, err)
		}
		return "", fmt.Errorf("directory.ldap.password_file %s: the first line is empty", c.PasswordFile)
	}
	return strings.TrimRight(sc.Text(), "\r"), nil
}
