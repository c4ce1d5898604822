package inspect

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/emersion/go-message"
)

var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

// CheckFrom returns the single From address of h, lower-case ASCII, and
// a problem when there is no usable single From mailbox, when the address
// is not ASCII (SenderAddress: a look-alike is never folded into a real
// address), or when its domain is not in p.AllowedDomains (exact match).
// from is "" when the From field or its address is unusable; a well-formed
// address from another domain is returned along with the problem so that
// it can be logged.
func CheckFrom(h message.Header, p Policy) (from, problem string) {
	raw, problem := singleFrom(h)
	if problem != "" {
		return "", problem
	}
	from, err := SenderAddress(raw, p.AllowedDomains)
	if errors.Is(err, ErrSenderAddress) {
		return "", err.Error()
	}
	if err != nil {
		return from, err.Error()
	}
	return from, ""
}

// singleFrom implements "From must be one address": exactly one From field
// holding exactly one mailbox, not a group. Two From fields are refused
// rather than picking one, because authentication checkers and mail clients
// disagree on which of them counts (a known DMARC bypass).
func singleFrom(h message.Header) (string, string) {
	vals := h.Values("From")
	switch {
	case len(vals) == 0:
		return "", "From must be one address: the message has no From field"
	case len(vals) > 1:
		return "", fmt.Sprintf("From must be one address: the message has %d From fields", len(vals))
	}
	v := vals[0]
	if isGroup(v) {
		return "", fmt.Sprintf("From must be one address: %q is a group", truncate(v, 100))
	}
	list, err := addressParser.ParseList(v)
	if err != nil {
		return "", fmt.Sprintf("From must be one address: cannot parse %q", truncate(v, 100))
	}
	if len(list) != 1 {
		addrs := make([]string, len(list))
		for i, a := range list {
			addrs[i] = a.Address
		}
		return "", fmt.Sprintf("From must be one address: found %d (%s)", len(list), truncate(strings.Join(addrs, ", "), 200))
	}
	addr := list[0].Address
	if domainOf(addr) == "" {
		return "", fmt.Sprintf("From must be one address: %q has no domain", truncate(addr, 100))
	}
	return addr, ""
}

// fromAddresses returns every address in the From fields, ASCII letters
// lower-cased, as well as it can: for the automatic-mail checks, which must work on
// malformed From fields too.
func fromAddresses(h message.Header) []string {
	var out []string
	for _, v := range h.Values("From") {
		if list, err := addressParser.ParseList(v); err == nil {
			for _, a := range list {
				out = append(out, lowerASCII(a.Address))
			}
			continue
		}
		// Unparsable: take every word that looks like an address.
		for _, f := range strings.FieldsFunc(v, func(r rune) bool {
			return strings.ContainsRune(" \t<>,;:\"()[]", r)
		}) {
			if strings.Contains(f, "@") {
				out = append(out, lowerASCII(f))
			}
		}
	}
	return out
}

// isGroup reports whether an address list contains group syntax
// ("name: a@x, b@y;"): a colon outside quoted strings, comments, angle
// brackets and domain literals. net/mail accepts groups and returns their
// members, which would make "Team: a@nhs.net;" look like a single mailbox.
func isGroup(v string) bool {
	depth, angle := 0, 0
	inQuote, inLiteral := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && (inQuote || depth > 0):
			i++
		case inQuote:
			inQuote = c != '"'
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case inLiteral:
			inLiteral = c != ']'
		case c == '"':
			inQuote = true
		case c == '(':
			depth++
		case c == '[':
			inLiteral = true
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == ':' && angle == 0:
			return true
		}
	}
	return false
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

func localPart(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i]
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
