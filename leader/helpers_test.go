package leader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Generous bounds for a loaded 2-core machine: what is "at once" or
// "within the interval" must happen well inside them.
const (
	soon    = 15 * time.Second
	takeOne = 45 * time.Second
)

// testTimings are short enough for tests and keep every margin the
// defaults have: a check that takes 2 s is still a success under load.
func testTimings(cfg Config) Config {
	cfg.TryInterval = 250 * time.Millisecond
	cfg.CheckInterval = 250 * time.Millisecond
	cfg.CheckTimeout = 2 * time.Second
	cfg.DeadPeerTimeout = 6 * time.Second
	cfg.RejoinDelay = 3 * time.Second
	return cfg
}

// tracker records who leads, and fails the test if two ever lead at once.
type tracker struct {
	t      testing.TB
	mu     sync.Mutex
	now    []string // the nodes inside lead now
	starts []event
	stops  []event
}

type event struct {
	node string
	at   time.Time
}

func (tr *tracker) begin(node string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.now = append(tr.now, node)
	tr.starts = append(tr.starts, event{node, time.Now()})
}

func (tr *tracker) end(node string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for i, n := range tr.now {
		if n == node {
			tr.now = append(tr.now[:i], tr.now[i+1:]...)
			break
		}
	}
	tr.stops = append(tr.stops, event{node, time.Now()})
}

// overlap reports whether two nodes were ever inside lead at once.
func (tr *tracker) overlap() bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, s := range tr.starts {
		edges = append(edges, edge{s.at, 1})
	}
	for _, s := range tr.stops {
		edges = append(edges, edge{s.at, -1})
	}
	// by time, a stop before a start at the same instant
	sort.Slice(edges, func(i, j int) bool {
		if !edges[i].at.Equal(edges[j].at) {
			return edges[i].at.Before(edges[j].at)
		}
		return edges[i].delta < edges[j].delta
	})
	n := 0
	for _, e := range edges {
		if n += e.delta; n > 1 {
			return true
		}
	}
	return false
}

// node is one elector running in the test.
type node struct {
	name    string
	e       *Elector
	logs    *recorder
	started chan struct{} // one value each time it starts leading
	stopped chan struct{} // one value each time its lead returns
	done    chan error    // Run's result
	cancel  context.CancelFunc
}

// startNode runs an elector for name against conn, with testTimings,
// until the test ends. lead, when not nil, replaces the default work (wait
// for the context).
func startNode(t testing.TB, conn *pgx.ConnConfig, name string, tr *tracker, lead func(context.Context) error) *node {
	t.Helper()
	// Tests run in parallel on one server, and a node's name is its
	// sessions' application_name: each node's name is its own, so that
	// terminating one test's node never ends another test's.
	name = fmt.Sprintf("%s%d", name, nodeSeq.Add(1))
	return startElector(t, testTimings(Config{Conn: conn, Node: name}), tr, lead)
}

// nodeSeq numbers the nodes the tests start.
var nodeSeq atomic.Int64

// startElector runs an elector with cfg (its Logger is set here).
func startElector(t testing.TB, cfg Config, tr *tracker, lead func(context.Context) error) *node {
	t.Helper()
	name := cfg.Node
	logs := &recorder{t: t}
	cfg.Logger = slog.New(logs)
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{name: name, e: e, logs: logs, started: make(chan struct{}, 100),
		stopped: make(chan struct{}, 100), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() {
		n.done <- e.Run(ctx, func(ctx context.Context) error {
			tr.begin(name)
			defer func() { n.stopped <- struct{}{} }()
			defer tr.end(name)
			n.started <- struct{}{}
			if lead != nil {
				return lead(ctx)
			}
			<-ctx.Done()
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-n.done:
		case <-time.After(soon):
			t.Errorf("%s: Run did not return %v after its context ended", name, soon)
		}
	})
	return n
}

// wait fails the test unless ch yields within d.
func wait(t testing.TB, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("%s: not within %v", what, d)
	}
}

// first waits until one of nodes starts leading and returns it.
func first(t testing.TB, nodes ...*node) *node {
	t.Helper()
	deadline := time.After(takeOne)
	for {
		for _, n := range nodes {
			select {
			case <-n.started:
				return n
			default:
			}
		}
		select {
		case <-deadline:
			t.Fatalf("nobody leads after %v", takeOne)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// recorder is a slog handler that passes records to t.Logf and keeps them.
type recorder struct {
	t     testing.TB
	mu    sync.Mutex
	lines []string // "LEVEL msg"
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	r.t.Logf("%s %s%s", rec.Level, rec.Message, b.String())
	r.mu.Lock()
	r.lines = append(r.lines, rec.Level.String()+" "+rec.Message)
	r.mu.Unlock()
	return nil
}

// count is how many records at level (or above, for WARN) contain msg.
func (r *recorder) count(level slog.Level, msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.lines {
		if strings.HasPrefix(l, level.String()+" ") && strings.Contains(l, msg) {
			n++
		}
	}
	return n
}

// proxy relays TCP connections to a target on loopback. Frozen, it passes
// nothing in either direction but keeps every socket open: to the server,
// the client has gone silent without closing (a frozen process, a cut
// cable); its kernel still acknowledges, as a live machine's would.
type proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	frozen bool
	thaw   chan struct{}
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

func startProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, thaw: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// config points a copy of c at the proxy.
func (p *proxy) config(c *pgx.ConnConfig) *pgx.ConnConfig {
	c = c.Copy()
	host, port, _ := net.SplitHostPort(p.ln.Addr().String())
	n, _ := strconv.Atoi(port)
	c.Host, c.Port = host, uint16(n)
	return c
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		p.conns = append(p.conns, c, s)
		p.wg.Add(2)
		p.mu.Unlock()
		go p.relay(c, s)
		go p.relay(s, c)
	}
}

// relay copies src to dst, holding what it read while frozen.
func (p *proxy) relay(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		frozen, thaw := p.frozen, p.thaw
		p.mu.Unlock()
		if frozen {
			<-thaw
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				dst.Close()
			}
			return
		}
	}
}

func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// cut closes every relayed connection at once, as the kernel does for a
// process that was killed.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	if p.frozen {
		p.frozen = false
		close(p.thaw)
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}
