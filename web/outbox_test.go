package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"connectord/store"
)

// The outbox says in words why mail failed, offers a plain Retry only
// where one can succeed, warns before retrying a permanent refusal or a
// mail that later mail overtook, keeps the attempts across retries and
// lists sent mail by search.
func TestOutboxWordsAndRetries(t *testing.T) {
	f, done, held := processedFixture(t)
	ctx := context.Background()
	ack := f.mail(t, done, store.MailHeld)[0] // overtaken by the decision and the results
	rev := f.mail(t, held, store.MailReview)[0]
	for _, m := range []store.OutboxMessage{ack, rev} {
		if ok, err := f.st.ClaimMail(ctx, m.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	decision := f.mail(t, done, store.MailDecision)[0]
	if err := f.st.MarkSent(ctx, decision.ID, f.now()); err != nil {
		t.Fatal(err)
	}
	if err := f.st.MarkFailed(ctx, ack.ID, "gave up after 8 attempts: 451 4.3.0 try later"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.MarkFailed(ctx, rev.ID, "gave up after 8 attempts: 421 4.4.2 connection dropped"); err != nil {
		t.Fatal(err)
	}
	oscar := f.login(t, operatorName)
	_, body := oscar.get("/outbox?state=failed")
	mustContain(t, "the failed mail", body, "connectord tried several times and gave up. The relay asked connectord to try again later.",
		fmt.Sprintf(`<form method="post" action="/outbox/%d/retry"`, rev.ID),
		fmt.Sprintf(`<a class="app-nowrap" href="/outbox/%d/retry">Retry`, ack.ID))
	if strings.Contains(body, fmt.Sprintf(`action="/outbox/%d/retry"`, ack.ID)) {
		t.Error("an overtaken mail has a plain Retry")
	}
	status, body := oscar.post(fmt.Sprintf("/outbox/%d/retry", ack.ID), url.Values{})
	mustContain(t, "the overtaken mail's confirmation", body, fmt.Sprintf("A later mail about the same submission to alice.smith@nhs.net, mail %d (Reviewer's decision), was sent", decision.ID),
		"retrying sends the older news after it", "It has had 1 attempt so far.")
	if status != http.StatusOK {
		t.Errorf("retry without confirming: got %d", status)
	}
	if _, body := oscar.post(fmt.Sprintf("/outbox/%d/retry", rev.ID), url.Values{}); !strings.Contains(body, "queued to be sent again") {
		t.Error("a mail a retry can get through was not retried at once")
	}
	if m, _ := f.st.OutboxMessage(ctx, rev.ID); m.State != store.OutboxPending || m.TotalAttempts != 1 || m.Attempts != 0 {
		t.Errorf("after the retry: %+v, want pending with its 1 attempt kept", m)
	}
	_, body = oscar.get("/outbox?" + url.Values{"state": {"sent"}, "q": {strings.ToUpper(decision.MessageID[:12])}}.Encode())
	if !strings.Contains(body, fmt.Sprintf(`href="/mail/%d"`, decision.ID)) || strings.Contains(body, fmt.Sprintf(`href="/mail/%d"`, ack.ID)) {
		t.Errorf("sent mail search: want the decision only:\n%s", body)
	}
	_, body = oscar.get("/outbox?" + url.Values{"kind": {store.MailResults}}.Encode())
	if !strings.Contains(body, "Results: leeds-staff.csv") || strings.Contains(body, "waiting for review") {
		t.Error("the kind filter lists other kinds")
	}
	if status, _ := oscar.get("/outbox?state=bogus&kind=bogus"); status != http.StatusOK {
		t.Errorf("unknown filters: got %d, want the page", status)
	}
}
