package web

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"connectord/pushfile"
)

// problemLine is one line of the validate report.
type problemLine struct {
	Line    int
	Column  string
	Message string
}

// text is the line as `connectord validate` prints it.
func (p problemLine) text(name string) string {
	loc := name
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", name, p.Line)
	}
	if p.Column != "" {
		return loc + ": " + p.Column + ": " + p.Message
	}
	return loc + ": " + p.Message
}

// validateReport is the Portal's "Validate" step for one file: what
// `connectord validate` prints, line by line.
type validateReport struct {
	Name          string
	Unusable      bool
	Problems      []problemLine // the first maxReportLines
	More          int           // problems not listed
	Rows, Invalid int
	Text          []string // the report exactly as the command prints it
	Encoding      string
	Format        string
}

// maxReportLines bounds the problems listed on the page.
const maxReportLines = 1000

// validate reads every row of f, changing nothing.
func validate(name string, f io.ReadSeeker, opts pushfile.Options) (*validateReport, error) {
	rep := &validateReport{Name: name}
	rd, err := pushfile.Open(f, opts)
	if err != nil {
		return rep, rep.unusable(err)
	}
	rep.Encoding, rep.Format = rd.Encoding(), rd.Format().String()
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, rep.unusable(err)
		}
		rep.Rows++
		if row.Valid() {
			continue
		}
		rep.Invalid++
		for _, p := range row.Problems {
			rep.add(problemLine{Line: p.Line, Column: p.Column, Message: p.Message})
		}
	}
	rep.Text = append(rep.Text, fmt.Sprintf("%d rows: %d valid, %d invalid", rep.Rows, rep.Rows-rep.Invalid, rep.Invalid))
	return rep, nil
}

func (rep *validateReport) add(p problemLine) {
	if len(rep.Problems) >= maxReportLines {
		rep.More++
		return
	}
	rep.Problems = append(rep.Problems, p)
	rep.Text = append(rep.Text, p.text(rep.Name))
}

// unusable records a file's problems when it cannot be used at all; other
// errors pass through.
func (rep *validateReport) unusable(err error) error {
	var fe *pushfile.FileError
	if !errors.As(err, &fe) {
		return err
	}
	rep.Unusable = true
	for _, p := range fe.Problems {
		rep.add(problemLine{Line: p.Line, Column: p.Column, Message: p.Message})
	}
	rep.Text = append(rep.Text, rep.Name+": the file cannot be used; nothing was applied")
	return nil
}

// cleanName is an uploaded file's name without any directory, for the
// report.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return "upload.csv"
	}
	return name
}
