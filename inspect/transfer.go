package inspect

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
)

// transferDecoder undoes the Content-Transfer-Encoding and nothing else: no
// charset conversion ever happens here, which is what keeps a CSV byte-exact.
// go-message's own decoding (message.New) also converts text/* bodies that
// carry a charset param to UTF-8 whenever message.CharsetReader is set, and
// that variable is process-wide, so we walk the MIME tree ourselves and decode
// with this function instead.
func transferDecoder(cte string, r io.Reader) (io.Reader, error) {
	enc := strings.ToLower(strings.TrimSpace(cte))
	if i := strings.IndexAny(enc, " \t(;"); i >= 0 {
		enc = enc[:i]
	}
	switch enc {
	case "", "7bit", "8bit", "binary":
		return r, nil
	case "quoted-printable":
		return quotedprintable.NewReader(r), nil
	case "base64":
		// base64.NewDecoder skips CR and LF itself; some mailers also indent
		// base64 lines, so spaces and tabs are dropped too.
		return base64.NewDecoder(base64.StdEncoding, &blankDropper{r: r}), nil
	}
	return nil, fmt.Errorf("unknown Content-Transfer-Encoding %q", strings.TrimSpace(cte))
}

// blankDropper removes spaces and tabs from a stream.
type blankDropper struct{ r io.Reader }

func (d *blankDropper) Read(p []byte) (int, error) {
	for {
		n, err := d.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil || n == 0 {
			return j, err
		}
	}
}
