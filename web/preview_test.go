package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
