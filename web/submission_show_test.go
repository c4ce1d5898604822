package web

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"connectord/store"
)

// A message refused for two CSV files shows both names on its page.
func TestSubmissionPageNamesEveryAttachment(t *testing.T) {
	f := newFixture(t)
	raw, err := os.ReadFile("../inspect/testdata/two_csv.eml")
	if err != nil {
		t.Fatal(err)
	}
	f.imap.Append(t, raw, f.now())
	out, err := f.poller.SyncOnce(context.Background())
	if err != nil || len(out) != 1 || out[0].State != store.StateRejected {
		t.Fatalf("poll: %+v, %v; want one rejected", out, err)
	}
	_, body := f.login(t, reviewerName).get(fmt.Sprintf("/submissions/%d", out[0].SubmissionID))
	i := strings.Index(body, `id="attachments"`)
	if i < 0 {
		t.Fatalf("the submission page lists no attachments:\n%s", body)
	}
	list := body[i:min(len(body), i+300)]
	for _, want := range []string{"<li>Staff.csv</li>", "<li>Other.csv</li>"} {
		if !strings.Contains(list, want) {
			t.Errorf("attachments %q lack %s", list, want)
		}
	}
}
