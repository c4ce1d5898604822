package pushfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// encoding is the character encoding of a push file.
type encoding int

const (
	encUTF8 encoding = iota
	encUTF8BOM
	encWindows1252
	encUTF16LE
	encUTF16BE
)

func (e encoding) String() string {
	switch e {
	case encUTF8:
		return "UTF-8"
	case encUTF8BOM:
		return "UTF-8 with BOM"
	case encWindows1252:
		return "Windows-1252"
	case encUTF16LE:
		return "UTF-16LE"
	case encUTF16BE:
		return "UTF-16BE"
	}
	return "unknown"
}

// sniffed is what the first pass over the raw bytes found out.
type sniffed struct {
	enc     encoding
	skip    int64 // length of the byte order mark to skip
	badUTF8 bool  // a UTF-8 BOM but invalid bytes after it: decode with replacement
	crOnly  bool  // lines end in a lone CR (old Mac Excel): turn CR into LF
	lines   int   // line feeds counted, to size the Local ID set (0 for UTF-16)
}

// saveAsCSV tells a person how to turn a workbook into a file we accept.
const saveAsCSV = `open it in Excel and choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)", then send that file`

// sniffChunk is the size of the buffer of the first pass.
const sniffChunk = 64 << 10

// sniff reads the whole stream once, cheaply: it recognises files that are
// not text at all, picks the encoding and notes the line endings. It returns
// a *FileError when the file is unusable and a wrapped error on I/O failure.
func sniff(r io.Reader) (sniffed, error) { return sniffChunked(r, sniffChunk) }

// sniffChunked is sniff with a buffer of chunk bytes.
func sniffChunked(r io.Reader, chunk int) (sniffed, error) {
	buf := make([]byte, chunk)
	n, eof, err := readChunk(r, buf)
	if err != nil {
		return sniffed{}, err
	}
	head := buf[:n]
	if n == 0 {
		return sniffed{}, fileError(0, "", "the file is empty: send a CSV file with a header line and one line per user")
	}
	if msg := magic(head); msg != "" {
		return sniffed{}, fileError(0, "", msg)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return sniffed{}, fileError(0, "", "the file is UTF-32 text, which is not accepted: "+saveAsCSV)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return sniffUTF16(r, buf, n, eof, encUTF16LE)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return sniffUTF16(r, buf, n, eof, encUTF16BE)
	}

	s := sniffed{enc: encUTF8}
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		s = sniffed{enc: encUTF8BOM, skip: 3}
	}
	utf16Like := looksUTF16(head)
	valid, sawCR, sawLF, lines := true, false, false, 0
	pending := head[s.skip:]
	for {
		if bytes.IndexByte(pending, 0) >= 0 {
			if utf16Like {
				return sniffed{}, fileError(0, "", "the file looks like UTF-16 text without a byte order mark, which is not accepted: "+saveAsCSV)
			}
			return sniffed{}, fileError(0, "", "the file contains NUL bytes, so it is not a text CSV file: "+saveAsCSV)
		}
		lf := bytes.Count(pending, []byte{'\n'}) // carried bytes are never '\n'
		lines += lf
		sawLF = sawLF || lf > 0
		if !sawCR && bytes.IndexByte(pending, '\r') >= 0 {
			sawCR = true
		}
		carry := 0
		if valid {
			cut := len(pending)
			if !eof {
				cut = completeUTF8(pending)
			}
			valid = utf8.Valid(pending[:cut])
			carry = copy(buf, pending[cut:])
		}
		if eof {
			break
		}
		n, eof, err = readChunk(r, buf[carry:])
		if err != nil {
			return sniffed{}, err
		}
		pending = buf[:carry+n]
	}
	switch {
	case !valid && s.enc == encUTF8BOM:
		s.badUTF8 = true
	case !valid:
		s.enc = encWindows1252
	}
	s.crOnly = sawCR && !sawLF
	s.lines = lines
	return s, nil
}

// sniffUTF16 looks through a UTF-16 file, whose first n bytes are in buf,
// for NUL characters, which no text file has.
func sniffUTF16(r io.Reader, buf []byte, n int, eof bool, enc encoding) (sniffed, error) {
	for {
		p := buf[:n&^1]
		for i := 0; i+1 < len(p); i += 2 {
			if p[i] == 0 && p[i+1] == 0 {
				return sniffed{}, fileError(0, "", "the file contains NUL characters, so it is not a text CSV file: "+saveAsCSV)
			}
		}
		if eof {
			return sniffed{enc: enc, skip: 2}, nil
		}
		var err error
		n, eof, err = readChunk(r, buf) // buf has an even length: pairs stay aligned
		if err != nil {
			return sniffed{}, err
		}
	}
}

// readChunk fills buf as far as the stream allows. eof reports that the
// stream has no more bytes.
func readChunk(r io.Reader, buf []byte) (n int, eof bool, err error) {
	n, err = io.ReadFull(r, buf)
	switch {
	case err == nil:
		return n, false, nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return n, true, nil
	}
	return n, false, fmt.Errorf("read file: %w", err)
}

// completeUTF8 returns the length of p without a UTF-8 sequence cut short at
// its end, so that a chunk boundary never splits a character.
func completeUTF8(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		b := p[i]
		switch {
		case b < 0x80:
			return len(p)
		case b >= 0xC0:
			need := 2
			if b >= 0xF0 {
				need = 4
			} else if b >= 0xE0 {
				need = 3
			}
			if len(p)-i < need {
				return i
			}
			return len(p)
		}
	}
	return len(p)
}

// magic names the kind of a well-known binary file from its first bytes.
func magic(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "the file is an Excel workbook (.xlsx) or a zip archive, not a CSV file: " + saveAsCSV
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "the file is an old Excel workbook (.xls), not a CSV file: " + saveAsCSV
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "the file is a PDF document, not a CSV file: export the users from your spreadsheet instead; in Excel choose File > Save As > \"CSV UTF-8 (Comma delimited) (*.csv)\""
	}
	return ""
}

// looksUTF16 reports whether head looks like mostly-ASCII UTF-16 without a
// byte order mark: NUL bytes on one side of every pair only.
func looksUTF16(head []byte) bool {
	if len(head) > 4096 {
		head = head[:4096]
	}
	var even, odd int
	for i, b := range head {
		if b == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	pairs := len(head) / 2
	return pairs > 0 && ((even == 0 && odd*2 >= pairs) || (odd == 0 && even*2 >= pairs))
}
