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

const benchUsage = `connectord bench gen [-shape real|easy] [-rows N] [-orgs N] [-update F] [-create F] [-order O] [-seed N] DIR
connectord bench csvparse FILE

gen       writes orgs.csv, directory.csv (N mailboxes) and push.csv (N rows
          against them) into DIR, for scripts/bench.sh. The shape sets the
          defaults of the other flags: real (100 organisations, sorted by
          surname, 10% changed, 10% new starters, realistic names whose
          addresses collide) or easy (200 organisations, directory order,
          8% changed, 2% new, few names). -order is directory, surname or
          random.
csvparse  reads FILE with bare encoding/csv and nothing else: the reference
          figure validate and process are measured against.`

func runBench(_ context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	shape := fs.String("shape", "real", "real or easy: the defaults of the flags below")
	rows := fs.Int("rows", 100000, "rows and mailboxes")
	orgs := fs.Int("orgs", 0, "organisations (0: the shape's)")
	update := fs.Float64("update", -1, "share of rows that change a mailbox (-1: the shape's)")
	create := fs.Float64("create", -1, "share of rows that are new users (-1: the shape's)")
	order := fs.String("order", "", "push file order: directory, surname or random (empty: the shape's)")
	seed := fs.Uint64("seed", 1, "random seed")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	set, err := benchSet(*shape, *rows)
	if err != nil {
		return usagef("%v", err)
	}
	if *order != "" {
		if set.Order, err = synth.ParseOrder(*order); err != nil {
			return usagef("%v", err)
		}
	}
	if *orgs > 0 {
		set.Orgs = *orgs
	}
	if *update >= 0 {
		set.Update = *update
	}
	if *create >= 0 {
		set.Create = *create
	}
	set.Seed = *seed
	switch {
	case len(pos) == 2 && pos[0] == "gen":
		return benchGen(a, set, pos[1])
	case len(pos) == 2 && pos[0] == "csvparse":
		return benchParse(a, pos[1])
	}
	return usagef("say gen DIR or csvparse FILE")
}

func benchSet(shape string, rows int) (synth.Set, error) {
	switch shape {
	case "real":
		return synth.RealShape(rows), nil
	case "easy":
		return synth.EasyShape(rows), nil
	}
	return synth.Set{}, fmt.Errorf("-shape %q: want real or easy", shape)
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
