// Command mkmaildir loads a Maildir with generated submissions, and a
// connectord database with the roster they come from, for
// scripts/bench-ingest.sh.
//
//	mkmaildir -n 10000 -senders 50 -rows 14 -chown 65534:65534 -maildir DIR/Maildir
//	mkmaildir -roster var/connectord.db -senders 50
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"connectord/internal/mailbench"
	"connectord/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkmaildir:", err)
		os.Exit(1)
	}
}

func run() error {
	var l mailbench.Load
	flag.IntVar(&l.Messages, "n", 1000, "messages to write")
	flag.IntVar(&l.Senders, "senders", 50, "distinct senders (every other one trusted)")
	flag.IntVar(&l.Rows, "rows", 14, "CSV rows per message (about 140 bytes each)")
	start := flag.String("start", "2026-01-05T09:00:00Z", "receipt time of the first message (RFC 3339)")
	chown := flag.String("chown", "", "UID:GID to own the files (Dovecot's mail user)")
	maildir := flag.String("maildir", "", "Maildir to write into (cur/, new/, tmp/ are created)")
	roster := flag.String("roster", "", "connectord database to put the organisation and senders in")
	flag.Parse()
	var err error
	if l.Start, err = time.Parse(time.RFC3339, *start); err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	l.UID, l.GID = -1, -1
	if *chown != "" {
		u, g, ok := strings.Cut(*chown, ":")
		if l.UID, err = strconv.Atoi(u); err != nil || !ok {
			return fmt.Errorf("-chown %q: want UID:GID", *chown)
		}
		if l.GID, err = strconv.Atoi(g); err != nil {
			return fmt.Errorf("-chown %q: want UID:GID", *chown)
		}
	}
	if *roster != "" {
		ctx := context.Background()
		st, err := store.Open(ctx, *roster)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := mailbench.Roster(ctx, st, l.Senders, time.Now()); err != nil {
			return err
		}
	}
	if *maildir != "" {
		size, err := l.WriteMaildir(*maildir)
		if err != nil {
			return err
		}
		fmt.Printf("%d messages, %d bytes\n", l.Messages, size)
	}
	return nil
}
