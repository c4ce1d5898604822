package activedirectory

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxSAMAccountName is AD's limit for the pre-Windows 2000 logon name.
const maxSAMAccountName = 20

// maxCN is the schema's limit for cn.
const maxCN = 64

// samBase is the logon name a user's name gives: first.last in lower-case
// ASCII (accents dropped, ß as ss, spaces and hyphens as one hyphen, other
// characters left out), or whichever part is left, or "user"; at most 20
// characters, not ending in a dot or hyphen (AD refuses a final dot).
func samBase(first, last string) string {
	f, l := asciiName(first), asciiName(last)
	s := f + "." + l
	switch {
	case f == "" && l == "":
		return "user"
	case f == "":
		s = l
	case l == "":
		s = f
	}
	if len(s) > maxSAMAccountName {
		s = strings.TrimRight(s[:maxSAMAccountName], ".-")
	}
	return s
}

// asciiName folds a name into [a-z0-9-].
func asciiName(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		var s string
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			s = string(r)
		case r == '-' || unicode.IsSpace(r):
			hyphen = true
			continue
		default:
			if s = spelledOut[r]; s == "" {
				continue
			}
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(s)
	}
	return b.String()
}

// spelledOut are letters without a decomposition, in plain Latin.
var spelledOut = map[rune]string{'ß': "ss", 'æ': "ae", 'ø': "o", 'œ': "oe", 'đ': "d", 'ð': "d", 'ł': "l", 'þ': "th", 'ı': "i"}

// samCandidate is the n-th logon name to try: base, then base2, base3…,
// shortened to leave room for the number.
func samCandidate(base string, n int) string {
	if n <= 1 {
		return base
	}
	suffix := strconv.Itoa(n)
	if len(base)+len(suffix) > maxSAMAccountName {
		base = strings.TrimRight(base[:maxSAMAccountName-len(suffix)], ".-")
	}
	return base + suffix
}

// cnBase is the common name a user's name gives: the display name, at most
// 64 characters.
func cnBase(display string) string {
	s := strings.Join(strings.Fields(display), " ")
	if s == "" {
		return "user"
	}
	return truncateRunes(s, maxCN)
}

// cnCandidate is the n-th common name to try: base, then "base 2"…
func cnCandidate(base string, n int) string {
	if n <= 1 {
		return base
	}
	suffix := " " + strconv.Itoa(n)
	return strings.TrimRight(truncateRunes(base, maxCN-len(suffix)), " ") + suffix
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
