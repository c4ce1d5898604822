package mailout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"connectord/store"
)

// Mailer drains the outbox through a relay.
type Mailer struct {
	Store              *store.Store
	Relay              Relay
	From               string
	LoopHeader         string
	DataDir            string // attachment paths are relative to it
	MaxAttempts        int
	MaxAttachmentBytes int64
	// Interval is how often the outbox is looked at when nothing wakes
	// the Mailer.
	Interval time.Duration
	Log      *slog.Logger
	Now      func() time.Time
	// Sent, when set, is told the outcome of every attempt (metrics).
	Sent func(kind, outcome string)
	// AfterHandOff, when set, runs when the relay has accepted a message
	// and before it is recorded sent (crash tests kill the process there).
	AfterHandOff func()

	wakeOnce sync.Once
	wake     chan struct{}
}

// Stats counts one drain's outcomes.
type Stats struct {
	Sent, Retried, Failed int
}

func (s *Mailer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// permanentError marks a failure no retry can fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func permanent(err error) error { return permanentError{err} }

// Recover marks mail left mid-attempt by a stopped process as failed. Call
// it once before the first drain, when no other sender runs.
func (s *Mailer) Recover(ctx context.Context) error {
	n, err := s.Store.FailInterrupted(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		s.Log.Warn("mail interrupted mid-send marked failed; check and retry them with 'connectord outbox retry'", "count", n)
	}
	return nil
}

// DrainOnce sends every message that is due, one relay connection per
// batch of up to 50.
func (s *Mailer) DrainOnce(ctx context.Context) (Stats, error) {
	var st Stats
	for {
		due, err := s.Store.DueMail(ctx, s.now(), 50)
		if err != nil {
			return st, err
		}
		if len(due) == 0 {
			return st, nil
		}
		if err := s.sendBatch(ctx, due, &st); err != nil {
			return st, err
		}
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
	}
}

// sendBatch sends due mail over one relay connection, made when the first
// message is claimed. Each message is claimed just before its attempt, so
// a crash leaves at most that one in doubt (failed for an operator at the
// next start), never the rest of the batch.
func (s *Mailer) sendBatch(ctx context.Context, due []store.OutboxMessage, st *Stats) error {
	var client *gomail.Client
	var dialErr error
	defer func() {
		if client != nil && dialErr == nil {
			client.Close()
		}
	}()
	for i := range due {
		m := &due[i]
		claimed, err := s.claim(ctx, m)
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		if client == nil && dialErr == nil {
			client, dialErr = s.dial(ctx)
		}
		if dialErr != nil {
			if err := s.settle(ctx, m, fmt.Errorf("relay %s: %w", s.Relay.Address, dialErr), false, st); err != nil {
				return err
			}
			continue
		}
		msg, err := s.compose(m, s.now())
		if err != nil {
			var pe permanentError
			if err := s.settle(ctx, m, err, errors.As(err, &pe), st); err != nil {
				return err
			}
			continue
		}
		sendErr := client.Send(msg)
		switch {
		case sendErr == nil && !msg.HasSendError():
			if s.AfterHandOff != nil {
				s.AfterHandOff()
			}
			if err := s.Store.MarkSent(ctx, m.ID, s.now()); err != nil {
				return err
			}
			st.Sent++
			s.report(m.Kind, "sent")
			s.Log.Info("mail sent", "outbox", m.ID, "kind", m.Kind, "to", m.Recipient, "message_id", m.MessageID,
				"submission", m.SubmissionID)
		default:
			cause := msg.SendError()
			if cause == nil {
				cause = sendErr
			}
			perm := msg.HasSendError() && !msg.SendErrorIsTemp() && isServerReply(cause)
			if err := s.settle(ctx, m, cause, perm, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// claim marks m as being sent and makes that durable before the mail can
// leave: a power cut must not undo the claim (or the run or decision
// that queued the mail) after the relay has the message, or a restart
// would send it again.
func (s *Mailer) claim(ctx context.Context, m *store.OutboxMessage) (bool, error) {
	ok, err := s.Store.ClaimMail(ctx, m.ID)
	if err != nil || !ok {
		return false, err
	}
	m.State, m.Attempts = store.OutboxSending, m.Attempts+1
	if err := s.Store.Flush(); err != nil {
		return false, err
	}
	return true, nil
}

// dial connects and logs in to the relay. A refused OAuth 2.0 token is
// dropped, so the next attempt asks for a fresh one.
func (s *Mailer) dial(ctx context.Context) (*gomail.Client, error) {
	client, token, err := s.Relay.client()
	if err != nil {
		return nil, err
	}
	if err := client.DialWithContext(ctx); err != nil {
		if token != "" && isAuthRefusal(err) {
			s.Relay.Creds.Refused(token)
		}
		return nil, err
	}
	return client, nil
}

// isServerReply reports whether err is the relay's own 5xx/4xx answer
// rather than a connection problem.
func isServerReply(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.ErrorCode() >= 500
}

// settle records a failed attempt: failed when permanent or out of
// attempts, else pending again after a backoff.
func (s *Mailer) settle(ctx context.Context, m *store.OutboxMessage, cause error, perm bool, st *Stats) error {
	reason := cause.Error()
	if perm || m.Attempts >= s.MaxAttempts {
		if !perm {
			reason = fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, reason)
		}
		st.Failed++
		s.report(m.Kind, "failed")
		s.Log.Warn("mail failed; retry it with 'connectord outbox retry'", "outbox", m.ID, "kind", m.Kind, "to", m.Recipient, "err", reason)
		return s.Store.MarkFailed(ctx, m.ID, reason)
	}
	st.Retried++
	s.report(m.Kind, "retry")
	next := s.now().Add(backoff(m.Attempts))
	s.Log.Info("mail deferred", "outbox", m.ID, "to", m.Recipient, "attempt", m.Attempts, "next", next, "err", reason)
	return s.Store.MarkRetry(ctx, m.ID, reason, next)
}

// backoff is the wait before attempt n+1: 30s doubling to at most an
// hour, with a quarter of jitter.
func backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return d - time.Duration(rand.Int64N(int64(d/4)+1))
}

func (s *Mailer) report(kind, outcome string) {
	if s.Sent != nil {
		s.Sent(kind, outcome)
	}
}

// Wake asks a running sender to drain now.
func (s *Mailer) Wake() {
	select {
	case s.wakeChan() <- struct{}{}:
	default:
	}
}

// wakeChan makes the wake channel on first use; Wake and Run may be
// called from different goroutines first, so it is made once.
func (s *Mailer) wakeChan() chan struct{} {
	s.wakeOnce.Do(func() { s.wake = make(chan struct{}, 1) })
	return s.wake
}

// Run drains the outbox until ctx ends: at start, when woken, and every
// Interval.
func (s *Mailer) Run(ctx context.Context) error {
	if err := s.Recover(ctx); err != nil {
		return err
	}
	wake := s.wakeChan()
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.DrainOnce(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("outbox drain", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
		}
	}
}
