package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Poller takes every message from the connector mailbox exactly once:
// each new message is streamed into the spool, the spool segment is made
// durable, the batch's dispositions are committed, and only then is the
// server copy moved to the processed mailbox.
type Poller struct {
	Server    Server
	Recorder  *Recorder
	Mailbox   string
	Processed string
	BatchSize int
	// PollInterval is how often to look for mail without IDLE, and the
	// longest IDLE wait.
	PollInterval time.Duration
	Log          *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AfterSpool and AfterRecord, when set, run after a batch's spool
	// segment is durable and after its dispositions are committed (before
	// the server copy is moved). Crash tests kill the process there.
	AfterSpool, AfterRecord func()

	// conn is held by whoever uses the connection (sess, processed): Run
	// for as long as it runs, or one direct SyncOnce.
	conn      sync.Mutex
	sess      *session
	processed string // the processed mailbox's name as found or created
	swept     bool   // orphaned spool segments removed since the last failed sync

	mu      sync.Mutex // guards status, requests and runDone
	status  Status
	request chan syncRequest // non-nil while Run runs: SyncOnce asks Run
	runDone chan struct{}    // closed when that Run ends
}

// Status is the poller's health, for /healthz and logs.
type Status struct {
	Connected  bool
	LastSync   time.Time
	LastError  string
	Reconnects int
}

// Status returns the poller's health; safe from any goroutine.
func (p *Poller) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

func (p *Poller) setStatus(f func(*Status)) {
	p.mu.Lock()
	f(&p.status)
	p.mu.Unlock()
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Close logs out and drops the connection. While Run runs, it waits for
// Run to end (Run closes the connection itself when it returns).
func (p *Poller) Close() {
	p.conn.Lock()
	defer p.conn.Unlock()
	p.close()
}

func (p *Poller) close() {
	if p.sess != nil {
		p.sess.c.Logout().Wait()
		p.sess.close()
		p.sess = nil
	}
	p.setStatus(func(s *Status) { s.Connected = false })
}

// connect logs in when there is no connection.
func (p *Poller) connect(ctx context.Context) error {
	if p.sess != nil {
		return nil
	}
	s, err := p.Server.dial(ctx, p.PollInterval)
	if err != nil {
		return err
	}
	p.sess, p.processed = s, ""
	p.setStatus(func(s *Status) { s.Connected = true })
	return nil
}
