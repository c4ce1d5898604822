package ingest

import (
	"context"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"

	"connectord/store"
)

// syncRequest asks a running Run for a sync now; the result comes back on
// reply (buffered).
type syncRequest struct {
	reply chan syncResult
}

type syncResult struct {
	out []Outcome
	err error
}

// SyncOnce connects when needed and takes every message waiting in the
// mailbox. On an error the connection is dropped; what was committed
// stays committed and the next sync carries on from there.
//
// It is safe to call while Run runs (a run of the batch syncs first): the
// connection belongs to Run then, so Run is asked to end its IDLE and sync
// at once, and its result is returned here (Run also reports the outcomes
// to its own callback).
func (p *Poller) SyncOnce(ctx context.Context) ([]Outcome, error) {
	p.mu.Lock()
	request, runDone := p.request, p.runDone
	p.mu.Unlock()
	if request != nil {
		req := syncRequest{reply: make(chan syncResult, 1)}
		select {
		case request <- req:
			select {
			case r := <-req.reply:
				return r.out, r.err
			case <-ctx.Done():
				return nil, fmt.Errorf("sync through the running poller: %w", ctx.Err())
			}
		case <-runDone: // Run ended before taking the request: sync here
		case <-ctx.Done():
			return nil, fmt.Errorf("sync through the running poller: %w", ctx.Err())
		}
	}
	p.conn.Lock()
	defer p.conn.Unlock()
	return p.syncOnce(ctx)
}

// syncOnce is SyncOnce by the connection's holder.
func (p *Poller) syncOnce(ctx context.Context) ([]Outcome, error) {
	out, err := p.lockedSync(ctx)
	if err != nil {
		p.setStatus(func(s *Status) { s.LastError, s.Connected = err.Error(), false })
		if p.sess != nil {
			p.sess.close()
			p.sess = nil
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return out, err
	}
	now := p.now()
	p.setStatus(func(s *Status) { s.LastSync, s.LastError = now, "" })
	return out, nil
}

// lockedSync syncs holding the spool's lock, so that no other process
// (connectord poll -once beside connectord serve) writes segments
// meanwhile; first it removes orphaned segments, which a crash or a failed
// sync may have left.
func (p *Poller) lockedSync(ctx context.Context) ([]Outcome, error) {
	unlock, err := p.Recorder.Spool.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if !p.swept {
		refs, err := p.Recorder.Store.SpoolSegments(ctx)
		if err != nil {
			return nil, err
		}
		removed, err := p.Recorder.Spool.RemoveOrphans(refs)
		if err != nil {
			return nil, err
		}
		if len(removed) > 0 {
			p.Log.Info("removed orphaned spool segments (fetched, never recorded; those messages are fetched again)",
				"count", len(removed))
		}
		p.swept = true
	}
	out, err := p.sync(ctx)
	if err != nil {
		p.swept = false
	}
	return out, err
}

func (p *Poller) sync(ctx context.Context) ([]Outcome, error) {
	if err := p.connect(ctx); err != nil {
		return nil, err
	}
	c := p.sess.c
	if err := p.ensureProcessed(); err != nil {
		return nil, err
	}
	sel, err := c.Select(p.Mailbox, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", p.Mailbox, err)
	}
	var lastUID uint32
	err = p.Recorder.Store.InTx(ctx, func(tx *store.Tx) error {
		st, err := tx.IMAPState(p.Mailbox)
		if err != nil {
			return err
		}
		if st.UIDValidity == sel.UIDValidity {
			lastUID = st.LastUID
		} else if st.UIDValidity != 0 {
			p.Log.Warn("mailbox UIDVALIDITY changed: every message will be checked again, known ones by their hash",
				"mailbox", p.Mailbox, "old", st.UIDValidity, "new", sel.UIDValidity)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sel.NumMessages == 0 {
		return nil, nil
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", p.Mailbox, err)
	}
	var old, fresh []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) <= lastUID {
			old = append(old, u)
		} else {
			fresh = append(fresh, u)
		}
	}
	if len(old) > 0 {
		// Below the position: recorded, but the move did not happen (the
		// connection dropped, or the process died, after the commit). Move
		// only what the store holds by its UID; anything else (a message
		// the server did not return in its batch, a duplicate) is fetched
		// again, and the store's dedupe keeps it recorded once.
		done, again, err := p.recorded(ctx, sel.UIDValidity, old)
		if err != nil {
			return nil, err
		}
		if len(done) > 0 {
			if err := p.move(done); err != nil {
				return nil, err
			}
		}
		fresh = append(fresh, again...)
	}
	slices.Sort(fresh)
	return p.takeAll(ctx, sel.UIDValidity, lastUID, fresh)
}

// recorded splits UIDs into those the store has a submission for and the
// rest.
func (p *Poller) recorded(ctx context.Context, uidValidity uint32, uids []imap.UID) (done, rest []imap.UID, err error) {
	err = p.Recorder.Store.InTx(ctx, func(tx *store.Tx) error {
		done, rest = done[:0], rest[:0]
		for _, u := range uids {
			seen, err := tx.SeenMessage(uidValidity, uint32(u), "")
			if err != nil {
				return err
			}
			if seen {
				done = append(done, u)
			} else {
				rest = append(rest, u)
			}
		}
		return nil
	})
	return done, rest, err
}
