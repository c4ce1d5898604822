package ingest

import (
	"context"
	"errors"
	"slices"

	"github.com/emersion/go-imap/v2"

	"connectord/spool"
)

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
