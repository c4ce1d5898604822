// Package synth generates realistic connector data for benchmarks and
// demos: an organisation file, a Mailbox Report of N mailboxes and a push
// file of N rows against it. Output is deterministic for a seed, and it is
// written as it is generated: memory does not grow with N.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Set describes one generated data set.
type Set struct {
	Rows   int     // push file rows, and mailboxes in the directory
	Orgs   int     // organisations
	Update float64 // share of rows that change an existing mailbox
	Create float64 // share of rows that are new users
	// Order is the push file's row order.
	Order Order
	// RealNames draws names from a realistic pool (realFirstNames,
	// realSurnames) with realistic frequencies, and gives the directory's
	// mailboxes the addresses the engine would have: first.last,
	// first.last2… So new users collide on their addresses as real new
	// starters do, and an update changes one of job title, unit, phone or
	// surname. Without it names come from a small, even pool and every
	// address is numbered by its row, so new users rarely collide.
	RealNames bool
	Seed      uint64
}

// RealShape is the shape a national connector receives: 100
// organisations; an HR export sorted by surname; 80% of rows unchanged,
// 10% changed and 10% new starters; realistic names.
func RealShape(rows int) Set {
	return Set{Rows: rows, Orgs: 100, Update: 0.1, Create: 0.1, Order: SurnameOrder, RealNames: true, Seed: 1}
}

// EasyShape is the shape the engine was first measured on: 200
// organisations, the file in directory order, 8% of rows changed and 2%
// new, few names.
func EasyShape(rows int) Set {
	return Set{Rows: rows, Orgs: 200, Update: 0.08, Create: 0.02, Seed: 1}
}

// OrgCode is the code of generated organisation i.
func OrgCode(i int) string { return fmt.Sprintf("R%04d", i) }

// LocalID is the Local ID of generated mailbox i.
func LocalID(i int) string { return fmt.Sprintf("EMP%08d", i) }

// NewLocalID is the Local ID of the new user generated on row i.
func NewLocalID(i int) string { return fmt.Sprintf("NEW%08d", i) }

// Organisations writes the organisation file: generous creation limits and
// three units each.
func (s Set) Organisations(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "Organisation,Name,CreationLimit,OrganisationUnits")
	for i := range s.Orgs {
		c := OrgCode(i)
		fmt.Fprintf(bw, "%s,Synthetic Trust %d,%d,D%s01;D%s02;D%s03\n", c, i, 10*s.Rows+1000, c, c, c)
	}
	return bw.Flush()
}

// Directory writes a Mailbox Report of s.Rows mailboxes, in Local ID order.
func (s Set) Directory(w io.Writer) error {
	g := s.gen()
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "EmailAddress,Local ID,Organisation,OrganisationUnit,Type,Title,FirstName,LastName,JobTitle,ClinicalRole,ClinicalSpeciality,WorkArea,EmailSize,OfficePhone,MobilePhone,Fax,Pager")
	book := addressBook{}
	for i := range s.Rows {
		p := g.person(i)
		addr := fmt.Sprintf("%s.%s%d@nhs.net", ascii(p.first), ascii(p.last), i)
		if s.RealNames {
			addr = book.next(p.first, p.last, "nhs.net")
		}
		fmt.Fprintf(bw, "%s,%s,%s,%s,Mailbox,%s,%s,%s,%s,%s,%s,%s,4,%s,,,\n", addr, LocalID(i), p.org, p.unit,
			p.title, p.first, p.last, p.job, p.role, p.spec, p.area, p.phone)
	}
	return bw.Flush()
}

// PushFile writes a push file of s.Rows rows in s.Order: row i repeats
// directory entry i unchanged, changes it (s.Update of rows) or is a new
// user (s.Create of rows; its names are entry i's, its Local ID new). A
// row's content does not depend on the order, so files of one set in
// different orders hold the same rows.
func (s Set) PushFile(w io.Writer) error {
	g := s.gen()
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "ClinicalRole,ClinicalSpeciality,EmailSize,Fax,FirstName,JobTitle,LastName,Local ID,MobilePhone,OfficePhone,Organisation,OrganisationUnit,Pager,Password,Title,WorkArea")
	err := g.each(func(i int) error {
		p, id := g.pushRow(i)
		_, err := fmt.Fprintf(bw, "%s,%s,4,,%s,%s,%s,%s,,%s,%s,%s,,,%s,%s\n", p.role, p.spec, p.first, p.job, p.last, id,
			p.phone, p.org, p.unit, p.title, p.area)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func ascii(s string) string {
	r := strings.NewReplacer("ë", "e", "é", "e", "â", "a", "á", "a", "ú", "u", "ñ", "n", "'", "")
	return strings.ToLower(r.Replace(s))
}
