package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connectord/internal/synth"
)

const benchUsage = `connectord bench gen [-rows N] [-orgs N] [-update F] [-create F] [-shuffle] DIR
connectord bench csvparse FILE

gen       writes orgs.csv, directory.csv (N mailboxes) and push.csv (N rows
          against them) into DIR, for scripts/bench.sh.
csvparse  reads FILE with bare encoding/csv and nothing else: the reference
          figure validate and process are measured against.`

func runBench(_ context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	set := synth.Set{Seed: 1}
	fs.IntVar(&set.Rows, "rows", 100000, "rows and mailboxes")
	fs.IntVar(&set.Orgs, "orgs", 200, "organisations")
	fs.Float64Var(&set.Update, "update", 0.08, "share of rows that change a mailbox")
	fs.Float64Var(&set.Create, "create", 0.02, "share of rows that are new users")
	fs.BoolVar(&set.Shuffle, "shuffle", false, "push file in random order")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 2 && pos[0] == "gen":
		return benchGen(a, set, pos[1])
	case len(pos) == 2 && pos[0] == "csvparse":
		return benchParse(a, pos[1])
	}
	return usagef("say gen DIR or csvparse FILE")
}

func benchGen(a *app, set synth.Set, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"orgs.csv", set.Organisations}, {"directory.csv", set.Directory}, {"push.csv", set.PushFile}} {
		out, err := os.Create(filepath.Join(dir, f.name))
		if err != nil {
			return err
		}
		err = f.write(out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	fmt.Fprintf(a.stderr, "wrote %d organisations, %d mailboxes and a %d-row push file to %s\n", set.Orgs, set.Rows, set.Rows, dir)
	return nil
}

func benchParse(a *app, path string) error {
	f, err := openInput(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	n, cells := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n++
		cells += len(rec)
	}
	fmt.Fprintf(a.stderr, "parsed %d records (%d cells) in %s\n", n, cells, strings.TrimSpace(time.Since(start).Round(time.Millisecond).String()))
	return nil
}
