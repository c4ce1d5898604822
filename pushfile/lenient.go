package pushfile

import (
	"strings"
	"unicode/utf8"
)

// lenientSplit splits the raw text of a record the CSV parser rejected into
// cells as a person would read them, so the results can echo the row: a
// quote mark that does not close a quoted cell is kept as text, and a cell
// whose quotes are never closed takes the rest of the text.
func lenientSplit(raw string, delim rune, trimLeft bool) []string {
	var cells []string
	var b strings.Builder
	dl := utf8.RuneLen(delim)
	atDelim := func(s string) bool { r, _ := utf8.DecodeRuneInString(s); return r == delim && s != "" }
	atEOL := func(s string) bool { return s == "" || s[0] == '\n' || strings.HasPrefix(s, "\r\n") || s == "\r" }
	s := raw
	for {
		if trimLeft {
			s = strings.TrimLeft(s, " \t")
		}
		b.Reset()
		quoted := strings.HasPrefix(s, `"`)
		if quoted {
			s = s[1:]
		}
		for s != "" {
			if quoted && s[0] == '"' {
				if strings.HasPrefix(s, `""`) {
					b.WriteByte('"')
					s = s[2:]
					continue
				}
				s = s[1:]
				if atDelim(s) || atEOL(s) {
					break
				}
				b.WriteByte('"') // a stray quote: the rest of the cell is plain text
				quoted = false
				continue
			}
			if !quoted && (atDelim(s) || atEOL(s)) {
				break
			}
			_, size := utf8.DecodeRuneInString(s)
			b.WriteString(s[:size])
			s = s[size:]
		}
		cells = append(cells, b.String())
		if !atDelim(s) {
			return cells
		}
		s = s[dl:]
	}
}
