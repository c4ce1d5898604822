package web

import (
	"net/url"
	"strings"
)

// startPage is where a sign-in lands without a usable next.
const startPage = "/review"

// safeNext returns where to send the browser after signing in: next when
// it is a path on this site, else the start page.
func safeNext(next string) string {
	if !onSite(next) {
		return startPage
	}
	return next
}

// onSite reports whether next is a path on this site that no browser can
// read as another site. Browsers drop tabs and line breaks from a URL and
// read a backslash as a slash, so "/\t/evil.example" or "/\evil.example"
// would go to evil.example. Only printable ASCII is accepted, both as
// written and percent-decoded, and the path may not start with two
// slashes or hold a backslash either way.
func onSite(next string) bool {
	decoded, err := url.PathUnescape(next)
	if next == "" || err != nil || !printableASCII(next) || !printableASCII(decoded) {
		return false
	}
	for _, p := range []string{next, decoded} {
		if p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
			return false
		}
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == "" &&
		strings.HasPrefix(u.Path, "/")
}

// printableASCII reports whether s holds only bytes from 0x21 to 0x7E: no
// space, control character, DEL or anything beyond ASCII.
func printableASCII(s string) bool {
	for i := range len(s) {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
