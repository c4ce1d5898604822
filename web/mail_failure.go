package web

import (
	"regexp"
	"strings"
)

// mailFailure says in words why a mail failed, from the error the outbox
// recorded (the relay's reply, when it gave one), and whether a retry can
// get it through.
type mailFailure struct {
	Words string
	// CanSucceed is false when a retry would fail the same way unless
	// something changed first (or may deliver the mail twice): Retry
	// then asks first, with Warning.
	CanSucceed bool
	Warning    string
}

var (
	// An SMTP reply starts the error or follows ": "; "host:587" is not one.
	replyCode    = regexp.MustCompile(`(?:^|: )([45])(\d\d)(?:[ -]|$)`)
	enhancedCode = regexp.MustCompile(`(?:^| )([45])\.(\d{1,3})\.(\d{1,3})(?: |$)`)
)

// explainFailure reads a failed mail's last error.
func explainFailure(lastError string) mailFailure {
	e := strings.ToLower(lastError)
	if rest, ok := strings.CutPrefix(e, "gave up after "); ok {
		_, why, _ := strings.Cut(rest, ": ")
		f := explainFailure(why)
		f.Words = "connectord tried several times and gave up. " + f.Words
		return f
	}
	switch {
	case strings.HasPrefix(e, "interrupted while sending"):
		return mailFailure{Words: "connectord stopped while it was sending this mail, so it may have been delivered.",
			Warning: "The recipient may already have this mail: check with them first, or it may reach them twice."}
	case strings.HasPrefix(e, "recipient "):
		return mailFailure{Words: "The recipient's address cannot be used in an email.",
			Warning: "A retry fails the same way: the address is wrong."}
	case strings.HasPrefix(e, "attachment"):
		return mailFailure{Words: "The file to attach is missing or outside the data directory.",
			Warning: "A retry fails the same way until the results file is back in place."}
	}
	m := replyCode.FindStringSubmatch(lastError)
	x := enhancedCode.FindStringSubmatch(lastError)
	permanent := (m != nil && m[1] == "5") || (x != nil && x[1] == "5")
	switch {
	case !permanent && (m != nil || x != nil):
		return mailFailure{Words: "The relay asked connectord to try again later.", CanSucceed: true}
	case !permanent:
		return mailFailure{Words: "connectord could not hand the mail to the relay (the relay could not be reached, or the connection failed).", CanSucceed: true}
	}
	words := "The relay or the recipient's mail server refused the mail for good."
	switch {
	case x != nil && x[2] == "1" && (x[3] == "1" || x[3] == "0") || strings.Contains(e, "user unknown") || strings.Contains(e, "no such user"):
		words = "The recipient's mail server says the address does not exist."
	case x != nil && x[2] == "2" && x[3] == "2" || strings.Contains(e, "mailbox full") || strings.Contains(e, "quota"):
		words = "The recipient's mailbox is full."
	case x != nil && x[2] == "7":
		words = "The relay refused the mail by its policy (for example, connectord's sign-in or sender address is not allowed)."
	}
	return mailFailure{Words: words,
		Warning: "This was a permanent refusal: a retry fails the same way unless something has changed since (the address corrected, the mailbox emptied, the relay's policy changed)."}
}
