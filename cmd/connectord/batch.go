package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"connectord/batchday"
	"connectord/ingest"
	"connectord/store"
)

const batchUsage = `connectord batch run [-day YYYY-MM-DD] [-no-sync] [-force]
connectord batch list [-json]
connectord batch show YYYY-MM-DD

The batch applies every accepted file of a batch day; each time it does
is a run (its row in 'batch list'). The schedule starts one a day.

run   starts a run now, as the schedule would: the mailbox is synced first
      (retried for up to batch.sync_timeout; -no-sync skips it, and the run
      is recorded as skipped), then every accepted file of that batch day or
      earlier is processed. The day defaults to the one whose cutoff has
      passed most recently. Running a day again is safe: files already
      processed are not applied twice. A day whose cutoff has not passed
      yet (today before batch.cutoff) is refused unless -force: a file that
      arrives later that day would get a second results email.
list  lists the runs, newest first.
show  shows the runs of one batch day.`

// runJSON is the -json form of a batch run.
type runJSON struct {
	ID       int64           `json:"id"`
	Day      string          `json:"batch_day"`
	State    string          `json:"state"`
	Trigger  string          `json:"trigger"`
	Synced   bool            `json:"synced"`
	Sync     string          `json:"sync"`
	Files    int             `json:"files"`
	Counts   json.RawMessage `json:"counts,omitempty"`
	Started  time.Time       `json:"started"`
	Finished *time.Time      `json:"finished,omitempty"`
	Seconds  float64         `json:"duration_seconds"`
	Errors   string          `json:"errors,omitempty"`
}

func runToJSON(r store.BatchRun) runJSON {
	j := runJSON{ID: r.ID, Day: r.BatchDay, State: r.State, Trigger: r.Trigger, Synced: r.Synced(), Sync: r.Sync, Files: r.Files,
		Started: r.StartedAt, Errors: r.Errors}
	if r.Counts != "" {
		j.Counts = json.RawMessage(r.Counts)
	}
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		j.Finished = &f
		j.Seconds = f.Sub(r.StartedAt).Seconds()
	}
	return j
}

func runBatch(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("batch", flag.ContinueOnError)
	day := fs.String("day", "", "batch day YYYY-MM-DD")
	noSync := fs.Bool("no-sync", false, "do not sync the mailbox first")
	force := fs.Bool("force", false, "run a day whose cutoff has not passed yet")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say run, list or show DAY")
	}
	if err := a.dataDir(); err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case pos[0] == "run" && len(pos) == 1:
		return batchRun(ctx, a, st, *day, *noSync, *force)
	case pos[0] == "list" && len(pos) == 1:
		runs, err := st.Runs(ctx, "", 0)
		if err != nil {
			return err
		}
		return printRuns(a, runs, *asJSON)
	case pos[0] == "show" && len(pos) == 2:
		runs, err := st.Runs(ctx, pos[1], 0)
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return fmt.Errorf("no run for batch day %s", pos[1])
		}
		if *asJSON {
			return printRuns(a, runs, true)
		}
		for _, r := range runs {
			fmt.Fprintf(a.stdout, "run %d for %s: %s (%s), %d files, mailbox %s\n  started %s, took %s\n  rows %s\n",
				r.ID, r.BatchDay, r.State, r.Trigger, r.Files, syncText(r.Sync), r.StartedAt.Local().Format(time.RFC3339),
				r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond), r.Counts)
			if r.Errors != "" {
				fmt.Fprintf(a.stdout, "  errors:\n    %s\n", strings.ReplaceAll(r.Errors, "\n", "\n    "))
			}
		}
		return nil
	}
	return usagef("unknown or incomplete batch command %q", strings.Join(pos, " "))
}

func batchRun(ctx context.Context, a *app, st *store.Store, day string, noSync, force bool) error {
	loc, err := a.cfg.Location()
	if err != nil {
		return err
	}
	cutoff, err := batchday.ParseCutoff(a.cfg.Batch.Cutoff)
	if err != nil {
		return err
	}
	now := time.Now()
	if day == "" {
		day = batchday.Closed(now, loc, cutoff)
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		return usagef("-day %q is not a date YYYY-MM-DD", day)
	}
	if batchday.Open(day, now, loc, cutoff) && !force {
		return fmt.Errorf("refused: the batch day %s is still open (its cutoff is %s %s): a file that reaches it later would be processed by a later run and its sender would get a second results email; run it after the cutoff, or add -force to run it now anyway",
			day, cutoff, loc)
	}
	var poller *ingest.Poller
	if !noSync {
		if poller, err = a.poller(ctx, st); err != nil {
			return err
		}
		defer poller.Close()
	}
	n, err := a.batch(st, poller)
	if err != nil {
		return err
	}
	r, err := n.Run(ctx, day, "command", now)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "batch %s: %s, %d files, rows %s, mailbox %s\n", day, r.State, r.Files, r.Counts, syncText(r.Sync))
	if r.Errors != "" {
		fmt.Fprintf(a.stderr, "%s\n", r.Errors)
	}
	if r.State != store.RunDone {
		return exitWith(exitFailure, nil)
	}
	return nil
}

func printRuns(a *app, runs []store.BatchRun, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		for _, r := range runs {
			if err := enc.Encode(runToJSON(r)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tBATCH DAY\tSTATE\tTRIGGER\tFILES\tSYNC\tSTARTED\tTOOK\tROWS")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.ID, r.BatchDay, r.State, r.Trigger, r.Files, r.Sync,
			r.StartedAt.Local().Format("2006-01-02 15:04"), r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond), r.Counts)
	}
	return tw.Flush()
}

// syncText says how a run read the mailbox first.
func syncText(sync string) string {
	switch sync {
	case store.SyncDone:
		return "synced first"
	case store.SyncSkipped:
		return "not read first (skipped on purpose: -no-sync)"
	}
	return "not read first (it could not be reached)"
}
