package mailstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

const (
	connector = "connector.data@nhs.net"
	goodToken = "good-token-3f9a"
	ioTimeout = 30 * time.Second
)

// pushCSV is a push file as users send it: CRLF lines, UTF-8 names, and a
// last line with no line end, so any rewriting shows.
var pushCSV = []byte("NHS Number,Surname,Forename,Role,Action\r\n" +
	"9434765919,O'Brien,Zoë,Connector,ADD\r\n" +
	"9434765870,Ångström,Łukasz,Reviewer,REMOVE\r\n" +
	"9434765862,Nguyễn,Thị,Connector,ADD")

func TestStack(t *testing.T) {
	t.Parallel()
	idp := startIntrospector(t, map[string]string{goodToken: connector})
	s := Start(t, WithOAuth2Introspection(idp.URL+"/introspect"), WithUsers("data.team@nhs.uk"))

	t.Run("SMTPToIMAPByteExact", func(t *testing.T) {
		m, raw := csvMessage(t, "alice@nhs.net", connector, "push-1")
		if err := sendSMTP(t, s, m); err != nil {
			t.Fatalf("send: %v", err)
		}
		s.WaitForMail(t, connector, 1)
		for _, implicitTLS := range []bool{false, true} {
			c := dialIMAP(t, s, implicitTLS)
			if err := c.Login(connector, s.Password).Wait(); err != nil {
				t.Fatalf("login (implicit TLS %v): %v", implicitTLS, err)
			}
			msgs := fetchInbox(t, c)
			if len(msgs) != 1 {
				t.Fatalf("got %d messages, want 1", len(msgs))
			}
			// Postfix and Dovecot only add trace headers in front.
			if !bytes.HasSuffix(msgs[0], raw) {
				t.Errorf("stored message (implicit TLS %v) does not end with the sent one:\n%s", implicitTLS, msgs[0])
			}
			if got := attachment(t, msgs[0], "push.csv"); !bytes.Equal(got, pushCSV) {
				t.Errorf("attachment (implicit TLS %v):\ngot  %q\nwant %q", implicitTLS, got, pushCSV)
			}
		}
	})

	t.Run("RecipientChecks", func(t *testing.T) {
		tests := []struct {
			name, rcpt string
			code       int    // 0 = accepted
			enhanced   string // enhanced status code in the reply
		}{
			{"test user", "bob@nhs.net", 0, ""},
			{"nhs.uk user", "data.team@nhs.uk", 0, ""},
			{"off-host", "someone@example.com", 550, "5.7.1"},
			{"off-host nhs subdomain", "someone@mail.nhs.net", 550, "5.7.1"},
			{"unknown test user", "nobody@nhs.net", 550, "5.1.1"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := rcptTo(t, s, tc.rcpt)
				if tc.code == 0 {
					if err != nil {
						t.Fatalf("RCPT TO:<%s>: %v, want accepted", tc.rcpt, err)
					}
					return
				}
				var te *textproto.Error
				if !errors.As(err, &te) {
					t.Fatalf("RCPT TO:<%s>: got %v, want SMTP error %d", tc.rcpt, err, tc.code)
				}
				if te.Code != tc.code || !strings.HasPrefix(te.Msg, tc.enhanced) {
					t.Errorf("RCPT TO:<%s>: got %d %s, want %d %s", tc.rcpt, te.Code, te.Msg, tc.code, tc.enhanced)
				}
			})
		}
	})

	t.Run("PasswordLogins", func(t *testing.T) {
		c := dialIMAP(t, s, false)
		if err := c.Login("alice@nhs.net", "wrong").Wait(); err == nil {
			t.Error("IMAP login with a wrong password worked")
		}
		if err := c.Login("alice@nhs.net", s.Password).Wait(); err != nil {
			t.Errorf("IMAP login: %v", err)
		}
		port := func(addr string) int { return portOf(t, addr) }
		sends := []struct {
			name string
			opts []gomail.Option
			pw   string
			ok   bool
		}{
			{"plain", []gomail.Option{gomail.WithPort(port(s.SMTPAddr)), gomail.WithTLSPolicy(gomail.NoTLS)}, s.Password, true},
			{"plain wrong password", []gomail.Option{gomail.WithPort(port(s.SMTPAddr)), gomail.WithTLSPolicy(gomail.NoTLS)}, "wrong", false},
			{"starttls", []gomail.Option{gomail.WithPort(port(s.SMTPAddr)), gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(s.TLSConfig())}, s.Password, true},
			{"smtps", []gomail.Option{gomail.WithSSL(), gomail.WithPort(port(s.SMTPSAddr)), gomail.WithTLSConfig(s.TLSConfig())}, s.Password, true},
		}
		want := 0
		for _, tc := range sends {
			m, _ := csvMessage(t, "alice@nhs.net", "reviewer@nhs.net", "pw-"+strings.ReplaceAll(tc.name, " ", "-"))
			opts := append(append([]gomail.Option(nil), tc.opts...), gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
				gomail.WithUsername("alice@nhs.net"), gomail.WithPassword(tc.pw), gomail.WithTimeout(ioTimeout))
			err := send(m, opts...)
			if tc.ok {
				want++
			}
			if (err == nil) != tc.ok {
				t.Errorf("%s: send error %v, want ok=%v", tc.name, err, tc.ok)
			}
		}
		s.WaitForMail(t, "reviewer@nhs.net", want)
	})

	t.Run("XOAUTH2IMAP", func(t *testing.T) {
		tests := []struct {
			name, user, token string
			ok                bool
		}{
			{"good token", connector, goodToken, true},
			{"bad token", connector, "bad-token", false},
			{"token of another user", "alice@nhs.net", goodToken, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := dialIMAP(t, s, true)
				x := &xoauth2{user: tc.user, token: tc.token}
				err := c.Authenticate(x)
				if !tc.ok {
					// Dovecot refuses with a challenge holding its 401 JSON;
					// after the client's empty answer it says NO. go-imap
					// beta.8 sends that empty answer as "=" (go-imap #760),
					// which Dovecot answers with BAD "Invalid base64 data"
					// and a disconnect instead.
					var ie *imap.Error
					if !errors.As(err, &ie) || (ie.Type != imap.StatusResponseTypeNo && ie.Type != imap.StatusResponseTypeBad) {
						t.Fatalf("authenticate: got %v, want an IMAP NO or BAD", err)
					}
					if !bytes.Contains(x.challenge, []byte(`"status":"401"`)) {
						t.Errorf("challenge %q, want Dovecot's 401 JSON", x.challenge)
					}
					return
				}
				if err != nil {
					t.Fatalf("authenticate: %v", err)
				}
				if _, err := c.Select("INBOX", nil).Wait(); err != nil {
					t.Errorf("select after XOAUTH2: %v", err)
				}
			})
		}
		t.Run("OAUTHBEARER", func(t *testing.T) {
			c := dialIMAP(t, s, false)
			err := c.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
				Username: connector, Token: goodToken, Host: "127.0.0.1", Port: portOf(t, s.IMAPAddr)}))
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
		})
	})

	t.Run("XOAUTH2SMTP", func(t *testing.T) {
		tests := []struct {
			name, token string
			ok          bool
		}{
			{"good token", goodToken, true},
			{"bad token", "bad-token", false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				m, _ := csvMessage(t, connector, "support@nhs.net", "xoauth2-"+strings.ReplaceAll(tc.name, " ", "-"))
				err := send(m, gomail.WithPort(portOf(t, s.SMTPAddr)), gomail.WithTLSPolicy(gomail.NoTLS),
					gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), gomail.WithUsername(connector),
					gomail.WithPassword(tc.token), gomail.WithTimeout(ioTimeout))
				if tc.ok && err != nil {
					t.Fatalf("send: %v", err)
				}
				if !tc.ok && (err == nil || !strings.Contains(err.Error(), "535")) {
					t.Fatalf("send: got %v, want 535 authentication failed", err)
				}
			})
		}
		s.WaitForMail(t, "support@nhs.net", 1)
	})

	t.Run("IntrospectionRequests", func(t *testing.T) {
		reqs := idp.requests()
		if len(reqs) == 0 {
			t.Fatal("no introspection requests")
		}
		var good int
		for _, r := range reqs {
			want := introspection{Method: "POST", Path: "/introspect",
				ContentType: "application/x-www-form-urlencoded", Token: r.Token, HasClientFields: true}
			if r != want {
				t.Errorf("got request %+v, want %+v", r, want)
			}
			if r.Token == goodToken {
				good++
			}
		}
		if good == 0 {
			t.Errorf("no request carried %q: %+v", goodToken, reqs)
		}
	})

	t.Run("AddUserAndDeliver", func(t *testing.T) {
		const late = "late.joiner@nhs.uk"
		s.AddUser(t, late, "pw-late")
		// the very next SMTP connection knows the new user
		m, raw := csvMessage(t, "alice@nhs.net", late, "late-1")
		if err := sendSMTP(t, s, m); err != nil {
			t.Fatalf("send to %s: %v", late, err)
		}
		s.WaitForMail(t, late, 1)
		c := dialIMAP(t, s, false)
		if err := c.Login(late, "pw-late").Wait(); err != nil {
			t.Fatalf("login as %s: %v", late, err)
		}
		if msgs := fetchInbox(t, c); len(msgs) != 1 || !bytes.HasSuffix(msgs[0], raw) {
			t.Errorf("got %d messages for %s, want the one sent", len(msgs), late)
		}

		// LMTP delivery is synchronous: no wait needed.
		_, raw = csvMessage(t, "alice@nhs.net", "bob@nhs.net", "lmtp-1")
		before := s.countMail("bob@nhs.net")
		s.Deliver(t, "alice@nhs.net", "bob@nhs.net", raw)
		if got := s.countMail("bob@nhs.net"); got != before+1 {
			t.Fatalf("bob has %d messages after Deliver, want %d", got, before+1)
		}
		files, err := filepath.Glob(filepath.Join(s.MaildirPath("Bob@nhs.net"), "new", "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no file in %s/new: %v", s.MaildirPath("bob@nhs.net"), err)
		}
		var found bool
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// Maildir files have LF line ends; IMAP serves them as CRLF.
			found = found || bytes.HasSuffix(data, bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
		}
		if !found {
			t.Errorf("no file in %s/new ends with the delivered message", s.MaildirPath("bob@nhs.net"))
		}
	})
}

func TestStackWithoutTLS(t *testing.T) {
	t.Parallel()
	s := Start(t, WithoutTLS())
	if s.IMAPSAddr != "" || s.SMTPSAddr != "" || s.CACertPEM != "" || s.TLSConfig() != nil {
		t.Errorf("TLS left on: imaps %q smtps %q ca %q", s.IMAPSAddr, s.SMTPSAddr, s.CACertPEM)
	}
	if s.OAuth2IntrospectionURL != "" {
		t.Errorf("OAuth2IntrospectionURL = %q, want empty", s.OAuth2IntrospectionURL)
	}
	if len(s.Users) != len(DefaultUsers) {
		t.Errorf("Users = %v, want %v", s.Users, DefaultUsers)
	}

	c := dialIMAP(t, s, false)
	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatalf("capability: %v", err)
	}
	for _, cp := range []imap.Cap{imap.CapStartTLS, "AUTH=XOAUTH2"} {
		if caps.Has(cp) {
			t.Errorf("IMAP offers %s", cp)
		}
	}
	sc := dialSMTP(t, s)
	if ok, _ := sc.Extension("STARTTLS"); ok {
		t.Error("SMTP offers STARTTLS")
	}
	if _, mechs := sc.Extension("AUTH"); strings.Contains(mechs, "XOAUTH2") {
		t.Errorf("SMTP offers %s without OAuth2", mechs)
	}

	_, raw := csvMessage(t, "alice@nhs.net", connector, "notls-1")
	s.Deliver(t, "alice@nhs.net", connector, raw)
	if err := c.Login(connector, s.Password).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	msgs := fetchInbox(t, c)
	if len(msgs) != 1 || !bytes.HasSuffix(msgs[0], raw) {
		t.Fatalf("got %d messages, want the one delivered", len(msgs))
	}
	if got := attachment(t, msgs[0], "push.csv"); !bytes.Equal(got, pushCSV) {
		t.Errorf("attachment:\ngot  %q\nwant %q", got, pushCSV)
	}
}

// TestStartRefusesOffHostIntrospection checks that the script refuses an
// introspection endpoint off loopback, and that start reports its output.
func TestStartRefusesOffHostIntrospection(t *testing.T) {
	t.Parallel()
	skipUnlessRunnable(t)
	cfg := defaultConfig()
	WithOAuth2Introspection("http://192.0.2.1/introspect")(&cfg)
	_, err := start(t, cfg)
	if err == nil || !strings.Contains(err.Error(), "must be http://127.0.0.1:PORT") {
		t.Fatalf("start: got %v, want the script's refusal", err)
	}
}

// xoauth2 is the SASL XOAUTH2 client Exchange Online and Gmail speak.
type xoauth2 struct {
	user, token string
	challenge   []byte // the server's error JSON, after a failure
}

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the error challenge a server sends on failure with the empty
// response XOAUTH2 asks for, after which the server fails the command.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.challenge = challenge
	return []byte{}, nil
}

// introspection is what the test endpoint saw of one request.
type introspection struct {
	Method, Path, ContentType, Token string
	HasClientFields                  bool // client_id and client_secret form fields present
}

// introspector is an RFC 7662 endpoint that knows a fixed set of tokens.
type introspector struct {
	*httptest.Server
	mu   sync.Mutex
	seen []introspection
}

func startIntrospector(t *testing.T, tokens map[string]string) *introspector {
	t.Helper()
	idp := &introspector{}
	idp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		token := r.PostForm.Get("token")
		_, hasID := r.PostForm["client_id"]
		_, hasSecret := r.PostForm["client_secret"]
		idp.mu.Lock()
		idp.seen = append(idp.seen, introspection{r.Method, r.URL.Path, r.Header.Get("Content-Type"), token, hasID && hasSecret})
		idp.mu.Unlock()

		resp := map[string]any{"active": false}
		if user, ok := tokens[token]; ok && r.Method == http.MethodPost {
			resp = map[string]any{"active": true, "username": user, "scope": "IMAP.AccessAsApp SMTP.Send"}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(idp.Close)
	return idp
}

func (idp *introspector) requests() []introspection {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return append([]introspection(nil), idp.seen...)
}

// csvMessage builds a message with pushCSV attached and returns it with the
// exact bytes go-mail sends for it.
func csvMessage(t *testing.T, from, to, id string) (*gomail.Msg, []byte) {
	t.Helper()
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(from); err != nil {
		t.Fatal(err)
	}
	if err := m.To(to); err != nil {
		t.Fatal(err)
	}
	m.Subject("Push file " + id)
	m.SetDateWithValue(time.Date(2026, 11, 25, 19, 30, 0, 0, time.UTC))
	m.SetMessageIDWithValue(id + "@test.connectord")
	m.SetBoundary("mailstack-" + id)
	m.SetBodyString(gomail.TypeTextPlain, "Push file attached.")
	if err := m.AttachReader("push.csv", bytes.NewReader(pushCSV), gomail.WithFileContentType("text/csv")); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := m.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	return m, raw.Bytes()
}

// sendSMTP sends m through the stack's SMTP port, no TLS, no auth.
func sendSMTP(t *testing.T, s *Stack, m *gomail.Msg) error {
	t.Helper()
	return send(m, gomail.WithPort(portOf(t, s.SMTPAddr)), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithTimeout(ioTimeout))
}

func send(m *gomail.Msg, opts ...gomail.Option) error {
	c, err := gomail.NewClient("127.0.0.1", opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, m)
}

// rcptTo asks the stack's SMTP server whether it takes mail for rcpt.
func rcptTo(t *testing.T, s *Stack, rcpt string) error {
	t.Helper()
	c := dialSMTP(t, s)
	if err := c.Mail("alice@nhs.net"); err != nil {
		t.Fatalf("MAIL FROM: %v", err)
	}
	return c.Rcpt(rcpt)
}

func dialSMTP(t *testing.T, s *Stack) *smtp.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.SMTPAddr, ioTimeout)
	if err != nil {
		t.Fatalf("dial SMTP: %v", err)
	}
	if err := conn.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		conn.Close()
		t.Fatalf("SMTP greeting: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Hello("test.connectord"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	return c
}

// dialIMAP connects with DialInsecure or DialTLS. imapclient has no read
// deadline, so the client is closed should the test hang past ioTimeout.
func dialIMAP(t *testing.T, s *Stack, implicitTLS bool) *imapclient.Client {
	t.Helper()
	var c *imapclient.Client
	var err error
	if implicitTLS {
		c, err = imapclient.DialTLS(s.IMAPSAddr, &imapclient.Options{TLSConfig: s.TLSConfig()})
	} else {
		c, err = imapclient.DialInsecure(s.IMAPAddr, nil)
	}
	if err != nil {
		t.Fatalf("dial IMAP (implicit TLS %v): %v", implicitTLS, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	closed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(closed)
		_ = c.Close()
	})
	t.Cleanup(func() {
		if stop() {
			_ = c.Close()
		} else {
			<-closed
		}
		cancel()
	})
	return c
}

// fetchInbox returns every message in INBOX, oldest first.
func fetchInbox(t *testing.T, c *imapclient.Client) [][]byte {
	t.Helper()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select: %v", err)
	}
	sd, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	bufs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	msgs := make([][]byte, 0, len(bufs))
	for _, b := range bufs {
		msgs = append(msgs, b.FindBodySection(section))
	}
	return msgs
}

// attachment returns the decoded body of the part named name.
func attachment(t *testing.T, msg []byte, name string) []byte {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			t.Fatalf("no attachment %q", name)
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			if fn, _ := h.Filename(); fn == name {
				body, err := io.ReadAll(p.Body)
				if err != nil {
					t.Fatalf("read attachment: %v", err)
				}
				return body
			}
		}
	}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
