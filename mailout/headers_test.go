package mailout

import (
	"bytes"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectord/store"
)

// Headers says what compose writes: every field it lists is in the
// composed email with the same value.
func TestHeadersAreWhatComposeWrites(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.csv"), []byte("a,b\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Mailer{From: "connector.data@nhs.net", LoopHeader: "X-Connectord-Loop", DataDir: dir}
	date := time.Date(2026, 3, 3, 21, 4, 5, 0, time.FixedZone("GMT", 0))
	for _, m := range []store.OutboxMessage{
		{Recipient: "alice.smith@nhs.net", Subject: "Re: Staff – März", MessageID: "a1@nhs.net", InReplyTo: "orig@nhs.net",
			Body: "Hello\n", AttachmentName: "staff-results.csv", AttachmentPath: "r.csv"},
		{Recipient: "support@nhs.net", Subject: "Connector file waiting for review", MessageID: "a2@nhs.net", Body: "x\n"},
	} {
		msg, err := s.compose(&m, date)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := msg.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatal(err)
		}
		dec := new(mime.WordDecoder)
		for _, h := range Headers(&m, s.From, s.LoopHeader, date) {
			v, err := dec.DecodeHeader(got.Header.Get(h.Name))
			if err != nil || v != h.Value {
				t.Errorf("%s: composed %q (%v), Headers says %q", h.Name, v, err, h.Value)
			}
		}
	}
}
