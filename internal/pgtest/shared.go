package pgtest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the test binary's one server: a test binary is one package, so
// this is "one server per test package". Main owns its lifetime.
var shared struct {
	mu      sync.Mutex
	inMain  bool
	started bool
	srv     *Server
	err     error
}

// Main runs the package's tests (m.Run) and then stops the shared server,
// if a test started it. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stop the shared PostgreSQL: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		shared.srv = nil
	}
	return code
}

// Shared returns the package's shared server, starting it on first use. It
// skips the test where no server can run, and fails it when the package has
// no TestMain calling Main (the server would outlive the tests).
func Shared(t testing.TB) *Server {
	t.Helper()
	skipUnlessRunnable(t)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		t.Fatal("pgtest: the package needs func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	if !shared.started {
		shared.started = true
		shared.srv, shared.err = startServer()
		if shared.srv != nil {
			shared.srv.shared = true
		}
	}
	if shared.err != nil {
		t.Fatalf("start the shared PostgreSQL: %v", shared.err)
	}
	return shared.srv
}

// Database gives the test a fresh database on the package's shared server;
// see Server.Database.
func Database(t testing.TB, opts ...Option) DB {
	t.Helper()
	return Shared(t).Database(t, opts...)
}
