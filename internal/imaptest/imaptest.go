// Package imaptest starts go-imap's in-memory IMAP server on a loopback
// port for tests, and builds submission emails.
package imaptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// The mailbox every server holds.
const (
	User     = "connector.data@nhs.net"
	Password = "secret"
)

// Capability sets to start a server with.
var (
	CapsMove  = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
	CapsPlain = imap.CapSet{imap.CapIMAP4rev1: {}} // no MOVE, no UIDPLUS
)

// Server is an in-memory IMAP server.
type Server struct {
	Addr string
	user *imapmemserver.User
}

// Start runs a server until the test ends.
func Start(t testing.TB, caps imap.CapSet) *Server {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(User, Password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return &Server{Addr: ln.Addr().String(), user: u}
}

// Append puts a message in INBOX with the given receipt time.
func (s *Server) Append(t testing.TB, raw []byte, received time.Time) {
	t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: received}); err != nil {
		t.Fatal(err)
	}
}

// Count returns how many messages a mailbox holds, and how many of them are
// not flagged \Deleted.
func (s *Server) Count(t testing.TB, mailbox string) (all, live int) {
	t.Helper()
	return Count(t, s.Addr, User, Password, mailbox)
}

// Count logs in to any plaintext IMAP server and counts a mailbox.
func Count(t testing.TB, addr, user, pass, mailbox string) (all, live int) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return 0, 0
	}
	res, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return int(sel.NumMessages), len(res.AllUIDs())
}

var seq atomic.Int64

// Submission is a submission email from sender, authenticated by
// mx.nhs.net, with one CSV attachment (none when filename is empty).
// Extra header lines go before the others.
func Submission(from, filename, csv string, extra ...string) []byte {
	n := seq.Add(1)
	_, domain, _ := strings.Cut(from, "@")
	var b strings.Builder
	fmt.Fprintf(&b, "Authentication-Results: mx.nhs.net; dmarc=pass header.from=%s\r\n", domain)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: update %d\r\nMessage-ID: <m%d.%d@%s>\r\nDate: Tue, 3 Mar 2026 18:00:00 +0000\r\n",
		from, User, n, n, time.Now().UnixNano(), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nattached\r\n")
	if filename != "" {
		fmt.Fprintf(&b, "--XX\r\nContent-Type: text/csv; name=%q\r\nContent-Disposition: attachment; filename=%q\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			filename, filename)
		enc := base64.StdEncoding.EncodeToString([]byte(csv))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--XX--\r\n")
	return []byte(b.String())
}

// AuthHeader is the Authentication-Results line Submission starts with.
func AuthHeader(domain string) string {
	return fmt.Sprintf("Authentication-Results: mx.nhs.net; dmarc=pass header.from=%s\r\n", domain)
}
