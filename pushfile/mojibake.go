package pushfile

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// undoMojibake returns s as it was before a spreadsheet read its UTF-8 as
// Windows-1252 and saved the result as UTF-8 again ("ZoÃ«" for "Zoë"), and
// whether s looks like that: every character of s is one Windows-1252 can
// hold, at least one is not ASCII, and the bytes they stand for are valid
// UTF-8. Real names with such a sequence (an upper-case accented letter
// directly followed by a symbol such as "–") are vanishingly rare; ordinary
// accented names never qualify, since a lone accented letter is not valid
// UTF-8 as a byte. Text saved wrongly twice over is repaired twice.
func undoMojibake(s string) (string, bool) {
	fixed, ok := fromWindows1252(s)
	if !ok {
		return "", false
	}
	for range 2 {
		again, ok := fromWindows1252(fixed)
		if !ok {
			break
		}
		fixed = again
	}
	return fixed, true
}

// fromWindows1252 returns the UTF-8 text whose Windows-1252 reading is s,
// when there is one and it is not plain ASCII.
func fromWindows1252(s string) (string, bool) {
	var buf [128]byte
	b := buf[:0]
	high := false
	for _, r := range s {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		c, ok := charmap.Windows1252.EncodeRune(r)
		switch {
		case ok:
		case r == 0x81 || r == 0x8D || r == 0x8F || r == 0x90 || r == 0x9D:
			// Bytes Windows-1252 leaves undefined; Windows reads them as
			// these C1 characters, so a saved "Ł" (C5 81) comes back as "Å\u0081".
			c = byte(r)
		default:
			return "", false
		}
		b = append(b, c)
		high = true
	}
	if !high || !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// checkMojibake records a problem of column col when v, scanned as t, is
// text saved with the wrong encoding, showing what it should have been, and
// reports whether it is.
func checkMojibake(row *Row, col, v string, t textScan) bool {
	if !t.high {
		return false
	}
	fixed, ok := undoMojibake(v)
	if ok {
		row.problem(col, "looks like "+quote(fixed)+` saved with the wrong encoding: save the file as "CSV UTF-8 (Comma delimited)" and send it again`)
	}
	return ok
}
