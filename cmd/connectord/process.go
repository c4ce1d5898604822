package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"connectord/internal/atomicfile"
	"connectord/provision"
	"connectord/store"
)

const processUsage = `connectord process -sender ADDR [-dry-run] [-o OUT] FILE

Does to one push file, now, what the batch does: every row is
decided in file order and the whole file is applied in one transaction
(with directory.backend ldap, row by row, each exactly once: the same
file processed again after an interrupted run resumes it).
The results file (the file as received, with Result, Detail, EmailAddress
and GeneratedPassword columns) goes to OUT or standard output; the count
of each status goes to standard error.

  -sender ADDR  the submitting address; it must be on the Connector roster
  -dry-run      decide every row but change nothing
  -o OUT        write the results file to OUT (written whole, or not at all)

Exit status: 0 the file was processed (whatever the rows' statuses),
2 the file is unusable, 3 the sender is not on the roster.`

func runProcess(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("process", flag.ContinueOnError)
	sender := fs.String("sender", "", "submitting address")
	dryRun := fs.Bool("dry-run", false, "change nothing")
	outPath := fs.String("o", "", "results file")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("name one FILE")
	}
	if *sender == "" {
		return usagef("-sender ADDR is required")
	}
	name := pos[0]
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	who, err := st.Sender(ctx, *sender)
	if errors.Is(err, store.ErrNotFound) {
		return exitWith(exitNoSender, fmt.Errorf("%s is not on the Connector roster: add it with 'connectord senders add %s -org CODE'", *sender, *sender))
	}
	if err != nil {
		return err
	}
	opts, err := a.readOptions(ctx, st)
	if err != nil {
		return err
	}
	f, err := openInput(name)
	if err != nil {
		return err
	}
	defer f.Close()

	out, finish, err := a.resultsOutput(*outPath)
	if err != nil {
		return err
	}
	committed := false
	defer func() { finish(committed) }()
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dir, closeDir, err := a.directoryBackend()(ctx, tx, *dryRun)
	if err != nil {
		return err
	}
	defer closeDir()
	key, err := processKey(f, who.Address)
	if err != nil {
		return err
	}
	p := &provision.Processor{Domain: a.cfg.Directory.Domain, Log: a.log}
	start := time.Now()
	sum, err := p.Apply(ctx, dir, provision.File{Name: filepath.Base(name), Data: f, Read: opts},
		provision.Job{Sender: who, Now: start, DryRun: *dryRun, Results: out, Key: key})
	if err != nil {
		return fileProblems(a.stderr, name, err)
	}
	if *dryRun {
		if err := tx.Rollback(); err != nil {
			return err
		}
	} else if err := tx.Commit(); err != nil {
		return err
	}
	committed = true
	if err := finish(true); err != nil {
		return err
	}
	fmt.Fprintln(a.stderr, countsLine(name, sum.Counts, *dryRun, time.Since(start)))
	return nil
}

// processKey names a file in the directory's journal: the same file from
// the same sender, processed again after a run that stopped part-way,
// resumes it. f is read, then rewound.
func processKey(f io.ReadSeeker, sender string) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return fmt.Sprintf("process %s %x", sender, h.Sum(nil)), nil
}

// countsLine is the per-status summary printed after a file.
func countsLine(name string, c provision.Counts, dryRun bool, took time.Duration) string {
	var parts []string
	for _, s := range provision.Statuses() {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, c[s]))
		}
	}
	verb := "processed"
	if dryRun {
		verb = "dry run of"
	}
	if len(parts) == 0 {
		parts = []string{"no rows"}
	}
	return fmt.Sprintf("%s %s: %d rows in %s: %s", verb, name, c.Total(), took.Round(time.Millisecond), strings.Join(parts, ", "))
}

// resultsOutput returns where the results go and a function that finishes
// them: for a file, a temporary file renamed into place only when ok, so
// OUT is whole or untouched.
func (a *app) resultsOutput(path string) (io.Writer, func(ok bool) error, error) {
	if path == "" || path == "-" {
		bw := bufio.NewWriterSize(a.stdout, 64<<10)
		done := false
		return bw, func(bool) error {
			if done {
				return nil
			}
			done = true
			return bw.Flush()
		}, nil
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("create results file: %w", err)
	}
	return f.Writer(), func(ok bool) error {
		if !ok {
			f.Abort()
			return nil
		}
		return f.Commit()
	}, nil
}
