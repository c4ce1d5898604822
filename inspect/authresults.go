package inspect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-message"
)

// authResult is one resinfo of an Authentication-Results header (RFC 8601):
// "dkim=pass header.d=nhs.net" gives Method "dkim", Value "pass" and
// Props {"header.d": "nhs.net"}. reason=… is kept in Props too.
type authResult struct {
	Method string
	Value  string
	Props  map[string]string
}

// parseAuthResults parses the value of one Authentication-Results header.
//
// We do not use go-msgauth's authres.Parse here. It splits on every ";" and
// does not remove comments, so it fails on OpenDKIM's usual
// "dkim=pass (2048-bit key; unprotected) header.d=…" and on an authserv-id
// followed by a comment, and a ";" inside a comment or quoted string (an
// SPF comment that quotes the attacker's envelope sender, say) can start a
// forged "dmarc=pass" result there. This parser removes comments first and
// splits only outside quoted strings.
//
// An error means the header as a whole is unusable; id is returned when it
// could be read. A malformed resinfo is skipped, never guessed at.
func parseAuthResults(v string) (id string, results []authResult, err error) {
	s, err := stripComments(v)
	if err != nil {
		return leadingID(v), nil, err
	}
	segs := splitOutsideQuotes(s, ';')
	head := fieldsOutsideQuotes(segs[0])
	switch {
	case len(head) == 0:
		return "", nil, errors.New("no authserv-id")
	case strings.Contains(head[0], "="):
		// Exchange Online writes "Authentication-Results: spf=pass …" with
		// no authserv-id at all.
		return "", nil, errors.New("no authserv-id")
	case len(head) > 2 || len(head) == 2 && head[1] != "1":
		return unquote(head[0]), nil, fmt.Errorf("malformed authserv-id %q", truncate(segs[0], 80))
	}
	id = unquote(head[0])
	for _, seg := range segs[1:] {
		toks := fieldsOutsideQuotes(squeezeAroundEquals(seg))
		if len(toks) == 0 || len(toks) == 1 && strings.EqualFold(toks[0], "none") {
			continue
		}
		method, value, ok := strings.Cut(toks[0], "=")
		if !ok || method == "" || value == "" {
			continue
		}
		method, _, _ = strings.Cut(method, "/") // "dkim/1=pass"
		if !isKeyword(method) || !isKeyword(value) {
			continue
		}
		r := authResult{
			Method: strings.ToLower(method),
			Value:  strings.ToLower(value),
			Props:  map[string]string{},
		}
		for _, t := range toks[1:] {
			k, pv, ok := strings.Cut(t, "=")
			if !ok || k == "" {
				continue
			}
			k = strings.ToLower(k)
			if _, dup := r.Props[k]; !dup {
				r.Props[k] = unquoteValue(pv)
			}
		}
		results = append(results, r)
	}
	return id, results, nil
}

// isKeyword reports whether s is an RFC 8601 Keyword (letters, digits,
// hyphens), as methods and result values are.
func isKeyword(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// leadingID returns the authserv-id of a header too broken to parse, so
// that the reason can say whose header it was.
func leadingID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, " \t\r\n;(\""); i >= 0 {
		v = v[:i]
	}
	if strings.Contains(v, "=") {
		return ""
	}
	return v
}

// stripComments replaces RFC 5322 comments (nested, with quoted-pairs) by a
// space, leaving quoted strings alone.
func stripComments(s string) (string, error) {
	var b strings.Builder
	depth, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case depth > 0:
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					b.WriteByte(' ')
				}
			}
		case inQuote:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else if c == '"' {
				inQuote = false
			}
		case c == '(':
			depth = 1
		case c == ')':
			return "", errors.New("unbalanced comment or quoted string")
		case c == '"':
			inQuote = true
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if depth > 0 || inQuote {
		return "", errors.New("unbalanced comment or quoted string")
	}
	return b.String(), nil
}

// fieldsOutsideQuotes splits s at runs of white space outside quoted strings.
func fieldsOutsideQuotes(s string) []string {
	var out []string
	start, inQuote := -1, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		space := c == ' ' || c == '\t' || c == '\r' || c == '\n'
		switch {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case space && !inQuote:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// squeezeAroundEquals removes white space around "=" and "/" outside quoted
// strings ("dkim = pass" is legal CFWS and means "dkim=pass").
func squeezeAroundEquals(s string) string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inQuote {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else if c == '"' {
				inQuote = false
			}
			continue
		}
		switch c {
		case '"':
			inQuote = true
		case '=', '/':
			out := strings.TrimRight(b.String(), " \t\r\n")
			b.Reset()
			b.WriteString(out)
			b.WriteByte(c)
			for i+1 < len(s) && strings.IndexByte(" \t\r\n", s[i+1]) >= 0 {
				i++
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// unquoteValue unquotes a pvalue that starts with a quoted string, keeping
// what follows it ("a b"@x gives a b@x).
func unquoteValue(v string) string {
	if !strings.HasPrefix(v, `"`) {
		return v
	}
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return unquote(v[:i+1]) + v[i+1:]
		}
	}
	return unquote(v)
}

// CheckAuthentication reports whether h carries an Authentication-Results
// header from one of p.TrustedAuthservIDs vouching for the domain of from:
// dmarc=pass (with header.from equal to that domain when given), or
// dkim=pass with header.d equal to it. Only the topmost header with a
// trusted authserv-id is read, the one the receiving server added last
// (RFC 8601 section 5), and its verdict is final: trusted headers below it
// are ignored, and so are headers from any other authserv-id, since anyone
// can write one. Authserv-ids and domains are compared ASCII-exact; an
// authserv-id that is not ASCII is never trusted. reason says what was
// found either way ("authenticated by mx.nhs.net: dmarc=pass
// header.from=nhs.net", or "sender not authenticated: …") and what was
// ignored. It does not look at p.RequireAuthenticatedSender; Inspect does.
func CheckAuthentication(h message.Header, from string, p Policy) (ok bool, reason string) {
	if from == "" {
		return false, "sender not authenticated: no usable From address"
	}
	if len(p.TrustedAuthservIDs) == 0 {
		return false, "sender not authenticated: no trusted_authserv_ids configured"
	}
	var (
		untrusted []string
		top       *authHeader
		below     []string // trusted authserv-ids of the headers below top
	)
	fields := h.FieldsByKey("Authentication-Results")
	for fields.Next() {
		id, results, err := parseAuthResults(fields.Value())
		switch {
		case !trustedAuthservID(p.TrustedAuthservIDs, id):
			untrusted = appendOnce(untrusted, showID(id))
		case top == nil:
			top = &authHeader{id: id, results: results, err: err}
		default:
			below = append(below, id)
		}
	}
	var ignored string
	if len(below) > 0 {
		ignored = fmt.Sprintf(" (ignored %d Authentication-Results from %s below the topmost: only the receiving server's counts)",
			len(below), strings.Join(capList(uniq(below), 4), ", "))
	}
	if len(untrusted) > 0 {
		ignored += fmt.Sprintf(" (ignored Authentication-Results from untrusted authserv-id %s)", strings.Join(capList(untrusted, 4), ", "))
	}
	if top == nil {
		return false, fmt.Sprintf("sender not authenticated: no Authentication-Results from %s", strings.Join(p.TrustedAuthservIDs, " or ")) + ignored
	}
	ok, verdict := top.verdict(domainOf(from))
	return ok, verdict + ignored
}

// authHeader is one parsed Authentication-Results header.
type authHeader struct {
	id      string
	results []authResult
	err     error
}

// verdict reads the trusted header: whether it vouches for domain, and
// what it said.
func (a *authHeader) verdict(domain string) (bool, string) {
	if a.err != nil {
		return false, fmt.Sprintf("sender not authenticated: %s: unreadable header (%v)", a.id, a.err)
	}
	var said []string
	for _, r := range a.results {
		switch r.Method {
		case "dmarc":
			hf := r.Props["header.from"]
			if r.Value == "pass" && (hf == "" || sameDomain(hf, domain)) {
				return true, fmt.Sprintf("authenticated by %s: dmarc=pass header.from=%s", a.id, domain)
			}
			said = appendOnce(said, fmt.Sprintf("%s: dmarc=%s header.from=%s", a.id, r.Value, truncate(ShowASCII(hf), 60)))
		case "dkim":
			d := r.Props["header.d"]
			if r.Value == "pass" && sameDomain(d, domain) {
				return true, fmt.Sprintf("authenticated by %s: dkim=pass header.d=%s", a.id, domain)
			}
			said = appendOnce(said, fmt.Sprintf("%s: dkim=%s header.d=%s", a.id, r.Value, truncate(ShowASCII(d), 60)))
		}
	}
	if said == nil {
		return false, fmt.Sprintf("sender not authenticated: Authentication-Results from %s has no dmarc or dkim result", a.id)
	}
	return false, fmt.Sprintf("sender not authenticated: %s; need dmarc=pass or dkim=pass header.d=%s",
		strings.Join(capList(said, 6), ", "), domain)
}

// trustedAuthservID reports whether id (with any trailing dot) is one of
// trusted, compared ASCII-exact: an id that is not ASCII never is.
func trustedAuthservID(trusted []string, id string) bool {
	return id != "" && containsASCII(trusted, strings.TrimSuffix(id, "."))
}

// showID names an authserv-id in a reason, making a look-alike visible.
func showID(id string) string {
	switch {
	case id == "":
		return "(none)"
	case !isASCII(id):
		return truncate(ShowASCII(id), 60) + " (not ASCII)"
	}
	return truncate(ShowASCII(id), 60)
}

// sameDomain compares a domain from an Authentication-Results property with
// the From domain, ASCII-exact. header.from is a domain, but some writers
// put the whole address there.
func sameDomain(v, domain string) bool {
	v = strings.TrimSuffix(strings.TrimSpace(v), ".")
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		v = v[i+1:]
	}
	return v != "" && equalASCII(v, domain)
}

func uniq(list []string) []string {
	var out []string
	for _, s := range list {
		out = appendOnce(out, s)
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func capList(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(list[:n:n], fmt.Sprintf("and %d more", len(list)-n))
}
