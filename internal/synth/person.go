package synth

import (
	"fmt"
	"math/rand/v2"
)

// The small, even pool of the easy shape, and the other columns' values.
func toyFirstNames() []string {
	return []string{"Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Sophia", "Jack",
		"Grace", "Leo", "Freya", "Arthur", "Lily", "Oscar", "Ella", "Muhammad", "Zoë", "Chloé", "Siân", "Rhys",
		"Aoife", "Seán", "Priya", "Aarav", "Fatima", "Yusuf", "Olivia", "Thomas"}
}

func toySurnames() []string {
	return []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
		"Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "O'Brien",
		"Núñez", "Khan", "Ahmed", "Singh", "MacDonald", "Lewis", "Harris", "Clarke", "Jackson", "Hughes"}
}

var (
	jobTitles = []string{"Staff Nurse", "Consultant", "Registrar", "Ward Clerk", "Pharmacist", "Healthcare Assistant",
		"Practice Manager", "GP Partner", "Midwife", "Porter", "Physiotherapist", "Receptionist"}
	roles        = []string{"Doctor", "Nurse", "Midwife", "Pharmacist", "Non-Clinical", "Allied Health Professional"}
	specialities = []string{"Cardiology", "General Practice", "Paediatrics", "Oncology", "Radiology", "Urology"}
	areas        = []string{"Acute Care", "Primary Care", "Community Care", "Mental Health", "Administration"}
	titles       = []string{"Mr", "Mrs", "Ms", "Dr", "Miss", "Mx", "Prof"}
)

// gen is a Set with its name pools built.
type gen struct {
	s           Set
	first, last pool
	window      int // see bySurname
}

func (s Set) gen() *gen {
	g := &gen{s: s, window: sortWindow}
	if s.RealNames {
		g.first, g.last = newPool(realFirstNames(), 8), newPool(realSurnames(), 10)
	} else {
		g.first, g.last = evenPool(toyFirstNames()), evenPool(toySurnames())
	}
	return g
}

func evenPool(names []string) pool {
	return newPool(names, 1e12)
}

type person struct {
	first, last, org, unit, title, job, role, spec, area, phone string
}

// Each row index has two random streams of its own, one for the person
// and one for what the push file does with them, so the directory and the
// push file agree without holding either in memory, in any order.
func (g *gen) personStream(i int) *rand.PCG { return rand.NewPCG(g.s.Seed, uint64(i)) }
func (g *gen) fateStream(i int) *rand.PCG   { return rand.NewPCG(g.s.Seed^0x9e3779b97f4a7c15, uint64(i)) }

// person is generated mailbox i. The surname is the stream's first draw
// and the first name its second, so lastOf and firstOf need no more.
func (g *gen) person(i int) person {
	r := rand.New(g.personStream(i))
	last := g.last.names[g.last.pick(r.Uint32())]
	first := g.first.names[g.first.pick(r.Uint32())]
	org := OrgCode(i % max(g.s.Orgs, 1))
	return person{
		first: first, last: last, org: org,
		unit: fmt.Sprintf("D%s%02d", org, 1+r.IntN(3)), title: titles[r.IntN(len(titles))],
		job: jobTitles[r.IntN(len(jobTitles))], role: roles[r.IntN(len(roles))],
		spec: specialities[r.IntN(len(specialities))], area: areas[r.IntN(len(areas))],
		phone: fmt.Sprintf("0113 %03d %04d", r.IntN(1000), r.IntN(10000)),
	}
}

func (g *gen) lastOf(i int) int {
	return g.last.pick(uint32(g.personStream(i).Uint64() >> 32))
}

func (g *gen) firstOf(i int) int {
	p := g.personStream(i)
	p.Uint64()
	return g.first.pick(uint32(p.Uint64() >> 32))
}

// What a push file row does with its directory entry.
const (
	unchanged = iota
	changed
	created
)

// The changes of the realistic shape, in percent of changed rows.
const (
	changeJob     = 40 // a new job title
	changeUnit    = 25 // a move to another unit of the organisation
	changePhone   = 20 // a new office phone
	changeSurname = 15 // a new surname (marriage): the rest
)

type fate struct {
	kind, change int
	surname      int // the new surname, for changeSurname
}

func (g *gen) fate(i int) fate {
	r := rand.New(g.fateStream(i))
	var f fate
	switch x := r.Float64(); {
	case x < g.s.Create:
		f.kind = created
	case x < g.s.Create+g.s.Update:
		f.kind = changed
		if !g.s.RealNames {
			return f
		}
		f.change = r.IntN(100)
		if f.change >= changeJob+changeUnit+changePhone {
			f.surname = g.last.pick(r.Uint32())
			if f.surname == g.lastOf(i) {
				f.surname = (f.surname + 1) % len(g.last.names)
			}
		}
	}
	return f
}

// sortLast is the surname row i carries in the push file.
func (g *gen) sortLast(i int) int {
	if f := g.fate(i); f.kind == changed && f.change >= changeJob+changeUnit+changePhone {
		return f.surname
	}
	return g.lastOf(i)
}

// pushRow is the person and Local ID on push file row i.
func (g *gen) pushRow(i int) (person, string) {
	p := g.person(i)
	f := g.fate(i)
	switch {
	case f.kind == created:
		return p, NewLocalID(i)
	case f.kind == unchanged:
	case !g.s.RealNames:
		p.job = "Senior " + p.job
	case f.change < changeJob:
		p.job = "Senior " + p.job
	case f.change < changeJob+changeUnit:
		p.unit = p.unit[:len(p.unit)-1] + string(rune('1'+(p.unit[len(p.unit)-1]-'0')%3))
	case f.change < changeJob+changeUnit+changePhone:
		p.phone = fmt.Sprintf("0114 %03d %04d", i%1000, (i/1000)%10000)
	default:
		p.last = g.last.names[f.surname]
	}
	return p, LocalID(i)
}
