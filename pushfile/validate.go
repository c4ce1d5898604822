package pushfile

import (
	"fmt"
	"slices"
	"strings"
)

// Length limits of the text fields, in characters.
const (
	maxNameLen     = 64
	maxLocalIDLen  = 64
	maxJobTitleLen = 128
	maxPhoneLen    = 32
)

// fill sets row from the cells of record, which starts on line, and checks
// it against every rule.
func (r *Reader) fill(row *Row, record []string, line int) {
	row.reset(line)
	cols := r.lay.cols
	special := false // a cell the results writer may have to escape
	var gp string
	gpNoteAt := 0              // where a note on GP Practice Code goes, to keep header order
	for i, c := range record { // the record is ours until the next read
		if c != "" && mayEscape(c[0]) {
			if c[0] == '\'' {
				c = c[1:]
				record[i] = c
			}
			special = true
		}
		if i >= len(cols) {
			continue
		}
		switch col := &cols[i]; col.kind {
		case colField, colOrgCode:
			row.Value[col.field] = trim(c)
		case colGPCode:
			gp = trim(c)
			gpNoteAt = len(row.Notes)
		case colDept:
			if v := trim(c); looksLikeUnitCode(v) {
				row.Value[OrganisationUnit] = v
			} else if v != "" {
				row.Notes = append(row.Notes, fmt.Sprintf(
					`Department %s is not a unit code and was ignored (unit codes start with D, such as "DLS1110234"); a new user is assigned to the organisation`,
					quote(v)))
			}
		case colNoted:
			if !isBlank(c) {
				row.Notes = append(row.Notes, col.note)
			}
		case colBlank:
			if !isBlank(c) {
				row.problem("", fmt.Sprintf("column %s has a value but no heading: add the heading or clear the column", columnLetter(i)))
			}
		}
	}
	row.Cells = record
	row.special = special

	// Cells beyond the header.
	for i := len(record) - 1; i >= len(cols); i-- {
		if !isBlank(record[i]) {
			row.problem("", fmt.Sprintf("the row has %d cells but the header has %d: remove the extra cells or add headings for them", i+1, len(cols)))
			break
		}
	}

	// NHSmail 1: GP Practice Code is no longer managed (guide 5.3):
	// practices are now organisations, so a practice code stands in for a
	// blank Organisation Code, and is ignored beside a different one.
	orgCol := r.lay.names[Organisation]
	if gp != "" {
		switch org := row.Value[Organisation]; {
		case org == "":
			row.Value[Organisation] = gp
			orgCol = "GP Practice Code"
		case !strings.EqualFold(org, gp):
			row.Notes = slices.Insert(row.Notes, gpNoteAt, "GP Practice Code is no longer managed and was ignored (Organisation Code is used)")
		}
	}
	if orgOK := r.check(row, orgCol); orgOK && orgCol == "GP Practice Code" {
		row.Notes = slices.Insert(row.Notes, gpNoteAt, fmt.Sprintf(
			"GP Practice Code is no longer managed: practices are now organisations, so %s was used as the Organisation Code (put it there in future files)",
			quote(row.Value[Organisation])))
	}
}

// check applies the field rules to row in header order, normalising the
// values, and records what is broken. It reports whether the organisation
// is good.
func (r *Reader) check(row *Row, orgCol string) bool {
	org, orgMsg := r.organisation(row.Value[Organisation])
	if org == "" && r.lay.hasGP && orgCol == "Organisation Code" {
		orgMsg = `is required (or fill in "GP Practice Code")`
	}
	for _, f := range r.lay.order {
		col := r.lay.names[f]
		v := row.Value[f]
		switch f {
		case FirstName, LastName:
			row.Value[f] = checkText(row, col, v, maxNameLen, true, true)
		case JobTitle:
			row.Value[f] = checkText(row, col, v, maxJobTitleLen, false, false)
		case LocalID:
			r.checkLocalID(row, col, v)
		case Organisation:
			row.Value[f] = org
			if orgMsg != "" {
				row.problem(orgCol, orgMsg)
			}
		case OrganisationUnit:
			row.Value[f] = r.checkUnit(row, col, v, org, orgMsg == "")
		case Title:
			row.Value[f] = r.checkTitle(row, col, v)
		case ClinicalRole, ClinicalSpeciality, WorkArea:
			row.Value[f] = r.checkMulti(row, col, f, v)
		case EmailSize:
			row.Value[f] = checkEmailSize(row, col, v)
		case Fax, MobilePhone, OfficePhone, Pager:
			row.Value[f] = checkPhone(row, col, v)
		case Password:
			checkPassword(row, col, v)
		}
	}
	return orgMsg == ""
}

// checkText checks a name or job title: required (when asked), no control
// characters, no '@', '<' or '>' (when asked), at most max characters once
// white space runs (line breaks included) are collapsed to one space.
func checkText(row *Row, col, v string, max int, required, noSpecial bool) string {
	if v == "" {
		if required {
			row.problem(col, "is required")
		}
		return v
	}
	t := scanText(v)
	if t.spaces {
		v = collapseSpace(v)
		t = scanText(v)
	}
	mojibake := checkMojibake(row, col, v, t)
	if t.ctl && !mojibake { // mojibake's C1 characters are no control characters a person typed
		row.problem(col, "contains a control character: retype the value")
	}
	if t.bad {
		row.problem(col, badCharsMessage)
	}
	if noSpecial && strings.IndexByte(v, '?') >= 0 {
		row.problem(col, lostCharsMessage)
	}
	if noSpecial && t.special {
		row.problem(col, "must not contain @, < or >")
	}
	if t.runes > max {
		row.problem(col, fmt.Sprintf("is %d characters long; at most %d are allowed", t.runes, max))
	}
	return v
}

// badCharsMessage explains U+FFFD in a value.
const badCharsMessage = "contains characters that could not be read: save the file as \"CSV UTF-8 (Comma delimited)\" and send it again"

// lostCharsMessage explains a '?' in a name: what a spreadsheet saving in
// Windows-1252 ("CSV (Comma delimited)") writes for a letter it cannot hold.
const lostCharsMessage = `contains "?", which is what a spreadsheet saves for a letter it cannot store (such as Ł): save the file as "CSV UTF-8 (Comma delimited)" and send it again`

// checkLocalID checks the Local ID and that no earlier row had it.
func (r *Reader) checkLocalID(row *Row, col, v string) {
	if v == "" {
		return // a new user gets one generated
	}
	t := scanText(v)
	mojibake := checkMojibake(row, col, v, t)
	if t.ctl && !mojibake || t.breaks { // mojibake's C1 characters are no control characters a person typed
		row.problem(col, "contains a control character or line break: retype the value")
	}
	if t.bad {
		row.problem(col, badCharsMessage)
	}
	if t.runes > maxLocalIDLen {
		row.problem(col, fmt.Sprintf("is %d characters long; at most %d are allowed", t.runes, maxLocalIDLen))
	}
	if isExcelNumber(v) {
		row.problem(col, fmt.Sprintf("%s looks like a number Excel turned into scientific notation: format the column as Text in Excel and enter the IDs again", quote(v)))
	}
	if first, dup := r.ids.add(v, row.Line); dup {
		row.problem(col, fmt.Sprintf("duplicate %s, first on line %d", col, first))
	}
}

// organisation returns the organisation code upper-cased, and what is wrong
// with it ("" when nothing is).
func (r *Reader) organisation(v string) (string, string) {
	if v == "" {
		return v, "is required"
	}
	v = upperASCII(v)
	if len(v) < 3 || len(v) > 10 || !isAlnum(v) {
		return v, fmt.Sprintf(`%s is not an organisation code: it must be 3 to 10 letters and digits, such as "RR8"`, quote(v))
	}
	if r.reg != nil && !r.reg.HasOrganisation(v) {
		return v, fmt.Sprintf("unknown organisation code %s: use the code shown in the Organisation section of the Portal", quote(v))
	}
	return v, ""
}

// looksLikeUnitCode reports whether an NHSmail 1 Department, which was free
// text there, is meant as a unit code: D, then letters and digits with at
// least one digit ("DLS1110234"), so that words such as "Dermatology" are
// not taken for codes.
func looksLikeUnitCode(v string) bool {
	if len(v) < 2 || (v[0] != 'D' && v[0] != 'd') || !isAlnum(v) {
		return false
	}
	return strings.ContainsAny(v, "0123456789")
}

// checkUnit checks an organisation unit code: blank, or 'D' then letters
// and digits, and (with a Registry, when the organisation is good) a unit
// of that organisation.
func (r *Reader) checkUnit(row *Row, col, v, org string, orgOK bool) string {
	if v == "" {
		return v
	}
	v = upperASCII(v)
	if len(v) < 2 || v[0] != 'D' || !isAlnum(v) {
		row.problem(col, fmt.Sprintf(`%s is not an organisation unit code: it must start with D and have only letters and digits, such as "DLS1110234"`, quote(v)))
		return v
	}
	if r.reg != nil && orgOK && !r.reg.HasUnit(org, v) {
		row.problem(col, fmt.Sprintf("%s is not a unit of organisation %s: use a code from the Manage Organisation section of the Portal", quote(v), org))
	}
	return v
}
