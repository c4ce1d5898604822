package inspect

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Attachment describes one attachment.
type Attachment struct {
	Filename    string   // decoded and display-safe, never a safe path; "" when the part had no name
	ContentType string   // lower-case media type
	Size        int64    // decoded size in bytes; set for the CSV only
	SHA256      [32]byte // of the decoded bytes; set for the CSV only
}

// Inspection is what Inspect found. The caller applies the rules in order:
// Automatic, then SenderProblem, then AuthProblem, then AttachmentProblem.
// Automatic, SenderProblem and AuthProblem are lower-case reasons for logs:
// such mail is never answered. AttachmentProblem is written for the person
// who sent the file and may go into a reply.
type Inspection struct {
	Envelope
	Automatic         string // non-empty reason when automatic mail
	SenderProblem     string // non-empty: From unusable or domain not allowed
	Authenticated     bool   // a trusted Authentication-Results vouches for From, whatever the policy requires
	AuthDetail        string // what CheckAuthentication found, for the log
	AuthProblem       string // non-empty: not authenticated per policy ("" when authenticated or not required)
	AttachmentProblem string // non-empty: none / several / too large / xlsx / unknown encoding...
	Oversize          string // non-empty: the message was too large to fetch, and only its header was read
	CSV               *Attachment
	Others            []Attachment // other attachments seen (at most 20), for messages
	// Attachments names every attachment in order, CSV files included (at
	// most 20; "" for one without a name), for the record. CSVNames are
	// the parts taken for CSV files, also when they were refused (several,
	// or a workbook named .csv).
	Attachments []string
	CSVNames    []string
}

// Inspect reads one RFC 5322 message from r, once and streaming, and reports
// what it is. The bytes of the single CSV attachment, after transfer
// decoding only (never charset conversion), are written to dst as they are
// read; dst may receive partial bytes of a rejected attachment (the caller
// truncates or discards it when AttachmentProblem != ""). A nil dst discards.
//
// Inspect reads r to its end, so a caller that tees r into a spool file gets
// the whole message. The error is non-nil only when reading r or writing dst
// fails; malformed mail is reported in the fields and never panics.
// Memory use does not grow with the size of the message or the attachment,
// apart from header fields (at most 1 MiB per header block).
func Inspect(r io.Reader, p Policy, dst io.Writer) (*Inspection, error) {
	if dst == nil {
		dst = io.Discard
	}
	src := &source{r: r}
	out := &sink{w: dst}
	br := bufio.NewReader(src)

	src.limitHeader()
	th, herr := textproto.ReadHeader(br)
	src.unlimit()
	h := message.Header{Header: th}

	in := inspectHeader(h, p)
	w := newWalker(p, src, out)
	if herr != nil {
		w.failRead(fmt.Errorf("malformed header: %w", herr))
	} else {
		w.entity(h, br, 0)
	}
	in.CSV, in.Others, in.AttachmentProblem = w.result()
	in.Attachments, in.CSVNames = w.names, w.csvNames

	if src.err == nil && out.err == nil {
		_, _ = io.Copy(io.Discard, src) // a read error is recorded in src.err
	}
	if src.err != nil {
		return nil, fmt.Errorf("read message: %w", src.err)
	}
	if out.err != nil {
		return nil, fmt.Errorf("write attachment: %w", out.err)
	}
	return in, nil
}

// inspectHeader applies the checks that need only the message's header.
func inspectHeader(h message.Header, p Policy) *Inspection {
	in := &Inspection{Envelope: ReadEnvelope(h)}
	in.Automatic = AutomaticReason(h, p)
	in.From, in.SenderProblem = CheckFrom(h, p)
	in.Authenticated, in.AuthDetail = CheckAuthentication(h, in.From, p)
	if p.RequireAuthenticatedSender && !in.Authenticated {
		in.AuthProblem = in.AuthDetail
	}
	return in
}

// InspectHeader is Inspect for a message of size bytes, larger than the
// policy's message limit, of which only the header section was fetched
// (r). The automatic-mail, sender and authentication checks run as for any
// message; AttachmentProblem tells the sender the email was too large and
// what the limits are, and Oversize says so for the log.
func InspectHeader(r io.Reader, p Policy, size int64) (*Inspection, error) {
	src := &source{r: r}
	src.limitHeader()
	th, _ := textproto.ReadHeader(bufio.NewReader(src)) // a broken header is judged as far as it goes
	if src.err != nil {
		return nil, fmt.Errorf("read message header: %w", src.err)
	}
	in := inspectHeader(message.Header{Header: th}, p)
	limit := p.MessageLimit()
	in.Oversize = fmt.Sprintf("the email is %s, larger than the %s limit: only its header was fetched", formatBytes(size), formatBytes(limit))
	in.AttachmentProblem = fmt.Sprintf("The email is %s, larger than the %s this service accepts, so it was not read. "+
		"Send the CSV file (at most %s) on its own in a new email, without other attachments or large pictures.",
		formatBytes(size), formatBytes(limit), formatBytes(p.AttachmentLimit()))
	return in, nil
}

// MaxHeaderBytes bounds each header block (the message's, each part's, each
// forwarded message's), as go-message's ReadOptions does for the top one only.
const MaxHeaderBytes = 1 << 20

var errHeaderTooBig = errors.New("a header block is larger than 1 MiB")

// source wraps the caller's reader. It records the first read error other
// than io.EOF, which is how an I/O failure is told apart from a malformed
// message, and it enforces MaxHeaderBytes while a header block is read.
type source struct {
	r       io.Reader
	err     error
	limited bool
	left    int64
}

func (s *source) Read(p []byte) (int, error) {
	if s.limited {
		if s.left <= 0 {
			return 0, errHeaderTooBig
		}
		if int64(len(p)) > s.left {
			p = p[:s.left]
		}
	}
	n, err := s.r.Read(p)
	if s.limited {
		s.left -= int64(n)
	}
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// limitHeader starts counting towards MaxHeaderBytes. Bytes buffered ahead
// by the MIME readers count too, so the bound is approximate (a few KiB).
func (s *source) limitHeader() { s.limited, s.left = true, MaxHeaderBytes }
func (s *source) unlimit()     { s.limited = false }

// sink wraps dst and records its first write error.
type sink struct {
	w   io.Writer
	err error
}

func (s *sink) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}
