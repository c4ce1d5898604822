package mailstack

import (
	"fmt"
	"net"
	"net/textproto"
	"testing"
	"time"
)

const deliverTimeout = 30 * time.Second

// Deliver stores raw in to's INBOX over LMTP, skipping Postfix. It returns
// once Dovecot has stored the message, so no waiting is needed. Dovecot adds
// Return-Path, Delivered-To and Received headers in front of raw; the rest is
// stored as sent (bare LF line ends become CRLF).
func (s *Stack) Deliver(t testing.TB, from, to string, raw []byte) {
	t.Helper()
	if err := s.deliver(from, to, raw); err != nil {
		t.Fatalf("deliver to %s over LMTP: %v", to, err)
	}
}

func (s *Stack) deliver(from, to string, raw []byte) error {
	conn, err := net.DialTimeout("unix", s.LMTPSocket, deliverTimeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(deliverTimeout)); err != nil {
		return err
	}
	c := textproto.NewConn(conn)
	steps := []struct {
		cmd  string
		code int
	}{
		{"", 220}, // greeting
		{"LHLO mailstack.localdomain", 250},
		{"MAIL FROM:<" + from + ">", 250},
		{"RCPT TO:<" + to + ">", 250},
		{"DATA", 354},
	}
	for _, st := range steps {
		if st.cmd != "" {
			if err := c.PrintfLine("%s", st.cmd); err != nil {
				return err
			}
		}
		if _, _, err := c.ReadResponse(st.code); err != nil {
			return fmt.Errorf("%s: %w", st.cmd, err)
		}
	}
	w := c.DotWriter() // dot-stuffing and the final "."
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// LMTP answers once per recipient: this is the delivery's result.
	if _, _, err := c.ReadResponse(250); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := c.PrintfLine("QUIT"); err != nil {
		return err
	}
	_, _, _ = c.ReadResponse(221)
	return nil
}
