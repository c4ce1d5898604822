package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"connectord/store"
)

// bigFile is a held file of many rows: a multi-line cell and a blank line
// early on, so that record numbers are not line numbers; 56 new mailboxes
// for RR8 (whose creation limit is 50), 3 rows for X26 (not alice's) and
// 61 invalid rows. lines says where each INVALID row starts.
func bigFile() (csv string, invalidLines []int) {
	var b strings.Builder
	b.WriteString("FirstName,LastName,Local ID,Organisation,JobTitle\r\n")
	line := 2
	b.WriteString("Multi,Line,M0,RR8,\"Senior\r\nNurse\"\r\n\r\n") // lines 2-3, then a blank line 4
	line += 3
	for i := 1; i <= 55; i++ {
		fmt.Fprintf(&b, "New%d,Person,M%d,RR8,Nurse\r\n", i, i)
		line++
	}
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "Other%d,Org,X%d,X26,Porter\r\n", i, i)
		line++
	}
	for i := 1; i <= 61; i++ {
		fmt.Fprintf(&b, "Bad%d,,B%d,RR8,Clerk\r\n", i, i)
		invalidLines = append(invalidLines, line)
		line++
	}
	return b.String(), invalidLines
}

var lineCell = regexp.MustCompile(`aria-hidden="true">Line </span>(\d+)</td>`)

func shownLines(body string) []string {
	var out []string
	for _, m := range lineCell.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The preview shows the whole held file, a page at a time, filtered by
// each count (ACCESS_DENIED counted by its two reasons), with the file's
// own line numbers and what would happen in the future tense. The dry run
// is made once: pages, filters and the download read what it kept, until
// the directory changes.
func TestPreviewOfTheWholeFile(t *testing.T) {
	f := newFixture(t)
	csv, invalid := bigFile()
	id := f.held(t, "alice.smith@nhs.net", "big.csv", csv)
	rita := f.login(t, reviewerName)
	page := fmt.Sprintf("/review/%d", id)

	status, body := rita.get(page)
	text := html.UnescapeString(body)
	if status != http.StatusOK {
		t.Fatalf("preview: got %d", status)
	}
	for _, want := range []string{
		"120 rows", // 1 + 55 + 3 + 61
		`<code class="app-code">PROCESSED_NEW</code>: <span class="app-nowrap">50 rows</span>`,
		`<code class="app-code">ACCESS_DENIED</code>, creation limit reached: <span class="app-nowrap">6 rows</span>`,
		`<code class="app-code">ACCESS_DENIED</code>, not the sender's organisation: <span class="app-nowrap">3 rows</span>`,
		`<code class="app-code">INVALID</code>: <span class="app-nowrap">61 rows</span>`,
		"A new mailbox would be created for each of these rows.",
		"The organisation's mailbox creation limit would be reached: no mailbox would be created.",
		"Every row: 1 to 50 of 120",
		"would be created", "a password will be generated",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if strings.Contains(text, "was created") {
		t.Error("the preview speaks in the past tense")
	}
	if got := shownLines(body); len(got) != 50 || got[0] != "2" || got[1] != "5" {
		t.Errorf("first page's lines: %v, want 50 starting 2, 5 (a multi-line cell, then a blank line)", got)
	}
	if !strings.Contains(body, `href="/review/`+fmt.Sprint(id)+`?rows=INVALID#rows"`) {
		t.Error("the INVALID count is not a link to those rows")
	}

	_, body = rita.get(page + "?rows=INVALID&page=2")
	text = html.UnescapeString(body)
	got := shownLines(body)
	if !strings.Contains(text, "INVALID: rows 51 to 61 of 61") || len(got) != 11 || got[0] != fmt.Sprint(invalid[50]) || got[10] != fmt.Sprint(invalid[60]) {
		t.Errorf("INVALID page 2: lines %v, want 11 from line %d to %d", got, invalid[50], invalid[60])
	}
	if strings.Contains(text, "PROCESSED_NEW</strong>") {
		t.Error("the INVALID rows page lists other rows")
	}
	_, body = rita.get(page + "?rows=" + url.QueryEscape(deniedLimit))
	if got := shownLines(body); len(got) != 6 || !strings.Contains(body, "creation limit reached") {
		t.Errorf("creation-limit rows: %v, want 6", got)
	}
	for _, q := range []string{"?page=3", "?page=99", "?rows=NONSENSE", "?page=-1"} {
		if status, _ := rita.get(page + q); status != http.StatusOK {
			t.Errorf("%s: got %d, want the page", q, status)
		}
	}
	if status, _ := rita.get(page + "/dry-run.csv"); status != http.StatusOK {
		t.Errorf("dry-run download: got %d", status)
	}
	if n := f.srv.dryRuns.Load(); n != 1 {
		t.Errorf("%d dry runs for one version of the directory, want 1", n)
	}
}

// When the directory changes, the next view makes a new dry run and
// drops the old one.
func TestPreviewMadeAgainWhenTheDirectoryChanges(t *testing.T) {
	f := newFixture(t)
	csv, _ := bigFile()
	id := f.held(t, "alice.smith@nhs.net", "big.csv", csv)
	rita := f.login(t, reviewerName)
	page := fmt.Sprintf("/review/%d", id)
	rita.get(page)
	rita.get(page + "?page=2")
	before, _ := filepath.Glob(filepath.Join(f.batch.DataDir, "previews", fmt.Sprintf("%d-*", id)))
	dtx, err := f.st.BeginDirectory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := dtx.Put(&store.Mailbox{Address: "new1.person@nhs.net", LocalID: "M1", Org: "RR8", Kind: store.KindMailbox,
		FirstName: "New1", LastName: "Person"}, f.now()); err == nil {
		err = dtx.Audit(store.AuditEntry{At: f.now(), Actor: "test", Action: "import"})
	}
	if err != nil || dtx.Commit() != nil {
		t.Fatal(err)
	}
	_, body := rita.get(page)
	if n := f.srv.dryRuns.Load(); n != 2 || !strings.Contains(body, "PROCESSED_NOCHANGE") && !strings.Contains(body, "PROCESSED_UPDATED") {
		t.Errorf("after a directory change: %d dry runs, want 2, and the changed row's new result", n)
	}
	after, _ := filepath.Glob(filepath.Join(f.batch.DataDir, "previews", fmt.Sprintf("%d-*", id)))
	if len(before) != 1 || len(after) != 1 || before[0] == after[0] {
		t.Errorf("kept dry runs: before %v, after %v; want one, replaced", before, after)
	}
	if _, err := os.Stat(before[0]); err == nil {
		t.Error("the old dry run was kept")
	}
}

// Approving a file with rows the night would not apply asks first,
// saying how many and why; a file whose rows all apply is approved at
// once. A decided file's dry runs go.
func TestApproveWithRowsNotAppliedAsksFirst(t *testing.T) {
	f := newFixture(t)
	leeds := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	clean := f.held(t, "bob.jones@nhs.net", "densham.csv", "FirstName,LastName,Local ID,Organisation\r\nEve,Adams,D1,A81001\r\n")
	rita := f.login(t, reviewerName)
	page := fmt.Sprintf("/review/%d", leeds)
	_, body := rita.get(page)
	if !strings.Contains(body, `<form method="get" action="/review/`+fmt.Sprint(leeds)+`/approve">`) {
		t.Error("the preview's Approve does not lead to the confirmation")
	}
	status, body := rita.post(page+"/approve", url.Values{})
	text := html.UnescapeString(body)
	for _, want := range []string{"Approve leeds.csv with 2 rows that would not be applied?",
		"Tonight's run would apply 2 of the file's 4 rows",
		"INVALID: 1 row. Fields of the row are wrong",
		"ACCESS_DENIED, not the sender's organisation: 1 row.",
		"trusts alice.smith@nhs.net from then on"} {
		if status != http.StatusOK || !strings.Contains(text, want) {
			t.Errorf("approve without confirming: got %d, want the confirmation saying %q", status, want)
		}
	}
	if s := f.submission(t, leeds); s.State != store.StateHeld {
		t.Fatalf("approved before it was confirmed: %s", s.State)
	}
	if _, body := rita.post(page+"/approve", url.Values{"confirm": {"yes"}}); !strings.Contains(body, "Approved leeds.csv") {
		t.Error("confirmed approval did not approve")
	}
	if _, body := rita.post(fmt.Sprintf("/review/%d/approve", clean), url.Values{}); !strings.Contains(body, "Approved densham.csv") {
		t.Error("a file whose rows all apply was not approved at once")
	}
	if left, _ := filepath.Glob(filepath.Join(f.batch.DataDir, "previews", "*")); len(left) != 0 {
		t.Errorf("dry runs of decided files kept: %v", left)
	}
}

// The preview reads a held file out of the spool as the night does, with
// its SHA-256 check: a file altered in the spool since it arrived is not
// dry-run, and the page says why.
func TestPreviewOfATamperedSpool(t *testing.T) {
	f := newFixture(t)
	id := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	changed := strings.Replace(pushCSV, "Ann,Other", "Amy,Other", 1)
	from := []byte(base64.StdEncoding.EncodeToString([]byte(pushCSV))[:76])
	to := []byte(base64.StdEncoding.EncodeToString([]byte(changed))[:76])
	seg := filepath.Join(f.batch.Spool.Dir(), f.submission(t, id).Spool.Segment)
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, from) {
		t.Fatal("the file is not in its spool segment")
	}
	if err := os.WriteFile(seg, bytes.Replace(b, from, to, 1), 0o640); err != nil {
		t.Fatal(err)
	}
	_, body := f.login(t, reviewerName).get(fmt.Sprintf("/review/%d", id))
	if !strings.Contains(body, "is not the one received") || strings.Contains(body, `id="preview-counts"`) {
		t.Errorf("preview of a file altered in the spool: want the refusal and no dry run:\n%s", body)
	}
}
