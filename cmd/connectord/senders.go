package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"connectord/inspect"
)

const sendersUsage = `connectord senders add ADDR -org CODE[,CODE] [-by NAME]
connectord senders list
connectord senders remove ADDR [-by NAME]

The Connector roster: the addresses allowed to submit files, and for which
organisations. add on an address already on the roster sets its
organisations to exactly the ones given. add refuses an address the
mailbox would never take a file from: one outside ingest.allowed_domains,
or with a character that is not ASCII (a look-alike such as the Kelvin
sign for k). Every change is written to the
audit trail the console shows, under -by or your login name.`

func runSenders(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("senders", flag.ContinueOnError)
	orgs := fs.String("org", "", "organisation codes, comma-separated")
	by := fs.String("by", "", "who makes the change, for the audit trail (default: your login name)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say add, list or remove")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case pos[0] == "add" && len(pos) == 2:
		// The rule the mailbox applies to every From: an address it would
		// refuse could never submit a file.
		addr, err := inspect.SenderAddress(pos[1], a.cfg.Ingest.AllowedDomains)
		if err != nil {
			return fmt.Errorf("this address can never submit a file, so it is not added: %w", err)
		}
		var codes []string
		for _, c := range strings.Split(*orgs, ",") {
			if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
				codes = append(codes, c)
			}
		}
		if len(codes) == 0 {
			return usagef("-org CODE[,CODE] is required")
		}
		if err := st.PutSender(ctx, addr, codes, operatorName(*by), time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "%s may submit files for %s\n", addr, strings.Join(codes, ", "))
		return nil
	case pos[0] == "list" && len(pos) == 1:
		list, err := st.Senders(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ADDRESS\tORGANISATIONS\tADDED")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Address, strings.Join(s.Orgs, ","), s.AddedAt.Format(time.DateOnly))
		}
		return tw.Flush()
	case pos[0] == "remove" && len(pos) == 2:
		if err := st.RemoveSender(ctx, pos[1], operatorName(*by), time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "%s removed from the Connector roster\n", pos[1])
		return nil
	}
	return usagef("unknown or incomplete senders command %q", strings.Join(pos, " "))
}
