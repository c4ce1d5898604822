package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"connectord/store"
)

// pageCase is a page (and state) every browser check visits: axe-core on
// a desktop window and on a 375 px phone, which it must fit.
type pageCase struct {
	path   string
	status int64  // 0: 200
	shot   string // the screenshot's name; "" for none
}

// sweep opens every page wide, then narrow.
func sweep(t *testing.T, p *page, cases []pageCase, narrowShots map[string]string) {
	t.Helper()
	for _, c := range cases {
		want := c.status
		if want == 0 {
			want = http.StatusOK
		}
		if st := p.open(c.path); st != want {
			t.Errorf("%s: status %d, want %d", c.path, st, want)
		}
		p.check(c.shot)
		p.tablesFit(c.path)
	}
	p.narrow()
	defer p.wide()
	for _, c := range cases {
		p.open(c.path)
		p.fitsWidth(c.path)
		p.axe(c.path + " (narrow)")
		if name := narrowShots[c.path]; name != "" {
			p.check(name)
		}
	}
}

// richFixture has a processed file with its night, a small and a large
// held file, a rejected message, failed and sent mail, and roster
// changes.
type richFixture struct {
	*fixture
	done, small, big, rejected int64
	failed, sent               store.OutboxMessage
	run                        store.BatchRun
}

func newRichFixture(t *testing.T) *richFixture {
	t.Helper()
	f, done, small := processedFixture(t)
	ctx := context.Background()
	f.srv.deps.Schedule, f.srv.deps.MailFrom, f.srv.deps.LoopHeader = "30 20 * * *", "connector.data@nhs.net", "X-Connectord-Loop"
	if err := f.st.PutSender(ctx, "carol.white.from.the.leeds.teaching.hospitals@nhs.net", []string{"RR8"}, operatorName, f.now()); err != nil {
		t.Fatal(err)
	}
	csv, _ := bigFile()
	r := &richFixture{fixture: f, done: done, small: small}
	r.big = f.held(t, "carol.white.from.the.leeds.teaching.hospitals@nhs.net", "march-starters-and-leavers-for-the-whole-trust.csv", csv)
	out := f.deliver(t, "mallory.unknown@nhs.net", "staff.csv", pushCSV)
	if out.State != store.StateRejected {
		t.Fatalf("an unknown sender: %s, want rejected", out.State)
	}
	r.rejected = out.SubmissionID
	r.failed = f.mail(t, small, store.MailHeld)[0]
	if err := f.st.MarkFailed(ctx, r.failed.ID, "550 5.1.1 <bob.jones@nhs.net>: Recipient address rejected: User unknown in virtual mailbox table"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.MarkFailed(ctx, f.mail(t, r.rejected, store.MailRejected)[0].ID, "gave up after 8 attempts: 451 4.3.0 Temporary lookup failure"); err != nil {
		t.Fatal(err)
	}
	r.sent = f.mail(t, done, store.MailResults)[0]
	if err := f.st.MarkSent(ctx, r.sent.ID, f.now()); err != nil {
		t.Fatal(err)
	}
	runs, err := f.st.Runs(ctx, "", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v, %v", runs, err)
	}
	r.run = runs[0]
	base := f.now().Add(-48 * time.Hour)
	for i := range submissionsShown + 3 { // a second page of submissions
		s := store.Submission{UIDValidity: 9, UID: uint32(5000 + i), SHA256: fmt.Sprint("old", i), ReceivedAt: base.Add(time.Duration(i) * time.Minute),
			Sender: "dave.green@nhs.net", Filename: fmt.Sprintf("weekly-%02d.csv", i), BatchDay: base.In(london).Format(time.DateOnly),
			State: store.StateIgnored, Reason: "automatic mail: an out-of-office reply", DecidedAt: base}
		if err := f.st.InTx(ctx, func(tx *store.Tx) error { return tx.InsertSubmission(&s) }); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// The review pages, in every state, pass axe-core and fit a phone.
func TestBrowserReviewPagesAccessible(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	rita := f.page(t, browser)
	rita.open("/login")
	rita.check("sign-in")
	rita.signIn(reviewerName, testPassword)
	big := fmt.Sprintf("/review/%d", f.big)
	// The refused rejection, as the reviewer sees it after the redirect.
	rita.open(fmt.Sprintf("/review/%d/reject", f.small))
	if st := rita.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("reject without a reason: status %d", st)
	}
	rita.contains("#error-summary", "Enter a reason")
	rita.check("")
	rita.narrow()
	rita.fitsWidth("the refused rejection")
	rita.wide()
	sweep(t, rita, []pageCase{
		{path: "/review"},
		{path: big},
		{path: big + "?rows=INVALID&page=2", shot: "review-paged"},
		{path: big + "?rows=" + url.QueryEscape(deniedLimit)},
		{path: fmt.Sprintf("/review/%d/approve", f.small)},
		{path: fmt.Sprintf("/review/%d/reject", f.small), shot: "reject-confirm"},
		{path: fmt.Sprintf("/review/%d", f.done)},
		{path: fmt.Sprintf("/review/%d", f.rejected)},
		{path: fmt.Sprintf("/review/%d", f.small)},
	}, map[string]string{fmt.Sprintf("/review/%d", f.small): "review-preview-narrow"})
}

// The lists and the pages about files, mail and nights pass axe-core and
// fit a phone, searched, paged and in error.
func TestBrowserListPagesAccessible(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	rita := f.page(t, browser)
	rita.signIn(reviewerName, testPassword)
	sweep(t, rita, []pageCase{
		{path: "/submissions", shot: "submissions"},
		{path: "/submissions?" + url.Values{"sender": {"alice"}, "file": {"leeds"}, "state": {"processed"}}.Encode()},
		{path: "/submissions?state=superseded"},
		{path: "/submissions?day=2026-3-3", status: http.StatusUnprocessableEntity},
		{path: fmt.Sprintf("/submissions/%d", f.done)},
		{path: fmt.Sprintf("/submissions/%d?rows=INVALID", f.done)},
		{path: fmt.Sprintf("/submissions/%d", f.rejected)},
		{path: fmt.Sprintf("/submissions/%d", f.big)},
		{path: fmt.Sprintf("/mail/%d", f.sent.ID)},
		{path: fmt.Sprintf("/mail/%d", f.failed.ID)},
		{path: "/nights"},
		{path: fmt.Sprintf("/nights/%d", f.run.ID)},
		{path: "/organisations", shot: "organisations"},
		{path: "/validate"},
		{path: "/no/such/page", status: http.StatusNotFound},
	}, map[string]string{"/nights": "nights-narrow"})
	rita.open("/submissions")
	if st := rita.submit("#page-older"); st != http.StatusOK {
		t.Fatalf("older submissions: status %d", st)
	}
	rita.contains("#submissions", "weekly-02.csv")
	rita.check("")
}

// The operators' pages pass axe-core and fit a phone: the roster (with a
// refused address), the outbox, the confirmations and the audit.
func TestBrowserOperatorPagesAccessible(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.open("/roster")
	oscar.fill("#address", "carol.white@nhs.net")
	oscar.fill("#orgs", "RR8, X26")
	oscar.submit("#roster-add")
	oscar.contains("#flash", "carol.white@nhs.net may submit files for RR8, X26")
	oscar.contains("#roster", "carol.white@nhs.net")
	oscar.check("roster")
	oscar.fill("#address", "mallory@gmail.com")
	if st := oscar.submit("#roster-add"); st != http.StatusOK {
		t.Errorf("a refused address: status %d, want the roster again", st)
	}
	oscar.contains("#error-summary", "This address can never submit a file")
	oscar.check("roster-error")
	oscar.narrow()
	oscar.fitsWidth("the refused roster form")
	oscar.wide()
	sweep(t, oscar, []pageCase{
		{path: "/roster?q=nobody"},
		{path: "/roster/remove?" + url.Values{"address": {"bob.jones@nhs.net"}}.Encode(), shot: "roster-remove-confirm"},
		{path: "/outbox", shot: "outbox"},
		{path: "/outbox?state=failed"},
		{path: "/outbox?q=nothing-matches-this"},
		{path: fmt.Sprintf("/outbox/%d/retry", f.failed.ID), shot: "retry-confirm"},
		{path: "/audit", shot: "audit"},
		{path: "/audit?action=reject"},
		{path: "/nights/run?day=" + f.day},
	}, map[string]string{"/outbox": "outbox-narrow"})
}

// A console with nothing in it yet: every list's empty state.
func TestBrowserEmptyPagesAccessible(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.contains("#queue-empty", "No files are waiting")
	sweep(t, oscar, []pageCase{
		{path: "/review"}, {path: "/submissions"}, {path: "/nights"}, {path: "/outbox"}, {path: "/audit"},
	}, nil)
	oscar.open("/nights")
	oscar.contains("#chart-empty", "No night has run")
	oscar.contains("#runs-empty", "No batch has run yet")
}

// The width check compares the page with the screen, so it catches what
// the old one (against innerWidth, which mobile emulation may widen to fit
// the page) could miss:
// a wide table's visually hidden labels (the outbox's "Retry" header, as
// the outbox and roster had) escaping a scroll box that is not
// positioned.
func TestBrowserWidthCheckCatchesOverflow(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.narrow()
	oscar.open("/outbox")
	// The list as a plain wide table, as it was, scrolling in its box.
	if err := oscar.eval(`document.querySelector('#mail-list').className = 'nhsuk-table'`); err != nil {
		t.Fatal(err)
	}
	if over := oscar.overflow(); over != 0 {
		t.Fatalf("a wide table in its scroll box makes the outbox %d px wider than the screen", over)
	}
	if err := oscar.eval(`document.querySelectorAll('.app-table-wrap').forEach(e => e.style.position = 'static')`); err != nil {
		t.Fatal(err)
	}
	if over := oscar.overflow(); over <= 0 {
		t.Errorf("without position: relative the outbox is %d px wider than the screen; the check must see it overflow", over)
	}
	old, err := oscar.evalInt(`document.documentElement.scrollWidth - window.innerWidth`)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the old check (scrollWidth - innerWidth) sees %d px", old)
}

// The table check sees what the page check cannot: a responsive table
// scrolling in its box on a phone, its values off to the side (the outbox
// was, its long addresses unbroken).
func TestBrowserTableCheckCatchesOverflow(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.narrow()
	oscar.open("/outbox")
	if over := oscar.tableOverflow(); over != 0 {
		t.Fatalf("the outbox's list is %d px wider than its box", over)
	}
	if err := oscar.eval(`document.querySelectorAll('#mail-list td, #mail-list td *').forEach(e => e.style.overflowWrap = 'normal')`); err != nil {
		t.Fatal(err)
	}
	if over := oscar.tableOverflow(); over <= 0 {
		t.Errorf("with addresses that cannot break the list is %d px wider than its box; the check must see it", over)
	}
	if over := oscar.overflow(); over != 0 {
		t.Logf("the page check sees %d px", over)
	}
}
