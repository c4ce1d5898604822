// Package mailbench fills a Dovecot Maildir with generated submissions for
// the ingest benchmark (scripts/bench-ingest.sh): each message comes from a
// sender on the Connector roster, carries an Authentication-Results header
// from the trusted authserv-id (mx.nhs.net, the default of
// ingest.trusted_authserv_ids) and one base64 CSV attachment, so connectord
// runs every check and accepts it (trusted sender) or holds it (first-time
// sender), superseding the sender's earlier file of the day.
//
// Writing the files straight into the Maildir is the fastest way to load a
// mailbox: about 5,000 messages a second, against a few hundred over LMTP.
// Dovecot assigns UIDs when it next looks (doveadm mailbox status).
package mailbench

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"connectord/internal/synth"
	"connectord/store"
)

// Load describes the messages to write.
type Load struct {
	Messages int // how many
	Senders  int // distinct senders, taking turns
	// FirstTime is how many of the senders (the last ones) have never had
	// a file approved: their files are held for review. The others are
	// trusted: their files are accepted.
	FirstTime int
	// SameDay puts every message on one batch day, received between 09:00
	// and 19:00 on Start's day, so each sender sends many files that day:
	// each file supersedes the sender's one before, and every one is
	// acknowledged. Otherwise message i arrives on day i/Senders after
	// Start, so no file supersedes another.
	SameDay bool
	// Rows is the number of rows of each CSV (about 140 bytes a row, so 14
	// rows make a ~2 KB file).
	Rows int
	// RealNames draws the CSVs' names from synth's realistic pool.
	RealNames bool
	// Start is the first message's receipt time (its INTERNALDATE: the
	// file's mtime).
	Start time.Time
	// UID and GID own the files; Dovecot never runs as root. -1 keeps the
	// writer's.
	UID, GID int
}

// RealLoad is the shape a national connector's mailbox sees: n messages
// of ~2 KB CSVs from 100 trusted roster senders, all on one day, every one
// authenticated by the trusted MTA.
func RealLoad(n int) Load {
	return Load{Messages: n, Senders: 100, SameDay: true, Rows: 14, RealNames: true, UID: -1, GID: -1,
		Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
}

// EasyLoad is the shape first measured: 50 senders, half of them
// first-time, one file each per day.
func EasyLoad(n int) Load {
	return Load{Messages: n, Senders: 50, FirstTime: 25, Rows: 14, UID: -1, GID: -1,
		Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
}

// OrgCode is the organisation every generated row and sender belongs to.
var OrgCode = synth.OrgCode(0)

// Sender is the address of generated sender i.
func Sender(i int) string { return fmt.Sprintf("bench.admin%03d@nhs.net", i) }

// Trusted reports whether sender i is trusted (its files are accepted);
// the others are first-time senders, whose files are held for review.
func (l Load) Trusted(i int) bool { return i < l.Senders-l.FirstTime }

// Roster puts the organisation and the senders in the store and trusts
// all but the first-time ones.
func (l Load) Roster(ctx context.Context, st *store.Store, now time.Time) error {
	org := store.Organisation{Code: OrgCode, Name: "Synthetic Trust 0", CreationLimit: 1 << 30}
	for u := 1; u <= 3; u++ {
		org.Units = append(org.Units, fmt.Sprintf("D%s%02d", OrgCode, u))
	}
	if err := st.PutOrganisations(ctx, []store.Organisation{org}); err != nil {
		return err
	}
	for i := range l.Senders {
		if err := st.PutSender(ctx, Sender(i), []string{OrgCode}, "bench", now); err != nil {
			return err
		}
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i := range l.Senders {
			if l.Trusted(i) {
				if err := tx.Trust(Sender(i), "bench", 0, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// received is message i's receipt time.
func (l Load) received(i int) time.Time {
	if l.SameDay {
		return l.Start.Add(time.Duration(i) * (10 * time.Hour) / time.Duration(max(l.Messages, 1)))
	}
	return l.Start.Add(time.Duration(i/max(l.Senders, 1)) * 24 * time.Hour)
}

// WriteMaildir writes the messages into maildir's cur/ (through tmp/, as
// the Maildir protocol wants) and returns their total size.
func (l Load) WriteMaildir(maildir string) (int64, error) {
	for _, sub := range []string{"", "cur", "new", "tmp"} {
		dir := filepath.Join(maildir, sub)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return 0, err
		}
		if l.UID >= 0 {
			if err := os.Chown(dir, l.UID, l.GID); err != nil {
				return 0, err
			}
		}
	}
	var total int64
	senders := max(l.Senders, 1)
	for i := range l.Messages {
		n, err := l.writeOne(maildir, i, i%senders, l.received(i))
		if err != nil {
			return total, fmt.Errorf("message %d: %w", i, err)
		}
		total += n
	}
	return total, nil
}

func (l Load) writeOne(maildir string, i, sender int, received time.Time) (int64, error) {
	tmp := filepath.Join(maildir, "tmp", fmt.Sprintf("%d.M%dP%d.mailbench", received.Unix(), i, os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: bufio.NewWriterSize(f, 64<<10)}
	werr := l.message(cw, i, sender, received)
	if werr == nil {
		werr = cw.w.(*bufio.Writer).Flush()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil && l.UID >= 0 {
		werr = os.Chown(tmp, l.UID, l.GID)
	}
	if werr == nil {
		werr = os.Chtimes(tmp, received, received)
	}
	if werr != nil {
		os.Remove(tmp)
		return 0, werr
	}
	// S= is the file's size, which lets Dovecot skip a stat.
	name := fmt.Sprintf("%s,S=%d:2,", filepath.Base(tmp), cw.n)
	return cw.n, os.Rename(tmp, filepath.Join(maildir, "cur", name))
}

// message writes one submission with LF line ends, as Dovecot stores
// mail (it serves CRLF over IMAP).
func (l Load) message(w io.Writer, i, sender int, received time.Time) error {
	from := Sender(sender)
	fmt.Fprintf(w, "Return-Path: <%s>\nDelivered-To: connector.data@nhs.net\n", from)
	fmt.Fprintf(w, "Received: from mx.nhs.net by mail.nhs.net with LMTP; %s\n", received.Format(time.RFC1123Z))
	fmt.Fprintf(w, "Authentication-Results: mx.nhs.net; spf=pass smtp.mailfrom=nhs.net; dkim=pass header.d=nhs.net; dmarc=pass header.from=nhs.net\n")
	fmt.Fprintf(w, "From: Bench Admin %d <%s>\nTo: connector.data@nhs.net\nSubject: Push file %d\n", sender, from, i)
	fmt.Fprintf(w, "Message-ID: <bench-%d-%d@nhs.net>\nDate: %s\nMIME-Version: 1.0\n", i, received.Unix(), received.Format(time.RFC1123Z))
	fmt.Fprintf(w, "Content-Type: multipart/mixed; boundary=\"=_bench\"\n\n")
	fmt.Fprintf(w, "--=_bench\nContent-Type: text/plain; charset=utf-8\n\nToday's push file.\n\n")
	fmt.Fprintf(w, "--=_bench\nContent-Type: text/csv; name=\"push-%d.csv\"\nContent-Disposition: attachment; filename=\"push-%d.csv\"\nContent-Transfer-Encoding: base64\n\n", i, i)
	lw := &lineWriter{w: w}
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	set := synth.Set{Rows: max(l.Rows, 1), Orgs: 1, Update: 0.5, Create: 0.1, RealNames: l.RealNames, Seed: uint64(i)}
	if err := set.PushFile(enc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := lw.end(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "--=_bench--\n")
	return err
}

// lineWriter breaks base64 into 76-character lines.
type lineWriter struct {
	w   io.Writer
	col int
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(76-lw.col, len(p))
		if _, err := lw.w.Write(p[:k]); err != nil {
			return 0, err
		}
		lw.col += k
		p = p[k:]
		if lw.col == 76 {
			if _, err := lw.w.Write([]byte{'\n'}); err != nil {
				return 0, err
			}
			lw.col = 0
		}
	}
	return n, nil
}

func (lw *lineWriter) end() error {
	if lw.col > 0 {
		_, err := lw.w.Write([]byte{'\n'})
		lw.col = 0
		return err
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
