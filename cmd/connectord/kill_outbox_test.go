package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"connectord/store"
)

// 'outbox send' killed right after the relay accepted a message, before
// it was recorded sent, and run again: that one message is delivered once
// and marked failed for an operator (it may or may not have gone, so it is
// never sent blind); every other message is delivered exactly once. Real
// Postfix and Dovecot.
func TestKillDuringSend(t *testing.T) {
	e := newE2E(t)
	const n = 6
	st, err := store.Open(context.Background(), e.c.db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = st.InTx(context.Background(), func(tx *store.Tx) error {
		for i := range n {
			if err := tx.Enqueue(&store.OutboxMessage{Kind: store.MailAck, Recipient: trustedSender,
				Subject: fmt.Sprintf("mail %d", i), Body: "x", MessageID: fmt.Sprintf("kill-%d@nhs.net", i)}, now); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-config", e.config, "outbox", "send")
	cmd.Env = append(os.Environ(), "CONNECTORD_RUN_MAIN=1", "CONNECTORD_CRASH=after-hand-off")
	if out, err := cmd.CombinedOutput(); !killedBySIGKILL(err) {
		t.Fatalf("got %v, want death by SIGKILL\n%s", err, out)
	}
	e.run("outbox", "send")
	e.stack.WaitForMail(t, trustedSender, n)

	seen := map[string]int{}
	for _, raw := range e.inbox(trustedSender) {
		m := parseMail(t, raw)
		id, _ := m.header.MessageID()
		seen[id]++
	}
	for i := range n {
		if id := fmt.Sprintf("kill-%d@nhs.net", i); seen[id] != 1 {
			t.Errorf("%s delivered %d times, want once", id, seen[id])
		}
	}
	st, err = store.Open(context.Background(), e.c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mail, err := st.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, m := range mail {
		states[m.State]++
		if m.State == store.OutboxFailed && (m.MessageID != "kill-0@nhs.net" || !strings.Contains(m.LastError, "interrupted")) {
			t.Errorf("mail %s failed (%q); only the first, interrupted after its hand-off, should be", m.MessageID, m.LastError)
		}
	}
	if states[store.OutboxSent] != n-1 || states[store.OutboxFailed] != 1 {
		t.Errorf("outbox states %v, want %d sent and the interrupted one failed", states, n-1)
	}
}
