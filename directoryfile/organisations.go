package directoryfile

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"connectord/store"
)

// Organisation file columns.
var orgColumns = []string{"Organisation", "Name", "CreationLimit", "OrganisationUnits"}

var (
	orgCode  = regexp.MustCompile(`^[A-Z0-9]{3,10}$`)
	unitCode = regexp.MustCompile(`^D[A-Z0-9]{1,19}$`)
)

// ReadOrganisations reads an organisation file: one row per organisation,
// units separated by ";" inside the OrganisationUnits cell. Every problem
// is reported at once in an *Error.
func ReadOrganisations(r io.Reader, name string) ([]store.Organisation, error) {
	fe := &Error{File: name}
	t, err := OpenTable(r)
	if err != nil {
		fe.add(1, "%v", err)
		return nil, fe
	}
	idx, problems := columnIndex(t.Header(), orgColumns, []string{"Organisation", "CreationLimit"})
	for _, p := range problems {
		fe.add(1, "%s", p)
	}
	if len(problems) > 0 {
		return nil, fe
	}
	var out []store.Organisation
	seen := map[string]int{}
	for {
		rec, line, err := t.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fe.add(line, "%v", err)
			break
		}
		o := store.Organisation{
			Code: strings.ToUpper(cell(rec, idx, "Organisation")),
			Name: cell(rec, idx, "Name"),
		}
		if !orgCode.MatchString(o.Code) {
			fe.add(line, "Organisation: %q is not an organisation code (3 to 10 letters and digits)", o.Code)
		}
		if first, dup := seen[o.Code]; dup {
			fe.add(line, "Organisation: %s is already on line %d", o.Code, first)
		}
		seen[o.Code] = line
		limit, err := strconv.Atoi(cell(rec, idx, "CreationLimit"))
		if err != nil || limit < 0 {
			fe.add(line, "CreationLimit: %q is not a whole number of 0 or more", cell(rec, idx, "CreationLimit"))
		}
		o.CreationLimit = limit
		for _, u := range strings.Split(cell(rec, idx, "OrganisationUnits"), ";") {
			u = strings.ToUpper(strings.TrimSpace(u))
			if u == "" {
				continue
			}
			if !unitCode.MatchString(u) {
				fe.add(line, "OrganisationUnits: %q is not a unit code (a D followed by letters and digits)", u)
			}
			o.Units = append(o.Units, u)
		}
		out = append(out, o)
	}
	if len(out) == 0 && len(fe.Problems) == 0 {
		fe.add(2, "no organisations in the file")
	}
	if err := fe.orNil(); err != nil {
		return nil, err
	}
	return out, nil
}
