package pushfile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxUnknownValues bounds the unknown pick-list values reported per cell.
const maxUnknownValues = 5

// checkTitle checks the single Title value against its pick list and
// returns it in the list's spelling. A trailing full stop ("Dr.") is
// ignored.
func (r *Reader) checkTitle(row *Row, col, v string) string {
	if v == "" {
		return v
	}
	l := r.pl.list(Title)
	var i int
	var ok bool
	r.buf, i, ok = l.lookup(r.buf, v)
	if !ok && strings.HasSuffix(v, ".") {
		r.buf, i, ok = l.lookup(r.buf, v[:len(v)-1])
	}
	if ok {
		return l.values[i]
	}
	msg := "unknown value " + quote(v) + didYouMean(l.nearest(v))
	if strings.Contains(v, ",") {
		msg = "takes one value, not a list: " + msg
	}
	row.problem(col, msg)
	return v
}

// checkMulti checks the comma-separated values of a multi-valued pick-list
// field. The result has the list's spelling, no repeats and the list's
// order, joined by ",", so equal choices always normalise equal.
func (r *Reader) checkMulti(row *Row, col string, f Field, v string) string {
	if v == "" {
		return v
	}
	l := r.pl.list(f)
	if _, ok := l.exactIndex(v); ok { // one value, spelt as listed: the common case
		return v
	}
	r.picks = r.picks[:0]
	unknown := 0
	for rest := v; rest != ""; {
		item := rest
		if i := strings.IndexByte(rest, ','); i >= 0 {
			item, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if isBlank(item) {
			continue
		}
		var i int
		var ok bool
		r.buf, i, ok = l.lookup(r.buf, strings.TrimSpace(item))
		if ok {
			r.picks = insertSorted(r.picks, i)
			continue
		}
		unknown++
		if unknown <= maxUnknownValues {
			item = strings.TrimSpace(item)
			row.problem(col, "unknown value "+quote(item)+didYouMean(l.nearest(item)))
		}
	}
	if unknown > maxUnknownValues {
		row.problem(col, fmt.Sprintf("%d more unknown values", unknown-maxUnknownValues))
	}
	if unknown > 0 {
		return v
	}
	if len(r.picks) == 1 && l.values[r.picks[0]] == v {
		return v
	}
	r.buf = r.buf[:0]
	for n, i := range r.picks {
		if n > 0 {
			r.buf = append(r.buf, ',')
		}
		r.buf = append(r.buf, l.values[i]...)
	}
	if string(r.buf) == v { // no allocation: the common case
		return v
	}
	return string(r.buf)
}

// insertSorted adds i to the sorted set s.
func insertSorted(s []int, i int) []int {
	j := len(s)
	for j > 0 && s[j-1] >= i {
		if s[j-1] == i {
			return s
		}
		j--
	}
	s = append(s, 0)
	copy(s[j+1:], s[j:])
	s[j] = i
	return s
}

// checkEmailSize checks a mailbox size: blank, or a whole number of GB
// from 1 to 100, optionally followed by "GB". It returns the plain number.
func checkEmailSize(row *Row, col, v string) string {
	if v == "" {
		return v
	}
	n := v
	if len(n) > 2 && strings.EqualFold(n[len(n)-2:], "GB") {
		n = strings.TrimSpace(n[:len(n)-2])
	}
	n = strings.TrimLeft(n, "0")
	size := 0
	ok := n != "" && len(n) <= 3
	for i := 0; ok && i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			ok = false
			break
		}
		size = size*10 + int(n[i]-'0')
	}
	if !ok || size < 1 || size > 100 {
		row.problem(col, quote(v)+" is not a mailbox size: it must be a whole number of GB from 1 to 100")
		return v
	}
	if n == v {
		return v
	}
	return strconv.Itoa(size)
}

// checkPhone checks a telephone number: digits, spaces and + ( ) - only,
// some digits, at most 32 characters. White space runs become one space.
func checkPhone(row *Row, col, v string) string {
	if v == "" {
		return v
	}
	if isExcelNumber(v) {
		row.problem(col, quote(v)+" looks like a number Excel turned into scientific notation: format the column as Text in Excel and enter the numbers again")
		return v
	}
	ok, digits, messy, n := phoneShape(v)
	if messy {
		v = collapseSpace(v)
		n = utf8.RuneCountInString(v)
	}
	switch {
	case !ok:
		row.problem(col, "may contain only digits, spaces and + ( ) -")
	case !digits:
		row.problem(col, "has no digits: leave the cell blank when there is no number")
	}
	if n > maxPhoneLen {
		row.problem(col, fmt.Sprintf("is %d characters long; at most %d are allowed", n, maxPhoneLen))
	}
	if lost := lostPhonePrefix(v); lost != "" {
		row.warn(col, fmt.Sprintf("%s looks like a spreadsheet dropped the leading %s (%s); it was applied as it is: "+
			"format the column as Text in Excel and type the %s, or write the number with spaces", quote(v), lost, quote(lost+v), lost))
	}
	return v
}

// lostPhonePrefix returns what a spreadsheet that took a UK telephone
// number for a number dropped from it: "0" from 10 digits starting 1-9
// (07700900123 becomes 7700900123), "+" from 12 digits starting 44; or ""
// when v is not such a number.
func lostPhonePrefix(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return ""
		}
	}
	switch {
	case len(v) == 10 && v[0] != '0':
		return "0"
	case len(v) == 12 && strings.HasPrefix(v, "44"):
		return "+"
	}
	return ""
}

// phoneShape reports whether s has only the characters of a telephone
// number (digits, spaces, + ( ) -), whether it has digits, whether its
// white space needs collapsing (a run, or a space other than ' '), and its
// length in characters.
func phoneShape(s string) (ok, digits, messy bool, n int) {
	ok = true
	prevSpace := false
	for i := 0; i < len(s); {
		c := rune(s[i])
		if '0' <= c && c <= '9' { // the common case
			i++
			n++
			digits, prevSpace = true, false
			continue
		}
		if c < utf8.RuneSelf {
			i++
		} else {
			var size int
			c, size = utf8.DecodeRuneInString(s[i:])
			i += size
		}
		n++
		switch {
		case '0' <= c && c <= '9':
			digits = true
		case c == ' ':
			messy = messy || prevSpace
			prevSpace = true
			continue
		case c == '+' || c == '(' || c == ')' || c == '-':
		case c >= utf8.RuneSelf && unicode.In(c, unicode.Zs): // e.g. a no-break space pasted from Word
			messy = true
			prevSpace = true
			continue
		default:
			ok = false
		}
		prevSpace = false
	}
	return ok, digits, messy, n
}

// isPhoneShaped reports whether s, trimmed, is a plausible telephone number.
func isPhoneShaped(s string) bool {
	s = strings.TrimSpace(s)
	ok, digits, _, _ := phoneShape(s)
	return ok && digits && len(s) <= 4*maxPhoneLen
}

// passwordSymbols are the non-alphanumeric characters that count as a
// category of their own (the Active Directory default).
const passwordSymbols = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"

// checkPassword checks a supplied password: at least 8 characters from at
// least 3 of upper-case letters, lower-case letters, digits and symbols.
// The value never appears in a message.
func checkPassword(row *Row, col, v string) {
	if v == "" {
		return
	}
	var upper, lower, digit, symbol bool
	n := 0
	ctl := false
	for _, c := range v {
		n++
		switch {
		case '0' <= c && c <= '9':
			digit = true
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsLower(c):
			lower = true
		case c < utf8.RuneSelf && strings.IndexByte(passwordSymbols, byte(c)) >= 0:
			symbol = true
		case unicode.IsControl(c) || c == utf8.RuneError:
			ctl = true
		}
	}
	cats := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			cats++
		}
	}
	if ctl {
		row.problem(col, "contains a control character or unreadable character")
	}
	if n < 8 {
		row.problem(col, "is too short: use at least 8 characters, or leave it blank to have one generated")
	}
	if cats < 3 {
		row.problem(col, "must mix at least 3 of: upper-case letters, lower-case letters, digits, symbols such as ! $ % & *")
	}
}
