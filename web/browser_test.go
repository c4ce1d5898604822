package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"connectord/store"
)

// denshamCSV is a first file from a second new sender, to reject.
const denshamCSV = "FirstName,LastName,Local ID,Organisation\r\nEve,Adams,D1,RR8\r\n"

// A reviewer previews a held file and approves it, another is rejected
// with a reason, and an operator runs the night from the console: the
// results email is in the outbox and the reason reached the sender.
func TestBrowserReviewApproveAndNight(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	leeds := f.held(t, "alice.smith@nhs.net", "leeds-staff.csv", pushCSV)
	densham := f.held(t, "bob.jones@nhs.net", "densham.csv", denshamCSV)

	rita := f.page(t, browser)
	if st := rita.signIn(reviewerName, testPassword); st != http.StatusOK {
		t.Fatalf("sign in: status %d", st)
	}
	rita.contains("#held", "leeds-staff.csv", "alice.smith@nhs.net", "RR8", "densham.csv", "A81001")
	rita.check("review-queue")

	if st := rita.submit(fmt.Sprintf(`a[href="/review/%d"]`, leeds)); st != http.StatusOK {
		t.Fatalf("open the preview: status %d", st)
	}
	rita.contains("#preview-counts", "PROCESSED_NEW", "PROCESSED_UPDATED", "ACCESS_DENIED", "INVALID")
	rita.contains("#results", "ann.other@nhs.net", "changed: JobTitle", "does not hold the Connector role for organisation X26", "LastName: is required")
	rita.check("review-preview")
	if st := rita.submit("#approve"); st != http.StatusOK {
		t.Fatalf("approve: status %d", st)
	}
	rita.contains("#flash", "Approved leeds-staff.csv")

	reason := "The file names organisation RR8, which you do not hold the Connector role for."
	rita.open(fmt.Sprintf("/review/%d", densham))
	rita.fill("#reason-text", reason)
	if st := rita.submit("#reject"); st != http.StatusOK {
		t.Fatalf("reject: status %d", st)
	}
	rita.contains("#flash", "Rejected densham.csv")
	if s := f.submission(t, densham); s.State != store.StateRejected || s.ReviewedBy != reviewerName {
		t.Errorf("densham.csv: %s by %q, want rejected by rita", s.State, s.ReviewedBy)
	}
	if m := f.mail(t, densham, store.MailDecision); len(m) != 1 || m[0].Recipient != "bob.jones@nhs.net" || !strings.Contains(m[0].Body, reason) {
		t.Errorf("rejection mail: got %+v, want one to bob.jones@nhs.net with the reason", m)
	}

	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.open("/nights")
	oscar.fill("#run-day", f.day)
	if st := oscar.submit("#run-now"); st != http.StatusOK {
		t.Fatalf("run now: status %d", st)
	}
	oscar.contains("#flash", "The batch for "+f.day+" has started")
	f.srv.runs.wait()
	if n := f.ran.Load(); n != 1 {
		t.Errorf("Deps.Ran told of %d nights, want 1", n)
	}
	oscar.open("/nights")
	oscar.contains("#runs", f.day, "console", "done", "PROCESSED_NEW: 1", "PROCESSED_UPDATED: 1")
	oscar.contains("#last-run", "ended done: 1 file")
	oscar.check("nights")

	if s := f.submission(t, leeds); s.State != store.StateProcessed {
		t.Fatalf("leeds-staff.csv: %s, want processed", s.State)
	}
	results := f.mail(t, leeds, store.MailResults)
	if len(results) != 1 || results[0].Recipient != "alice.smith@nhs.net" || results[0].AttachmentName != "leeds-staff-results.csv" {
		t.Fatalf("results mail: got %+v, want one to alice.smith@nhs.net with leeds-staff-results.csv", results)
	}
	oscar.open(fmt.Sprintf("/submissions/%d", leeds))
	oscar.contains("#state", "processed")
	oscar.contains("#results", "ann.other@nhs.net", "PROCESSED_NEW")
	oscar.contains("main", "Results: leeds-staff.csv", "approve")
	oscar.check("submission")
	if f.wakes.Load() == 0 {
		t.Error("the outbox sender was never woken")
	}
}

// A reviewer cannot reach operator pages, a forged cross-origin POST is
// refused, and five wrong passwords lock an account.
func TestBrowserSecurity(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds-staff.csv", pushCSV)

	rita := f.page(t, browser)
	rita.signIn(reviewerName, testPassword)
	for _, path := range []string{"/roster", "/outbox"} {
		if st := rita.open(path); st != http.StatusForbidden {
			t.Errorf("reviewer opens %s: status %d, want 403", path, st)
		}
		rita.contains("#error-text", "for operators")
	}
	if strings.Contains(rita.text("header"), "Roster") {
		t.Error("a reviewer's menu offers the roster")
	}
	rita.check("forbidden")

	// Another site (another origin on loopback) posts to the console with
	// the reviewer's cookies.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><title>Prize</title><form method="post" action="%s/review/%d/approve">
<input type="hidden" name="csrf" value="guessed"><button id="go">Claim your prize</button></form>`, f.url, id)
	}))
	t.Cleanup(evil.Close)
	if _, err := chromedp.Run(rita.ctx, chromedp.NavigateResponse(evil.URL)); err != nil {
		t.Fatal(err)
	}
	if st := rita.submit("#go"); st != http.StatusForbidden {
		t.Errorf("forged cross-origin POST: status %d, want 403", st)
	}
	rita.contains("#error-text", "came from another site")
	if s := f.submission(t, id); s.State != store.StateHeld {
		t.Errorf("after the forged POST: %s, want held", s.State)
	}

	tess := f.page(t, browser)
	for i := 1; i <= 5; i++ {
		want := int64(http.StatusUnauthorized)
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if st := tess.signIn("tess", "guess number "+fmt.Sprint(i)); st != want {
			t.Errorf("wrong password %d: status %d, want %d", i, st, want)
		}
	}
	if st := tess.signIn("tess", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("right password after five wrong ones: status %d, want 429", st)
	}
	tess.contains("#login-error", "Too many failed sign-ins")
	tess.check("sign-in-throttled")
}

// The validate page reports a bad file line by line, as connectord
// validate does.
func TestBrowserValidate(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "march-starters.csv")
	if err := os.WriteFile(path, []byte(badCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	rita := f.page(t, browser)
	rita.signIn(reviewerName, testPassword)
	rita.open("/validate")
	rita.check("")
	if err := chromedp.Do(rita.ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{path})); err != nil {
		t.Fatal(err)
	}
	if st := rita.submit("#check"); st != http.StatusOK {
		t.Fatalf("check: status %d", st)
	}
	rita.contains("#report-summary", "3 rows: 1 valid, 2 invalid")
	rita.contains("#problems", "FirstName", "is required", "unknown organisation code", "is not a mailbox size")
	text, err := chromedp.Run(rita.ctx, chromedp.TextContent(chromedp.ID("report-text")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`march-starters.csv:3: FirstName: is required`,
		`march-starters.csv:4: Organisation: unknown organisation code "ZZZ9"`,
		`march-starters.csv:4: EmailSize: "200" is not a mailbox size`,
		`3 rows: 1 valid, 2 invalid`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q:\n%s", want, text)
		}
	}
	rita.check("validate")
}

// Every page passes axe-core and reads on a narrow screen.
func TestBrowserEveryPageAccessible(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	ctx := context.Background()
	processed := f.held(t, "alice.smith@nhs.net", "leeds-staff.csv", pushCSV)
	if _, err := f.srv.deps.Review.Approve(ctx, processed, reviewerName, f.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.batch.Run(ctx, f.day, "schedule", f.now()); err != nil {
		t.Fatal(err)
	}
	held := f.held(t, "bob.jones@nhs.net", "densham.csv", denshamCSV)
	if err := f.st.MarkFailed(ctx, f.mail(t, held, store.MailHeld)[0].ID, "454 4.7.0 temporary authentication failure"); err != nil {
		t.Fatal(err)
	}

	oscar := f.page(t, browser)
	oscar.open("/login")
	oscar.check("sign-in")
	oscar.signIn(operatorName, testPassword)
	oscar.open("/roster")
	oscar.fill("#address", "carol.white@nhs.net")
	oscar.fill("#orgs", "RR8, X26")
	oscar.submit("#roster-add")
	oscar.contains("#flash", "carol.white@nhs.net may submit files for RR8, X26")
	oscar.contains("#roster", "carol.white@nhs.net")
	oscar.check("roster")
	oscar.fill("#address", "not an address")
	if st := oscar.submit("#roster-add"); st != http.StatusUnprocessableEntity {
		t.Errorf("bad address: status %d, want 422", st)
	}
	oscar.check("")

	for _, pg := range []struct{ path, name string }{
		{"/review", ""},
		{fmt.Sprintf("/review/%d", held), ""},
		{"/submissions", "submissions"},
		{"/submissions?day=2026-3-3", ""},
		{fmt.Sprintf("/submissions/%d", processed), ""},
		{fmt.Sprintf("/review/%d", processed), ""},
		{"/nights", ""},
		{"/outbox", "outbox"},
		{"/organisations", "organisations"},
		{"/validate", ""},
		{"/no/such/page", ""},
	} {
		oscar.open(pg.path)
		oscar.check(pg.name)
	}
	oscar.open("/outbox")
	oscar.contains("#failed", "454 4.7.0")

	if err := chromedp.Do(oscar.ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/review", fmt.Sprintf("/review/%d", held), fmt.Sprintf("/submissions/%d", processed), "/nights", "/outbox", "/roster"} {
		oscar.open(path)
		oscar.fitsWidth(path)
		oscar.axe(path + " (narrow)")
	}
	oscar.open(fmt.Sprintf("/review/%d", held))
	oscar.check("review-preview-narrow")
}

// Run now for today before the cutoff asks first, in plain HTML: the
// confirmation passes axe-core, and the run starts once confirmed.
func TestBrowserRunNowBeforeTheCutoff(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	today, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-03 15:00", london)
	if err != nil {
		t.Fatal(err)
	}
	f.setNow(today)
	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.open("/nights")
	oscar.fill("#run-day", "2026-03-03")
	if st := oscar.submit("#run-now"); st != http.StatusOK {
		t.Fatalf("run now: status %d", st)
	}
	oscar.contains("#confirm-warning", "Files received before 20:00 (Europe/London) still go into the batch for 2026-03-03", "second results email")
	oscar.check("")
	if st := oscar.submit("#confirm-run"); st != http.StatusOK {
		t.Fatalf("confirm: status %d", st)
	}
	oscar.contains("#flash", "The batch for 2026-03-03 has started")
	f.srv.runs.wait()
}
