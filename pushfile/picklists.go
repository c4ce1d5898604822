package pushfile

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed picklists/*.txt
var defaultPicklistFiles embed.FS

// PicklistPaths names files that replace the default pick lists. An empty
// path keeps the default list.
type PicklistPaths struct {
	Title              string
	ClinicalRole       string
	ClinicalSpeciality string
	WorkArea           string
}

// Picklists holds the values allowed in the Title, ClinicalRole,
// ClinicalSpeciality and WorkArea columns. It is safe for concurrent use.
type Picklists struct {
	lists [4]picklist
}

// picklistFields returns the fields that have a pick list, in storage order.
func picklistFields() [4]Field {
	return [4]Field{Title, ClinicalRole, ClinicalSpeciality, WorkArea}
}

// picklist is one list: its values in order, and their folded forms.
type picklist struct {
	values []string
	exact  map[string]int // value as listed -> position in values
	index  map[string]int // folded value -> position in values
}

// DefaultPicklists returns the pick lists built into the program (the files
// in pushfile/picklists).
func DefaultPicklists() *Picklists {
	p, err := loadPicklists(PicklistPaths{})
	if err != nil {
		// The embedded files are checked by the tests; this cannot happen.
		panic(fmt.Sprintf("pushfile: built-in pick lists: %v", err))
	}
	return p
}

// LoadPicklists reads the pick lists from the named files: UTF-8 text, one
// value per line; blank lines and lines starting with # are skipped. An
// empty path keeps the built-in list.
func LoadPicklists(paths PicklistPaths) (*Picklists, error) {
	return loadPicklists(paths)
}

func loadPicklists(paths PicklistPaths) (*Picklists, error) {
	p := &Picklists{}
	for i, f := range picklistFields() {
		path := [4]string{paths.Title, paths.ClinicalRole, paths.ClinicalSpeciality, paths.WorkArea}[i]
		var data []byte
		var err error
		source := path
		if path == "" {
			source = "built-in " + f.String() + " list"
			data, err = defaultPicklistFiles.ReadFile("picklists/" + f.String() + ".txt")
		} else {
			data, err = os.ReadFile(path)
		}
		if err != nil {
			return nil, fmt.Errorf("load %s pick list: %w", f, err)
		}
		l, err := parsePicklist(f, data)
		if err != nil {
			return nil, fmt.Errorf("load %s pick list from %s: %w", f, source, err)
		}
		p.lists[i] = l
	}
	return p, nil
}

// parsePicklist reads one list.
func parsePicklist(f Field, data []byte) (picklist, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if !utf8.Valid(data) {
		return picklist{}, fmt.Errorf("the file is not UTF-8 text")
	}
	l := picklist{exact: make(map[string]int), index: make(map[string]int)}
	var buf []byte
	for n, line := range strings.Split(string(data), "\n") {
		v := collapseSpace(line)
		if v == "" || v[0] == '#' {
			continue
		}
		t := scanText(v)
		switch {
		case t.ctl:
			return picklist{}, fmt.Errorf("line %d: value contains a control character", n+1)
		case f != Title && strings.Contains(v, ","):
			return picklist{}, fmt.Errorf("line %d: value %q contains a comma, which separates values in a cell", n+1, v)
		}
		buf = fold(buf[:0], v)
		if first, dup := l.index[string(buf)]; dup {
			return picklist{}, fmt.Errorf("line %d: value %q repeats %q", n+1, v, l.values[first])
		}
		l.index[string(buf)] = len(l.values)
		l.exact[v] = len(l.values)
		l.values = append(l.values, v)
	}
	if len(l.values) == 0 {
		return picklist{}, fmt.Errorf("the list has no values")
	}
	return l, nil
}

// list returns the pick list of f, or nil when f has none.
func (p *Picklists) list(f Field) *picklist {
	for i, pf := range picklistFields() {
		if pf == f {
			return &p.lists[i]
		}
	}
	return nil
}

// Values returns the allowed values of f in list order, or nil when f has
// no pick list. The slice must not be modified.
func (p *Picklists) Values(f Field) []string {
	if l := p.list(f); l != nil {
		return l.values
	}
	return nil
}

// lookup finds s, ignoring case and white space runs, using buf as scratch
// space so that no allocation is made. It returns the grown buffer and the
// position of the value in the list.
func (l *picklist) lookup(buf []byte, s string) ([]byte, int, bool) {
	if i, ok := l.exactIndex(s); ok { // most cells are spelt as listed
		return buf, i, true
	}
	buf = fold(buf[:0], s)
	i, ok := l.index[string(buf)]
	return buf, i, ok
}

// shortList is the length up to which a linear search beats a map.
const shortList = 32

// exactIndex finds s spelt exactly as listed.
func (l *picklist) exactIndex(s string) (int, bool) {
	if len(l.values) > shortList {
		i, ok := l.exact[s]
		return i, ok
	}
	for i, v := range l.values {
		if len(v) == len(s) && v == s {
			return i, true
		}
	}
	return 0, false
}

// nearest returns the list value closest to s, or "".
func (l *picklist) nearest(s string) string {
	return nearest(s, l.values, func(v string) string { return string(fold(nil, v)) })
}

// fold appends s to dst lower-cased, trimmed and with white space runs
// collapsed to one space: the form values are matched in.
func fold(dst []byte, s string) []byte {
	space := false
	start := len(dst)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				space = true
				continue
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}
