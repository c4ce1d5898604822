package inspect

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrSenderAddress is wrapped by SenderAddress's errors for an address
// that is not a plain ASCII mailbox.
var ErrSenderAddress = errors.New("not an allowed sender address")

// SenderAddress is the one rule for the address of a sender: the
// mailbox check of the From field, the Connector roster (connectord
// senders add, the console) and every comparison made for trust use it. It
// returns addr in the form all of them compare, lower-case ASCII, or why
// addr can never submit a file.
//
// The address must be printable ASCII with one @ and a domain of ASCII
// labels, and the domain must be one of allowedDomains (exact, so a
// subdomain is not allowed). Nothing is folded beyond ASCII letters:
// Unicode case folding makes the Kelvin sign (U+212A) a k and the long s
// (U+017F) an s, so a look-alike would otherwise pass for an address on
// the roster. An internationalised address is refused, not converted with
// IDNA, whose mapping turns ſ into s as well.
func SenderAddress(addr string, allowedDomains []string) (string, error) {
	a, err := asciiAddress(addr)
	if err != nil {
		return "", err
	}
	domain := domainOf(a)
	if !containsASCII(allowedDomains, domain) {
		if len(allowedDomains) == 0 {
			return a, fmt.Errorf("sender domain %s is not allowed: no allowed_domains configured", domain)
		}
		return a, fmt.Errorf("sender domain %s is not allowed (allowed: %s)", domain, strings.Join(allowedDomains, ", "))
	}
	return a, nil
}

// asciiAddress checks the form of an address and lower-cases it (ASCII
// letters only).
func asciiAddress(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	for _, r := range addr {
		if r >= utf8.RuneSelf {
			return "", fmt.Errorf("%w: %s has the character %U, which is not ASCII (a look-alike of a letter?)",
				ErrSenderAddress, ShowASCII(addr), r)
		}
		if r <= ' ' || r == 0x7f {
			return "", fmt.Errorf("%w: %s has a space or control character", ErrSenderAddress, ShowASCII(addr))
		}
	}
	a := lowerASCII(addr)
	local, domain, ok := strings.Cut(a, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !isDomain(domain) {
		return "", fmt.Errorf("%w: %s is not an email address such as admin.leeds@nhs.net", ErrSenderAddress, ShowASCII(addr))
	}
	return a, nil
}

// isDomain reports whether s is a dot-separated list of letter-digit-hyphen
// labels (lower-case), as a sender's domain must be.
func isDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// lowerASCII lower-cases the ASCII letters of s and nothing else.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// equalASCII is the comparison of every trust decision: a and b are
// equal ignoring the case of ASCII letters only, and both are ASCII. A
// non-ASCII value never equals anything.
func equalASCII(a, b string) bool {
	return isASCII(a) && isASCII(b) && lowerASCII(a) == lowerASCII(b)
}

// containsASCII reports whether list holds s (equalASCII), ignoring space
// around the list's entries.
func containsASCII(list []string, s string) bool {
	for _, v := range list {
		if equalASCII(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// ShowASCII returns s as it is when it is printable ASCII, else quoted
// with every other character escaped ("nh\u017f.net"), so that a
// look-alike is visible in a reason, a log line or a page.
func ShowASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}
