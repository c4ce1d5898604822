package store

import "strings"

// addressKey is how the roster and the trusted senders key an address:
// space trimmed and ASCII letters lower-cased, nothing else. Unicode
// lower-casing would turn the Kelvin sign (U+212A) into k and so find a
// look-alike's way onto a real sender's entry; inspect.SenderAddress keeps
// such addresses out before they get here.
func addressKey(s string) string {
	s = strings.TrimSpace(s)
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
