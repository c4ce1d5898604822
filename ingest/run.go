package ingest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Run polls until ctx ends: a sync, then IDLE (or a sleep) until new mail
// or the poll interval, again and again. Errors drop the connection and
// it is made again after a capped, jittered exponential backoff; each
// outage is logged once when it starts and once when it ends. While Run
// runs it owns the connection: SyncOnce from other goroutines is served
// by Run, which ends its IDLE (or backoff) for it.
func (p *Poller) Run(ctx context.Context, onOutcome func(Outcome)) error {
	request := make(chan syncRequest)
	runDone := make(chan struct{})
	p.mu.Lock()
	if p.request != nil {
		p.mu.Unlock()
		return errors.New("poller: Run is already running")
	}
	p.request, p.runDone = request, runDone
	p.mu.Unlock()
	p.conn.Lock() // waits for a direct SyncOnce to finish
	defer func() {
		p.close()
		p.mu.Lock()
		p.request, p.runDone = nil, nil
		p.mu.Unlock()
		close(runDone)
		p.conn.Unlock()
	}()

	backoff := time.Second
	down := false
	var asked []syncRequest // requests this sync answers
	for {
		out, err := p.syncOnce(ctx)
		for _, o := range out {
			if onOutcome != nil {
				onOutcome(o)
			}
		}
		for _, r := range asked {
			r.reply <- syncResult{out, err}
		}
		asked = asked[:0]
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if !down {
				p.Log.Warn("mailbox unavailable; reconnecting with backoff", "err", err)
				down = true
			}
			p.setStatus(func(s *Status) { s.Reconnects++ })
			wait := backoff/2 + rand.N(backoff/2+1)
			backoff = min(backoff*2, 5*time.Minute)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			case r := <-request:
				t.Stop()
				asked = append(asked, r)
			}
			continue
		}
		if down {
			p.Log.Info("mailbox reachable again")
			down = false
		}
		backoff = time.Second
		r, err := p.wait(ctx, request)
		if r != nil {
			asked = append(asked, *r)
		}
		if err != nil && ctx.Err() == nil {
			p.Log.Debug("wait for new mail", "err", err)
			p.sess.close()
			p.sess = nil
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// wait returns when new mail may have arrived: IDLE until the server says
// so or the poll interval passes; without IDLE, after the poll interval.
// A sync request ends the wait early and is returned.
func (p *Poller) wait(ctx context.Context, request <-chan syncRequest) (*syncRequest, error) {
	t := time.NewTimer(p.PollInterval)
	defer t.Stop()
	if p.sess == nil || !p.sess.caps.Has(imap.CapIdle) {
		select {
		case <-ctx.Done():
		case <-t.C:
		case r := <-request:
			return &r, nil
		}
		return nil, nil
	}
	select {
	case <-p.sess.updates: // mail came during the sync
		return nil, nil
	default:
	}
	idle, err := p.sess.c.Idle()
	if err != nil {
		return nil, fmt.Errorf("idle: %w", err)
	}
	var asked *syncRequest
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-p.sess.updates:
	case r := <-request:
		asked = &r
	}
	if err := idle.Close(); err != nil {
		return asked, fmt.Errorf("end idle: %w", err)
	}
	return asked, idle.Wait()
}
