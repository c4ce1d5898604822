// Package leader elects one node among several sharing a PostgreSQL
// database: a node leads while it holds a session-level advisory lock
// (pg_try_advisory_lock) on a connection of its own.
//
// A standby tries to take the lock every TryInterval. The leader waits on
// its lock's connection, so a connection the server ends (the server
// stopping, pg_terminate_backend, a network error) ends its leadership at
// once, and it proves it still holds the lock every CheckInterval, so a
// connection that goes silent ends it within CheckInterval + CheckTimeout.
// Whoever leads gets a context that is cancelled the moment leadership is
// lost.
//
// The database frees the lock when the leader's session ends. A leader
// process that dies has its socket closed by its kernel, and the lock is
// free at once. A leader that vanishes without a word (its machine lost
// power, the network between went away, the process froze) leaves a
// session nobody closes, so the lock's session asks the server to end it
// once it has been silent for DeadPeerTimeout: idle_session_timeout ends a
// session idle that long (the leader speaks every CheckInterval), and TCP
// keepalives and tcp_user_timeout end a connection whose peer is gone.
// These are set per session, so no server setting is needed. A standby
// therefore takes over within DeadPeerTimeout + TryInterval of the leader's
// death (10 s with the defaults), and because CheckInterval + CheckTimeout
// is at most half of DeadPeerTimeout, a leader that is cut off stops
// leading, with half the dead-peer timeout to spare, before the database
// lets another node take over.
//
// A session the server ends (pg_terminate_backend, a shutdown) frees the
// lock first and tells its node a moment later, so a leader that acts
// outside the database (a MOVE on the IMAP server, an email handed to the
// relay) calls StillLeading first: it proves the lock with a round trip,
// so a node cut off from the database never acts on leadership it no
// longer has.
package leader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultKey is the advisory lock connectord's nodes contend for: every
// node of one deployment must use the same key, and nothing else in the
// database may use it.
const DefaultKey int64 = 0x636f6e6e6563 // "connec"

// Defaults; see Config.
const (
	DefaultTryInterval     = 2 * time.Second
	DefaultCheckInterval   = time.Second
	DefaultCheckTimeout    = 2 * time.Second
	DefaultDeadPeerTimeout = 8 * time.Second
)

// ErrNotLeader is returned by StillLeading when this node does not hold the
// lock, or cannot prove that it does.
var ErrNotLeader = errors.New("not the leader")

// Config says where the lock is and how quickly leadership moves.
type Config struct {
	// Conn is where the lock lives, with its password set. It is copied;
	// the elector sets its own application_name, dial function and session
	// settings on the copy.
	Conn *pgx.ConnConfig
	// Node names this node in logs, Status and the session's
	// application_name ("connectord-leader/NODE").
	Node string
	// Key is the advisory lock; 0 means DefaultKey.
	Key int64
	// TryInterval is how often a standby tries to take the lock.
	TryInterval time.Duration
	// CheckInterval is how often the leader proves it holds the lock.
	CheckInterval time.Duration
	// CheckTimeout is how long one proof (or StillLeading) may take; a
	// proof that takes longer ends the leadership.
	CheckTimeout time.Duration
	// DeadPeerTimeout is how long the database keeps the session of a
	// leader that has gone silent, and so the lock. At least a second.
	DeadPeerTimeout time.Duration
	// RejoinDelay is how long a node that lost the leadership waits before
	// it tries for the lock again, so that a standby takes over rather than
	// the node whose connection just failed (2 × TryInterval when 0).
	RejoinDelay time.Duration
	// Logger gets one line when this node starts leading, one when it
	// stops, and one when the database cannot be reached (not one per try).
	Logger *slog.Logger
	// Now is the clock for Status.Since (time.Now when nil).
	Now func() time.Time
}

// Elector takes part in the election for one node. Its methods are safe
// for concurrent use; Run must be called once.
type Elector struct {
	cfg  Config
	conn *pgx.ConnConfig // cfg.Conn with the session's settings
	log  *slog.Logger

	mu      sync.Mutex
	leading bool
	since   time.Time
	reqs    []chan error  // StillLeading requests waiting for a proof
	wake    chan struct{} // a request is waiting: prove now

	unreachable bool // the database could not be reached; logged once
}

// New checks cfg and fills in its defaults.
func New(cfg Config) (*Elector, error) {
	if cfg.Conn == nil {
		return nil, errors.New("leader: no database connection configured")
	}
	if cfg.Node == "" {
		return nil, errors.New("leader: the node has no name")
	}
	if cfg.Key == 0 {
		cfg.Key = DefaultKey
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&cfg.TryInterval, DefaultTryInterval}, {&cfg.CheckInterval, DefaultCheckInterval},
		{&cfg.CheckTimeout, DefaultCheckTimeout}, {&cfg.DeadPeerTimeout, DefaultDeadPeerTimeout}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if cfg.RejoinDelay == 0 {
		cfg.RejoinDelay = 2 * cfg.TryInterval
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Elector{cfg: cfg, conn: sessionConfig(cfg), log: cfg.Logger.With("node", cfg.Node),
		wake: make(chan struct{}, 1)}, nil
}

// check refuses timings under which a cut-off leader could still think it
// leads when the database lets another node take the lock.
func (c Config) check() error {
	switch {
	case c.TryInterval <= 0 || c.CheckInterval <= 0 || c.CheckTimeout <= 0 || c.RejoinDelay < 0:
		return errors.New("leader: intervals and timeouts must be positive")
	case c.DeadPeerTimeout < time.Second:
		return fmt.Errorf("leader: the dead-peer timeout %v is under the database's one-second resolution", c.DeadPeerTimeout)
	case 2*(c.CheckInterval+c.CheckTimeout) > c.DeadPeerTimeout:
		return fmt.Errorf("leader: check interval %v plus check timeout %v must be at most half the dead-peer timeout %v, so that a leader cut off from the database stops before another can take over",
			c.CheckInterval, c.CheckTimeout, c.DeadPeerTimeout)
	case c.TryInterval*2 > c.DeadPeerTimeout:
		return fmt.Errorf("leader: the try interval %v must be at most half the dead-peer timeout %v (a standby's session is ended after that long idle)",
			c.TryInterval, c.DeadPeerTimeout)
	}
	return nil
}

// FailoverBound is the longest a standby takes to lead after the leader
// vanished without its socket being closed (a power cut), not counting the
// time to connect: DeadPeerTimeout + TryInterval.
func (e *Elector) FailoverBound() time.Duration { return e.cfg.DeadPeerTimeout + e.cfg.TryInterval }

// Run takes part in the election until ctx is done. Each time this node
// takes the lock, Run calls lead with a context that is cancelled the
// moment the leadership is lost, waits for lead to return, and then tries
// for the lock again. When lead returns while this node still leads, Run
// gives the lock up and returns lead's error. It returns nil when ctx is
// done, after giving up the lock.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context) error) error {
	var delay time.Duration
	for {
		conn, err := e.campaign(ctx, delay)
		if err != nil {
			return nil // ctx is done
		}
		returned, leadErr := e.hold(ctx, conn, lead)
		closeConn(conn)
		if returned {
			return leadErr
		}
		if ctx.Err() != nil {
			return nil
		}
		delay = e.cfg.RejoinDelay
	}
}

// Status is what /healthz reports about this node.
type Status struct {
	Node   string
	Leader bool
	Since  time.Time // when it last started or stopped leading; zero before either
}

// Status reports whether this node leads now.
func (e *Elector) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Status{Node: e.cfg.Node, Leader: e.leading, Since: e.since}
}

// Gauge is the value of the connectord_leader gauge: 1 while this node
// leads, else 0.
func (e *Elector) Gauge() float64 {
	if e.Status().Leader {
		return 1
	}
	return 0
}
