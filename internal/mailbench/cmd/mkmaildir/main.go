// Command mkmaildir loads a Maildir with generated submissions, and a
// connectord database with the roster they come from, for
// scripts/bench-ingest.sh.
//
//	mkmaildir -shape real -n 10000 -chown 65534:65534 -maildir DIR/Maildir
//	mkmaildir -shape real -roster var/connectord.db
//
// The shape (mailbench.RealLoad or EasyLoad) sets the defaults of
// -senders, -first-time and -rows; give the same flags to both calls.
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
	shape := flag.String("shape", "real", "real (100 trusted senders, many files each on one day) or easy (50 senders, half first-time, a file a day)")
	n := flag.Int("n", 1000, "messages to write")
	senders := flag.Int("senders", 0, "distinct senders (0: the shape's)")
	firstTime := flag.Int("first-time", -1, "senders whose files are held for review (-1: the shape's)")
	rows := flag.Int("rows", 0, "CSV rows per message, about 140 bytes each (0: the shape's)")
	start := flag.String("start", "2026-01-05T09:00:00Z", "receipt time of the first message (RFC 3339)")
	chown := flag.String("chown", "", "UID:GID to own the files (Dovecot's mail user)")
	maildir := flag.String("maildir", "", "Maildir to write into (cur/, new/, tmp/ are created)")
	roster := flag.String("roster", "", "connectord database to put the organisation and senders in")
	flag.Parse()
	var l mailbench.Load
	switch *shape {
	case "real":
		l = mailbench.RealLoad(*n)
	case "easy":
		l = mailbench.EasyLoad(*n)
	default:
		return fmt.Errorf("-shape %q: want real or easy", *shape)
	}
	if *senders > 0 {
		l.Senders = *senders
	}
	if *firstTime >= 0 {
		l.FirstTime = min(*firstTime, l.Senders)
	}
	if *rows > 0 {
		l.Rows = *rows
	}
	var err error
	if l.Start, err = time.Parse(time.RFC3339, *start); err != nil {
		return fmt.Errorf("-start: %w", err)
	}
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
		if err := l.Roster(ctx, st, time.Now()); err != nil {
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
