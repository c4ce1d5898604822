package ingest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"connectord/batchday"
	"connectord/store"
)

// validationReport summarises a file's rows for the acknowledgement, so a
// mistake can be fixed and the file sent again before the cutoff.
type validationReport struct {
	Rows, Invalid, Denied int
	Lines                 []string // "line 12: Title: unknown value …", at most maxReportLines
	More                  int      // invalid rows not listed
	DeniedOrgs            []string // organisations the sender may not act for
	// Warned counts valid rows with a value that is applied but looks
	// damaged by a spreadsheet; Warnings lists at most maxReportLines.
	Warned   int
	Warnings []string
}

const maxReportLines = 200

func (v *validationReport) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "The file has %s: %d valid, %d invalid.\n", count(v.Rows, "row"), v.Rows-v.Invalid, v.Invalid)
	if v.Invalid > 0 {
		b.WriteString("\nInvalid rows are not applied. Fix them and send the whole file again before the cutoff\nif you want them in this night's run:\n\n")
		for _, l := range v.Lines {
			b.WriteString("  " + l + "\n")
		}
		if v.More > 0 {
			fmt.Fprintf(&b, "  … and %d more invalid rows (the results email will list every one)\n", v.More)
		}
	}
	if v.Warned > 0 {
		verb := "look"
		if v.Warned == 1 {
			verb = "looks"
		}
		fmt.Fprintf(&b, "\n%s will be applied, but %s damaged by a spreadsheet. Check, and if a value\nis wrong, fix it and send the whole file again before the cutoff:\n\n",
			count(v.Warned, "row"), verb)
		for _, l := range v.Warnings {
			b.WriteString("  " + l + "\n")
		}
		if more := v.Warned - len(v.Warnings); more > 0 {
			fmt.Fprintf(&b, "  … and %d more rows like these (the results email will list every one)\n", more)
		}
	}
	if v.Denied > 0 {
		verb := "are"
		if v.Denied == 1 {
			verb = "is"
		}
		fmt.Fprintf(&b, "\n%s %s for organisations you do not hold the Connector role for (%s);\nthey will be reported ACCESS_DENIED.\n",
			count(v.Denied, "row"), verb, strings.Join(v.DeniedOrgs, ", "))
	}
	return b.String()
}

// count says "1 row", "2 rows".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// letter is an email's subject and body.
type letter struct{ subject, body string }

const signature = "\n-- \nconnectord, the NHSmail push connector. This message was sent automatically.\n"

func subjectRe(s string) string {
	if s == "" {
		return "Re: your connector submission"
	}
	if strings.HasPrefix(strings.ToLower(s), "re:") {
		return s
	}
	return "Re: " + s
}

func ackMail(sub *store.Submission, cutoff batchday.Cutoff, superseded []store.Submission, report *validationReport) letter {
	var b strings.Builder
	fmt.Fprintf(&b, "Your file %q was received and will be processed in the batch for %s\n(files sent before %s are processed that evening).\n\n",
		sub.Filename, sub.BatchDay, cutoff)
	for _, old := range superseded {
		fmt.Fprintf(&b, "It replaces %q, received %s: only the last file sent for a day is processed.\n",
			old.Filename, old.ReceivedAt.Format("2 Jan 2006 15:04 MST"))
	}
	if len(superseded) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(report.text())
	b.WriteString("\nYou will receive the results file, with a result for every row, after the batch has run.\n")
	b.WriteString(signature)
	return letter{subjectRe(sub.Subject), b.String()}
}

func heldMail(sub *store.Submission, superseded []store.Submission, report *validationReport) letter {
	var b strings.Builder
	fmt.Fprintf(&b, "Your file %q was received. This is the first file from %s, so it is held\nfor the support team to review before it is processed (the Push Connector Guide:\n\"the first upload may be manually reviewed by the support team\").\n\n",
		sub.Filename, sub.Sender)
	for _, old := range superseded {
		fmt.Fprintf(&b, "It replaces %q, received %s.\n\n", old.Filename, old.ReceivedAt.Format("2 Jan 2006 15:04 MST"))
	}
	b.WriteString("Once it is approved it is processed in the next batch, and later files from\nthis address are processed without review.\n\n")
	b.WriteString(report.text())
	b.WriteString(signature)
	return letter{subjectRe(sub.Subject), b.String()}
}

// reviewLink is the console's page of held submission id under base (the
// console's public address), or "" without one.
func reviewLink(base string, id int64) string {
	if base == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	u.RawQuery, u.Fragment = "", ""
	return u.JoinPath("review", strconv.FormatInt(id, 10)).String()
}

func reviewMail(sub *store.Submission, orgs []string, replaced []store.Submission, report *validationReport, console string) letter {
	var b strings.Builder
	fmt.Fprintf(&b, "A first file from a new sender is waiting for review.\n\n  submission: %d\n  sender:     %s (Connector role for %s)\n  file:       %s\n  received:   %s\n  batch day:  %s\n\n",
		sub.ID, sub.Sender, strings.Join(orgs, ", "), sub.Filename, sub.ReceivedAt.Format("2 Jan 2006 15:04 MST"), sub.BatchDay)
	for _, old := range replaced {
		fmt.Fprintf(&b, "It replaces submission %d (%q, received %s), which needs no review any more.\n",
			old.ID, old.Filename, old.ReceivedAt.Format("2 Jan 2006 15:04 MST"))
	}
	if len(replaced) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(report.text())
	if link := reviewLink(console, sub.ID); link != "" {
		fmt.Fprintf(&b, "\nReview it in the console (every row, approve or reject):\n  %s\n\nOr on the command line:\n", link)
	}
	fmt.Fprintf(&b, "\nApprove:  connectord review approve %d\nReject:   connectord review reject %d -reason \"...\"\n", sub.ID, sub.ID)
	b.WriteString(signature)
	return letter{fmt.Sprintf("Connector file waiting for review: %s from %s", sub.Filename, sub.Sender), b.String()}
}

func rejectMail(sub *store.Submission, why string) letter {
	var b strings.Builder
	b.WriteString("Your message to the NHSmail push connector was not processed.\n\n")
	b.WriteString(why)
	if !strings.HasSuffix(why, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(signature)
	return letter{subjectRe(sub.Subject), b.String()}
}

const notOnRoster = `%s does not hold the Connector role, so files from it cannot be processed.
The Connector role is assigned in the NHSmail Portal by your organisation's
Local Administrator (Admin > User Management). Once it is assigned, send
the file again.`

func decisionMail(sub *store.Submission, approved bool, reason string) letter {
	var b strings.Builder
	if approved {
		fmt.Fprintf(&b, "Your file %q has been approved by the support team and will be processed\nin the next batch. Later files from %s are processed without review.\n", sub.Filename, sub.Sender)
	} else {
		fmt.Fprintf(&b, "Your file %q was reviewed by the support team and will not be processed.\n\nReason: %s\n\nYou may correct the file and send it again.\n", sub.Filename, reason)
	}
	b.WriteString(signature)
	return letter{subjectRe(sub.Subject), b.String()}
}
