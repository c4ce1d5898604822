package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectord/store"
)

// getRaw fetches a path and returns the whole response.
func (c *client) getRaw(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.c.Get(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// Downloads are attachments with a safe name, their own type and
// nosniff, behind the same session and roles as the pages: the received
// file exactly as received (audited), the results without the generated
// passwords, and a held file's dry run.
func TestDownloads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	done := f.held(t, "alice.smith@nhs.net", "leeds-staff.csv", pushCSV)
	if _, err := f.srv.deps.Review.Approve(ctx, done, "test", f.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.batch.Run(ctx, f.day, "command", f.now()); err != nil {
		t.Fatal(err)
	}
	held := f.held(t, "bob.jones@nhs.net", "densham.csv", denshamCSV)
	rita := f.login(t, reviewerName)

	check := func(path, name string) string {
		t.Helper()
		resp, body := rita.getRaw(t, path)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Type") != "text/csv" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Disposition") != `attachment; filename="`+name+`"` || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, headers %v; want 200, text/csv, nosniff, no-store, attachment %q", path, resp.StatusCode, h, name)
		}
		return body
	}
	if got := check(fmt.Sprintf("/submissions/%d/file", done), "leeds-staff.csv"); got != pushCSV {
		t.Errorf("received file: got %q, want the file exactly as sent", got)
	}
	audit, _ := f.st.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Subject: store.SubmissionSubject(done), Actions: []string{store.AuditDownloadFile}})
	if len(audit) != 1 || audit[0].Actor != reviewerName {
		t.Errorf("download audit: %+v, want one by rita", audit)
	}
	results := check(fmt.Sprintf("/submissions/%d/results.csv", done), "leeds-staff-results.csv")
	lines := strings.Split(strings.TrimSuffix(results, "\r\n"), "\r\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "\uFEFFFirstName,LastName,Local ID,Organisation,JobTitle,Result,Detail,EmailAddress,GeneratedPassword") ||
		!strings.HasPrefix(lines[1], "Ann,Other,N1,RR8,Nurse,PROCESSED_NEW,") || !strings.HasSuffix(lines[1], ",ann.other@nhs.net,") {
		t.Errorf("results download:\n%s", results)
	}
	sent := f.mail(t, done, store.MailResults)[0]
	if raw := readDataFile(t, f, sent.AttachmentPath); !strings.Contains(raw, "ann.other@nhs.net,") || strings.HasSuffix(strings.Split(raw, "\r\n")[1], ",") {
		t.Fatal("the results file as sent has no generated password to leave out")
	}
	dry := check(fmt.Sprintf("/review/%d/dry-run.csv", held), "densham-dry-run-results.csv")
	if !strings.Contains(dry, "Eve,Adams,D1,RR8,ACCESS_DENIED") {
		t.Errorf("dry-run download:\n%s", dry)
	}

	for _, tc := range []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/review/%d/dry-run.csv", done), http.StatusNotFound},
		{fmt.Sprintf("/submissions/%d/results.csv", held), http.StatusNotFound},
		{"/submissions/999/file", http.StatusNotFound},
	} {
		if resp, _ := rita.getRaw(t, tc.path); resp.StatusCode != tc.want || resp.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: got %d, want %d and no file", tc.path, resp.StatusCode, tc.want)
		}
	}
	anon := f.client(t)
	anon.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if resp, _ := anon.getRaw(t, fmt.Sprintf("/submissions/%d/file", done)); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("signed out: got %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func readDataFile(t *testing.T, f *fixture, rel string) string {
	t.Helper()
	b, err := readFile(f.batch.DataDir, rel)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"leeds-staff.csv", `attachment; filename="leeds-staff.csv"`},
		{"Staff März.csv", `attachment; filename="Staff M_rz.csv"; filename*=UTF-8''Staff%20M%C3%A4rz.csv`},
		{`..\..\etc/passwd`, `attachment; filename="passwd.csv"`},
		{"fdp\u202e.csv", `attachment; filename="fdp.csv"`},
		{"a\"b;c\r\n.csv", `attachment; filename="a_b;c.csv"`},
		{"100%.csv", `attachment; filename="100_.csv"; filename*=UTF-8''100%25.csv`},
		{"...", `attachment; filename="file.csv"`},
		{"", `attachment; filename="file.csv"`},
		{"report.xlsx", `attachment; filename="report.xlsx.csv"`},
	} {
		if got := contentDisposition(tc.name); got != tc.want {
			t.Errorf("contentDisposition(%q):\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func readFile(dir, rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, rel))
	return string(b), err
}
