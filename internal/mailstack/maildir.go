package mailstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const waitTimeout = 15 * time.Second

// MaildirPath returns the Maildir of user's INBOX (cur/, new/, tmp/); other
// folders are subdirectories of it (LAYOUT=fs). Files there belong to uid
// 65534; a file written into it directly must be readable by that uid.
// Dovecot stores messages with LF line ends and serves them over IMAP with
// CRLF, so compare bytes fetched over IMAP, not files, with what was sent.
func (s *Stack) MaildirPath(user string) string {
	user = strings.ToLower(user)
	local, domain, _ := strings.Cut(user, "@")
	return filepath.Join(s.Dir, "mail", domain, local, "Maildir")
}

// WaitForMail waits until user's INBOX holds at least n messages, for mail
// sent through SMTP, which Postfix delivers in the background. It fails the
// test, with the end of the daemons' logs, after 15 s.
func (s *Stack) WaitForMail(t testing.TB, user string, n int) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		got := s.countMail(user)
		if got >= n {
			return
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("%s has %d messages after %v, want %d\n%s", user, got, waitTimeout, n, s.logTail(10))
		}
	}
}

// countMail counts the messages in user's INBOX. Dovecot writes a message
// into tmp/ and renames it into new/, so a counted file is complete.
func (s *Stack) countMail(user string) int {
	n := 0
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(s.MaildirPath(user), sub))
		for _, e := range entries {
			if e.Type().IsRegular() {
				n++
			}
		}
	}
	return n
}
