package inspect

import (
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// wordDecoder decodes RFC 2047 encoded-words in header values (Subject,
// display names, and the filename params Outlook sends as encoded-words).
// It deliberately does not use go-message's process-wide
// message.CharsetReader, so the result is the same whether or not some other
// package imports go-message/charset.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader converts text in the named charset to UTF-8. It is used for
// header text only, never for attachment bodies. An unknown charset gives the
// bytes unchanged rather than an error, so one odd encoded-word cannot make a
// whole header (a From line, say) unreadable.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(label)
	if err != nil {
		return r, nil
	}
	return enc.NewDecoder().Reader(r), nil
}

// decodeText decodes encoded-words in s and returns valid UTF-8. Undecodable
// input is returned as it was.
func decodeText(s string) string {
	if strings.Contains(s, "=?") {
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// parseMediaHeader parses a Content-Type or Content-Disposition value into its
// lower-case value and its parameters (keys lower-case), with RFC 2231
// (filename*=UTF-8”…, filename*0*=…) and RFC 2047 (name="=?utf-8?B?…?=")
// values decoded. It never fails: mime.ParseMediaType is tried first, and a
// lenient parser takes over when it rejects the value (unquoted spaces,
// duplicate params) or silently drops an RFC 2231 value in a charset other
// than UTF-8 (it does that for iso-8859-1 and windows-1252).
func parseMediaHeader(v string) (string, map[string]string) {
	if strings.TrimSpace(v) == "" {
		return "", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		mt, params = parseParamsLenient(v)
	} else if strings.Contains(v, "*") {
		_, lenient := parseParamsLenient(v)
		for k, val := range lenient {
			if _, ok := params[k]; !ok {
				params[k] = val
			}
		}
	}
	for k, val := range params {
		params[k] = decodeText(val)
	}
	return strings.ToLower(mt), params
}

type paramPiece struct {
	val string
	enc bool // percent-encoded (RFC 2231 "*")
}

// parseParamsLenient splits "type; k=v; k2="v 2"" at the semicolons outside
// quoted strings, accepting what mime.ParseMediaType refuses. The first of
// duplicate plain params wins; RFC 2231 values win over plain ones.
func parseParamsLenient(v string) (string, map[string]string) {
	segs := splitOutsideQuotes(v, ';')
	mt := strings.ToLower(strings.TrimSpace(segs[0]))
	if i := strings.IndexFunc(mt, unicode.IsSpace); i >= 0 {
		mt = mt[:i]
	}
	params := map[string]string{}
	ext := map[string]map[int]paramPiece{}
	for _, s := range segs[1:] {
		k, val, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = unquote(strings.TrimSpace(val))
		if k == "" {
			continue
		}
		base, rest, star := strings.Cut(k, "*")
		if !star {
			if _, dup := params[base]; !dup {
				params[base] = val
			}
			continue
		}
		n, enc := 0, true // "name*": one encoded piece
		if rest != "" {
			num := strings.TrimSuffix(rest, "*")
			enc = num != rest
			var err error
			if n, err = strconv.Atoi(num); err != nil || n < 0 || n > 999 {
				continue
			}
		}
		if ext[base] == nil {
			ext[base] = map[int]paramPiece{}
		}
		ext[base][n] = paramPiece{val, enc}
	}
	for base, pieces := range ext {
		if s, ok := join2231(pieces); ok {
			params[base] = s
		}
	}
	return mt, params
}

// join2231 assembles RFC 2231 continuations name*0*, name*1, … in order and
// converts the result from its declared charset to UTF-8.
func join2231(pieces map[int]paramPiece) (string, bool) {
	first, ok := pieces[0]
	if !ok {
		return "", false
	}
	charset := ""
	var b []byte
	for i := 0; ; i++ {
		p, ok := pieces[i]
		if !ok {
			break
		}
		val := p.val
		if p.enc {
			if i == 0 {
				// charset'language'value
				parts := strings.SplitN(val, "'", 3)
				if len(parts) == 3 {
					charset, val = strings.ToLower(parts[0]), parts[2]
				}
			}
			b = append(b, percentDecode(val)...)
		} else {
			b = append(b, val...)
		}
	}
	if !first.enc || charset == "" || charset == "utf-8" || charset == "us-ascii" {
		return string(b), true
	}
	r, _ := charsetReader(charset, strings.NewReader(string(b)))
	out, err := io.ReadAll(r)
	if err != nil {
		return string(b), true
	}
	return string(out), true
}

func percentDecode(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return b
}

// splitOutsideQuotes splits s at sep where sep is not inside a quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquote removes the quotes and backslash escapes of a quoted string; an
// unquoted value, or one whose closing quote is missing, is returned as it is
// without the opening quote.
func unquote(s string) string {
	if !strings.HasPrefix(s, `"`) {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cleanFilename makes an attachment name safe to show and to log: valid
// UTF-8, no directory part (some clients send C:\path\file.csv), no control
// characters, no format characters (Unicode category Cf: U+202E RIGHT-TO-LEFT
// OVERRIDE would show "Staff\u202Evsc.exe" as "Staffexe.csv", and zero-width
// ones hide in a name), at most 255 bytes. It is not a safe file-system
// path: callers must never use it as one.
func cleanFilename(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > 255 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
