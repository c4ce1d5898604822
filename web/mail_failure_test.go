package web

import (
	"strings"
	"testing"
)

func TestExplainFailure(t *testing.T) {
	for _, tc := range []struct {
		err, words string
		canSucceed bool
	}{
		{"550 5.1.1 <x@nhs.net>: Recipient address rejected: User unknown in local recipient table", "address does not exist", false},
		{"550 no such user", "address does not exist", false},
		{"gave up after 8 attempts: 451 4.3.0 Temporary lookup failure", "asked connectord to try again later", true},
		{"gave up after 8 attempts: relay 127.0.0.1:25: dial tcp 127.0.0.1:25: connect: connection refused", "could not hand the mail", true},
		{"454 4.7.0 temporary authentication failure", "try again later", true},
		{"552 5.2.2 mailbox full", "mailbox is full", false},
		{"554 5.7.1 Relay access denied", "by its policy", false},
		{"interrupted while sending: it may have been delivered; check with the recipient, then retry it if not", "may have been delivered", false},
		{`recipient "a b": invalid address`, "cannot be used", false},
		{"attachment: open /x/results/1.csv: no such file or directory", "file to attach is missing", false},
		{"500 syntax error", "refused the mail for good", false},
		{"failed to set RCPT TO address: 550 5.1.1 <x@nhs.net>: User unknown", "address does not exist", false},
		{"relay smtp.example:587: dial tcp 10.5.1.1:587: i/o timeout", "could not hand the mail", true},
	} {
		f := explainFailure(tc.err)
		if !strings.Contains(f.Words, tc.words) || f.CanSucceed != tc.canSucceed || (f.Warning == "") != tc.canSucceed {
			t.Errorf("explainFailure(%q) = %+v; want words with %q, can succeed %v, a warning when not", tc.err, f, tc.words, tc.canSucceed)
		}
	}
}
