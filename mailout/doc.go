// Package mailout sends the outbox: acknowledgements, rejections, review
// notices and results emails, through an SMTP relay.
//
// Each outbox row is sent at most once. Its Message-ID was fixed when the
// row was written, so a retry after a temporary failure is the same email.
// A row is marked "sending" before the attempt; a row found "sending" when
// the Mailer starts (the process died mid-attempt, and the email may have
// gone) is marked failed for an operator rather than sent again.
// Temporary failures (4xx replies, an unreachable relay) are retried with
// capped exponential backoff until max_attempts; a permanent 5xx for a
// recipient fails that row only.
//
// Every email carries Auto-Submitted: auto-replied (RFC 3834) and
// connectord's loop header, which ingest ignores, so two connectord
// instances can never answer each other.
package mailout
