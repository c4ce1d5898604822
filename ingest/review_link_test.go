package ingest

import (
	"fmt"
	"strings"
	"testing"

	"connectord/internal/imaptest"
	"connectord/store"
)

func TestReviewLink(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"", ""},
		{"https://connector.example.nhs.uk", "https://connector.example.nhs.uk/review/12"},
		{"https://connector.example.nhs.uk/", "https://connector.example.nhs.uk/review/12"},
		{"https://connector.example.nhs.uk/console/", "https://connector.example.nhs.uk/console/review/12"},
		{"https://connector.example.nhs.uk:8443/a%20b", "https://connector.example.nhs.uk:8443/a%20b/review/12"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/review/12"},
		{"not a url", ""},
	} {
		if got := reviewLink(tc.base, 12); got != tc.want {
			t.Errorf("reviewLink(%q): got %q, want %q", tc.base, got, tc.want)
		}
	}
}

// The email to reviewers names the held file's page in the console when
// console.public_url is set, and keeps the command lines.
func TestReviewMailLinksToTheConsole(t *testing.T) {
	for _, base := range []string{"https://connector.example.nhs.uk/console/", ""} {
		t.Run(fmt.Sprintf("public_url %q", base), func(t *testing.T) {
			srv := imaptest.Start(t, capsMove)
			f := newIngestFixture(t, srv.Addr)
			f.poller.Recorder.Rules.ConsoleURL = base
			srv.Append(t, submissionMail("alice.smith@nhs.net", "first.csv", validCSV), at("2026-03-03", "10:00:00"))
			out := f.sync(t)
			if len(out) != 1 || out[0].State != store.StateHeld {
				t.Fatalf("got %+v, want one held", out)
			}
			link := fmt.Sprintf("https://connector.example.nhs.uk/console/review/%d", out[0].SubmissionID)
			for _, m := range f.outbox(t) {
				if m.Kind != store.MailReview {
					continue
				}
				if has := strings.Contains(m.Body, "\n  "+link+"\n"); has != (base != "") {
					t.Errorf("review mail names %s: %v, want %v:\n%s", link, has, base != "", m.Body)
				}
				if !strings.Contains(m.Body, fmt.Sprintf("connectord review approve %d", out[0].SubmissionID)) {
					t.Errorf("review mail lost its command lines:\n%s", m.Body)
				}
				return
			}
			t.Fatal("no review mail")
		})
	}
}
