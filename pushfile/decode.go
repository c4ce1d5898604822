package pushfile

import (
	"io"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// decoder returns the stream r, positioned after any byte order mark, as
// UTF-8 text with LF or CRLF line ends.
func (s sniffed) decoder(r io.Reader) io.Reader {
	switch {
	case s.enc == encWindows1252:
		r = charmap.Windows1252.NewDecoder().Reader(r)
	case s.enc == encUTF16LE:
		r = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Reader(r)
	case s.enc == encUTF16BE:
		r = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder().Reader(r)
	case s.badUTF8:
		r = unicode.UTF8.NewDecoder().Reader(r)
	}
	if s.crOnly {
		r = crToLF{r}
	}
	return r
}

// crToLF turns every CR into LF, for files whose lines end in a lone CR
// (Excel's old "CSV (Macintosh)" format).
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
