package store

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// Enqueue fixes the Message-ID of an email that has none, in the store's
// domain (or the default one), and keeps one the caller set; the stored
// row has the same Message-ID as the message.
func TestEnqueueFixesTheMessageID(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 21, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		opts []Option
		set  string // the caller's Message-ID
		want string // a pattern for the one stored
	}{
		{"the store's domain", []Option{MessageIDDomain("nhs.net")}, "", `^[0-9a-f]{32}@nhs\.net$`},
		{"no domain given", nil, "", `^[0-9a-f]{32}@connectord\.localdomain$`},
		{"the caller's own", []Option{MessageIDDomain("nhs.net")}, "fixed-1@example.org", `^fixed-1@example\.org$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var ids []string
			err = st.InTx(ctx, func(tx *Tx) error {
				for _, to := range []string{"a@nhs.net", "b@nhs.net"} {
					m := &OutboxMessage{Kind: MailAck, Recipient: to, Subject: "s", Body: "b", MessageID: tc.set}
					if tc.set != "" && to == "b@nhs.net" {
						m.MessageID = "fixed-2@example.org" // Message-IDs are unique
					}
					if err := tx.Enqueue(m, now); err != nil {
						return err
					}
					ids = append(ids, m.MessageID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(tc.want).MatchString(ids[0]) {
				t.Errorf("got Message-ID %q, want one matching %s", ids[0], tc.want)
			}
			if ids[0] == ids[1] {
				t.Errorf("two emails got the same Message-ID %q", ids[0])
			}
			stored, err := st.Outbox(ctx, OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 2 || stored[0].MessageID != ids[0] || stored[1].MessageID != ids[1] {
				t.Errorf("stored %+v, want the Message-IDs %q", stored, ids)
			}
		})
	}
}
