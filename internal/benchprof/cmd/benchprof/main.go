// Command benchprof summarises `perf script` output (see package
// benchprof) for scripts/bench.sh and scripts/bench-ingest.sh:
//
//	perf record -g -o perf.data -- connectord process …
//	perf script -i perf.data | benchprof -preset process [-top 25] [-group 'name=regexp']…
//
// Extra -group flags come before the preset's groups.
package main

import (
	"flag"
	"fmt"
	"os"

	"connectord/internal/benchprof"
)

type groups []benchprof.Group

func (g *groups) String() string { return fmt.Sprint(len(*g)) }
func (g *groups) Set(s string) error {
	x, err := benchprof.ParseGroup(s)
	if err != nil {
		return err
	}
	*g = append(*g, x)
	return nil
}

func main() {
	preset := flag.String("preset", "process", "process or ingest")
	n := flag.Int("top", 25, "functions to list")
	var extra groups
	flag.Var(&extra, "group", "name=regexp: an extra group, before the preset's (repeatable)")
	flag.Parse()
	if err := run(*preset, *n, extra); err != nil {
		fmt.Fprintln(os.Stderr, "benchprof:", err)
		os.Exit(1)
	}
}

func run(preset string, n int, extra groups) error {
	pre, err := benchprof.PresetNamed(preset)
	if err != nil {
		return err
	}
	pre.Parts = append(extra, pre.Parts...)
	in := os.Stdin
	if flag.NArg() == 1 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	p, err := benchprof.Parse(in)
	if err != nil {
		return err
	}
	return p.Report(os.Stdout, pre, n)
}
