package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/store"
)

// oddFile is a CSV whose bytes a conversion would change: a byte-order
// mark, a Windows-1252 é, CRLF and no line end at the very end.
const oddFile = "\xEF\xBB\xBFFirstName,LastName,Local ID,Organisation\r\nRen\xE9e,Other,N1,RR8\r\nAnn,Smith,N2,RR8"

// submissions show says where the message is kept and the SHA-256 of its
// file, and submissions file writes the file byte for byte as received.
func TestSubmissionsFileWritesTheBytesReceived(t *testing.T) {
	m := newMailboxSetup(t, 50)
	m.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", "odd.csv", oddFile), time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	id := strconv.FormatInt(m.pollIDs()["odd.csv"], 10)
	sum := sha256.Sum256([]byte(oddFile))
	show := m.must("submissions", "show", id)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\nspool +` + regexp.QuoteMeta(filepath.Join(m.dir, "var", "spool")) + `/\S+\.spool, offset 0, \d+ bytes\n`),
		regexp.MustCompile(`\nfile sha256 +` + hex.EncodeToString(sum[:]) + ` \(` + strconv.Itoa(len(oddFile)) + ` bytes`),
	} {
		if !want.MatchString(show) {
			t.Errorf("submissions show does not match %s:\n%s", want, show)
		}
	}

	out := filepath.Join(t.TempDir(), "copy.csv")
	m.must("submissions", "file", id, "-o", out)
	if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, []byte(oddFile)) {
		t.Errorf("submissions file -o: got %q (%v), want the attachment's bytes %q", got, err, oddFile)
	}
	if got := m.must("submissions", "file", id); got != oddFile {
		t.Errorf("submissions file to standard output: got %q, want %q", got, oddFile)
	}
}

// A spooled file changed after it was received is refused: the night
// applies nothing, records the refusal on the run and logs it as an
// error, sends no results, and rejects the submission; submissions file
// writes nothing.
func TestNightRefusesATamperedSpool(t *testing.T) {
	m := newMailboxSetup(t, 50)
	m.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", "staff.csv", goodFile), time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	ids := m.pollIDs()
	id := ids["staff.csv"]
	tamperSpool(t, m, goodFile, strings.Replace(goodFile, "Ann,Other", "Eve,Admin", 1))

	out := filepath.Join(t.TempDir(), "copy.csv")
	if _, stderr, code := m.run("submissions", "file", strconv.FormatInt(id, 10), "-o", out); code != 1 || !strings.Contains(stderr, "is not the one received") {
		t.Errorf("submissions file of a tampered spool: exit %d, stderr %q; want 1, refused", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("submissions file of a tampered spool wrote %s (%v)", out, err)
	}

	_, stderr, code := m.run("batch", "run", "-no-sync", "-day", "2026-03-03")
	if code != 1 || !strings.Contains(stderr, "failed") || !regexp.MustCompile(`level=ERROR msg="file not processed".*is not the one received`).MatchString(stderr) {
		t.Errorf("batch run: exit %d, stderr:\n%s\nwant exit 1, the run failed and the error logged", code, stderr)
	}
	if show := m.must("batch", "show", "2026-03-03"); !strings.Contains(show, "is not the one received") || !strings.Contains(show, "failed") {
		t.Errorf("batch show does not record the refusal:\n%s", show)
	}
	st := m.store()
	defer st.Close()
	ctx := context.Background()
	sub, err := st.Submission(ctx, id)
	if err != nil || sub.State != store.StateRejected || !strings.Contains(sub.Reason, "the spool was altered or damaged") {
		t.Errorf("submission after the night: %s %q (%v), want rejected saying the spool changed", sub.State, sub.Reason, err)
	}
	mail, _ := st.Outbox(ctx, store.OutboxFilter{SubmissionID: id})
	var kinds []string
	for _, msg := range mail {
		kinds = append(kinds, msg.Kind)
		if msg.Kind == store.MailRejected && !strings.Contains(msg.Body, "Please send the file again") {
			t.Errorf("the sender's notice does not ask for the file again:\n%s", msg.Body)
		}
	}
	if strings.Join(kinds, " ") != "ack rejected" {
		t.Errorf("mail about the file: %v, want the acknowledgement and the refusal, no results", kinds)
	}
	if n, err := st.CountMailboxes(ctx); err != nil || n != 0 {
		t.Errorf("directory has %d mailboxes (%v) after refusing the file, want 0", n, err)
	}
}

// tamperSpool replaces the base64 form of csv in the spool's segments by
// that of changed (the same length, so the message stays well formed).
func tamperSpool(t *testing.T, m *mailboxSetup, csv, changed string) {
	t.Helper()
	if len(csv) != len(changed) {
		t.Fatal("tamperSpool needs a change of the same length")
	}
	from, to := []byte(base64.StdEncoding.EncodeToString([]byte(csv))[:76]), []byte(base64.StdEncoding.EncodeToString([]byte(changed))[:76])
	segs, _ := filepath.Glob(filepath.Join(m.dir, "var", "spool", "*.spool"))
	done := false
	for _, seg := range segs {
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, from) {
			if err := os.WriteFile(seg, bytes.Replace(b, from, to, 1), 0o640); err != nil {
				t.Fatal(err)
			}
			done = true
		}
	}
	if !done {
		t.Fatal("the file is in no spool segment")
	}
}
