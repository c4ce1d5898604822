package synth

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
)

// Order is the order of a push file's rows.
type Order int

const (
	// KeyOrder is the directory's key order (by Local ID): the easy case,
	// where every lookup lands next to the one before.
	KeyOrder Order = iota
	// SurnameOrder is an HR export sorted by surname, then first name:
	// unrelated to the directory's key order.
	SurnameOrder
	// RandomOrder is no order at all.
	RandomOrder
)

func (o Order) String() string {
	switch o {
	case SurnameOrder:
		return "surname"
	case RandomOrder:
		return "random"
	}
	return "directory"
}

// ParseOrder reads an Order's name: directory, surname or random.
func ParseOrder(s string) (Order, error) {
	for _, o := range []Order{KeyOrder, SurnameOrder, RandomOrder} {
		if s == o.String() {
			return o, nil
		}
	}
	return 0, fmt.Errorf("order %q: want directory, surname or random", s)
}

// each calls fn with every row index once, in the set's order. It holds
// no more than a fixed window of indexes at a time (see bySurname).
func (g *gen) each(fn func(i int) error) error {
	switch g.s.Order {
	case RandomOrder:
		p := newPermutation(g.s.Rows, g.s.Seed)
		for k := range g.s.Rows {
			if err := fn(p.at(k)); err != nil {
				return err
			}
		}
		return nil
	case SurnameOrder:
		return g.bySurname(fn)
	}
	for i := range g.s.Rows {
		if err := fn(i); err != nil {
			return err
		}
	}
	return nil
}

// sortWindow is how many rows bySurname sorts at once (2 MiB of keys).
const sortWindow = 1 << 18

// bySurname visits rows sorted by surname, first name and Local ID
// without holding the file: a first pass counts each surname, then the
// surnames are taken in alphabetical groups of at most g.window rows, and
// for each group one pass collects its rows' keys, sorts and visits them.
// Memory is the window, or one surname's rows when that is larger (Smith:
// 3% of the file).
func (g *gen) bySurname(fn func(i int) error) error {
	lastRank, firstRank := alphabetical(g.last.names), alphabetical(g.first.names)
	counts := make([]int, len(g.last.names))
	for i := range g.s.Rows {
		counts[lastRank[g.sortLast(i)]]++
	}
	keys := make([]uint64, 0, g.window)
	for lo := 0; lo < len(counts); {
		hi, n := lo, 0
		for hi < len(counts) && (n == 0 || n+counts[hi] <= g.window) {
			n += counts[hi]
			hi++
		}
		keys = keys[:0]
		for i := range g.s.Rows {
			if r := lastRank[g.sortLast(i)]; r >= lo && r < hi {
				f := firstRank[g.firstOf(i)]
				keys = append(keys, uint64(r)<<48|uint64(f)<<32|uint64(i))
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := fn(int(uint32(k))); err != nil {
				return err
			}
		}
		lo = hi
	}
	return nil
}

// alphabetical returns each name's rank in alphabetical order of its
// folded spelling, as a spreadsheet's sort puts O'Brien among the Obs.
func alphabetical(names []string) []int {
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := strings.Compare(foldName(names[a]), foldName(names[b])); c != 0 {
			return c
		}
		return strings.Compare(names[a], names[b])
	})
	rank := make([]int, len(names))
	for r, i := range idx {
		rank[i] = r
	}
	return rank
}

// permutation is a pseudo-random order of 0..n-1 computed one position
// at a time, so a shuffled file of any size needs no memory: a four-round
// Feistel network over the smallest even power of two ≥ n, walking the
// cycle until the value falls below n.
type permutation struct {
	n    uint64
	half uint
	keys [4]uint64
}

func newPermutation(n int, seed uint64) permutation {
	p := permutation{n: uint64(max(n, 1))}
	b := uint(bits.Len64(p.n - 1))
	p.half = max((b+1)/2, 1)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for i := range p.keys {
		p.keys[i] = r.Uint64()
	}
	return p
}

// at is the row at position k.
func (p permutation) at(k int) int {
	x := uint64(k)
	for {
		x = p.encrypt(x)
		if x < p.n {
			return int(x)
		}
	}
}

func (p permutation) encrypt(x uint64) uint64 {
	mask := uint64(1)<<p.half - 1
	l, r := x>>p.half, x&mask
	for _, k := range p.keys {
		l, r = r, l^(mix(r^k)&mask)
	}
	return l<<p.half | r
}

// mix is splitmix64's finaliser.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
