package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectord/store"
)

func TestSignInAndRoles(t *testing.T) {
	f := newFixture(t)
	anon := f.client(t)
	if status, body := anon.get("/review"); status != http.StatusOK || !strings.Contains(body, `id="sign-in"`) {
		t.Fatalf("signed out: got %d, want the sign-in page", status)
	}
	if status, _ := anon.signIn(reviewerName, "wrong password!"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: got %d, want 401", status)
	}
	if status, _ := anon.signIn("nobody", testPassword); status != http.StatusUnauthorized {
		t.Errorf("unknown name: got %d, want 401", status)
	}
	rita := f.login(t, reviewerName)
	for _, path := range []string{"/review", "/submissions", "/nights", "/validate", "/organisations"} {
		if status, _ := rita.get(path); status != http.StatusOK {
			t.Errorf("reviewer GET %s: got %d, want 200", path, status)
		}
	}
	for _, path := range []string{"/roster", "/outbox"} {
		if status, body := rita.get(path); status != http.StatusForbidden || !strings.Contains(body, "for operators") {
			t.Errorf("reviewer GET %s: got %d, want 403", path, status)
		}
	}
	rita.get("/nights")
	if status, _ := rita.post("/nights/run", url.Values{"day": {f.day}}); status != http.StatusForbidden {
		t.Errorf("reviewer run now: got %d, want 403", status)
	}
	if status, _ := rita.post("/roster", url.Values{"address": {"x@nhs.net"}, "orgs": {"RR8"}}); status != http.StatusForbidden {
		t.Errorf("reviewer roster add: got %d, want 403", status)
	}
	oscar := f.login(t, operatorName)
	for _, path := range []string{"/roster", "/outbox", "/review"} {
		if status, _ := oscar.get(path); status != http.StatusOK {
			t.Errorf("operator GET %s: got %d, want 200", path, status)
		}
	}
	if status, _ := oscar.post("/logout", url.Values{}); status != http.StatusOK {
		t.Errorf("sign out: got %d", status)
	}
	if _, body := oscar.get("/roster"); !strings.Contains(body, `id="sign-in"`) {
		t.Error("after sign-out the roster is still shown")
	}
}

func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t)
	start := f.now()
	rita := f.login(t, reviewerName)
	f.setNow(start.Add(25 * time.Minute))
	if _, body := rita.get("/review"); !strings.Contains(body, "Sign out") {
		t.Fatal("25 minutes idle: signed out, want still signed in (idle limit 30m)")
	}
	f.setNow(start.Add(56 * time.Minute))
	if _, body := rita.get("/review"); !strings.Contains(body, `id="sign-in"`) {
		t.Error("31 minutes idle: still signed in, want the sign-in page")
	}
	rita = f.login(t, reviewerName)
	for i := 1; i <= 25; i++ { // active every 29 minutes, past the 12h absolute limit
		f.setNow(start.Add(56*time.Minute + time.Duration(i)*29*time.Minute))
		_, body := rita.get("/review")
		if signedIn := strings.Contains(body, "Sign out"); signedIn != (i*29 < 12*60) {
			t.Fatalf("%d min after sign-in: signed in %v", i*29, signedIn)
		}
	}
}

func TestDisabledAccountSignedOut(t *testing.T) {
	f := newFixture(t)
	rita := f.login(t, reviewerName)
	if err := f.st.DisableConsoleUser(context.Background(), reviewerName, f.now()); err != nil {
		t.Fatal(err)
	}
	if _, body := rita.get("/review"); !strings.Contains(body, `id="sign-in"`) {
		t.Error("disabled account still signed in")
	}
	if status, _ := f.client(t).signIn(reviewerName, testPassword); status != http.StatusUnauthorized {
		t.Errorf("disabled account signs in: got %d, want 401", status)
	}
}

func TestSignInThrottled(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for i := 1; i <= 5; i++ {
		status, body := c.signIn("tess", "not her password")
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if status != want {
			t.Fatalf("failure %d: got %d, want %d\n%s", i, status, want, body)
		}
	}
	if status, body := c.signIn("tess", testPassword); status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Errorf("right password while locked: got %d, want 429", status)
	}
	// Another account from the same address is not locked by tess's failures.
	f.login(t, reviewerName)
	f.setNow(f.now().Add(16 * time.Minute))
	f.login(t, "tess")
}

func TestFormsNeedTheSessionToken(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	rita := f.login(t, reviewerName)
	path := fmt.Sprintf("/review/%d/approve", id)
	tests := []struct {
		name   string
		form   url.Values
		header http.Header
		want   string
	}{
		{"no token", url.Values{"csrf": {""}}, http.Header{"Origin": {f.url}}, "not sent from this console"},
		{"wrong token", url.Values{"csrf": {"forged"}}, http.Header{"Origin": {f.url}}, "not sent from this console"},
		{"cross-origin with the right token", url.Values{"csrf": {rita.csrf}}, http.Header{"Origin": {"http://evil.example"}}, "another site"},
		{"cross-site fetch metadata", url.Values{"csrf": {rita.csrf}}, http.Header{"Sec-Fetch-Site": {"same-site"}}, "another site"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rita.postRaw(path, tc.form, tc.header)
			if status != http.StatusForbidden || !strings.Contains(body, tc.want) {
				t.Errorf("got %d, want 403 saying %q", status, tc.want)
			}
		})
	}
	if s := f.submission(t, id); s.State != store.StateHeld {
		t.Errorf("after forged posts: %s, want held", s.State)
	}
}

func TestSecondReviewerIsToldWhoDecided(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	rita, tess := f.login(t, reviewerName), f.login(t, "tess")
	page := fmt.Sprintf("/review/%d", id)
	rita.get(page)
	tess.get(page)
	if status, body := rita.post(page+"/approve", url.Values{"confirm": {"yes"}}); status != http.StatusOK || !strings.Contains(body, "Approved leeds.csv") {
		t.Fatalf("first approve: got %d", status)
	}
	_, body := tess.post(page+"/reject", url.Values{"reason": {"looks wrong"}, "confirm": {"yes"}})
	if !strings.Contains(body, "Nothing was done: leeds.csv was already decided by rita") {
		t.Errorf("second reviewer: want \"already decided by rita\", got:\n%s", body)
	}
	if s := f.submission(t, id); s.State != store.StateAccepted || s.ReviewedBy != reviewerName {
		t.Errorf("submission: %s by %s, want accepted by rita", s.State, s.ReviewedBy)
	}
	if n := len(f.mail(t, id, store.MailDecision)); n != 1 {
		t.Errorf("decision mails: %d, want 1", n)
	}
	audit, err := f.st.ConsoleAuditLog(context.Background(), store.ConsoleAuditFilter{Subject: store.SubmissionSubject(id)})
	if err != nil || len(audit) != 1 || audit[0].Actor != reviewerName || audit[0].Action != store.AuditApprove {
		t.Errorf("audit: got %+v, %v; want one approve by rita", audit, err)
	}
}

// Two reviewers press at the same moment: one decision, one email, and
// the other is told.
func TestConcurrentDecisions(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	rita, tess := f.login(t, reviewerName), f.login(t, "tess")
	page := fmt.Sprintf("/review/%d", id)
	rita.get(page)
	tess.get(page)
	bodies := make([]string, 2)
	var wg sync.WaitGroup
	wg.Go(func() { _, bodies[0] = rita.post(page+"/approve", url.Values{"confirm": {"yes"}}) })
	wg.Go(func() {
		_, bodies[1] = tess.post(page+"/reject", url.Values{"reason": {"wrong organisation"}, "confirm": {"yes"}})
	})
	wg.Wait()
	decided := 0
	for _, b := range bodies {
		if strings.Contains(b, "Approved leeds.csv") || strings.Contains(b, "Rejected leeds.csv") {
			decided++
		} else if !strings.Contains(b, "was already decided by") {
			t.Errorf("neither decided nor told who decided:\n%s", b)
		}
	}
	if decided != 1 {
		t.Errorf("%d decisions, want 1", decided)
	}
	if n := len(f.mail(t, id, store.MailDecision)); n != 1 {
		t.Errorf("decision mails: %d, want 1", n)
	}
}

func TestPreviewOfASenderOffTheRoster(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	if err := f.st.RemoveSender(context.Background(), "alice.smith@nhs.net", "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body := f.login(t, reviewerName).get(fmt.Sprintf("/review/%d", id))
	if !strings.Contains(body, "is not on the Connector roster: tonight&#39;s run would reject the file") {
		t.Errorf("preview for a sender off the roster:\n%s", body)
	}
}

// A rejection without a reason comes back to its form by a redirect (a
// reload does not post it again), with the NHS.UK error pattern: the
// summary at the top linked to the box, the error beside it, and a title
// that starts "Error:". A reason too long keeps what was typed.
func TestRejectNeedsAReason(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	rita := f.login(t, reviewerName)
	form := fmt.Sprintf("/review/%d/reject", id)
	if status, body := rita.get(form); status != http.StatusOK || strings.Contains(body, "<title>Error:") ||
		!strings.Contains(body, "Reject leeds.csv from alice.smith@nhs.net?") || !strings.Contains(body, "gets an email with your reason") {
		t.Fatalf("the reject form: got %d:\n%s", status, body)
	}
	long := strings.Repeat("x", maxReason+1)
	for _, tc := range []struct{ name, reason, want, kept string }{
		{"blank", "  ", "Enter a reason: it is emailed to the sender.", ""},
		{"too long", long, "The reason must be 2000 characters or fewer.", long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rita.post(form, url.Values{"reason": {tc.reason}, "confirm": {"yes"}})
			if status != http.StatusOK || rita.last.Path != form || rita.last.RawQuery != "" {
				t.Errorf("got %d at %s, want the form again by a GET of %s", status, rita.last, form)
			}
			for _, want := range []string{"<title>Error: Reject leeds.csv", `id="error-summary"`, `<a href="#reason-text">` + tc.want,
				`<span class="nhsuk-u-visually-hidden">Error:</span> ` + tc.want, `id="reason-text" name="reason" rows="5" aria-describedby="reason-hint">` + tc.kept + "</textarea>"} {
				if !strings.Contains(body, want) {
					t.Errorf("the refused form lacks %q", want)
				}
			}
			if _, again := rita.get(form); strings.Contains(again, "<title>Error:") {
				t.Error("reloading the form shows the error again")
			}
		})
	}
	if s := f.submission(t, id); s.State != store.StateHeld {
		t.Errorf("after a refused reason: %s, want held", s.State)
	}
}

func TestResultsNeverShowPasswords(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	ctx := context.Background()
	if _, err := f.srv.deps.Review.Approve(ctx, id, "test", f.now()); err != nil {
		t.Fatal(err)
	}
	if run, err := f.batch.Run(ctx, f.day, "command", f.now()); err != nil || run.Files != 1 {
		t.Fatalf("night: %+v, %v", run, err)
	}
	results := f.mail(t, id, store.MailResults)
	if len(results) != 1 {
		t.Fatalf("results mails: %d, want 1", len(results))
	}
	raw, err := os.ReadFile(filepath.Join(f.batch.DataDir, results[0].AttachmentPath))
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Split(strings.SplitN(string(raw), "\r\n", 2)[0], ",")
	for _, c := range pickColumns(header).names {
		if strings.Contains(strings.ToLower(c), "password") {
			t.Errorf("result table has column %q", c)
		}
	}
	var passwords []string
	for _, line := range strings.Split(string(raw), "\r\n")[1:] {
		if cells := strings.Split(line, ","); len(cells) > 1 && cells[len(cells)-1] != "" {
			passwords = append(passwords, cells[len(cells)-1])
		}
	}
	if len(passwords) == 0 {
		t.Fatal("the results file has no generated password to look for")
	}
	_, body := f.login(t, reviewerName).get(fmt.Sprintf("/submissions/%d", id))
	if !strings.Contains(body, "PROCESSED_NEW") || !strings.Contains(body, "ann.other@nhs.net") {
		t.Errorf("submission page lacks the results:\n%s", body)
	}
	for _, pw := range passwords {
		if strings.Contains(body, pw) {
			t.Errorf("submission page shows the generated password %q", pw)
		}
	}
}

func TestRosterChangesAreAudited(t *testing.T) {
	f := newFixture(t)
	oscar := f.login(t, operatorName)
	oscar.get("/roster")
	if status, body := oscar.post("/roster", url.Values{"address": {"carol@nhs.net"}, "orgs": {"ZZZ"}}); status != http.StatusOK ||
		!strings.Contains(body, `<a href="#orgs">Unknown organisation ZZZ`) || !strings.Contains(body, `value="carol@nhs.net"`) {
		t.Errorf("unknown organisation: got %d", status)
	}
	if status, body := oscar.post("/roster", url.Values{"address": {"Carol@NHS.net"}, "orgs": {"rr8, x26"}}); status != http.StatusOK ||
		!strings.Contains(body, "carol@nhs.net may submit files for RR8, X26") {
		t.Errorf("add: got %d\n%s", status, body)
	}
	if status, body := oscar.post("/roster/remove", url.Values{"address": {"carol@nhs.net"}}); status != http.StatusOK ||
		!strings.Contains(body, "Take carol@nhs.net off the roster?") {
		t.Errorf("remove without confirming: got %d, want the confirmation", status)
	}
	if _, err := f.st.Sender(context.Background(), "carol@nhs.net"); err != nil {
		t.Fatal("carol was removed before it was confirmed")
	}
	if status, _ := oscar.post("/roster/remove", url.Values{"address": {"carol@nhs.net"}, "confirm": {"yes"}}); status != http.StatusOK {
		t.Errorf("remove: got %d", status)
	}
	if _, err := f.st.Sender(context.Background(), "carol@nhs.net"); err == nil {
		t.Error("carol is still on the roster")
	}
	_, body := oscar.get("/roster")
	for _, want := range []string{store.AuditRosterPut, store.AuditRosterRemove, "organisations RR8, X26 (before: not on the roster)"} {
		if !strings.Contains(body, want) {
			t.Errorf("roster page audit lacks %q", want)
		}
	}
}

// The roster form refuses what the mailbox would never take a file from,
// with the reason, and its hint names the configured domains.
func TestRosterRefusesAddressesThatCanNeverSubmit(t *testing.T) {
	f := newFixture(t)
	f.batch.Policy.AllowedDomains = []string{"nhs.net", "nhs.scot"}
	oscar := f.login(t, operatorName)
	if _, body := oscar.get("/roster"); !strings.Contains(body, `id="address-hint">An @nhs.net or @nhs.scot address<`) {
		t.Errorf("the hint does not name the configured domains:\n%s", body)
	}
	tests := []struct {
		name, addr, want string
	}{
		{"other domain", "mallory@gmail.com", "This address can never submit a file: sender domain gmail.com is not allowed (allowed: nhs.net, nhs.scot)."},
		{"subdomain", "carol@mail.nhs.net", "sender domain mail.nhs.net is not allowed"},
		{"long s in the domain", "admin@nh\u017f.net", `not an allowed sender address: &#34;admin@nh\u017f.net&#34; has the character U&#43;017F, which is not ASCII`},
		{"Kelvin sign", "\u212aate.kirk@nhs.net", "U&#43;212A, which is not ASCII"},
		{"not an address", "carol", "Enter an email address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := oscar.post("/roster", url.Values{"address": {tc.addr}, "orgs": {"RR8"}})
			if status != http.StatusOK || oscar.last.Path != "/roster" || !strings.Contains(body, "<title>Error:") || !strings.Contains(body, tc.want) {
				t.Errorf("got %d at %s, want the roster again saying %q:\n%s", status, oscar.last, tc.want, body)
			}
		})
	}
	senders, err := f.st.Senders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range senders {
		if s.Address != "alice.smith@nhs.net" && s.Address != "bob.jones@nhs.net" {
			t.Errorf("the roster took %q", s.Address)
		}
	}
	if status, body := oscar.post("/roster", url.Values{"address": {"Carol@NHS.scot"}, "orgs": {"RR8"}}); status != http.StatusOK ||
		!strings.Contains(body, "carol@nhs.scot may submit files for RR8") {
		t.Errorf("a configured domain: got %d\n%s", status, body)
	}
}

func TestOutboxRetry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	m := f.mail(t, id, store.MailHeld)[0]
	if err := f.st.MarkFailed(ctx, m.ID, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	oscar := f.login(t, operatorName)
	if _, body := oscar.get("/outbox"); !strings.Contains(body, "550 no such user") {
		t.Fatal("the outbox page does not list the failed mail")
	}
	wakes := f.wakes.Load()
	// 550 no such user: a retry fails the same way, so it asks first.
	if status, body := oscar.post(fmt.Sprintf("/outbox/%d/retry", m.ID), url.Values{}); status != http.StatusOK ||
		!strings.Contains(body, "address does not exist") || !strings.Contains(body, "permanent refusal") {
		t.Errorf("retry without confirming: got %d, want the warning", status)
	}
	if list, _ := f.st.Outbox(ctx, store.OutboxFilter{State: store.OutboxFailed}); len(list) != 1 {
		t.Fatal("the mail was retried before it was confirmed")
	}
	if status, body := oscar.post(fmt.Sprintf("/outbox/%d/retry", m.ID), url.Values{"confirm": {"yes"}}); status != http.StatusOK ||
		!strings.Contains(body, "queued to be sent again") {
		t.Errorf("retry: got %d", status)
	}
	if f.wakes.Load() == wakes {
		t.Error("retry did not wake the outbox sender")
	}
	list, _ := f.st.Outbox(ctx, store.OutboxFilter{State: store.OutboxFailed})
	if len(list) != 0 {
		t.Errorf("still failed: %+v", list)
	}
	if _, body := oscar.get("/outbox"); !strings.Contains(body, store.AuditRetryMail) {
		t.Error("the outbox page does not show the retry in its audit")
	}
}

func TestValidateUpload(t *testing.T) {
	f := newFixture(t)
	rita := f.login(t, reviewerName)
	rita.get("/validate")
	upload := func(name, content string) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", rita.csrf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(content))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, f.url+"/validate", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", f.url)
		return rita.do(req)
	}
	status, body := upload("bad.csv", badCSV)
	if status != http.StatusOK {
		t.Fatalf("bad file: got %d", status)
	}
	body = html.UnescapeString(body)
	for _, want := range []string{
		"bad.csv:3: FirstName: is required",
		"bad.csv:4: Organisation: unknown organisation code \"ZZZ9\"",
		"bad.csv:4: EmailSize: \"200\" is not a mailbox size",
		"3 rows: 1 valid, 2 invalid",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if status, body := upload("book.csv", "PK\x03\x04 not a csv"); status != http.StatusOK || !strings.Contains(body, "the file cannot be used") {
		t.Errorf("unusable file: got %d", status)
	}
	if status, _ := upload("big.csv", strings.Repeat("x", 65<<10)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized file: got %d, want 413", status)
	}
	if status, _ := upload("", ""); status != http.StatusUnprocessableEntity {
		t.Errorf("no file: got %d, want 422", status)
	}
}

// A sender removed from the roster after their file was held: approving
// is refused with the reason, nothing changes and nothing is sent.
func TestApproveRefusedForASenderOffTheRoster(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	if err := f.st.RemoveSender(context.Background(), "alice.smith@nhs.net", "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	rita := f.login(t, reviewerName)
	page := fmt.Sprintf("/review/%d", id)
	rita.get(page)
	status, body := rita.post(page+"/approve", url.Values{})
	body = html.UnescapeString(body)
	if status != http.StatusOK || strings.Contains(body, "Success") ||
		!strings.Contains(body, "Nothing was done: alice.smith@nhs.net is no longer on the Connector roster, so tonight's run would reject \"leeds.csv\": nothing was approved") {
		t.Errorf("approve: got %d, want the refusal and its reason:\n%s", status, body)
	}
	if s := f.submission(t, id); s.State != store.StateHeld {
		t.Errorf("after the refused approval: %s, want held", s.State)
	}
	if n := len(f.mail(t, id, store.MailDecision)); n != 0 {
		t.Errorf("decision mails: %d, want 0", n)
	}
}

// Approving a file a later one replaced names the file that replaced it.
func TestApproveOfASupersededFileNamesItsReplacement(t *testing.T) {
	f := newFixture(t)
	first := f.held(t, "alice.smith@nhs.net", "morning.csv", pushCSV)
	second := f.held(t, "alice.smith@nhs.net", "evening.csv", pushCSV)
	rita := f.login(t, reviewerName)
	rita.get(fmt.Sprintf("/review/%d", first))
	_, body := rita.post(fmt.Sprintf("/review/%d/approve", first), url.Values{})
	body = html.UnescapeString(body)
	want := fmt.Sprintf(`Nothing was done: submission %d ("morning.csv") was replaced by a later file from alice.smith@nhs.net for the same batch day %s, submission %d ("evening.csv")`,
		first, f.day, second)
	if !strings.Contains(body, want) || !strings.Contains(body, fmt.Sprintf("review submission %d instead", second)) {
		t.Errorf("approve of a superseded file: want %q, got:\n%s", want, body)
	}
}
