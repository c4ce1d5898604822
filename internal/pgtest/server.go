// Package pgtest runs a private PostgreSQL on 127.0.0.1 for tests, using the
// project's scripts/pgstack.sh.
//
// A test package shares one server, started the first time a test asks for
// it and stopped when the package's tests end (call Main from TestMain);
// each test gets a fresh database of its own, made from a migrated template
// (Database, WithTemplate). A test that stops the server or breaks its
// connections starts a private server with Start instead, so it never
// disturbs the tests running beside it. Every server has its own state
// directory and a free port, so parallel test packages never share one.
//
// Servers need Debian's postgresql (scripts/pgstack.sh install, run by
// scripts/test.sh as root). Tests skip when it is missing and cannot be
// installed (not root), or with CONNECTORD_SKIP_PGSTACK=1. docs/testing.md
// describes the server and its traps.
package pgtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectord/internal/stackscript"
)

// SkipEnv names the environment variable that, set to 1, makes tests skip.
const SkipEnv = "CONNECTORD_SKIP_PGSTACK"

// Timeouts for the script. A first start may include installing the
// package (measured: 110 s on a loaded 2-core machine).
const (
	startTimeout = 5 * time.Minute
	stopTimeout  = 2 * time.Minute
	startTries   = 3
)

// Server is a running PostgreSQL.
type Server struct {
	Dir      string // state directory (cluster, log, socket); removed when the server is done
	Addr     string // 127.0.0.1:port
	URL      string // the login role's own database, over TCP
	AdminURL string // the superuser, database postgres, over TCP
	Version  string // e.g. 15.20

	role   string   // the login role tests use
	base   *url.URL // URL, parsed
	script string
	env    []string // PGSTACK_* settings the server was started with
	shared bool     // the package's shared server: tests may not stop it

	mu        sync.Mutex
	templates map[string]*template
	seq       int
}

// Start starts a private server for this test and registers a Cleanup that
// stops it and removes its directory. Use it when the test stops the server
// or cuts its connections; other tests take the shared server's databases.
func Start(t testing.TB) *Server {
	t.Helper()
	skipUnlessRunnable(t)
	s, err := startServer()
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("PostgreSQL log (%s):\n%s", s.Dir, s.logTail(30))
		}
		if err := s.close(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return s
}

// skipUnlessRunnable skips the test where no server can run.
func skipUnlessRunnable(t testing.TB) {
	t.Helper()
	if reason := unrunnable(); reason != "" {
		t.Skip(reason)
	}
}

func unrunnable() string {
	if os.Getenv(SkipEnv) == "1" {
		return "PostgreSQL tests skipped: " + SkipEnv + "=1"
	}
	if os.Geteuid() != 0 && !installed() {
		return "PostgreSQL is not installed and installing it needs root; scripts/test.sh and CI run as root"
	}
	return ""
}

func installed() bool {
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	return len(m) > 0
}

// startServer makes a state directory and starts a server on a free port,
// retrying when the port was taken between picking it and binding it.
func startServer() (*Server, error) {
	script, err := stackscript.Find("pgstack.sh")
	if err != nil {
		return nil, err
	}
	// Not t.TempDir(): its parent is 0700, which the postgres user cannot
	// enter, and its path can be longer than the unix socket allows.
	dir, err := os.MkdirTemp("", "pg")
	if err != nil {
		return nil, fmt.Errorf("make server dir: %w", err)
	}
	s := &Server{Dir: dir, script: script, templates: map[string]*template{}}
	for try := 1; ; try++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.env = []string{"PGSTACK_PORT=" + strconv.Itoa(port)}
		out, err := s.run(startTimeout, "start", dir)
		if err == nil {
			break
		}
		if try < startTries && bytes.Contains(out, []byte("already in use")) {
			continue
		}
		s.run(stopTimeout, "stop", dir)
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgstack.sh start: %w\n%s", err, out)
	}
	if err := s.load(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// load fills the fields from DIR/pgstack.env.
func (s *Server) load() error {
	env, err := readEnv(filepath.Join(s.Dir, "pgstack.env"))
	if err != nil {
		return err
	}
	s.Addr = net.JoinHostPort(env["PGSTACK_HOST"], env["PGSTACK_PORT"])
	s.URL, s.AdminURL, s.Version = env["PGSTACK_URL"], env["PGSTACK_ADMIN_URL"], env["PGSTACK_VERSION"]
	s.role = env["PGSTACK_USER"]
	if s.URL == "" || s.AdminURL == "" || s.role == "" || env["PGSTACK_PORT"] == "" {
		return fmt.Errorf("incomplete %s/pgstack.env", s.Dir)
	}
	if s.base, err = url.Parse(s.URL); err != nil {
		return fmt.Errorf("%s/pgstack.env: %w", s.Dir, err)
	}
	return nil
}

// Stop shuts the server down (fast: sessions are ended) and waits until it
// has exited. Only a private server (Start) may be stopped.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.shared {
		t.Fatal("pgtest: stop a private server (pgtest.Start), not the package's shared one")
	}
	if out, err := s.run(stopTimeout, "stop", s.Dir); err != nil {
		t.Fatalf("pgstack.sh stop: %v\n%s", err, out)
	}
}

// Restart starts a stopped server again, on the same port and with the
// same databases.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if out, err := s.run(startTimeout, "start", s.Dir); err != nil {
		t.Fatalf("pgstack.sh start: %v\n%s", err, out)
	}
}

// close stops the server and removes its directory.
func (s *Server) close() error {
	if _, err := os.Stat(filepath.Join(s.Dir, "data", "postmaster.pid")); err == nil {
		if out, err := s.run(stopTimeout, "stop", s.Dir); err != nil {
			return fmt.Errorf("pgstack.sh stop: %w\n%s", err, out) // keep the directory: it may still run
		}
	}
	return os.RemoveAll(s.Dir)
}

// run runs the script and returns its combined output.
func (s *Server) run(timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{s.script}, args...)...)
	cmd.Env = append(stackscript.CleanEnv("PGSTACK_"), s.env...)
	// The script starts the server with its output redirected; WaitDelay is
	// the guard should anything still hold the pipe.
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// logTail returns the last n lines of the server's log.
func (s *Server) logTail(n int) string {
	tail, err := stackscript.Tail(filepath.Join(s.Dir, "postgres.log"), n)
	if err != nil {
		return err.Error()
	}
	return tail
}

// freePort returns a port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// readEnv parses the KEY=VALUE lines the script writes.
func readEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read server env: %w", err)
	}
	env := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	return env, sc.Err()
}
