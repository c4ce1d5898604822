package provision

import (
	"encoding/json"
	"strconv"
	"strings"

	"connectord/pushfile"
	"connectord/store"
)

// allFields are the fields a file may change on an existing mailbox,
// in the order Detail lists them. Organisation, Local ID and Password are
// never changed by a file.
var allFields = []pushfile.Field{
	pushfile.OrganisationUnit, pushfile.Title, pushfile.FirstName, pushfile.LastName, pushfile.JobTitle,
	pushfile.ClinicalRole, pushfile.ClinicalSpeciality, pushfile.WorkArea, pushfile.EmailSize,
	pushfile.OfficePhone, pushfile.MobilePhone, pushfile.Fax, pushfile.Pager,
}

// textField points at the mailbox's string field for f (nil for EmailSize).
func textField(m *store.Mailbox, f pushfile.Field) *string {
	switch f {
	case pushfile.OrganisationUnit:
		return &m.Unit
	case pushfile.Title:
		return &m.Title
	case pushfile.FirstName:
		return &m.FirstName
	case pushfile.LastName:
		return &m.LastName
	case pushfile.JobTitle:
		return &m.JobTitle
	case pushfile.ClinicalRole:
		return &m.ClinicalRole
	case pushfile.ClinicalSpeciality:
		return &m.ClinicalSpeciality
	case pushfile.WorkArea:
		return &m.WorkArea
	case pushfile.OfficePhone:
		return &m.OfficePhone
	case pushfile.MobilePhone:
		return &m.MobilePhone
	case pushfile.Fax:
		return &m.Fax
	case pushfile.Pager:
		return &m.Pager
	}
	return nil
}

// fieldText is the stored value of f as text.
func fieldText(m *store.Mailbox, f pushfile.Field) string {
	if f == pushfile.EmailSize {
		return strconv.Itoa(m.EmailSize)
	}
	if p := textField(m, f); p != nil {
		return *p
	}
	return ""
}

// applyRow copies the row's non-blank managed values into m and returns the
// fields whose value changed. A blank cell leaves the field as it is.
func applyRow(m *store.Mailbox, row *pushfile.Row) []pushfile.Field {
	var changed []pushfile.Field
	for _, f := range allFields {
		v := row.Value[f]
		if v == "" {
			continue
		}
		if f == pushfile.EmailSize {
			n, err := strconv.Atoi(v)
			if err != nil || n == m.EmailSize {
				continue
			}
			m.EmailSize = n
			changed = append(changed, f)
			continue
		}
		p := textField(m, f)
		if *p != v {
			*p = v
			changed = append(changed, f)
		}
	}
	return changed
}

// changeJSON renders the audit trail's before and after objects for the
// given fields. before may be nil (a creation).
func changeJSON(before, after *store.Mailbox, fields []pushfile.Field) (string, string) {
	var b, a strings.Builder
	b.WriteByte('{')
	a.WriteByte('{')
	for i, f := range fields {
		if before == nil && fieldText(after, f) == "" {
			continue
		}
		if i > 0 && a.Len() > 1 {
			b.WriteByte(',')
			a.WriteByte(',')
		}
		name := jsonString(f.String())
		if before != nil {
			b.WriteString(name + ":" + jsonString(fieldText(before, f)))
		}
		a.WriteString(name + ":" + jsonString(fieldText(after, f)))
	}
	b.WriteByte('}')
	a.WriteByte('}')
	if before == nil {
		return "", a.String()
	}
	return b.String(), a.String()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
