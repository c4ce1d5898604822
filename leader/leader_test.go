package leader

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"connectord/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func parse(t testing.TB, url string) *pgx.ConnConfig {
	t.Helper()
	c, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// holders counts the sessions holding the election's lock in url's
// database (advisory locks are per database; other tests run beside).
func holders(t testing.TB, url string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), soon)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	key := uint64(DefaultKey)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1`, int64(key>>32), int64(key&0xffffffff)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func other(a, b, n *node) *node {
	if n == a {
		return b
	}
	return a
}

func TestExactlyOneLeads(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	tr := &tracker{t: t}
	a := startNode(t, parse(t, db.URL), "a", tr, nil)
	b := startNode(t, parse(t, db.URL), "b", tr, nil)
	l := first(t, a, b)
	s := other(a, b, l)
	// the standby tries many times meanwhile and never wins
	time.Sleep(8 * s.e.cfg.TryInterval)
	select {
	case <-s.started:
		t.Fatalf("%s leads too", s.name)
	default:
	}
	if got := holders(t, db.URL); got != 1 {
		t.Errorf("sessions holding the lock: got %d, want 1", got)
	}
	ctx := context.Background()
	if err := l.e.StillLeading(ctx); err != nil {
		t.Errorf("leader %s: StillLeading: %v", l.name, err)
	}
	if err := s.e.StillLeading(ctx); !errors.Is(err, ErrNotLeader) {
		t.Errorf("standby %s: StillLeading: got %v, want ErrNotLeader", s.name, err)
	}
	for _, c := range []struct {
		n      *node
		leader bool
		gauge  float64
	}{{l, true, 1}, {s, false, 0}} {
		if st := c.n.e.Status(); st.Node != c.n.name || st.Leader != c.leader {
			t.Errorf("Status of %s: got %+v, want node %s, leader %v", c.n.name, st, c.n.name, c.leader)
		}
		if g := c.n.e.Gauge(); g != c.gauge {
			t.Errorf("Gauge of %s: got %v, want %v", c.n.name, g, c.gauge)
		}
	}
	if got := s.logs.count(slog.LevelInfo, "standing by"); got != 1 {
		t.Errorf("standby logged standing by %d times, want once", got)
	}
}

// pg_terminate_backend of the leader's lock session: it stops at once
// (its StillLeading fails) and the standby takes over.
func TestTerminatedLeaderStopsAndStandbyTakesOver(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	tr := &tracker{t: t}
	a := startNode(t, parse(t, db.URL), "a", tr, nil)
	b := startNode(t, parse(t, db.URL), "b", tr, nil)
	l := first(t, a, b)
	s := other(a, b, l)
	if n := pgtest.Shared(t).Terminate(t, ApplicationName(l.name)); n != 1 {
		t.Fatalf("terminated %d sessions, want 1", n)
	}
	wait(t, l.stopped, soon, l.name+" stops leading")
	if err := l.e.StillLeading(context.Background()); !errors.Is(err, ErrNotLeader) {
		t.Errorf("old leader: StillLeading: got %v, want ErrNotLeader", err)
	}
	wait(t, s.started, takeOne, s.name+" takes over")
	if got := l.logs.count(slog.LevelWarn, "lost the leadership"); got != 1 {
		t.Errorf("old leader logged the loss %d times, want once", got)
	}
	if err := s.e.StillLeading(context.Background()); err != nil {
		t.Errorf("new leader: StillLeading: %v", err)
	}
}

// A leader that goes silent without closing its connection (frozen, or
// cut off by the network) stops leading on its own before the database
// ends its session and lets the standby take over.
func TestSilentLeaderStopsBeforeTheStandbyTakesOver(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	srv := pgtest.Shared(t)
	tr := &tracker{t: t}
	p := startProxy(t, srv.Addr)
	a := startNode(t, p.config(parse(t, db.URL)), "a", tr, nil)
	wait(t, a.started, takeOne, "a leads")
	b := startNode(t, parse(t, db.URL), "b", tr, nil)
	p.freeze()
	wait(t, a.stopped, soon, "a stops leading")
	if got := a.logs.count(slog.LevelWarn, "lost the leadership"); got != 1 {
		t.Errorf("a logged the loss %d times, want once", got)
	}
	wait(t, b.started, takeOne, "b takes over")
	if tr.overlap() {
		t.Errorf("a and b led at the same time: starts %v, stops %v", tr.starts, tr.stops)
	}
}

// StillLeading proves the lock with a round trip: a leader whose
// connection has gone silent cannot answer yes from what it last knew.
func TestStillLeadingNeedsTheDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	tr := &tracker{t: t}
	p := startProxy(t, pgtest.Shared(t).Addr)
	a := startNode(t, p.config(parse(t, db.URL)), "a", tr, nil)
	wait(t, a.started, takeOne, "a leads")
	ctx := context.Background()
	for range 3 {
		if err := a.e.StillLeading(ctx); err != nil {
			t.Fatalf("StillLeading while connected: %v", err)
		}
	}
	p.freeze()
	start := time.Now()
	err := a.e.StillLeading(ctx)
	if !errors.Is(err, ErrNotLeader) {
		t.Fatalf("StillLeading with the connection silent: got %v, want ErrNotLeader", err)
	}
	if d := time.Since(start); d > soon {
		t.Errorf("StillLeading took %v to fail, want within %v", d, soon)
	}
	wait(t, a.stopped, soon, "a stops leading")
	if err := a.e.StillLeading(ctx); !errors.Is(err, ErrNotLeader) {
		t.Errorf("StillLeading after the loss: got %v, want ErrNotLeader", err)
	}
}

// PostgreSQL stopped for 20 s: nobody leads, each node says so once, and
// one leads again once it is back.
func TestDatabaseStoppedFor20Seconds(t *testing.T) {
	t.Parallel()
	srv := pgtest.Start(t)
	db := srv.Database(t)
	tr := &tracker{t: t}
	a := startNode(t, parse(t, db.URL), "a", tr, nil)
	b := startNode(t, parse(t, db.URL), "b", tr, nil)
	l := first(t, a, b)
	s := other(a, b, l)
	srv.Stop(t)
	wait(t, l.stopped, soon, l.name+" stops leading")
	time.Sleep(20 * time.Second)
	for _, n := range []*node{a, b} {
		if n.e.Status().Leader {
			t.Errorf("%s leads with the database stopped", n.name)
		}
		if got := n.logs.count(slog.LevelWarn, ""); got != 1 {
			t.Errorf("%s: %d warnings in 20 s without the database, want one: %q", n.name, got, n.logs.lines)
		}
	}
	if got := s.logs.count(slog.LevelWarn, "cannot reach the database"); got != 1 {
		t.Errorf("standby %s: logged the outage %d times, want once", s.name, got)
	}
	srv.Restart(t)
	n := first(t, a, b)
	if err := n.e.StillLeading(context.Background()); err != nil {
		t.Errorf("%s after the restart: StillLeading: %v", n.name, err)
	}
	if tr.overlap() {
		t.Errorf("two nodes led at once: starts %v, stops %v", tr.starts, tr.stops)
	}
}

// When the leader's work returns on its own, Run gives the lock up and
// returns the work's error; the standby takes over.
func TestLeadErrorGivesUpTheLock(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	tr := &tracker{t: t}
	boom := errors.New("boom")
	a := startNode(t, parse(t, db.URL), "a", tr, func(context.Context) error { return boom })
	wait(t, a.started, takeOne, "a leads")
	select {
	case err := <-a.done:
		if !errors.Is(err, boom) {
			t.Errorf("Run: got %v, want the work's error", err)
		}
	case <-time.After(soon):
		t.Fatal("Run did not return after the work failed")
	}
	a.done <- nil // for the cleanup
	b := startNode(t, parse(t, db.URL), "b", tr, nil)
	wait(t, b.started, takeOne, "b takes over")
}

// Stopping a node gives its lock up at once: the standby need not wait for
// the database to notice.
func TestCancelGivesUpTheLock(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	tr := &tracker{t: t}
	a := startNode(t, parse(t, db.URL), "a", tr, nil)
	wait(t, a.started, takeOne, "a leads")
	b := startNode(t, parse(t, db.URL), "b", tr, nil)
	a.cancel()
	select {
	case err := <-a.done:
		if err != nil {
			t.Errorf("Run after cancel: got %v, want nil", err)
		}
	case <-time.After(soon):
		t.Fatal("Run did not return after cancel")
	}
	a.done <- nil
	wait(t, b.started, soon, "b takes over")
	if a.e.Status().Leader {
		t.Error("a still reports leading after it stopped")
	}
}

func TestConfigChecks(t *testing.T) {
	conn := &pgx.ConnConfig{}
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"defaults", Config{Conn: conn, Node: "n1"}, ""},
		{"no connection", Config{Node: "n1"}, "no database connection"},
		{"no name", Config{Conn: conn}, "no name"},
		{"check too slow for the dead-peer timeout", Config{Conn: conn, Node: "n1", CheckTimeout: 5 * time.Second}, "at most half the dead-peer timeout"},
		{"sub-second dead peer", Config{Conn: conn, Node: "n1", DeadPeerTimeout: 500 * time.Millisecond}, "one-second resolution"},
		{"standby idle too long", Config{Conn: conn, Node: "n1", TryInterval: 5 * time.Second}, "try interval"},
		{"negative", Config{Conn: conn, Node: "n1", CheckInterval: -time.Second}, "must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(tc.cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if err == nil && e.FailoverBound() > 15*time.Second {
				t.Errorf("failover bound %v, want at most 15 s with the defaults", e.FailoverBound())
			}
		})
	}
}

// The lock's session asks the server to end it when silent: its settings
// are what the server applies.
func TestSessionSettings(t *testing.T) {
	db := pgtest.Database(t)
	e, err := New(Config{Conn: parse(t, db.URL), Node: "n1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), soon)
	defer cancel()
	conn, err := e.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for setting, want := range map[string]string{
		"application_name": "connectord-leader/n1", "idle_session_timeout": "8s",
		"tcp_keepalives_idle": "4", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "4",
		"tcp_user_timeout": "8000",
	} {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: got %s, want %s", setting, got, want)
		}
	}
}
