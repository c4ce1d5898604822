package pushfile

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textScan is what one pass over a cell found.
type textScan struct {
	runes   int  // length in characters
	ctl     bool // a control character other than tab, CR or LF
	breaks  bool // tab, CR or LF (a line break inside a quoted cell)
	spaces  bool // white space that collapsing would change: a run, or not ' '
	special bool // '@', '<' or '>'
	bad     bool // U+FFFD: bytes that were not valid in the file's encoding
	high    bool // a character that is not ASCII
}

// scanText looks at every character of s once. ASCII takes the fast path.
func scanText(s string) textScan {
	// Fast path: printable ASCII with single spaces, as most cells are.
	i := 0
	for i < len(s) {
		c := s[i]
		if c > ' ' && c < 0x7F && c != '@' && c != '<' && c != '>' || c == ' ' && i > 0 && s[i-1] != ' ' {
			i++
			continue
		}
		break
	}
	if i == len(s) {
		return textScan{runes: len(s)}
	}
	return scanTextSlow(s)
}

// scanTextSlow is scanText for cells with anything unusual.
func scanTextSlow(s string) textScan {
	var t textScan
	prevSpace := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			t.runes++
			if c > ' ' && c < 0x7F && c != '@' && c != '<' && c != '>' {
				prevSpace = false // the common case: a printable character
				continue
			}
			switch {
			case c == ' ':
				if prevSpace {
					t.spaces = true
				}
				prevSpace = true
				continue
			case c == '\t' || c == '\n' || c == '\r':
				t.breaks, t.spaces = true, true
				prevSpace = true
				continue
			case c < 0x20 || c == 0x7F:
				t.ctl = true
			case c == '@' || c == '<' || c == '>':
				t.special = true
			}
			prevSpace = false
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		t.runes++
		t.high = true
		switch {
		case r == utf8.RuneError:
			t.bad = true
		case r < 0xA0: // C1 controls U+0080..U+009F
			t.ctl = true
		case unicode.IsSpace(r):
			t.spaces = true
			prevSpace = true
			continue
		case r == '\uFEFF' || r == '\u200B':
			t.ctl = true // invisible; would break matching
		}
		prevSpace = false
	}
	return t
}

// collapseSpace replaces every run of white space in s with one space and
// trims s.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// trim removes leading and trailing white space, quickly when there is
// none.
func trim(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf) {
		return s
	}
	return strings.TrimSpace(s)
}

// stripQuoteMark removes one leading apostrophe, which spreadsheets use (and
// ResultsWriter adds) to mark a cell as text.
func stripQuoteMark(s string) string {
	if len(s) > 0 && s[0] == '\'' {
		return s[1:]
	}
	return s
}

// isBlank reports whether s holds nothing but white space.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return strings.TrimSpace(s[i:]) == ""
		}
	}
	return true
}

// maxQuoted bounds a value quoted in a message.
const maxQuoted = 40

// shorten cuts s to a length fit for a message.
func shorten(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := 0
	for i := range s {
		if n == maxQuoted {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// quote returns s shortened and quoted for a one-line message.
func quote(s string) string {
	return strconv.Quote(shorten(s))
}

// isExcelNumber reports whether s looks like a long number that Excel turned
// into scientific notation, such as "1.23457E+11".
func isExcelNumber(s string) bool {
	if len(s) < 4 || s[0] < '0' || s[0] > '9' {
		return false
	}
	i := 1
	if s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i+2 >= len(s) || (s[i] != 'E' && s[i] != 'e') || s[i+1] != '+' {
		return false
	}
	i += 2
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isAlnum reports whether s is made of ASCII letters and digits only.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// upperASCII returns s upper-cased, without allocating when it already is.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}
