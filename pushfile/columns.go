package pushfile

import (
	"strings"
	"unicode"
)

// colKind says what the reader does with a column.
type colKind uint8

const (
	colField   colKind = iota // holds a Field
	colOrgCode                // old Organisation Code: the Organisation
	colGPCode                 // old GP Practice Code: the Organisation when Organisation Code is blank
	colDept                   // old Department: the OrganisationUnit when it looks like a unit code, else noted
	colNoted                  // old column no longer managed: ignored, noted when not blank
	colIgnored                // accepted and ignored (the portal's ID)
	colResult                 // a results column of a re-sent results file: ignored, replaced on output
	colBlank                  // the header cell is blank
	colUnknown                // not a known column (only in a header with problems)
)

// formats is a set of Formats.
type formats uint8

const (
	inNew  formats = 1 << FormatNew
	inOld  formats = 1 << FormatOld
	inBoth         = inNew | inOld
)

// colDef describes one known column.
type colDef struct {
	newName string // canonical name in the new format, "" if not in it
	oldName string // canonical name in the old format, "" if not in it
	kind    colKind
	field   Field // for colField
	in      formats
}

// name returns the canonical name of the column in format f.
func (d colDef) name(f Format) string {
	if f == FormatOld && d.oldName != "" {
		return d.oldName
	}
	if d.newName != "" {
		return d.newName
	}
	return d.oldName
}

// knownColumns lists every column of both formats.
func knownColumns() []colDef {
	return []colDef{
		// New format only.
		{newName: "ClinicalRole", kind: colField, field: ClinicalRole, in: inNew},
		{newName: "ClinicalSpeciality", kind: colField, field: ClinicalSpeciality, in: inNew},
		{newName: "EmailSize", kind: colField, field: EmailSize, in: inNew},
		{newName: "Local ID", kind: colField, field: LocalID, in: inNew},
		{newName: "MobilePhone", kind: colField, field: MobilePhone, in: inNew},
		{newName: "OfficePhone", kind: colField, field: OfficePhone, in: inNew},
		{newName: "Organisation", kind: colField, field: Organisation, in: inNew},
		{newName: "OrganisationUnit", kind: colField, field: OrganisationUnit, in: inNew},
		{newName: "Password", kind: colField, field: Password, in: inNew},
		{newName: "WorkArea", kind: colField, field: WorkArea, in: inNew},
		{newName: "ID", kind: colIgnored, in: inNew},
		// Both formats.
		{newName: "Title", oldName: "Title", kind: colField, field: Title, in: inBoth},
		{newName: "FirstName", oldName: "First Name", kind: colField, field: FirstName, in: inBoth},
		{newName: "LastName", oldName: "Last Name", kind: colField, field: LastName, in: inBoth},
		{newName: "JobTitle", oldName: "Job Title", kind: colField, field: JobTitle, in: inBoth},
		{newName: "Fax", oldName: "Fax", kind: colField, field: Fax, in: inBoth},
		{newName: "Pager", oldName: "Pager", kind: colField, field: Pager, in: inBoth},
		{newName: "Result", oldName: "Result", kind: colResult, in: inBoth},
		{newName: "Detail", oldName: "Detail", kind: colResult, in: inBoth},
		{newName: "EmailAddress", oldName: "EmailAddress", kind: colResult, in: inBoth},
		{newName: "GeneratedPassword", oldName: "GeneratedPassword", kind: colResult, in: inBoth},
		// NHSmail 1 format only.
		{oldName: "Unique ID", kind: colField, field: LocalID, in: inOld},
		{oldName: "Previous Family Name", kind: colNoted, in: inOld},
		{oldName: "Initials", kind: colNoted, in: inOld},
		{oldName: "Department", kind: colDept, field: OrganisationUnit, in: inOld},
		{oldName: "Organisation Code", kind: colOrgCode, field: Organisation, in: inOld},
		{oldName: "Organisation Site Code", kind: colNoted, in: inOld},
		{oldName: "GP Practice Code", kind: colGPCode, field: Organisation, in: inOld},
		{oldName: "Room", kind: colNoted, in: inOld},
		{oldName: "Telephone", kind: colField, field: OfficePhone, in: inOld},
		{oldName: "Mobile", kind: colField, field: MobilePhone, in: inOld},
		{oldName: "Web Page", kind: colNoted, in: inOld},
	}
}

// normName returns a header name in the form used to match it: lower case,
// without white space, '_', '-' or byte order marks.
func normName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '\uFEFF', r == '\u200B':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
