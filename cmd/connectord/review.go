package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"connectord/ingest"
	"connectord/store"
)

const reviewUsage = `connectord review list
connectord review approve ID [-by NAME]
connectord review reject ID -reason TEXT [-by NAME]

A first file from a new sender is held until a reviewer decides.
approve  accepts it for the next batch and trusts the sender from then on;
         refused, with the reason, when the sender is no longer on the
         Connector roster or a later file from them replaced this one
reject   refuses it; the reason is emailed to the sender
-by names the reviewer in the audit (default: the login name).`

func runReview(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	reason := fs.String("reason", "", "why the file is rejected (sent to the sender)")
	by := fs.String("by", "", "reviewer name")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say list, approve ID or reject ID")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if pos[0] == "list" && len(pos) == 1 {
		subs, err := st.Submissions(ctx, store.SubmissionFilter{State: store.StateHeld})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRECEIVED\tSENDER\tFILE\tROWS\tINVALID\tBATCH DAY")
		for i := len(subs) - 1; i >= 0; i-- { // oldest first
			s := subs[i]
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\n", s.ID, s.ReceivedAt.Local().Format("2006-01-02 15:04"),
				s.Sender, s.Filename, s.FileRows, s.FileInvalid, s.BatchDay)
		}
		return tw.Flush()
	}
	if len(pos) != 2 || (pos[0] != "approve" && pos[0] != "reject") {
		return usagef("unknown or incomplete review command %q", strings.Join(pos, " "))
	}
	id, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil {
		return usagef("%q is not a submission ID", pos[1])
	}
	who := operatorName(*by)
	r := &ingest.Review{Store: st}
	if pos[0] == "approve" {
		sub, err := r.Approve(ctx, id, who, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "approved submission %d (%s from %s); %s is trusted from now on\n", id, sub.Filename, sub.Sender, sub.Sender)
		return nil
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("reject needs -reason TEXT (it is emailed to the sender)")
	}
	sub, err := r.Reject(ctx, id, *reason, who, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "rejected submission %d (%s from %s)\n", id, sub.Filename, sub.Sender)
	return nil
}
