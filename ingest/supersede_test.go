package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"connectord/internal/imaptest"
	"connectord/store"
)

// A new sender sends several files for one day: only the last is waiting,
// so only it has a review notice and a held notice; the earlier ones'
// unsent notices are dropped with them, whether they came in the same
// batch, the same poll or an earlier one. Mail already sent stays.
func TestSupersededHeldFileMail(t *testing.T) {
	tests := []struct {
		name  string
		polls [][]string // files per poll; the fixture's batches hold 3 messages
		// sent marks the first file's held notice sent before the next poll.
		sent bool
		// want is each file's mail, kinds sorted.
		want map[string]string
	}{
		{"three files in one batch", [][]string{{"a.csv", "b.csv", "c.csv"}}, false,
			map[string]string{"a.csv": "", "b.csv": "", "c.csv": "held review"}},
		{"four files in one poll, two batches", [][]string{{"a.csv", "b.csv", "c.csv", "d.csv"}}, false,
			map[string]string{"a.csv": "", "b.csv": "", "c.csv": "", "d.csv": "held review"}},
		{"two polls", [][]string{{"a.csv"}, {"b.csv"}}, false,
			map[string]string{"a.csv": "", "b.csv": "held review"}},
		{"two polls, the first held notice already sent", [][]string{{"a.csv"}, {"b.csv"}}, true,
			map[string]string{"a.csv": "held", "b.csv": "held review"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := imaptest.Start(t, capsMove)
			f := newIngestFixture(t, srv.Addr)
			ctx := context.Background()
			hour := 9
			for i, poll := range tc.polls {
				for _, name := range poll {
					srv.Append(t, submissionMail("alice.smith@nhs.net", name, validCSV), at("2026-03-03", fmt.Sprintf("%02d:00:00", hour)))
					hour++
				}
				f.sync(t)
				if i == 0 && tc.sent {
					for _, m := range f.outbox(t) {
						if m.Kind == store.MailHeld {
							if err := f.st.MarkSent(ctx, m.ID, f.now); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
			}
			subs := map[string]store.Submission{}
			all, err := f.st.Submissions(ctx, store.SubmissionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range all {
				subs[s.Filename] = s
			}
			got := map[string]string{}
			for name, s := range subs {
				mail, err := f.st.Outbox(ctx, store.OutboxFilter{SubmissionID: s.ID})
				if err != nil {
					t.Fatal(err)
				}
				var kinds []string
				for _, m := range mail {
					kinds = append(kinds, m.Kind)
				}
				sort.Strings(kinds)
				got[name] = strings.Join(kinds, " ")
			}
			for name, want := range tc.want {
				if got[name] != want {
					t.Errorf("%s: mail %q, want %q", name, got[name], want)
				}
			}

			last := tc.polls[len(tc.polls)-1]
			lastName := last[len(last)-1]
			waiting := subs[lastName]
			if waiting.State != store.StateHeld {
				t.Fatalf("%s: %s, want held", lastName, waiting.State)
			}
			first := subs["a.csv"]
			for _, m := range mustOutbox(t, f, waiting.ID) {
				if m.Kind == store.MailHeld && !strings.Contains(m.Body, `replaces "`) {
					t.Errorf("the held notice of %s does not say what it replaces:\n%s", lastName, m.Body)
				}
				if m.Kind == store.MailReview && !strings.Contains(m.Body, "needs no review any more") {
					t.Errorf("the review notice of %s does not say what it replaces:\n%s", lastName, m.Body)
				}
			}

			r := &Review{Store: f.st}
			_, err = r.Approve(ctx, first.ID, "rita", f.now)
			var se *store.SupersededError
			if !errors.As(err, &se) || !errors.Is(err, store.ErrAlreadyDecided) {
				t.Fatalf("approve a.csv: got %v, want a SupersededError", err)
			}
			for _, want := range []string{`"a.csv"`, fmt.Sprintf(`submission %d ("%s")`, waiting.ID, lastName), fmt.Sprintf("review submission %d instead", waiting.ID)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("approve a.csv: %q lacks %q", err, want)
				}
			}
			if s, _ := f.st.Submission(ctx, first.ID); s.State != store.StateSuperseded {
				t.Errorf("a.csv after the refused approval: %s, want superseded", s.State)
			}
		})
	}
}

func mustOutbox(t *testing.T, f *ingestFixture, id int64) []store.OutboxMessage {
	t.Helper()
	m, err := f.st.Outbox(context.Background(), store.OutboxFilter{SubmissionID: id})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
