package web

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Downloads are served as attachments, never shown in the page: a
// sanitised file name (RFC 6266, with filename* for a name that is not
// ASCII), their own Content-Type, and the headers every response has
// (nosniff, no-store, the policy that allows no script).

// sendFile sends r as a download named name.
func sendFile(w http.ResponseWriter, r io.Reader, size int64, name, contentType string) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", contentDisposition(name))
	h.Set("X-Content-Type-Options", "nosniff")
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, r)
	return err
}

// sendPath sends the file at path as a download named name.
func sendPath(w http.ResponseWriter, path, name, contentType string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := sendFile(w, f, st.Size(), name, contentType); err != nil {
		return fmt.Errorf("send %s: %w", name, err)
	}
	return nil
}

const csvType = "text/csv"

// contentDisposition is an attachment header for name: an ASCII filename
// for every browser, and filename* (UTF-8) when the name is not ASCII.
func contentDisposition(name string) string {
	name = safeFilename(name)
	ascii := strings.Map(func(r rune) rune {
		if r >= 0x80 || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := `attachment; filename="` + ascii + `"`
	if ascii != name {
		v += "; filename*=UTF-8''" + rfc5987(name)
	}
	return v
}

// rfc5987 percent-encodes s but for RFC 5987's attr-char.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// maxFilenameRunes bounds a download's name.
const maxFilenameRunes = 120

// safeFilename is a sender's file name fit to save: no directory, no
// control or format characters (a right-to-left override can make
// "fdp.csv" look like "vsc.pdf"), no leading or trailing dots or spaces,
// not too long, and ending in .csv (or .txt).
func safeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			return -1
		case unicode.IsSpace(r):
			return ' '
		case strings.ContainsRune(`:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, ". ")
	if r := []rune(name); len(r) > maxFilenameRunes {
		name = string(r[:maxFilenameRunes])
	}
	lower := strings.ToLower(name)
	if !strings.HasSuffix(lower, ".csv") && !strings.HasSuffix(lower, ".txt") {
		name += ".csv"
	}
	if strings.HasPrefix(name, ".") {
		name = "file" + name
	}
	return name
}
