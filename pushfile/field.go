package pushfile

import "strconv"

// Field is one user attribute of the new file format. Old-format (NHSmail 1)
// columns are mapped onto these fields when a file is read.
type Field int

// The fields of the new format, in the alphabetical order of the guide.
const (
	ClinicalRole Field = iota
	ClinicalSpeciality
	EmailSize
	Fax
	FirstName
	JobTitle
	LastName
	LocalID
	MobilePhone
	OfficePhone
	Organisation
	OrganisationUnit
	Pager
	Password
	Title
	WorkArea
	NumFields // number of fields; not a field
)

// String returns the canonical new-format column name of f, such as
// "Local ID" or "FirstName".
func (f Field) String() string {
	switch f {
	case ClinicalRole:
		return "ClinicalRole"
	case ClinicalSpeciality:
		return "ClinicalSpeciality"
	case EmailSize:
		return "EmailSize"
	case Fax:
		return "Fax"
	case FirstName:
		return "FirstName"
	case JobTitle:
		return "JobTitle"
	case LastName:
		return "LastName"
	case LocalID:
		return "Local ID"
	case MobilePhone:
		return "MobilePhone"
	case OfficePhone:
		return "OfficePhone"
	case Organisation:
		return "Organisation"
	case OrganisationUnit:
		return "OrganisationUnit"
	case Pager:
		return "Pager"
	case Password:
		return "Password"
	case Title:
		return "Title"
	case WorkArea:
		return "WorkArea"
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// isPhone reports whether f holds a telephone number.
func (f Field) isPhone() bool {
	return f == Fax || f == MobilePhone || f == OfficePhone || f == Pager
}

// Format is the layout of a push file, decided from its header.
type Format int

// The two accepted layouts.
const (
	FormatNew Format = iota // the current format (guide section 5.2)
	FormatOld               // the NHSmail 1 format (guide section 5.3)
)

// String returns "new" or "NHSmail 1".
func (f Format) String() string {
	switch f {
	case FormatNew:
		return "new"
	case FormatOld:
		return "NHSmail 1"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}
