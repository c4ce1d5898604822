package web

import (
	"strings"
	"unicode"
)

// shownColumns are the columns of a results file the console shows, by
// normalised name (lower case, no spaces, '_' or '-'), in both file
// formats: who a row is about and its result. Passwords (the
// GeneratedPassword column, and any Password column) are never among them.
var shownColumns = map[string]bool{
	"firstname": true, "lastname": true, "localid": true, "uniqueid": true,
	"organisation": true, "organisationcode": true, "gppracticecode": true,
	"result": true, "detail": true, "emailaddress": true,
}

// normColumn normalises a column's name.
func normColumn(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '\uFEFF':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
