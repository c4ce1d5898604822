package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectord/store"
)

// processedFixture has leeds-staff.csv approved and processed by a night,
// and densham.csv held.
func processedFixture(t *testing.T) (f *fixture, done, held int64) {
	t.Helper()
	f = newFixture(t)
	ctx := context.Background()
	done = f.held(t, "alice.smith@nhs.net", "leeds-staff.csv", pushCSV)
	if _, err := f.srv.deps.Review.Approve(ctx, done, reviewerName, f.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.batch.Run(ctx, f.day, "schedule", f.now()); err != nil {
		t.Fatal(err)
	}
	held = f.held(t, "bob.jones@nhs.net", "densham.csv", denshamCSV)
	return f, done, held
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// Each email connectord sent about a submission can be read as sent: its
// header fields (Date once sent), its text and its attachment's name.
func TestMailPage(t *testing.T) {
	f, done, _ := processedFixture(t)
	f.srv.deps.MailFrom, f.srv.deps.LoopHeader = "connector.data@nhs.net", "X-Connectord-Loop"
	results := f.mail(t, done, store.MailResults)[0]
	sentAt := time.Date(2026, 3, 3, 21, 4, 5, 0, time.UTC)
	if err := f.st.MarkSent(context.Background(), results.ID, sentAt); err != nil {
		t.Fatal(err)
	}
	rita := f.login(t, reviewerName)
	_, body := rita.get(fmt.Sprintf("/submissions/%d", done))
	mustContain(t, "the submission page", body, fmt.Sprintf(`href="/mail/%d"`, results.ID), "attached: leeds-staff-results.csv")
	status, body := rita.get(fmt.Sprintf("/mail/%d", results.ID))
	if status != http.StatusOK {
		t.Fatalf("mail page: got %d", status)
	}
	mustContain(t, "the results mail", body,
		"<dt>From:</dt> <dd><connector.data@nhs.net></dd>",
		"<dt>To:</dt> <dd><alice.smith@nhs.net></dd>",
		"<dt>Subject:</dt> <dd>Results: leeds-staff.csv (batch of "+f.day+")</dd>",
		"<dt>Date:</dt> <dd>Tue, 03 Mar 2026 21:04:05 +0000</dd>",
		"<dt>Message-ID:</dt> <dd><"+results.MessageID+"></dd>",
		"<dt>In-Reply-To:</dt>", "<dt>X-Connectord-Loop:</dt> <dd>connector.data@nhs.net</dd>",
		"Your file \"leeds-staff.csv\"", "leeds-staff-results.csv",
		fmt.Sprintf(`href="/submissions/%d/results.csv"`, done), "Sent")
	held := f.mail(t, done, store.MailHeld)[0]
	_, body = rita.get(fmt.Sprintf("/mail/%d", held.ID))
	mustContain(t, "the held notice, not sent", body, "Not sent yet: its Date is set when it goes.", "Later mail about the same submission to the same recipient")
	if strings.Contains(body, "<dt>Date:</dt>") {
		t.Error("an unsent mail shows a Date")
	}
	if status, _ := rita.get("/mail/9999"); status != http.StatusNotFound {
		t.Errorf("no such mail: got %d, want 404", status)
	}
}

// A night has its own page listing the files it settled, with their rows
// and links; a night with INVALID or ACCESS_DENIED rows is not a plain
// green "done"; the nights page gives the schedule, the cutoff, the next
// run and a chart of the last 30 nights with its numbers as a table.
func TestNightPages(t *testing.T) {
	f, done, _ := processedFixture(t)
	f.srv.deps.Schedule = "30 20 * * *"
	runs, _ := f.st.Runs(context.Background(), "", 0)
	if len(runs) != 1 {
		t.Fatalf("runs: %+v", runs)
	}
	rita := f.login(t, reviewerName)
	_, body := rita.get("/nights")
	mustContain(t, "the nights page", body, "Every day at 20:30 (Europe/London)", "20:00: a file received at or after it",
		`id="next-run"`, "Done, rows not applied", "nhsuk-tag--orange", `id="rows-chart"`, `id="files-chart"`,
		"<caption>Rows by status and files for each of the last 30 batch days, oldest first</caption>",
		fmt.Sprintf(`<a href="/nights/%d">`, runs[0].ID))
	if !strings.Contains(body, "<th scope=\"row\">"+f.day+"</th>\n        <td>1</td>\n        <td>1</td>") {
		t.Errorf("the chart's table has no row for %s with 1 run and 1 file", f.day)
	}
	if strings.Contains(body, `<strong class="nhsuk-tag nhsuk-tag--green app-tag">Done</strong>`) {
		t.Error("a night with rows not applied is a plain green done")
	}
	status, body := rita.get(fmt.Sprintf("/nights/%d", runs[0].ID))
	if status != http.StatusOK {
		t.Fatalf("night page: got %d", status)
	}
	mustContain(t, "the night's page", body, "The batch of "+f.day, fmt.Sprintf(`href="/submissions/%d"`, done), "leeds-staff.csv",
		"2 rows were not applied", "PROCESSED_NEW</code>: 1", "INVALID</code>: 1")
	_, body = rita.get(fmt.Sprintf("/submissions/%d", done))
	mustContain(t, "the submission page", body, fmt.Sprintf(`<a href="/nights/%d">its night</a>`, runs[0].ID))
	if status, _ := rita.get("/nights/999"); status != http.StatusNotFound {
		t.Errorf("no such night: got %d", status)
	}
}

func TestScheduleWordsAndScales(t *testing.T) {
	for spec, want := range map[string]string{"30 20 * * *": "Every day at 20:30", "5 7 * * 1-5": "Monday to Friday at 07:05",
		"*/5 * * * *": "", "30 20 1 * *": "", "61 20 * * *": ""} {
		if got := scheduleWords(spec); got != want {
			t.Errorf("scheduleWords(%q) = %q, want %q", spec, got, want)
		}
	}
	for n, want := range map[int]int{0: 2, 3: 5, 5: 5, 6: 10, 11: 20, 120: 200, 50001: 100000} {
		if got := niceCeil(n); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", n, got, want)
		}
	}
}

// Submissions are searched by part of the sender and of the file name,
// state and batch day together, and paged newest first beyond one page;
// the menu counts the held files.
func TestSubmissionsSearchAndPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	for i := range submissionsShown + 5 {
		s := store.Submission{UIDValidity: 7, UID: uint32(1000 + i), SHA256: fmt.Sprint("s", i), ReceivedAt: base.Add(time.Duration(i) * time.Minute),
			Sender: fmt.Sprintf("user%d@nhs.net", i%3), Filename: fmt.Sprintf("staff-%02d.csv", i), BatchDay: "2026-03-03",
			State: store.StateAccepted, DecidedAt: base}
		if i%10 == 0 {
			s.State = store.StateHeld
		}
		if err := f.st.InTx(ctx, func(tx *store.Tx) error { return tx.InsertSubmission(&s) }); err != nil {
			t.Fatal(err)
		}
	}
	rita := f.login(t, reviewerName)
	_, body := rita.get("/submissions")
	mustContain(t, "the first page", body, "staff-54.csv", "staff-05.csv", `id="page-older"`, `<span class="app-nav-count" id="nav-review-count">6<span class="nhsuk-u-visually-hidden"> waiting</span></span>`)
	if strings.Contains(body, "staff-04.csv") || strings.Contains(body, `id="page-newer"`) {
		t.Error("the first page goes past 50, or offers newer ones")
	}
	older := html.UnescapeString(regexpFind(t, body, `href="(/submissions\?before=\d+)" id="page-older"`))
	_, body = rita.get(older)
	mustContain(t, "the second page", body, "staff-04.csv", "staff-00.csv", `id="page-newer"`)
	if strings.Contains(body, "staff-05.csv") || strings.Contains(body, `id="page-older"`) {
		t.Error("the second page repeats the first, or offers older ones")
	}
	newer := html.UnescapeString(regexpFind(t, body, `href="(/submissions\?after=\d+)" id="page-newer"`))
	_, body = rita.get(newer)
	mustContain(t, "back to the first page", body, "staff-54.csv", "staff-05.csv")

	q := url.Values{"sender": {"USER1@"}, "file": {"-1"}, "state": {"accepted"}, "day": {"2026-03-03"}}
	_, body = rita.get("/submissions?" + q.Encode())
	for _, name := range []string{"staff-13.csv", "staff-16.csv", "staff-19.csv"} {
		if !strings.Contains(body, name) {
			t.Errorf("search %v lacks %s", q, name)
		}
	}
	if strings.Contains(body, "staff-10.csv") || strings.Contains(body, "staff-14.csv") || strings.Contains(body, "staff-04.csv") {
		t.Errorf("search %v lists a file it should not", q)
	}
	status, body := rita.get("/submissions?day=2026-3-3")
	mustContain(t, "a bad day", body, "<title>Error: Submissions", `<a href="#day">Enter the batch day as YYYY-MM-DD`)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a bad day: got %d, want 422", status)
	}
}

// Reviewers reach the pages about files and mail; the roster, outbox and
// audit pages, and every operator action's confirmation, are operators'.
func TestRolesOfTheNewPages(t *testing.T) {
	f, done, _ := processedFixture(t)
	mail := f.mail(t, done, store.MailResults)[0]
	rita, oscar := f.login(t, reviewerName), f.login(t, operatorName)
	runs, _ := f.st.Runs(context.Background(), "", 1)
	for _, path := range []string{fmt.Sprintf("/mail/%d", mail.ID), fmt.Sprintf("/nights/%d", runs[0].ID),
		fmt.Sprintf("/submissions/%d/results.csv", done), fmt.Sprintf("/submissions/%d?rows=INVALID", done)} {
		if status, _ := rita.get(path); status != http.StatusOK {
			t.Errorf("reviewer GET %s: got %d, want 200", path, status)
		}
	}
	for _, path := range []string{"/audit", "/nights/run?day=" + f.day, "/roster/remove?address=alice.smith%40nhs.net",
		fmt.Sprintf("/outbox/%d/retry", mail.ID)} {
		if status, _ := rita.get(path); status != http.StatusForbidden {
			t.Errorf("reviewer GET %s: got %d, want 403", path, status)
		}
	}
	rita.get("/review")
	if status, _ := rita.post("/roster/remove", url.Values{"address": {"alice.smith@nhs.net"}, "confirm": {"yes"}}); status != http.StatusForbidden {
		t.Errorf("reviewer removes from the roster: got %d, want 403", status)
	}
	if status, body := oscar.get("/audit?action=approve"); status != http.StatusOK || !strings.Contains(body, "Approved a file") {
		t.Errorf("operator audit: got %d", status)
	}
}

func regexpFind(t *testing.T, body, expr string) string {
	t.Helper()
	m := regexp.MustCompile(expr).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page", expr)
	}
	return m[1]
}
