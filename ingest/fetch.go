package ingest

import (
	"fmt"
	"io"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"connectord/inspect"
	"connectord/spool"
)

// spool fetches one batch into a spool segment and makes it durable; ok is
// false when the server returned none of the messages.
//
// The sizes come first (RFC822.SIZE): a message larger than the policy's
// message limit is never fetched whole. Only its header section is spooled,
// so that the automatic-mail, sender and authentication checks still run
// and it is recorded rejected like any other message.
func (p *Poller) spool(uids []imap.UID, floor uint32) (b spooled, ok bool, err error) {
	sizes, err := p.sizes(uids)
	if err != nil {
		return b, false, err
	}
	limit := p.Recorder.Rules.Policy.MessageLimit()
	var whole, big []imap.UID
	for _, u := range uids {
		if sizes[u] > limit {
			big = append(big, u)
		} else {
			whole = append(whole, u)
		}
	}
	seg, err := p.Recorder.Spool.NewSegment(p.now())
	if err != nil {
		return b, false, err
	}
	fetched, err := p.fetch(seg, whole, nil)
	if err == nil && len(big) > 0 {
		var heads []Fetched
		heads, err = p.fetch(seg, big, sizes)
		fetched = append(fetched, heads...)
		slices.SortFunc(fetched, func(a, b Fetched) int { return int(a.UID) - int(b.UID) })
	}
	if err != nil || len(fetched) == 0 {
		seg.Discard()
		return b, false, err
	}
	if len(fetched) < len(uids) {
		p.Log.Warn("the server did not return every message asked for; the rest are looked for again next time",
			"asked", len(uids), "returned", len(fetched))
	}
	if err := seg.Commit(); err != nil {
		seg.Discard()
		return b, false, err
	}
	if p.AfterSpool != nil {
		p.AfterSpool()
	}
	return spooled{seg: seg, fetched: fetched, last: max(uint32(uids[len(uids)-1]), floor)}, true, nil
}

// sizes asks the server for the size (RFC822.SIZE) of each message.
func (p *Poller) sizes(uids []imap.UID) (map[imap.UID]int64, error) {
	msgs, err := p.sess.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch sizes: %w", err)
	}
	out := make(map[imap.UID]int64, len(msgs))
	for _, m := range msgs {
		out[m.UID] = m.RFC822Size
	}
	return out, nil
}

// maxSpooledHeader bounds the header section spooled for a message too
// large to fetch: Inspect reads at most inspect.MaxHeaderBytes of it anyway.
const maxSpooledHeader = inspect.MaxHeaderBytes + 1

// fetch streams each message's bytes into the segment. With sizes set, it
// fetches only the header section of each (BODY.PEEK[HEADER]) and marks
// them HeaderOnly with their size. It gathers the results and returns once
// the FETCH is complete: no other command may be sent while a FETCH is
// being read.
func (p *Poller) fetch(seg *spool.Segment, uids []imap.UID, sizes map[imap.UID]int64) ([]Fetched, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	if sizes != nil {
		section.Specifier = imap.PartSpecifierHeader
	}
	cmd := p.sess.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section},
	})
	var out []Fetched
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var f Fetched
		got := false
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				f.UID = uint32(it.UID)
			case imapclient.FetchItemDataInternalDate:
				f.InternalDate = it.Time
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil {
					continue
				}
				if err := p.append(seg, &f, it.Literal, sizes != nil); err != nil {
					// The literal is broken off and go-imap's reader
					// goroutine has moved on: draining the command
					// (Close) would read the connection alongside it.
					// Drop the connection; the batch is fetched again.
					p.sess.close()
					return nil, err
				}
				got = true
			}
		}
		// "UID n:m" may answer with messages outside the set; keep only ours.
		if !got || f.UID == 0 || !slices.Contains(uids, imap.UID(f.UID)) {
			continue
		}
		if f.InternalDate.IsZero() {
			f.InternalDate = p.now()
		}
		if sizes != nil {
			f.HeaderOnly, f.Size = true, sizes[imap.UID(f.UID)]
		}
		out = append(out, f)
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	slices.SortFunc(out, func(a, b Fetched) int { return int(a.UID) - int(b.UID) })
	return out, nil
}

// append spools one literal; a header section is cut at maxSpooledHeader
// and the rest read and dropped.
func (p *Poller) append(seg *spool.Segment, f *Fetched, lit imap.LiteralReader, header bool) error {
	var src io.Reader = lit
	if header {
		src = io.LimitReader(lit, maxSpooledHeader)
	}
	ref, sum, err := seg.Append(src, 0)
	n := ref.Size
	if err == nil && header {
		var rest int64
		rest, err = io.Copy(io.Discard, lit)
		n += rest
	}
	if err == nil && n != lit.Size() {
		// A connection closed mid-literal reads as a clean EOF.
		err = fmt.Errorf("fetch: the connection ended after %d of a message's %d bytes", n, lit.Size())
	}
	if err != nil {
		return err
	}
	f.Ref, f.SHA256 = ref, sum
	return nil
}
