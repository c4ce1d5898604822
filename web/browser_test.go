package web

import (
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

// A reviewer previews a held file, filters its rows and approves it after
// the confirmation; another is rejected with a reason, after the form
// refused an empty one; an operator runs the night from the console after
// its confirmation: the results email is in the outbox, readable as sent,
// and the night has its page.
func TestBrowserReviewApproveAndNight(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t)
	f.srv.deps.Schedule, f.srv.deps.MailFrom, f.srv.deps.LoopHeader = "30 20 * * *", "connector.data@nhs.net", "X-Connectord-Loop"
	leeds := f.held(t, "alice.smith@nhs.net", "leeds-staff.csv", pushCSV)
	densham := f.held(t, "bob.jones@nhs.net", "densham.csv", denshamCSV)

	rita := f.page(t, browser)
	if st := rita.signIn(reviewerName, testPassword); st != http.StatusOK {
		t.Fatalf("sign in: status %d", st)
	}
	rita.contains("#held", "leeds-staff.csv", "alice.smith@nhs.net", "RR8", "densham.csv", "A81001")
	rita.contains("#nav-review-count", "2")
	rita.check("review-queue")

	if st := rita.submit(fmt.Sprintf(`a[href="/review/%d"]`, leeds)); st != http.StatusOK {
		t.Fatalf("open the preview: status %d", st)
	}
	rita.contains("#preview-counts", "PROCESSED_NEW", "PROCESSED_UPDATED", "ACCESS_DENIED, not the sender's organisation", "INVALID",
		"A new mailbox would be created")
	rita.contains("#results", "ann.other@nhs.net", "would change: JobTitle", "does not hold the Connector role for organisation X26", "LastName: is required")
	rita.check("review-preview")
	if st := rita.submit(fmt.Sprintf(`a[href="/review/%d?rows=INVALID#rows"]`, leeds)); st != http.StatusOK {
		t.Fatalf("the INVALID rows: status %d", st)
	}
	rita.contains("#rows", "INVALID: rows 1 to 1 of 1")
	rita.contains("#results", "5", "Dan", "would not be applied")
	rita.check("review-filtered")
	if st := rita.submit("#approve"); st != http.StatusOK {
		t.Fatalf("approve: status %d", st)
	}
	rita.contains("#confirm-warning", "Tonight's run would apply 2 of the file's 4 rows")
	rita.check("approve-confirm")
	if st := rita.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("confirm the approval: status %d", st)
	}
	rita.contains("#flash", "Approved leeds-staff.csv")

	reason := "The file names organisation RR8, which you do not hold the Connector role for."
	rita.open(fmt.Sprintf("/review/%d", densham))
	if st := rita.submit("#reject"); st != http.StatusOK {
		t.Fatalf("reject: status %d", st)
	}
	if st := rita.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("reject without a reason: status %d", st)
	}
	rita.contains("#error-summary", "Enter a reason")
	if title := rita.title(); !strings.HasPrefix(title, "Error: Reject densham.csv") {
		t.Errorf("title %q, want it to start with Error:", title)
	}
	rita.check("reject-error")
	rita.fill("#reason-text", reason)
	if st := rita.submit("#confirm-yes"); st != http.StatusOK {
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
	oscar.contains("#confirm-items", "leeds-staff.csv from alice.smith@nhs.net")
	oscar.check("run-now-confirm")
	if st := oscar.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("confirm run now: status %d", st)
	}
	oscar.contains("#flash", "The batch for "+f.day+" has started")
	f.srv.runs.wait()
	if n := f.ran.Load(); n != 1 {
		t.Errorf("Deps.Ran told of %d nights, want 1", n)
	}
	oscar.open("/nights")
	oscar.contains("#runs", f.day, "console", "Done, rows not applied", "PROCESSED_NEW: 1", "PROCESSED_UPDATED: 1")
	oscar.contains("#last-run", "ended done: 1 file")
	oscar.contains("#schedule", "Every day at 20:30")
	oscar.contains("#chart-legend", "PROCESSED_NEW", "INVALID")
	oscar.check("nights")
	if st := oscar.submit(`#runs a[href^="/nights/"]`); st != http.StatusOK {
		t.Fatalf("the night's page: status %d", st)
	}
	oscar.contains("#night-files", "leeds-staff.csv", "alice.smith@nhs.net")
	oscar.check("night")

	if s := f.submission(t, leeds); s.State != store.StateProcessed {
		t.Fatalf("leeds-staff.csv: %s, want processed", s.State)
	}
	results := f.mail(t, leeds, store.MailResults)
	if len(results) != 1 || results[0].Recipient != "alice.smith@nhs.net" || results[0].AttachmentName != "leeds-staff-results.csv" {
		t.Fatalf("results mail: got %+v, want one to alice.smith@nhs.net with leeds-staff-results.csv", results)
	}
	oscar.open(fmt.Sprintf("/submissions/%d", leeds))
	oscar.contains("#state", "Processed")
	oscar.contains("#results", "ann.other@nhs.net", "PROCESSED_NEW", "created")
	oscar.contains("#downloads", "The received file", "The results file")
	oscar.contains("main", "Results: leeds-staff.csv", "Approved a file")
	oscar.check("submission")
	if st := oscar.submit(fmt.Sprintf(`a[href="/mail/%d"]`, results[0].ID)); st != http.StatusOK {
		t.Fatalf("the results mail: status %d", st)
	}
	oscar.contains("#mail-headers", "From:", "<connector.data@nhs.net>", "To:", "<alice.smith@nhs.net>", "Message-ID:", "In-Reply-To:")
	oscar.contains("#mail-body", "Your file \"leeds-staff.csv\"")
	oscar.contains("#mail-attachment", "leeds-staff-results.csv")
	oscar.check("mail")
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
	for _, path := range []string{"/roster", "/outbox", "/audit"} {
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
<input type="hidden" name="csrf" value="guessed"><input type="hidden" name="confirm" value="yes"><button id="go">Claim your prize</button></form>`, f.url, id)
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
	tess.contains("#error-summary", "Too many failed sign-ins")
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
	if st := rita.submit("#check"); st != http.StatusUnprocessableEntity {
		t.Errorf("no file: status %d, want 422", st)
	}
	rita.contains("#error-summary", "Choose a CSV file")
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
	if st := oscar.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("confirm: status %d", st)
	}
	oscar.contains("#flash", "The batch for 2026-03-03 has started")
	f.srv.runs.wait()
}
