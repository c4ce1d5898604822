package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"connectord/ingest"
	"connectord/pushfile"
	"connectord/scheduler"
	"connectord/store"
)

// BenchmarkSignInFlood measures the memory a flood of sign-ins costs.
// Each iteration sends FLOOD wrong passwords at once, each for a name of
// its own, so none is throttled and every one needs an argon2id check
// ("one-account" sends them all for one name, as in the report of the
// race: at most 5 are checked). It reports the process's resident memory
// before the flood (start-MB), its peak over the run (peak-MB), and how
// many sign-ins per flood were told to try again shortly (busy/op).
// "unbounded" is the console as it was: as many hashes at once as
// requests. Run each case in a process of its own, since the Go runtime
// keeps memory it has once taken; scripts/bench-signin.sh does.
func BenchmarkSignInFlood(b *testing.B) {
	for _, tc := range []struct {
		name         string
		slots, flood int
		oneAccount   bool // the report's case: every password for one name
	}{
		{"one-account/flood=24", 0, 24, true}, // 0: the default slots
		{"slots=2/flood=64", 2, 64, false},
		{"slots=2/flood=256", 2, 256, false},
		{"slots=4/flood=64", 4, 64, false},
		{"slots=4/flood=256", 4, 256, false},
		{"unbounded/flood=64", 64, 64, false},
	} {
		// The benchmark function runs more than once (b.N = 1 first): the
		// figures count from its first run.
		var start int64
		b.Run(tc.name, func(b *testing.B) {
			base := benchConsole(b, func(cfg *Config) {
				cfg.HashSlots = tc.slots
				cfg.AddressLimit.Limit = 1 << 30
			})
			if start == 0 {
				if err := resetPeakRSS(); err != nil {
					b.Skip(err)
				}
				var err error
				if start, err = procStatus("VmRSS:"); err != nil {
					b.Skip(err)
				}
			}
			var busy atomic.Int64
			for i := range b.N {
				var wg sync.WaitGroup
				for j := range tc.flood {
					name := fmt.Sprintf("flood%d-%d", i, j)
					if tc.oneAccount {
						name = fmt.Sprintf("flood%d", i)
					}
					wg.Go(func() {
						if floodSignIn(b, base, name) == http.StatusServiceUnavailable {
							busy.Add(1)
						}
					})
				}
				wg.Wait()
			}
			b.StopTimer()
			peak, err := procStatus("VmHWM:")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(start)/(1<<20), "start-MB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(float64(busy.Load())/float64(b.N), "busy/op")
		})
	}
}

// benchConsole serves a console over an empty store and returns its URL.
func benchConsole(b *testing.B, opt func(*Config)) string {
	b.Helper()
	dir := b.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg := DefaultConfig()
	opt(&cfg)
	srv, err := New(Deps{Store: st, Review: &ingest.Review{Store: st}, Batch: &scheduler.Batch{Store: st},
		ReadOptions: func(context.Context) (pushfile.Options, error) { return pushfile.Options{}, nil }}, cfg)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	b.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

// floodSignIn reads the sign-in page and posts a wrong password for name.
func floodSignIn(b *testing.B, base, name string) int {
	resp, err := http.Get(base + "/login")
	if err != nil {
		b.Error(err)
		return 0
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == loginCookie {
			cookie = c
		}
	}
	if err != nil || m == nil || cookie == nil {
		b.Errorf("the sign-in page has no form token (%v)", err)
		return 0
	}
	form := url.Values{"name": {name}, "password": {"not the password"}, "csrf": {string(m[1])}}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		b.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.AddCookie(cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// resetPeakRSS starts the kernel's count of peak resident memory (VmHWM)
// again from now (Linux).
func resetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// procStatus reads a memory figure of /proc/self/status, in bytes:
// VmRSS (resident now) or VmHWM (peak since resetPeakRSS).
func procStatus(field string) (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
