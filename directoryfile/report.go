package directoryfile

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"connectord/store"
)

// ReportColumns are the Mailbox Report's columns, in order.
var ReportColumns = []string{"EmailAddress", "Local ID", "Organisation", "OrganisationUnit", "Type", "Title",
	"FirstName", "LastName", "JobTitle", "ClinicalRole", "ClinicalSpeciality", "WorkArea", "EmailSize",
	"OfficePhone", "MobilePhone", "Fax", "Pager"}

// ImportReport reads a Mailbox Report into the directory through tx: each
// row adds the entry or replaces the one with the same address. Every
// problem is collected into an *Error; the caller commits only when the
// error is nil. It returns the number of rows imported.
func ImportReport(r io.Reader, name string, tx *store.DirectoryTx, reg *store.Registry, now time.Time) (int, error) {
	fe := &Error{File: name}
	t, err := OpenTable(r)
	if err != nil {
		fe.add(1, "%v", err)
		return 0, fe
	}
	idx, problems := columnIndex(t.Header(), ReportColumns, []string{"EmailAddress", "Organisation", "FirstName", "LastName"})
	for _, p := range problems {
		fe.add(1, "%s", p)
	}
	if len(problems) > 0 {
		return 0, fe
	}
	n := 0
	var m store.Mailbox
	for {
		rec, line, err := t.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fe.add(line, "%v", err)
			break
		}
		if !readMailbox(rec, idx, reg, line, fe, &m) {
			continue
		}
		if len(fe.Problems) > 0 {
			continue // only checking from now on
		}
		if err := tx.Put(&m, now); err != nil {
			if errors.Is(err, store.ErrLocalIDTaken) {
				fe.add(line, "Local ID: %s is already used by another entry", m.LocalID)
				continue
			}
			return 0, err
		}
		n++
	}
	if n == 0 && len(fe.Problems) == 0 {
		fe.add(2, "no rows in the file")
	}
	if err := fe.orNil(); err != nil {
		return 0, err
	}
	return n, nil
}

// readMailbox fills m from one report row, adding any problems to fe.
func readMailbox(rec []string, idx map[string]int, reg *store.Registry, line int, fe *Error, m *store.Mailbox) bool {
	before := len(fe.Problems) + fe.More
	get := func(col string) string { return cell(rec, idx, col) }
	*m = store.Mailbox{
		Address: strings.ToLower(get("EmailAddress")), LocalID: get("Local ID"),
		Org: strings.ToUpper(get("Organisation")), Unit: strings.ToUpper(get("OrganisationUnit")),
		Kind: get("Type"), Title: get("Title"), FirstName: get("FirstName"), LastName: get("LastName"),
		JobTitle: get("JobTitle"), ClinicalRole: get("ClinicalRole"), ClinicalSpeciality: get("ClinicalSpeciality"),
		WorkArea: get("WorkArea"), EmailSize: 4, OfficePhone: get("OfficePhone"), MobilePhone: get("MobilePhone"),
		Fax: get("Fax"), Pager: get("Pager"),
	}
	if at := strings.IndexByte(m.Address, '@'); at <= 0 || at == len(m.Address)-1 || strings.ContainsAny(m.Address, " <>,;") {
		fe.add(line, "EmailAddress: %q is not an email address", m.Address)
	}
	switch strings.ToLower(m.Kind) {
	case "", "mailbox":
		m.Kind = store.KindMailbox
	case "contact":
		m.Kind = store.KindContact
	default:
		fe.add(line, "Type: %q must be Mailbox or Contact", m.Kind)
	}
	if !reg.HasOrganisation(m.Org) {
		fe.add(line, "Organisation: %q is not in the organisation registry; import it first with 'connectord org import'", m.Org)
	} else if m.Unit != "" && !reg.HasUnit(m.Org, m.Unit) {
		fe.add(line, "OrganisationUnit: %q is not a unit of %s", m.Unit, m.Org)
	}
	if m.FirstName == "" || m.LastName == "" {
		fe.add(line, "FirstName and LastName are required")
	}
	if s := get("EmailSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fe.add(line, "EmailSize: %q is not a whole number of GB", s)
		}
		m.EmailSize = n
	}
	return len(fe.Problems)+fe.More == before
}

// Mailboxes is a directory to export: the store, or Active Directory
// (ldapdirectory).
type Mailboxes interface {
	EachMailbox(ctx context.Context, fn func(m *store.Mailbox) error) error
}

// ExportReport writes the whole directory as a Mailbox Report, streaming.
func ExportReport(ctx context.Context, w io.Writer, st Mailboxes) (int, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ReportColumns); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, len(ReportColumns))
	err := st.EachMailbox(ctx, func(m *store.Mailbox) error {
		copy(rec, []string{m.Address, m.LocalID, m.Org, m.Unit, m.Kind, m.Title, m.FirstName, m.LastName,
			m.JobTitle, m.ClinicalRole, m.ClinicalSpeciality, m.WorkArea, strconv.Itoa(m.EmailSize),
			m.OfficePhone, m.MobilePhone, m.Fax, m.Pager})
		for i := range rec {
			rec[i] = safeCell(rec[i], i >= 13)
		}
		n++
		return cw.Write(rec)
	})
	if err != nil {
		return 0, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("write report: %w", err)
	}
	return n, nil
}

// safeCell stops a spreadsheet from reading a cell as a formula by
// prefixing a quote; phone numbers like +44 are left alone.
func safeCell(s string, phone bool) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if phone && strings.Trim(s, "0123456789 +()-") == "" {
			return s
		}
		return "'" + s
	}
	return s
}
