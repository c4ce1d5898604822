package web

import "connectord/store"

// The console shows states, mail kinds and audit actions in plain words,
// with the code beside where operators need it (the command line prints
// the codes).

// stateWords says a submission state in words.
func stateWords(state string) string {
	switch state {
	case store.StateAccepted:
		return "Waiting for its night"
	case store.StateHeld:
		return "Waiting for review"
	case store.StateSuperseded:
		return "Replaced by a later file"
	case store.StateRejected:
		return "Rejected"
	case store.StateIgnored:
		return "Ignored: automatic mail"
	case store.StateProcessed:
		return "Processed"
	}
	return state
}

// mailKindWords says what kind of email an outbox row is.
func mailKindWords(kind string) string {
	switch kind {
	case store.MailAck:
		return "File accepted"
	case store.MailHeld:
		return "File held for review"
	case store.MailRejected:
		return "Not processed"
	case store.MailReview:
		return "Review request"
	case store.MailDecision:
		return "Reviewer's decision"
	case store.MailResults:
		return "Results"
	}
	return kind
}

// mailStateWords says an outbox state in words.
func mailStateWords(state string) string {
	switch state {
	case store.OutboxPending:
		return "Waiting to be sent"
	case store.OutboxSending:
		return "Being sent"
	case store.OutboxSent:
		return "Sent"
	case store.OutboxFailed:
		return "Failed"
	}
	return state
}

// actionWords says an audit action in words.
func actionWords(action string) string {
	switch action {
	case store.AuditApprove:
		return "Approved a file"
	case store.AuditReject:
		return "Rejected a file"
	case store.AuditRosterPut:
		return "Put on the roster"
	case store.AuditRosterRemove:
		return "Took off the roster"
	case store.AuditRunNow:
		return "Ran a night now"
	case store.AuditRetryMail:
		return "Retried a mail"
	case store.AuditDownloadFile:
		return "Downloaded the received file"
	}
	return action
}

// auditActions are the actions the audit page filters by, in its order.
func auditActions() []string {
	return []string{store.AuditApprove, store.AuditReject, store.AuditRosterPut, store.AuditRosterRemove,
		store.AuditRunNow, store.AuditRetryMail, store.AuditDownloadFile}
}

// runStateWords says a batch run's state in words; a finished run with
// rows that were not applied says so.
func runStateWords(r nightRow) string {
	switch {
	case r.State == store.RunRunning:
		return "Running"
	case r.State == store.RunFailed:
		return "Failed"
	case r.State == store.RunDone && r.NotApplied > 0:
		return "Done, rows not applied"
	case r.State == store.RunDone:
		return "Done"
	}
	return r.State
}

// runStateTag is the tag colour of a batch run.
func runStateTag(r nightRow) string {
	if r.State == store.RunDone && r.NotApplied > 0 {
		return "nhsuk-tag--orange"
	}
	return stateTag(r.State)
}
