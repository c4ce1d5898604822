package sambatest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// Shared is one DC for a test package: started by the first test that asks
// for it, stopped by Run when the package's tests are over. The zero value
// is ready to use; set Options before the first DC call.
type Shared struct {
	Options Options

	once sync.Once
	dc   *DC
	err  error
}

// DC returns the package's DC, starting it on first use. It skips the test
// where no DC can run (see the package doc) and fails it when the DC did not
// start (every later caller gets the same failure, without a second try).
func (s *Shared) DC(t testing.TB) *DC {
	t.Helper()
	SkipUnlessRunnable(t)
	s.once.Do(func() { s.dc, s.err = Start(context.Background(), s.Options) })
	if s.err != nil {
		t.Fatalf("start the test DC: %v", s.err)
	}
	return s.dc
}

// Run runs the package's tests (m.Run) and then stops the DC if one was
// started. Call it from TestMain: os.Exit(dcs.Run(m)).
func (s *Shared) Run(m *testing.M) int {
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "sambatest: stop the test DC: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Stop stops the DC if one was started. Call it once every test that used
// the DC is over.
func (s *Shared) Stop() error {
	if s.dc == nil {
		return nil
	}
	return s.dc.Stop()
}

// SkipUnlessRunnable skips the test where no DC can run: not root, or
// SkipEnv=1.
func SkipUnlessRunnable(t testing.TB) {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skip("Samba DC skipped: " + SkipEnv + "=1")
	}
	if os.Geteuid() != 0 {
		t.Skip("the Samba DC needs root (ports below 1024, an address on lo); scripts/test.sh and CI run as root")
	}
}
