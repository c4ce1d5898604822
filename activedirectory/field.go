package activedirectory

import (
	"fmt"
	"sort"
	"strings"
)

// Field is a value connectord manages on a directory entry, named as the
// push file names it.
type Field int

// The managed fields. The first nine have standard AD attributes; the last
// five have none and are written only where Config.Attributes names one.
const (
	FirstName   Field = iota // givenName
	LastName                 // sn
	DisplayName              // displayName
	Title                    // personalTitle
	JobTitle                 // title
	OfficePhone              // telephoneNumber
	MobilePhone              // mobile
	Fax                      // facsimileTelephoneNumber
	Pager                    // pager
	OrganisationUnit
	ClinicalRole
	ClinicalSpeciality
	WorkArea
	EmailSize
	NumFields // the number of fields, not a field
)

var fieldNames = [NumFields]string{
	"FirstName", "LastName", "DisplayName", "Title", "JobTitle", "OfficePhone", "MobilePhone", "Fax", "Pager",
	"OrganisationUnit", "ClinicalRole", "ClinicalSpeciality", "WorkArea", "EmailSize",
}

// standardAttributes maps the fields that have a standard AD attribute.
var standardAttributes = [NumFields]string{
	"givenName", "sn", "displayName", "personalTitle", "title", "telephoneNumber", "mobile",
	"facsimileTelephoneNumber", "pager",
}

// String is the field's push-file name.
func (f Field) String() string {
	if f < 0 || f >= NumFields {
		return fmt.Sprintf("Field(%d)", int(f))
	}
	return fieldNames[f]
}

// configurable reports whether Config.Attributes may name f's attribute.
func (f Field) configurable() bool { return f >= OrganisationUnit && f < NumFields }

// Values holds a value for each managed field; "" is blank.
type Values [NumFields]string

// mapping says which attribute holds each field ("" for none).
type mapping [NumFields]string

// newMapping is the standard mapping plus the configured attributes, keyed
// by field name (OrganisationUnit, ClinicalRole, ClinicalSpeciality,
// WorkArea, EmailSize).
func newMapping(extra map[string]string) (mapping, error) {
	m := mapping(standardAttributes)
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f, ok := fieldByName(name)
		if !ok || !f.configurable() {
			return m, fmt.Errorf("directory.ldap.attributes: %q is not a field to map; the fields without a standard attribute are %s",
				name, strings.Join(fieldNames[OrganisationUnit:], ", "))
		}
		attr := extra[name]
		if attr == "" {
			continue // unmapped: kept in connectord's store
		}
		if !validAttributeName(attr) {
			return m, fmt.Errorf("directory.ldap.attributes.%s: %q is not an attribute name (letters, digits and hyphens, starting with a letter)", name, attr)
		}
		m[f] = attr
	}
	return m, nil
}

func fieldByName(name string) (Field, bool) {
	for f, n := range fieldNames {
		if n == name {
			return Field(f), true
		}
	}
	return 0, false
}

// attribute is the attribute holding f, or "".
func (m *mapping) attribute(f Field) string { return m[f] }

// validAttributeName reports whether s is an LDAP attribute descriptor
// (RFC 4512 descr: a letter, then letters, digits and hyphens).
func validAttributeName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
