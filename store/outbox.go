package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Outbox message kinds.
const (
	MailAck      = "ack"      // a file was accepted for a run
	MailHeld     = "held"     // a first file is waiting for review
	MailRejected = "rejected" // a message was refused, with the reason
	MailReview   = "review"   // a reviewer is told a file is waiting
	MailDecision = "decision" // a reviewer's decision, to the sender
	MailResults  = "results"  // the results file after a run
)

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxMessage is one email to send.
type OutboxMessage struct {
	ID             int64
	Kind           string
	SubmissionID   int64
	Recipient      string
	Subject        string
	Body           string
	InReplyTo      string // Message-ID of the submission, without <>
	MessageID      string // fixed before the first attempt, without <>
	AttachmentName string
	AttachmentPath string // relative to the data directory
	State          string
	Attempts       int // since the last retry, against smtp.max_attempts
	TotalAttempts  int // every attempt, across retries
	NextAttemptAt  time.Time
	LastError      string
	CreatedAt      time.Time
	SentAt         time.Time
}

// Enqueue adds an email to the outbox in the transaction, setting m.ID.
// An email without a Message-ID gets one here, so every row has its
// Message-ID fixed before the first attempt to send it.
func (t *Tx) Enqueue(m *OutboxMessage, now time.Time) error {
	if m.MessageID == "" {
		id, err := newMessageID(t.msgIDDomain)
		if err != nil {
			return fmt.Errorf("queue %s mail to %s: %w", m.Kind, m.Recipient, err)
		}
		m.MessageID = id
	}
	var sub any
	if m.SubmissionID != 0 {
		sub = m.SubmissionID
	}
	m.State, m.CreatedAt, m.NextAttemptAt = OutboxPending, now, now
	st, err := t.prepared(`INSERT INTO outbox (kind, submission_id, recipient, subject, body, in_reply_to,
		message_id, attachment_name, attachment_path, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return fmt.Errorf("queue %s mail to %s: %w", m.Kind, m.Recipient, err)
	}
	err = st.QueryRowContext(t.ctx,
		m.Kind, sub, m.Recipient, m.Subject, m.Body, m.InReplyTo, m.MessageID, m.AttachmentName, m.AttachmentPath,
		timeText(now), timeText(now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("queue %s mail to %s: %w", m.Kind, m.Recipient, err)
	}
	return nil
}

// newMessageID makes a Message-ID (without <>): 128 random bits at domain.
func newMessageID(domain string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make Message-ID: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}

const outboxColumns = `id, kind, coalesce(submission_id, 0), recipient, subject, body, in_reply_to, message_id,
	attachment_name, attachment_path, state, attempts, next_attempt_at, last_error, created_at, sent_at, total_attempts`

func scanOutbox(sc scanner, m *OutboxMessage) error {
	var next, created, sent string
	err := sc.Scan(&m.ID, &m.Kind, &m.SubmissionID, &m.Recipient, &m.Subject, &m.Body, &m.InReplyTo, &m.MessageID,
		&m.AttachmentName, &m.AttachmentPath, &m.State, &m.Attempts, &next, &m.LastError, &created, &sent, &m.TotalAttempts)
	if err != nil {
		return err
	}
	m.NextAttemptAt, m.CreatedAt, m.SentAt = parseTime(next), parseTime(created), parseTime(sent)
	return nil
}

// OutboxFilter selects outbox messages; zero fields match all.
type OutboxFilter struct {
	State        string
	SubmissionID int64
	Limit        int
}

// Outbox lists outbox messages, oldest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	q := `SELECT ` + outboxColumns + ` FROM outbox WHERE (? = '' OR state = ?) AND (? = 0 OR submission_id = ?) ORDER BY id`
	args := []any{f.State, f.State, f.SubmissionID, f.SubmissionID}
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return s.outboxRows(ctx, q, args...)
}
