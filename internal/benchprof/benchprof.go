// Package benchprof summarises a CPU profile recorded by Linux perf
// (`perf record -g`, then `perf script`) of a connectord command, the way
// docs/performance.md and issue reports talk about it: the top functions by
// flat and cumulative time, and the time in named groups (Local ID lookup,
// address probing, CSV, GC…). perf samples the real binary, threads,
// kernel time and all, so nothing is built differently for profiling.
package benchprof

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Sample is one stack, leaf first.
type Sample struct {
	Frames []Frame
	Period int64 // nanoseconds of CPU the sample stands for (cpu-clock)
}

// Frame is one function of a stack.
type Frame struct {
	Func   string
	Kernel bool
}

// Profile is every sample of a perf script.
type Profile struct {
	Samples []Sample
}

var headerRE = regexp.MustCompile(`^\S.*?\s+\d+(?:/\d+)?\s+[\d.]+:\s+(\d+)\s+\S+:`)

// Parse reads `perf script` output (its default fields, with call chains).
func Parse(r io.Reader) (*Profile, error) {
	p := &Profile{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur *Sample
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case strings.TrimSpace(text) == "":
			cur = nil
		case text[0] != ' ' && text[0] != '\t':
			m := headerRE.FindStringSubmatch(text)
			if m == nil {
				return nil, fmt.Errorf("perf script line %d: not a sample header: %q", line, text)
			}
			period, _ := strconv.ParseInt(m[1], 10, 64)
			p.Samples = append(p.Samples, Sample{Period: period})
			cur = &p.Samples[len(p.Samples)-1]
		case cur != nil:
			if f, ok := parseFrame(text); ok {
				cur.Frames = append(cur.Frames, f)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("perf script: %w", err)
	}
	return p, nil
}

// parseFrame reads "  addr symbol+0xoff (dso)".
func parseFrame(text string) (Frame, bool) {
	fields := strings.Fields(text)
	if len(fields) < 2 {
		return Frame{}, false
	}
	sym := strings.Join(fields[1:len(fields)-1], " ")
	dso := fields[len(fields)-1]
	if len(fields) == 2 {
		sym, dso = fields[1], ""
	}
	if i := strings.LastIndex(sym, "+0x"); i > 0 {
		sym = sym[:i]
	}
	return Frame{Func: sym, Kernel: strings.Contains(dso, "kernel")}, true
}

// Total is the CPU time of every sample, in seconds.
func (p *Profile) Total() float64 {
	var t int64
	for _, s := range p.Samples {
		t += s.Period
	}
	return float64(t) / 1e9
}

// Row is one function or group and its CPU seconds.
type Row struct {
	Name    string
	Seconds float64
}

// Flat is the time each function was the leaf, most first.
func (p *Profile) Flat(n int) []Row {
	return p.rank(n, func(s Sample) []string {
		if len(s.Frames) == 0 {
			return []string{"[unknown]"}
		}
		return []string{s.Frames[0].Func}
	})
}

// Cumulative is the time each function was anywhere on the stack, most
// first.
func (p *Profile) Cumulative(n int) []Row {
	return p.rank(n, func(s Sample) []string {
		seen := map[string]bool{}
		var out []string
		for _, f := range s.Frames {
			if !seen[f.Func] {
				seen[f.Func] = true
				out = append(out, f.Func)
			}
		}
		return out
	})
}

func (p *Profile) rank(n int, names func(Sample) []string) []Row {
	t := map[string]int64{}
	for _, s := range p.Samples {
		for _, name := range names(s) {
			t[name] += s.Period
		}
	}
	return top(t, n)
}
