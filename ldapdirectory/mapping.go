package ldapdirectory

import (
	"strconv"

	"connectord/activedirectory"
	"connectord/pushfile"
	"connectord/store"
)

// fields pairs each push-file field with the directory's.
var fields = []struct {
	push pushfile.Field
	ad   activedirectory.Field
}{
	{pushfile.FirstName, activedirectory.FirstName},
	{pushfile.LastName, activedirectory.LastName},
	{pushfile.Title, activedirectory.Title},
	{pushfile.JobTitle, activedirectory.JobTitle},
	{pushfile.OfficePhone, activedirectory.OfficePhone},
	{pushfile.MobilePhone, activedirectory.MobilePhone},
	{pushfile.Fax, activedirectory.Fax},
	{pushfile.Pager, activedirectory.Pager},
	{pushfile.OrganisationUnit, activedirectory.OrganisationUnit},
	{pushfile.ClinicalRole, activedirectory.ClinicalRole},
	{pushfile.ClinicalSpeciality, activedirectory.ClinicalSpeciality},
	{pushfile.WorkArea, activedirectory.WorkArea},
	{pushfile.EmailSize, activedirectory.EmailSize},
}

// adField is the directory's field for a push-file field.
func adField(f pushfile.Field) (activedirectory.Field, bool) {
	for _, p := range fields {
		if p.push == f {
			return p.ad, true
		}
	}
	return 0, false
}

// text points at m's field for f; nil for EmailSize.
func text(m *store.Mailbox, f activedirectory.Field) *string {
	switch f {
	case activedirectory.FirstName:
		return &m.FirstName
	case activedirectory.LastName:
		return &m.LastName
	case activedirectory.Title:
		return &m.Title
	case activedirectory.JobTitle:
		return &m.JobTitle
	case activedirectory.OfficePhone:
		return &m.OfficePhone
	case activedirectory.MobilePhone:
		return &m.MobilePhone
	case activedirectory.Fax:
		return &m.Fax
	case activedirectory.Pager:
		return &m.Pager
	case activedirectory.OrganisationUnit:
		return &m.Unit
	case activedirectory.ClinicalRole:
		return &m.ClinicalRole
	case activedirectory.ClinicalSpeciality:
		return &m.ClinicalSpeciality
	case activedirectory.WorkArea:
		return &m.WorkArea
	}
	return nil
}

// values is m as the directory's values: every field, mapped or not, and
// the display name.
func values(m *store.Mailbox) activedirectory.Values {
	var v activedirectory.Values
	for _, p := range fields {
		if p.ad == activedirectory.EmailSize {
			v[p.ad] = strconv.Itoa(m.EmailSize)
		} else {
			v[p.ad] = *text(m, p.ad)
		}
	}
	v[activedirectory.DisplayName] = m.FirstName + " " + m.LastName
	return v
}

// mailbox is the entry as a mailbox, with the fields the directory holds.
func (d *Directory) mailbox(e *activedirectory.Entry, m *store.Mailbox) {
	*m = store.Mailbox{Ref: e.DN, Address: e.Address, LocalID: e.LocalID, Org: e.Organisation, Kind: store.KindMailbox}
	if m.Address == "" {
		m.Address = e.UserPrincipalName
	}
	if e.Class == activedirectory.Contact {
		m.Kind = store.KindContact
	}
	for _, p := range fields {
		if !d.c.Mapped(p.ad) {
			continue
		}
		if p.ad == activedirectory.EmailSize {
			m.EmailSize, _ = strconv.Atoi(e.Values[p.ad])
		} else {
			*text(m, p.ad) = e.Values[p.ad]
		}
	}
}

// keeps reports whether some field has no attribute, so is kept in the store.
func (d *Directory) keeps() bool {
	for _, p := range fields {
		if !d.c.Mapped(p.ad) {
			return true
		}
	}
	return false
}

// pushField is the push-file field a directory error names ("Local ID",
// "FirstName"…), or Password when it names none.
func pushField(name string) pushfile.Field {
	for f := pushfile.Field(0); f < pushfile.NumFields; f++ {
		if f.String() == name {
			return f
		}
	}
	if name == "EmailAddress" || name == "DisplayName" {
		return pushfile.LastName
	}
	return pushfile.Password
}
