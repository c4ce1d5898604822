package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"

	"connectord/spool"
	"connectord/store"
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

// syncRequest asks a running Run for a sync now; the result comes back on
// reply (buffered).
type syncRequest struct {
	reply chan syncResult
}

type syncResult struct {
	out []Outcome
	err error
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

// SyncOnce connects when needed and takes every message waiting in the
// mailbox. On an error the connection is dropped; what was committed
// stays committed and the next sync carries on from there.
//
// It is safe to call while Run runs (the nightly batch syncs first): the
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

// spooled is a batch fetched into a committed spool segment.
type spooled struct {
	seg     *spool.Segment
	fetched []Fetched
	last    uint32 // the mailbox position once it is recorded
}

// recorded is a batch after its transaction.
type recorded struct {
	b   spooled
	out []Outcome
	err error
}

// takeAll takes fresh messages batch by batch, in two overlapping stages:
// this goroutine, the only one to use the IMAP connection, fetches batch
// k+1 (and moves what is recorded) while a second goroutine records batch
// k. A message is moved only after its batch's transaction is committed
// and on disk. The mailbox position advances to each batch's last UID
// (never back below floor, the position the sync started from).
func (p *Poller) takeAll(ctx context.Context, uidValidity, floor uint32, fresh []imap.UID) ([]Outcome, error) {
	jobs := make(chan spooled)
	results := make(chan recorded)
	done := make(chan struct{})
	go func() { // takeAll collects every result before it closes jobs
		defer close(done)
		for b := range jobs {
			out, err := p.Recorder.Record(ctx, uidValidity, b.fetched, b.last, p.now())
			results <- recorded{b, out, err}
		}
	}()
	defer func() { close(jobs); <-done }()

	var out []Outcome
	inFlight := false
	// collect waits for the batch being recorded and returns the UIDs to
	// move, or its error.
	collect := func() ([]imap.UID, error) {
		if !inFlight {
			return nil, nil
		}
		r := <-results
		inFlight = false
		out = append(out, r.out...)
		if r.err != nil {
			return nil, r.err
		}
		if p.AfterRecord != nil {
			p.AfterRecord()
		}
		if !slices.ContainsFunc(r.out, func(o Outcome) bool { return o.SubmissionID != 0 }) {
			_ = p.Recorder.Spool.RemoveSegment(r.b.seg.Name()) // nothing refers to it (all already recorded)
		}
		moved := make([]imap.UID, 0, len(r.b.fetched))
		for _, f := range r.b.fetched {
			moved = append(moved, imap.UID(f.UID))
		}
		return moved, nil
	}

	var recordedUIDs []imap.UID // recorded, not yet moved
	for len(fresh) > 0 {
		n := min(len(fresh), max(p.BatchSize, 1))
		uids := fresh[:n]
		fresh = fresh[n:]
		b, ok, ferr := p.spool(uids, floor)
		move, rerr := collect()
		if rerr != nil || ferr != nil {
			// A fetched batch stays an orphan segment, removed by the next
			// sync; recorded batches are moved by the next sync.
			return out, errors.Join(rerr, ferr)
		}
		if ok {
			jobs <- b
			inFlight = true
		}
		recordedUIDs = append(recordedUIDs, move...)
		if len(recordedUIDs) >= moveAtLeast {
			if err := p.move(recordedUIDs); err != nil {
				_, rerr := collect()
				return out, errors.Join(err, rerr)
			}
			recordedUIDs = recordedUIDs[:0]
		}
	}
	move, err := collect()
	if err != nil {
		return out, err
	}
	recordedUIDs = append(recordedUIDs, move...)
	if len(recordedUIDs) > 0 {
		if err := p.move(recordedUIDs); err != nil {
			return out, err
		}
	}
	return out, nil
}

// moveAtLeast is how many recorded messages a sync gathers before it
// moves them (it moves the rest at its end): each MOVE costs the server an
// index update of both mailboxes, whatever its size, and Exchange Online
// throttles by command count.
const moveAtLeast = 1000

// ensureProcessed finds or creates the processed mailbox, once per
// connection. When the configured name cannot be created at the top level
// (servers whose folders live under INBOX), INBOX<separator>name is used.
func (p *Poller) ensureProcessed() error {
	if p.processed != "" {
		return nil
	}
	c := p.sess.c
	exists := func(name string) (bool, error) {
		list, err := c.List("", name, nil).Collect()
		if err != nil {
			return false, fmt.Errorf("list %s: %w", name, err)
		}
		return len(list) > 0, nil
	}
	try := []string{p.Processed}
	if !strings.HasPrefix(strings.ToUpper(p.Processed), "INBOX") {
		inbox, err := c.List("", "INBOX", nil).Collect()
		if err == nil && len(inbox) == 1 && inbox[0].Delim != 0 {
			try = append(try, "INBOX"+string(inbox[0].Delim)+p.Processed)
		}
	}
	var firstErr error
	for _, name := range try {
		ok, err := exists(name)
		if err != nil {
			return err
		}
		if ok {
			p.processed = name
			return nil
		}
		err = c.Create(name, nil).Wait()
		var ie *imap.Error
		if err == nil || (errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
			p.Log.Info("created the processed mailbox", "mailbox", name)
			p.processed = name
			return nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return fmt.Errorf("create processed mailbox %s: %w", p.Processed, firstErr)
}

// move takes recorded messages out of the mailbox: MOVE when the server has
// it; else COPY, flag \Deleted and UID EXPUNGE exactly those UIDs; and
// without UIDPLUS only COPY and flag (a plain EXPUNGE could remove other
// clients' messages), relying on the local record to skip them next time.
func (p *Poller) move(uids []imap.UID) error {
	c := p.sess.c
	set := imap.UIDSetNum(uids...)
	if p.sess.caps.Has(imap.CapMove) {
		if _, err := c.Move(set, p.processed).Wait(); err != nil {
			return fmt.Errorf("move to %s: %w", p.processed, err)
		}
		return nil
	}
	if _, err := c.Copy(set, p.processed).Wait(); err != nil {
		return fmt.Errorf("copy to %s: %w", p.processed, err)
	}
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted, imap.FlagSeen}}
	if err := c.Store(set, flags, nil).Close(); err != nil {
		return fmt.Errorf("flag moved messages: %w", err)
	}
	if p.sess.caps.Has(imap.CapUIDPlus) {
		if err := c.UIDExpunge(set).Close(); err != nil {
			return fmt.Errorf("expunge moved messages: %w", err)
		}
	}
	return nil
}

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
