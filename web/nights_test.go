package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectord/store"
)

// Nights tells a run that could not reach the mailbox from one told to
// skip it, and says nothing for one that read it.
func TestNightsSaysHowEachRunReadTheMailbox(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct{ day, sync string }{
		{"2026-03-01", store.SyncDone}, {"2026-03-02", store.SyncUnreachable}, {"2026-03-03", store.SyncSkipped},
	} {
		id, err := f.st.StartRun(ctx, tc.day, "command", tc.sync, "test:1", func(string) bool { return false }, f.now())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.FinishRun(ctx, store.BatchRun{ID: id, BatchDay: tc.day, State: store.RunDone, Sync: tc.sync}, f.now()); err != nil {
			t.Fatal(err)
		}
	}
	_, body := f.login(t, reviewerName).get("/nights")
	rows := map[string]string{}
	for _, row := range strings.Split(body, "<tr")[1:] {
		for _, day := range []string{"2026-03-01", "2026-03-02", "2026-03-03"} {
			if strings.Contains(row, ">"+day+"<") {
				rows[day] = row
			}
		}
	}
	for day, want := range map[string]string{
		"2026-03-02": "mailbox not read first: it could not be reached",
		"2026-03-03": "mailbox not read first: skipped on purpose (batch run -no-sync)",
	} {
		if !strings.Contains(rows[day], want) {
			t.Errorf("the run for %s does not say %q:\n%s", day, want, rows[day])
		}
	}
	if strings.Contains(rows["2026-03-01"], "not read first") {
		t.Errorf("the synced run says it was not:\n%s", rows["2026-03-01"])
	}
}

// Run now asks first, on a page that needs no script, saying which files
// the run would take; for today before the cutoff it also warns that
// files can still arrive. The run starts only once confirmed.
func TestRunNowAsksFirst(t *testing.T) {
	f := newFixture(t)
	today, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-03 15:00", london)
	if err != nil {
		t.Fatal(err)
	}
	f.setNow(today)
	oscar := f.login(t, operatorName)
	oscar.get("/nights")

	status, body := oscar.post("/nights/run", url.Values{"day": {"2026-03-03"}})
	body = html.UnescapeString(body)
	for _, want := range []string{
		"Run the batch for 2026-03-03 now?",
		"Files received before 20:00 (Europe/London) still go into the batch for 2026-03-03",
		"its sender then gets a second results email",
		"No approved file of 2026-03-03 or earlier is waiting",
		`name="confirm" value="yes"`, `id="confirm-yes"`, `href="/nights"`,
	} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("run now before the cutoff: got %d, want the confirmation saying %q", status, want)
		}
	}
	if oscar.last.Path != "/nights/run" || oscar.last.Query().Get("day") != "2026-03-03" {
		t.Errorf("the confirmation is at %s, want a GET of /nights/run?day=2026-03-03", oscar.last)
	}
	f.srv.runs.wait()
	if runs, _ := f.st.Runs(context.Background(), "", 0); len(runs) != 0 {
		t.Fatalf("a run started before it was confirmed: %+v", runs)
	}

	if status, body := oscar.post("/nights/run", url.Values{"day": {"2026-03-03"}, "confirm": {"yes"}}); status != http.StatusOK ||
		!strings.Contains(body, "The batch for 2026-03-03 has started") {
		t.Errorf("confirmed: got %d, want the run started", status)
	}
	f.srv.runs.wait()
	status, body = oscar.post("/nights/run", url.Values{"day": {"2026-03-02"}})
	if status != http.StatusOK || !strings.Contains(body, "Run the batch for 2026-03-02 now?") || strings.Contains(body, "Files can still arrive") {
		t.Errorf("a day whose cutoff passed: got %d, want the confirmation without the cutoff's warning", status)
	}
	if status, body := oscar.post("/nights/run", url.Values{"day": {"2026-03-02"}, "confirm": {"yes"}}); status != http.StatusOK ||
		!strings.Contains(body, "The batch for 2026-03-02 has started") {
		t.Errorf("a day whose cutoff passed, confirmed: got %d, want the run started", status)
	}
	f.srv.runs.wait()
	runs, _ := f.st.Runs(context.Background(), "", 0)
	if len(runs) != 2 || runs[0].BatchDay != "2026-03-02" || runs[1].BatchDay != "2026-03-03" {
		t.Errorf("runs %+v, want 2026-03-03 then 2026-03-02", runs)
	}
	audit, _ := f.st.ConsoleAuditLog(context.Background(), store.ConsoleAuditFilter{Actions: []string{store.AuditRunNow}})
	if len(audit) != 2 || !strings.Contains(audit[1].Detail+audit[0].Detail, "before the cutoff of 2026-03-03 (confirmed)") {
		t.Errorf("audit %+v, want the confirmed early run said so", audit)
	}
}

// A day that cannot run goes back to the nights page with the error at
// the top and beside the box, by a redirect.
func TestRunNowRefusesABadDay(t *testing.T) {
	f := newFixture(t)
	oscar := f.login(t, operatorName)
	oscar.get("/nights")
	for _, tc := range []struct{ day, want string }{
		{"3/3/2026", "Enter the batch day as YYYY-MM-DD"},
		{"2999-01-01", "The batch day cannot be in the future."},
	} {
		status, body := oscar.post("/nights/run", url.Values{"day": {tc.day}})
		if status != http.StatusOK || oscar.last.Path != "/nights" || !strings.Contains(body, "<title>Error: Nights") ||
			!strings.Contains(body, `<a href="#run-day">`+tc.want) || !strings.Contains(body, `value="`+tc.day+`"`) {
			t.Errorf("run now %q: got %d at %s, want the nights page with the error %q", tc.day, status, oscar.last, tc.want)
		}
	}
}
