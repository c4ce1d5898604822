// Package mailstack starts a private Dovecot (IMAP, LMTP) and Postfix (SMTP)
// on 127.0.0.1 for tests, using the project's scripts/mailstack.sh.
//
// Each Start gets its own state directory from os.MkdirTemp and its own free
// ports, so stacks in parallel tests and packages do not meet. The daemons
// listen on 127.0.0.1 only, accept mail only for the test domains (nhs.net
// and nhs.uk by default) and refuse everything else at RCPT time: nothing
// leaves the machine. Starting needs root (Postfix's master must start as
// root); without it, or with CONNECTORD_SKIP_MAILSTACK=1, tests skip.
// scripts/test.sh and CI run as root, so there the tests always run.
//
// docs/testing.md describes the stack, its users and ports, and the traps.
package mailstack

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectord/internal/stackscript"
)

// SkipEnv names the environment variable that, set to 1, makes Start skip.
const SkipEnv = "CONNECTORD_SKIP_MAILSTACK"

// Timeouts for the script. Start may include installing the Debian packages
// on a fresh machine (about 16 s here, up to a minute on a slow mirror).
const (
	startTimeout = 5 * time.Minute
	stopTimeout  = time.Minute
	userTimeout  = 30 * time.Second
	startTries   = 3
)

// Stack is a running mail stack. Addresses are host:port on 127.0.0.1; an
// empty address means that listener is off.
type Stack struct {
	Dir        string // state directory (configs, Maildirs, logs); removed by Cleanup
	IMAPAddr   string // IMAP, plaintext; STARTTLS offered unless TLS is off
	IMAPSAddr  string // IMAP with implicit TLS; "" without TLS
	SMTPAddr   string // SMTP, no auth needed from loopback; AUTH and STARTTLS offered
	SMTPSAddr  string // SMTP with implicit TLS; "" without TLS
	LMTPAddr   string // Dovecot LMTP on TCP, for delivery that skips Postfix
	LMTPSocket string // Dovecot LMTP unix socket (what Postfix delivers to)
	CACertPEM  string // path of the stack's self-signed cert (PEM); "" without TLS

	Password string   // password of the users created at start
	Users    []string // mailboxes created at start (AddUser adds more)
	Domains  []string // the domains the stack accepts mail for

	// OAuth2IntrospectionURL is the endpoint Dovecot asks about XOAUTH2 and
	// OAUTHBEARER tokens; "" when OAuth2 is off.
	OAuth2IntrospectionURL string

	DovecotConf string // for doveadm -c
	PostfixConf string // for postfix/postqueue/postconf -c

	script string
	env    []string // MAILSTACK_* settings the stack was started with
	roots  *x509.CertPool
}

// Start starts a stack and registers a Cleanup that stops it and removes its
// directory. It fails the test with the script's output if the stack does
// not come up, and skips the test if it cannot run here (see the package doc).
func Start(t testing.TB, opts ...Option) *Stack {
	t.Helper()
	skipUnlessRunnable(t)
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s, err := start(t, cfg)
	if err != nil {
		t.Fatalf("start mail stack: %v", err)
	}
	return s
}

// skipUnlessRunnable skips the test where no stack can run: not root, or
// SkipEnv=1.
func skipUnlessRunnable(t testing.TB) {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skip("mail stack skipped: " + SkipEnv + "=1")
	}
	if os.Geteuid() != 0 {
		t.Skip("mail stack needs root (Postfix's master starts as root); scripts/test.sh and CI run as root")
	}
}

// start runs the script with fresh ports, retrying when a port was taken
// between picking it and the daemons binding it.
func start(t testing.TB, cfg config) (*Stack, error) {
	script, err := stackscript.Find("mailstack.sh")
	if err != nil {
		return nil, err
	}
	// Not t.TempDir(): its parent is 0700, which the postfix, dovecot and
	// nobody users cannot traverse, and its path can exceed the 70 characters
	// the unix socket paths leave room for.
	dir, err := os.MkdirTemp("", "ms")
	if err != nil {
		return nil, fmt.Errorf("make stack dir: %w", err)
	}
	s := &Stack{Dir: dir, script: script}
	t.Cleanup(func() { s.cleanup(t) })

	for try := 1; ; try++ {
		env, err := cfg.env()
		if err != nil {
			return nil, err
		}
		s.env = env
		out, err := s.run(startTimeout, "start", dir)
		if err == nil {
			break
		}
		if try < startTries && bytes.Contains(out, []byte("already in use")) {
			t.Logf("mail stack: a port was taken, retrying: %s", lastLine(out))
			continue
		}
		return nil, fmt.Errorf("mailstack.sh start: %w\n%s", err, out)
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// load fills the fields from DIR/mailstack.env.
func (s *Stack) load() error {
	env, err := readEnv(filepath.Join(s.Dir, "mailstack.env"))
	if err != nil {
		return err
	}
	addr := func(key string) string {
		p := env[key]
		if p == "" || p == "0" {
			return ""
		}
		return net.JoinHostPort("127.0.0.1", p)
	}
	s.IMAPAddr = addr("MAILSTACK_IMAP_PORT")
	s.IMAPSAddr = addr("MAILSTACK_IMAPS_PORT")
	s.SMTPAddr = addr("MAILSTACK_SMTP_PORT")
	s.SMTPSAddr = addr("MAILSTACK_SMTPS_PORT")
	s.LMTPAddr = addr("MAILSTACK_LMTP_PORT")
	s.LMTPSocket = env["MAILSTACK_LMTP_SOCKET"]
	s.CACertPEM = env["MAILSTACK_CA_CERT"]
	s.Password = env["MAILSTACK_PASSWORD"]
	s.Users = strings.Fields(env["MAILSTACK_USERS"])
	s.Domains = strings.Fields(env["MAILSTACK_DOMAINS"])
	s.OAuth2IntrospectionURL = env["MAILSTACK_OAUTH2_INTROSPECTION_URL"]
	s.DovecotConf = env["MAILSTACK_DOVECOT_CONF"]
	s.PostfixConf = env["MAILSTACK_POSTFIX_CONF"]
	if s.IMAPAddr == "" || s.SMTPAddr == "" || s.LMTPSocket == "" {
		return fmt.Errorf("incomplete %s/mailstack.env", s.Dir)
	}
	if s.CACertPEM != "" {
		pem, err := os.ReadFile(s.CACertPEM)
		if err != nil {
			return fmt.Errorf("read stack CA: %w", err)
		}
		s.roots = x509.NewCertPool()
		if !s.roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("no certificate in %s", s.CACertPEM)
		}
	}
	return nil
}

// TLSConfig returns a client config that trusts the stack's certificate and
// expects the name 127.0.0.1 (the certificate also has localhost and ::1).
// It returns nil for a stack started WithoutTLS.
func (s *Stack) TLSConfig() *tls.Config {
	if s.roots == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// AddUser adds a mailbox while the stack runs. When it returns, Dovecot
// knows the user and so does the next SMTP connection. Its domain must be one of s.Domains for
// SMTP to deliver to it. s.Users is not changed.
func (s *Stack) AddUser(t testing.TB, addr, pw string) {
	t.Helper()
	if out, err := s.run(userTimeout, "adduser", s.Dir, addr, pw); err != nil {
		t.Fatalf("mailstack.sh adduser %s: %v\n%s", addr, err, out)
	}
}

// cleanup stops the daemons and removes the directory; on a failed test it
// first logs the end of the daemons' logs.
func (s *Stack) cleanup(t testing.TB) {
	if t.Failed() {
		t.Logf("mail stack logs (%s):\n%s", s.Dir, s.logTail(20))
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "mailstack.env")); err == nil {
		if out, err := s.run(stopTimeout, "stop", s.Dir); err != nil {
			t.Errorf("mailstack.sh stop: %v\n%s", err, out)
			return // keep the directory: the daemons may still use it
		}
	}
	if err := os.RemoveAll(s.Dir); err != nil {
		t.Errorf("remove mail stack dir: %v", err)
	}
}

// run runs the script and returns its combined output.
func (s *Stack) run(timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{s.script}, args...)...)
	cmd.Env = append(stackscript.CleanEnv("MAILSTACK_"), s.env...)
	// The script starts the daemons with their output redirected; WaitDelay
	// is the guard should anything still hold the pipe.
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// logTail returns the last n lines of each daemon log.
func (s *Stack) logTail(n int) string {
	var b strings.Builder
	for _, f := range []string{"dovecot/dovecot.log", "postfix/postfix.log"} {
		tail, err := stackscript.Tail(filepath.Join(s.Dir, f), n)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", f, tail)
	}
	return b.String()
}

// freePorts returns n distinct ports that were free on 127.0.0.1 a moment ago.
// All listeners are open at once, so the ports differ from each other.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a free port: %w", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// readEnv parses the KEY=VALUE lines the script writes ("..." values allowed).
func readEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read stack env: %w", err)
	}
	env := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		env[k] = v
	}
	return env, sc.Err()
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
