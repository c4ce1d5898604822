package benchprof

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
)

// Group names the samples with a matching frame.
type Group struct {
	Name string
	RE   *regexp.Regexp
}

// ParseGroup reads "name=regexp".
func ParseGroup(s string) (Group, error) {
	for i := range len(s) {
		if s[i] == '=' {
			re, err := regexp.Compile(s[i+1:])
			if err != nil {
				return Group{}, fmt.Errorf("group %q: %w", s, err)
			}
			return Group{Name: s[:i], RE: re}, nil
		}
	}
	return Group{}, fmt.Errorf("group %q: want name=regexp", s)
}

func must(name, re string) Group { return Group{Name: name, RE: regexp.MustCompile(re)} }

// Partition puts each sample in the first group that has a frame
// matching it, or in "other", so the groups add up to the total. Groups
// are listed in the order given, then other.
func (p *Profile) Partition(groups []Group) []Row {
	t := make([]float64, len(groups)+1)
	for _, s := range p.Samples {
		k := len(groups)
	find:
		for i, g := range groups {
			for _, f := range s.Frames {
				if g.RE.MatchString(f.Func) {
					k = i
					break find
				}
			}
		}
		t[k] += float64(s.Period) / 1e9
	}
	out := make([]Row, 0, len(t))
	for i, g := range groups {
		out = append(out, Row{g.Name, t[i]})
	}
	return append(out, Row{"other", t[len(groups)]})
}

// Across is the time of samples with a frame matching each group,
// counted independently (a sample can be in several), plus the time with
// the kernel at the leaf.
func (p *Profile) Across(groups []Group) []Row {
	out := make([]Row, 0, len(groups)+1)
	for _, g := range groups {
		var t int64
		for _, s := range p.Samples {
			if slices.ContainsFunc(s.Frames, func(f Frame) bool { return g.RE.MatchString(f.Func) }) {
				t += s.Period
			}
		}
		out = append(out, Row{g.Name, float64(t) / 1e9})
	}
	var k int64
	for _, s := range p.Samples {
		if len(s.Frames) > 0 && s.Frames[0].Kernel {
			k += s.Period
		}
	}
	return append(out, Row{"in the kernel (system calls, page faults)", float64(k) / 1e9})
}

func top(t map[string]int64, n int) []Row {
	out := make([]Row, 0, len(t))
	for name, ns := range t {
		out = append(out, Row{name, float64(ns) / 1e9})
	}
	slices.SortFunc(out, func(a, b Row) int {
		if c := cmp.Compare(b.Seconds, a.Seconds); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
