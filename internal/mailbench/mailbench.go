// Package mailbench fills a Dovecot Maildir with generated submissions for
// the ingest benchmark (scripts/bench-ingest.sh): each message comes from a
// sender on the Connector roster, carries an Authentication-Results header
// from the trusted authserv-id and one base64 CSV attachment, so connectord
// accepts it (trusted sender) or holds it (first-time sender).
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
	// Rows is the number of rows of each CSV (about 140 bytes a row, so 14
	// rows make a ~2 KB file).
	Rows int
	// Start is the first message's receipt time (its INTERNALDATE: the
	// file's mtime). Message i arrives on day i/Senders after it, so no
	// sender sends two files for one batch day and none is superseded.
	Start time.Time
	// UID and GID own the files; Dovecot never runs as root. -1 keeps the
	// writer's.
	UID, GID int
}

// OrgCode is the organisation every generated row and sender belongs to.
var OrgCode = synth.OrgCode(0)

// Sender is the address of generated sender i.
func Sender(i int) string { return fmt.Sprintf("bench.admin%03d@nhs.net", i) }

// Trusted reports whether sender i is trusted (its files are accepted);
// the others are first-time senders, whose files are held for review.
func Trusted(i int) bool { return i%2 == 0 }

// Roster puts the organisation and the senders in the store and trusts
// every other sender.
func Roster(ctx context.Context, st *store.Store, senders int, now time.Time) error {
	org := store.Organisation{Code: OrgCode, Name: "Synthetic Trust 0", CreationLimit: 1 << 30}
	for u := 1; u <= 3; u++ {
		org.Units = append(org.Units, fmt.Sprintf("D%s%02d", OrgCode, u))
	}
	if err := st.PutOrganisations(ctx, []store.Organisation{org}); err != nil {
		return err
	}
	for i := range senders {
		if err := st.PutSender(ctx, Sender(i), []string{OrgCode}, "bench", now); err != nil {
			return err
		}
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i := range senders {
			if Trusted(i) {
				if err := tx.Trust(Sender(i), "bench", 0, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
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
		sender := i % senders
		received := l.Start.Add(time.Duration(i/senders) * 24 * time.Hour)
		n, err := l.writeOne(maildir, i, sender, received)
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
	set := synth.Set{Rows: max(l.Rows, 1), Orgs: 1, Update: 0.5, Create: 0.1, Seed: uint64(i)}
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
