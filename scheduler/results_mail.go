package scheduler

import (
	"fmt"
	"strings"

	"connectord/provision"
	"connectord/store"
)

// resultsName is the results attachment's name: the original name with
// "-results.csv".
func resultsName(filename string) string {
	base := filename
	if i := strings.LastIndexByte(base, '.'); i > 0 && strings.EqualFold(base[i:], ".csv") {
		base = base[:i]
	}
	if base == "" {
		base = "submission"
	}
	return base + "-results.csv"
}

func resultsMail(sub *store.Submission, day string, counts provision.Counts, superseded []store.Submission) (string, string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Your file %q, received %s, was processed in the batch for %s.\n\n",
		sub.Filename, sub.ReceivedAt.Format("2 Jan 2006 15:04 MST"), day)
	fmt.Fprintf(&b, "%d rows:\n", counts.Total())
	for _, s := range provision.Statuses() {
		if counts[s] > 0 {
			fmt.Fprintf(&b, "  %-20s %7d\n", s, counts[s])
		}
	}
	if len(superseded) > 0 {
		b.WriteString("\nOnly the last file you sent for the day is processed. These were replaced and not processed:\n")
		for _, s := range superseded {
			fmt.Fprintf(&b, "  %s, received %s\n", s.Filename, s.ReceivedAt.Format("2 Jan 2006 15:04 MST"))
		}
	}
	fmt.Fprintf(&b, "\nThe attached %s is your file with four columns added: Result, Detail\n(what to fix, or what changed), EmailAddress and GeneratedPassword (for new\nmailboxes whose password was left blank; give it to the user and ask them to\nchange it). Passwords you supplied are not repeated.\n\nWhat each result means:\n", resultsName(sub.Filename))
	for _, s := range provision.Statuses() {
		fmt.Fprintf(&b, "  %s: %s\n", s, s.Meaning())
	}
	b.WriteString("\nTo correct INVALID rows, fix them in the attached file and send it again:\n" +
		"the extra columns are ignored, and rows that got a new mailbox carry its\n" +
		"Local ID (generated where you left it blank), so they are not created twice.\n")
	b.WriteString("\n-- \nconnectord, the NHSmail push connector. This message was sent automatically.\n")
	return fmt.Sprintf("Results: %s (batch of %s)", sub.Filename, day), b.String()
}

func unusableMail(sub *store.Submission, why string) (string, string) {
	body := fmt.Sprintf("Your file %q could not be processed in tonight's batch, so nothing in it was applied:\n\n  %s\n\nFix it and send it again.\n\n-- \nconnectord, the NHSmail push connector. This message was sent automatically.\n",
		sub.Filename, strings.ReplaceAll(why, "; ", "\n  "))
	return "Not processed: " + sub.Filename, body
}

func countsJSON(c provision.Counts) string {
	var parts []string
	for _, s := range provision.Statuses() {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%q:%d", s, c[s]))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}
