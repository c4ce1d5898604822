package synth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"connectord/provision"
	"connectord/pushfile"
)

func generate(t *testing.T, write func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func records(t *testing.T, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// Push file columns (see PushFile's header).
const (
	colFirst   = 4
	colJob     = 5
	colLast    = 6
	colLocalID = 7
	colPhone   = 9
	colUnit    = 11
)

func TestSameSeedSameFiles(t *testing.T) {
	for _, set := range []Set{RealShape(3000), EasyShape(3000), {Rows: 3000, Orgs: 7, Update: 0.3, Create: 0.3, Order: RandomOrder, RealNames: true, Seed: 5}} {
		t.Run(fmt.Sprintf("%s/real=%v", set.Order, set.RealNames), func(t *testing.T) {
			for _, w := range []func(Set) func(io.Writer) error{
				func(s Set) func(io.Writer) error { return s.Directory },
				func(s Set) func(io.Writer) error { return s.PushFile },
			} {
				a, b := generate(t, w(set)), generate(t, w(set))
				if !bytes.Equal(a, b) {
					t.Fatal("two runs with one seed differ")
				}
				other := set
				other.Seed++
				if bytes.Equal(a, generate(t, w(other))) {
					t.Fatal("another seed gives the same file")
				}
			}
		})
	}
}

// Every order holds the same rows; only their order differs.
func TestOrdersHoldTheSameRows(t *testing.T) {
	lines := func(o Order) []string {
		s := RealShape(5000)
		s.Order = o
		l := strings.Split(strings.TrimSuffix(string(generate(t, s.PushFile)), "\n"), "\n")
		return l[1:]
	}
	key := lines(KeyOrder)
	for _, o := range []Order{SurnameOrder, RandomOrder} {
		got := lines(o)
		if slices.Equal(got, key) {
			t.Errorf("%s order: the same order as the directory's", o)
		}
		slices.Sort(got)
		want := slices.Clone(key)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s order: %d rows, not the directory-order file's %d rows", o, len(got), len(want))
		}
	}
}

// The surname order is sorted by surname, first name and Local ID, also
// across sort windows and when one surname is larger than a window.
func TestSurnameOrderIsSorted(t *testing.T) {
	for _, window := range []int{sortWindow, 700, 50} {
		t.Run(strconv.Itoa(window), func(t *testing.T) {
			g := RealShape(20000).gen()
			g.window = window
			var seen []int
			err := g.each(func(i int) error { seen = append(seen, i); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != 20000 {
				t.Fatalf("visited %d rows, want 20000", len(seen))
			}
			lastRank, firstRank := alphabetical(g.last.names), alphabetical(g.first.names)
			key := func(i int) [3]int { return [3]int{lastRank[g.sortLast(i)], firstRank[g.firstOf(i)], i} }
			for k := 1; k < len(seen); k++ {
				if a, b := key(seen[k-1]), key(seen[k]); slices.Compare(a[:], b[:]) >= 0 {
					t.Fatalf("row %d (%v) comes after row %d (%v)", k, b, k-1, a)
				}
			}
		})
	}
	// And the file says so: surnames are in folded alphabetical order.
	recs := records(t, generate(t, RealShape(3000).PushFile))
	for k := 1; k < len(recs); k++ {
		if a, b := foldName(recs[k-1][colLast]), foldName(recs[k][colLast]); a > b {
			t.Fatalf("line %d: %s after %s", k+2, recs[k][colLast], recs[k-1][colLast])
		}
	}
}

func TestPermutationVisitsEveryRowOnce(t *testing.T) {
	for _, n := range []int{1, 2, 3, 255, 256, 1000, 65537} {
		p := newPermutation(n, 9)
		seen := make([]bool, n)
		inOrder := 0
		for k := range n {
			i := p.at(k)
			if i < 0 || i >= n || seen[i] {
				t.Fatalf("n=%d: position %d gives %d (seen: %v)", n, k, i, i >= 0 && i < n && seen[i])
			}
			seen[i] = true
			if i == k {
				inOrder++
			}
		}
		if n >= 1000 && inOrder > n/50 {
			t.Errorf("n=%d: %d rows stay in place, want a shuffle", n, inOrder)
		}
	}
}

// The real shape's rows: 80% unchanged, 10% changed (job, unit, phone or
// surname), 10% new starters, within sampling error.
func TestRealShapeShares(t *testing.T) {
	const n = 40000
	s := RealShape(n)
	dir := records(t, generate(t, s.Directory))
	push := records(t, generate(t, s.PushFile))
	byID := map[string][]string{}
	for _, r := range dir {
		byID[r[1]] = r
	}
	var same, changed, created int
	fields := map[string]int{}
	for _, r := range push {
		d, ok := byID[r[colLocalID]]
		if !ok {
			created++
			continue
		}
		diff := 0
		for name, c := range map[string][2]int{"job": {colJob, 8}, "unit": {colUnit, 3}, "phone": {colPhone, 13}, "surname": {colLast, 7}, "first": {colFirst, 6}} {
			if r[c[0]] != d[c[1]] {
				fields[name]++
				diff++
			}
		}
		switch diff {
		case 0:
			same++
		case 1:
			changed++
		default:
			t.Fatalf("%s: %d fields changed, want one", r[colLocalID], diff)
		}
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{{"unchanged", same, n * 8 / 10}, {"changed", changed, n / 10}, {"new", created, n / 10}} {
		if d := c.got - c.want; d > c.want/10 || -d > c.want/10 {
			t.Errorf("%s rows: got %d, want %d ± 10%%", c.name, c.got, c.want)
		}
	}
	if fields["first"] != 0 || fields["job"] == 0 || fields["unit"] == 0 || fields["phone"] == 0 || fields["surname"] == 0 {
		t.Errorf("changed fields %v, want job, unit, phone and surname changes and no first names", fields)
	}
}

// Directory addresses are what the engine would have given, in Local ID
// order, so a new starter's first.last is usually taken already.
func TestRealDirectoryAddressesCollideLikeTheEngines(t *testing.T) {
	const n = 20000
	s := RealShape(n)
	taken := map[string]bool{}
	for _, r := range records(t, generate(t, s.Directory)) {
		if taken[r[0]] {
			t.Fatalf("%s: address given twice", r[0])
		}
		local, _, _ := strings.Cut(r[0], "@")
		base := provision.AddressBase(r[6], r[7])
		if n := strings.TrimPrefix(local, base); n != "" {
			k, err := strconv.Atoi(n)
			prev := base + "@nhs.net"
			if k > 2 {
				prev = base + strconv.Itoa(k-1) + "@nhs.net"
			}
			if err != nil || k < 2 || !taken[prev] {
				t.Fatalf("%s (%s %s): want %s, or the number after the last one given", r[0], r[6], r[7], base)
			}
		}
		taken[r[0]] = true
	}
	var news, collide int
	for _, r := range records(t, generate(t, s.PushFile)) {
		if strings.HasPrefix(r[colLocalID], "NEW") {
			news++
			if taken[provision.AddressBase(r[colFirst], r[colLast])+"@nhs.net"] {
				collide++
			}
		}
	}
	if collide < news*3/4 {
		t.Errorf("%d of %d new starters' first.last addresses are taken, want most", collide, news)
	}
}

// The pool folds names as the engine does, and a million people include
// hundreds of John Smiths.
func TestRealNamePool(t *testing.T) {
	first, last := realFirstNames(), realSurnames()
	for _, names := range [][]string{first, last} {
		sorted := slices.Clone(names)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(names) {
			t.Errorf("a name is listed twice in %v", names[:3])
		}
	}
	for _, f := range append(slices.Clone(first), "", "'") {
		for _, l := range append(slices.Clone(last), "", "-") {
			if got, want := addressBase(f, l), provision.AddressBase(f, l); got != want {
				t.Fatalf("addressBase(%q, %q) = %q, want %q (the engine's)", f, l, got, want)
			}
		}
	}
	g := RealShape(1).gen()
	john, smith := slices.Index(first, "John"), slices.Index(last, "Smith")
	if got := 1e6 * g.first.share(john) * g.last.share(smith); got < 200 || got > 2000 {
		t.Errorf("a million people include %.0f John Smiths, want hundreds", got)
	}
	if rare := g.last.share(len(last) - 1); rare <= 0 || rare > g.last.share(smith)/10 {
		t.Errorf("the rarest surname is %.4f of people, Smith %.4f: want a falling frequency", rare, g.last.share(smith))
	}
}

// Every generated row passes the engine's field rules.
func TestGeneratedRowsAreValid(t *testing.T) {
	for _, s := range []Set{RealShape(2000), EasyShape(2000)} {
		orgs := map[string]bool{}
		for i := range s.Orgs {
			orgs[OrgCode(i)] = true
		}
		rd, err := pushfile.Open(bytes.NewReader(generate(t, s.PushFile)), pushfile.Options{Registry: registry(orgs)})
		if err != nil {
			t.Fatal(err)
		}
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !row.Valid() {
				t.Fatalf("real=%v line %d: %s", s.RealNames, row.Line, row.Detail())
			}
		}
	}
}

type registry map[string]bool

func (r registry) HasOrganisation(code string) bool { return r[code] }
func (r registry) HasUnit(org, unit string) bool {
	return r[org] && strings.HasPrefix(unit, "D"+org+"0") && len(unit) == len(org)+3 && unit[len(unit)-1] >= '1' && unit[len(unit)-1] <= '3'
}

func TestParseOrder(t *testing.T) {
	for _, o := range []Order{KeyOrder, SurnameOrder, RandomOrder} {
		if got, err := ParseOrder(o.String()); err != nil || got != o {
			t.Errorf("ParseOrder(%q) = %v, %v; want %v", o, got, err, o)
		}
	}
	if _, err := ParseOrder("alphabetical"); err == nil {
		t.Error("ParseOrder(alphabetical): no error")
	}
}
