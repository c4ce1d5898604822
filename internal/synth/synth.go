// Package synth generates realistic connector data for benchmarks and
// demos: an organisation file, a Mailbox Report of N mailboxes and a push
// file of N rows against it. Output is deterministic for a seed.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

var (
	firstNames = []string{"Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Sophia", "Jack",
		"Grace", "Leo", "Freya", "Arthur", "Lily", "Oscar", "Ella", "Muhammad", "Zoë", "Chloé", "Siân", "Rhys",
		"Aoife", "Seán", "Priya", "Aarav", "Fatima", "Yusuf", "Olivia", "Thomas"}
	lastNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
		"Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "O'Brien",
		"Núñez", "Khan", "Ahmed", "Singh", "MacDonald", "Lewis", "Harris", "Clarke", "Jackson", "Hughes"}
	jobTitles = []string{"Staff Nurse", "Consultant", "Registrar", "Ward Clerk", "Pharmacist", "Healthcare Assistant",
		"Practice Manager", "GP Partner", "Midwife", "Porter", "Physiotherapist", "Receptionist"}
	roles        = []string{"Doctor", "Nurse", "Midwife", "Pharmacist", "Non-Clinical", "Allied Health Professional"}
	specialities = []string{"Cardiology", "General Practice", "Paediatrics", "Oncology", "Radiology", "Urology"}
	areas        = []string{"Acute Care", "Primary Care", "Community Care", "Mental Health", "Administration"}
	titles       = []string{"Mr", "Mrs", "Ms", "Dr", "Miss", "Mx", "Prof"}
)

// Set describes one generated data set.
type Set struct {
	Rows   int     // push file rows
	Orgs   int     // organisations
	Update float64 // share of rows that change an existing mailbox
	Create float64 // share of rows that are new users
	// Shuffle puts the push file in random order rather than directory order.
	Shuffle bool
	Seed    uint64
}

// OrgCode is the code of generated organisation i.
func OrgCode(i int) string { return fmt.Sprintf("R%04d", i) }

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

type person struct {
	first, last, org, unit, title, job, role, spec, area, phone string
}

// person is generated mailbox i; each index has its own random stream, so
// the directory and the push file agree without holding either in memory.
func (s Set) person(i int) person {
	r := rand.New(rand.NewPCG(s.Seed, uint64(i)))
	org := OrgCode(i % s.Orgs)
	return person{
		first: firstNames[r.IntN(len(firstNames))], last: lastNames[r.IntN(len(lastNames))], org: org,
		unit: fmt.Sprintf("D%s%02d", org, 1+r.IntN(3)), title: titles[r.IntN(len(titles))],
		job: jobTitles[r.IntN(len(jobTitles))], role: roles[r.IntN(len(roles))],
		spec: specialities[r.IntN(len(specialities))], area: areas[r.IntN(len(areas))],
		phone: fmt.Sprintf("0113 %03d %04d", r.IntN(1000), r.IntN(10000)),
	}
}

// LocalID is the Local ID of generated mailbox i.
func LocalID(i int) string { return fmt.Sprintf("EMP%08d", i) }

// Directory writes a Mailbox Report of s.Rows mailboxes.
func (s Set) Directory(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "EmailAddress,Local ID,Organisation,OrganisationUnit,Type,Title,FirstName,LastName,JobTitle,ClinicalRole,ClinicalSpeciality,WorkArea,EmailSize,OfficePhone,MobilePhone,Fax,Pager")
	for i := range s.Rows {
		p := s.person(i)
		addr := fmt.Sprintf("%s.%s%d@nhs.net", ascii(p.first), ascii(p.last), i)
		fmt.Fprintf(bw, "%s,%s,%s,%s,Mailbox,%s,%s,%s,%s,%s,%s,%s,4,%s,,,\n", addr, LocalID(i), p.org, p.unit,
			p.title, p.first, p.last, p.job, p.role, p.spec, p.area, p.phone)
	}
	return bw.Flush()
}

// PushFile writes a push file of s.Rows rows: most rows repeat a directory
// entry unchanged, s.Update of them change its job title and s.Create of
// them are new users.
func (s Set) PushFile(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "ClinicalRole,ClinicalSpeciality,EmailSize,Fax,FirstName,JobTitle,LastName,Local ID,MobilePhone,OfficePhone,Organisation,OrganisationUnit,Pager,Password,Title,WorkArea")
	pick := rand.New(rand.NewPCG(s.Seed^0x9e3779b97f4a7c15, 2))
	order := make([]int32, s.Rows)
	for i := range order {
		order[i] = int32(i)
	}
	if s.Shuffle {
		pick.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	}
	for _, idx := range order {
		i := int(idx)
		p := s.person(i)
		id := LocalID(i)
		switch x := pick.Float64(); {
		case x < s.Create:
			id = fmt.Sprintf("NEW%08d", i)
		case x < s.Create+s.Update:
			p.job = "Senior " + p.job
		}
		fmt.Fprintf(bw, "%s,%s,4,,%s,%s,%s,%s,,%s,%s,%s,,,%s,%s\n", p.role, p.spec, p.first, p.job, p.last, id,
			p.phone, p.org, p.unit, p.title, p.area)
	}
	return bw.Flush()
}

func ascii(s string) string {
	r := strings.NewReplacer("ë", "e", "é", "e", "â", "a", "á", "a", "ú", "u", "ñ", "n", "'", "")
	return strings.ToLower(r.Replace(s))
}
