package pushfile

import (
	"bufio"
	"bytes"
	"strings"
)

// sniffDelimiter picks the delimiter from the first line that is not blank:
// ';' when it has semicolons but no comma (European Excel), a tab when it
// has tabs only (Excel's "Unicode Text"), else ','. A first line "sep=X",
// which some tools write for Excel, names the delimiter and is skipped.
func sniffDelimiter(br *bufio.Reader) (delim rune, sepLine bool) {
	b, _ := br.Peek(readAhead)
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(line) == 5 && strings.EqualFold(string(line[:4]), "sep=") {
			switch line[4] {
			case ',', ';', '\t':
				return rune(line[4]), true
			}
		}
		switch {
		case bytes.IndexByte(line, ',') >= 0:
			return ',', false
		case bytes.IndexByte(line, ';') >= 0:
			return ';', false
		case bytes.IndexByte(line, '\t') >= 0:
			return '\t', false
		}
		return ',', false
	}
	return ',', false
}
