package store

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameKey folds a first and last name for duplicate matching: lower case,
// accents removed, runs of spaces collapsed. "José  O'Brien" and
// "jose o'brien" give the same key.
func NameKey(first, last string) string {
	return fold(first) + "|" + fold(last)
}

func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.TrimSpace(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
