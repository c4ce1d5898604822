package main

import (
	"context"
	"flag"
	"fmt"

	"connectord/ingest"
)

const pollUsage = `connectord poll -once

Takes every message waiting in the connector mailbox now: each is kept in
the spool, given its disposition (accepted, held, superseded, rejected,
ignored) with any reply queued, and moved to the processed mailbox. Prints
one line per message, then exits.`

func runPoll(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("poll", flag.ContinueOnError)
	once := fs.Bool("once", false, "sync once and exit")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || !*once {
		return usagef("say -once (the daemon, 'connectord serve', polls continuously)")
	}
	if err := a.dataDir(); err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := a.poller(ctx, st)
	if err != nil {
		return err
	}
	defer p.Close()
	out, err := p.SyncOnce(ctx)
	for _, o := range out {
		fmt.Fprintln(a.stdout, outcomeLine(o))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "%d messages taken\n", len(out))
	return nil
}

func outcomeLine(o ingest.Outcome) string {
	id := "-"
	if o.SubmissionID != 0 {
		id = fmt.Sprint(o.SubmissionID)
	}
	sender, file := o.Sender, o.Filename
	if sender == "" {
		sender = "-"
	}
	if file == "" {
		file = "-"
	}
	return fmt.Sprintf("uid %d\tsubmission %s\t%s\t%s\t%s\t%s", o.UID, id, o.State, sender, file, o.Reason)
}
