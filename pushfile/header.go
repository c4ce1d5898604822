package pushfile

import (
	"fmt"
	"strings"
)

// maxFileProblems bounds the problems a FileError lists.
const maxFileProblems = 50

// column is what the reader does with one column of the file.
type column struct {
	kind  colKind
	field Field  // for colField, colOrgCode, colGPCode, colDept
	name  string // canonical name in the file's format; "" when blank or unknown
	note  string // for colNoted: the note added when a cell is not blank
}

// layout is the meaning of a header.
type layout struct {
	format Format
	cols   []column
	has    [NumFields]bool
	names  [NumFields]string // column name used in problems, per field
	order  []Field           // fields in header order, each once
	hasGP  bool              // a NHSmail 1 file with a GP Practice Code column
}

// parseHeader works out the format and columns of a header whose cells are
// cells, on line line. It returns every problem that makes the file
// unusable.
func parseHeader(cells []string, line int) (layout, []Problem) {
	m, probs := matchHeader(cells, line)

	l := layout{format: FormatNew}
	neither := false
	switch {
	case len(m.newOnly) > 0 && len(m.oldOnly) > 0:
		neither = true
		probs = append(probs, Problem{Line: line, Message: fmt.Sprintf(
			"the header is in neither format: it mixes new-format columns (%s) with NHSmail 1 columns (%s); use the columns of one format only",
			strings.Join(m.newOnly, ", "), strings.Join(m.oldOnly, ", "))})
	case len(m.oldOnly) > 0:
		l.format = FormatOld
	case len(m.firstAt) == 0:
		// Nothing we know: most likely no header at all. Listing every
		// cell as an unknown column would only add noise.
		probs = append(probs, Problem{Line: line, Message: `the first line is a header in neither format: it must name the columns, ` +
			`e.g. "FirstName,LastName,Local ID,Organisation" (new format) or "Unique ID,First Name,Last Name,Organisation Code" (NHSmail 1 format)`})
		return l, capProblems(probs)
	}

	probs = m.unknownColumns(probs, cells, line, l.format, neither)
	if neither {
		return l, capProblems(probs)
	}
	l.cols = m.columns(cells, l.format)
	l.indexFields()
	probs = append(probs, l.missingColumns(m.defs, line)...)
	return l, capProblems(probs)
}

// headerMatch is which known column each cell of a header names.
type headerMatch struct {
	defs    []colDef
	def     []int       // per cell: index into defs, or -1
	firstAt map[int]int // defs index -> first cell naming it
	newOnly []string    // names of columns only the new format has
	oldOnly []string    // names of columns only the NHSmail 1 format has
}

// matchHeader finds the known column each cell names, and reports every
// column named twice.
func matchHeader(cells []string, line int) (headerMatch, []Problem) {
	defs := knownColumns()
	byNorm := make(map[string]int, len(defs))
	for i, d := range defs {
		byNorm[normName(d.name(FormatNew))] = i
	}

	var probs []Problem
	m := headerMatch{defs: defs, def: make([]int, len(cells)), firstAt: make(map[int]int)}
	for i, c := range cells {
		m.def[i] = -1
		n := normName(stripQuoteMark(c))
		if n == "" {
			continue
		}
		d, ok := byNorm[n]
		if !ok {
			continue
		}
		m.def[i] = d
		if first, dup := m.firstAt[d]; dup {
			name := defs[d].name(FormatNew)
			probs = append(probs, Problem{Line: line, Column: name, Message: fmt.Sprintf(
				"column %q appears more than once (columns %s and %s): keep one of them",
				strings.TrimSpace(c), columnLetter(first), columnLetter(i))})
			continue
		}
		m.firstAt[d] = i
		switch defs[d].in {
		case inNew:
			m.newOnly = append(m.newOnly, defs[d].newName)
		case inOld:
			m.oldOnly = append(m.oldOnly, defs[d].oldName)
		}
	}
	return m, probs
}

// unknownColumns appends to probs a problem for each cell that names no
// known column, with the nearest known name of the format (of either
// format when the header is in neither).
func (m headerMatch) unknownColumns(probs []Problem, cells []string, line int, format Format, neither bool) []Problem {
	var known []string
	for _, d := range m.defs {
		if neither || d.in&(1<<format) != 0 {
			known = append(known, d.name(format))
		}
	}
	for i, c := range cells {
		if m.def[i] >= 0 || normName(stripQuoteMark(c)) == "" {
			continue
		}
		name := strings.TrimSpace(c)
		suggestion := ""
		if len(probs) < maxFileProblems { // beyond that the problem is not shown
			suggestion = nearest(name, known, normName)
		}
		probs = append(probs, Problem{Line: line, Column: name, Message: fmt.Sprintf(
			"unknown column %q%s", shorten(name), didYouMean(suggestion))})
	}
	return probs
}

// columns says what the reader does with each cell's column in format.
func (m headerMatch) columns(cells []string, format Format) []column {
	cols := make([]column, len(cells))
	for i, c := range cells {
		switch {
		case m.def[i] >= 0:
			d := m.defs[m.def[i]]
			col := column{kind: d.kind, field: d.field, name: d.name(format)}
			if d.kind == colNoted {
				col.note = col.name + " is no longer managed and was ignored"
			}
			if m.firstAt[m.def[i]] != i {
				col.kind = colIgnored // a duplicate, already reported
			}
			cols[i] = col
		case normName(stripQuoteMark(c)) == "":
			cols[i] = column{kind: colBlank}
		default:
			cols[i] = column{kind: colUnknown}
		}
	}
	return cols
}

// indexFields fills has, names, order and hasGP from l.cols.
func (l *layout) indexFields() {
	for _, col := range l.cols {
		switch col.kind {
		case colField, colOrgCode, colGPCode, colDept:
		default:
			continue
		}
		if !l.has[col.field] {
			l.has[col.field] = true
			l.names[col.field] = col.name
			l.order = append(l.order, col.field)
		}
		if col.kind == colGPCode {
			l.hasGP = true
		}
		if col.kind == colOrgCode {
			l.names[Organisation] = col.name // Organisation Code is the main source
		}
	}
}

// missingColumns reports each mandatory column l lacks, by its name in
// l's format.
func (l *layout) missingColumns(defs []colDef, line int) []Problem {
	var probs []Problem
	mandatory := []Field{FirstName, LastName, LocalID, Organisation}
	for _, f := range mandatory {
		if l.has[f] {
			continue
		}
		name := f.String()
		if l.format == FormatOld {
			for _, d := range defs {
				if d.in&inOld != 0 && d.field == f && (d.kind == colField || d.kind == colOrgCode) {
					name = d.oldName
					break
				}
			}
		}
		msg := fmt.Sprintf("missing mandatory column %q", name)
		if l.format == FormatOld && f == Organisation {
			msg = `missing mandatory column "Organisation Code" (or "GP Practice Code")`
		}
		probs = append(probs, Problem{Line: line, Column: name, Message: msg})
	}
	return probs
}

// capProblems keeps a FileError readable when a file is badly broken.
func capProblems(probs []Problem) []Problem {
	if len(probs) <= maxFileProblems {
		return probs
	}
	more := len(probs) - maxFileProblems + 1
	probs = probs[:maxFileProblems-1]
	return append(probs, Problem{Message: fmt.Sprintf("%d more problems are not listed", more)})
}

// columnLetter returns the spreadsheet name of the column with index i
// (0 is "A", 26 is "AA").
func columnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append(b, byte('A'+(i-1)%26))
	}
	for l, r := 0, len(b)-1; l < r; l, r = l+1, r-1 {
		b[l], b[r] = b[r], b[l]
	}
	return string(b)
}
