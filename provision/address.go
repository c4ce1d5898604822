package provision

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// letterSpelling folds letters that have no decomposition into plain
// Latin, so "Søren Weiß" becomes soren.weiss.
func letterSpelling(r rune) string {
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'ø':
		return "o"
	case 'œ':
		return "oe"
	case 'đ', 'ð':
		return "d"
	case 'ł':
		return "l"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	}
	return ""
}

// addressPart folds a name into the local-part alphabet: lower case,
// accents removed, letters and digits kept, spaces and hyphens become one
// hyphen, anything else (apostrophes, dots) dropped.
func addressPart(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case r == '-' || unicode.IsSpace(r):
			hyphen = true
		default:
			if s := letterSpelling(r); s != "" {
				if hyphen && b.Len() > 0 {
					b.WriteByte('-')
				}
				hyphen = false
				b.WriteString(s)
			}
		}
	}
	return b.String()
}

// AddressBase is the local part a new mailbox is named after: first.last,
// or whichever part is left when the other folds to nothing, or "user".
func AddressBase(first, last string) string {
	f, l := addressPart(first), addressPart(last)
	switch {
	case f != "" && l != "":
		return f + "." + l
	case f != "":
		return f
	case l != "":
		return l
	}
	return "user"
}
