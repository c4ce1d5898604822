package leader

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// ApplicationName is the application_name of node's lock session, for
// finding it in pg_stat_activity.
func ApplicationName(node string) string { return "connectord-leader/" + node }

// sessionConfig is cfg.Conn with the settings that make the server end a
// silent session after DeadPeerTimeout. They are ordinary per-session
// settings, sent in the startup message.
func sessionConfig(cfg Config) *pgx.ConnConfig {
	c := cfg.Conn.Copy()
	secs := int(cfg.DeadPeerTimeout / time.Second)
	idle, interval := max(secs/2, 1), max(secs/8, 1)
	count := max((secs-idle)/interval, 1)
	params := map[string]string{
		"application_name": ApplicationName(cfg.Node),
		// the session is idle between proofs; silent for longer, it is gone
		"idle_session_timeout": strconv.FormatInt(cfg.DeadPeerTimeout.Milliseconds(), 10),
		// a peer that stopped answering (power cut): probes, then reset
		"tcp_keepalives_idle":     strconv.Itoa(idle),
		"tcp_keepalives_interval": strconv.Itoa(interval),
		"tcp_keepalives_count":    strconv.Itoa(count),
		// data the server sent that is never acknowledged
		"tcp_user_timeout": strconv.FormatInt(cfg.DeadPeerTimeout.Milliseconds(), 10),
	}
	rp := make(map[string]string, len(c.RuntimeParams)+len(params))
	for k, v := range c.RuntimeParams {
		rp[k] = v
	}
	for k, v := range params {
		rp[k] = v
	}
	c.RuntimeParams = rp
	d := &net.Dialer{Timeout: connectTimeout(cfg), KeepAliveConfig: net.KeepAliveConfig{Enable: true,
		Idle: time.Duration(idle) * time.Second, Interval: time.Duration(interval) * time.Second, Count: count}}
	c.DialFunc = d.DialContext
	c.ConnectTimeout = connectTimeout(cfg)
	return c
}

func connectTimeout(cfg Config) time.Duration { return 2 * cfg.CheckTimeout }

// campaign connects and tries for the lock every TryInterval, the first
// time after delay, until this node has it, returning the lock's
// connection; it returns an error only when ctx is done. A connection on
// which the lock was refused is kept for the next try.
func (e *Elector) campaign(ctx context.Context, delay time.Duration) (*pgx.Conn, error) {
	var conn *pgx.Conn
	standby := false
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			closeConn(conn)
			return nil, ctx.Err()
		case <-t.C:
		}
		t.Reset(e.cfg.TryInterval)
		if conn == nil {
			var err error
			if conn, err = e.connect(ctx); err != nil {
				e.unreachableOnce(ctx, err)
				continue
			}
		}
		got, err := e.tryLock(ctx, conn)
		if err != nil {
			closeConn(conn)
			conn = nil
			e.unreachableOnce(ctx, err)
			continue
		}
		e.reachable()
		if got {
			return conn, nil
		}
		if !standby {
			standby = true
			e.log.Info("leader: another node leads; standing by", "try_every", e.cfg.TryInterval)
		}
	}
}

func (e *Elector) connect(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout(e.cfg))
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, e.conn)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

func (e *Elector) tryLock(ctx context.Context, conn *pgx.Conn) (bool, error) {
	qctx, cancel := context.WithTimeout(ctx, e.cfg.CheckTimeout)
	defer cancel()
	var got bool
	if err := conn.QueryRow(qctx, `SELECT pg_try_advisory_lock($1)`, e.cfg.Key).Scan(&got); err != nil {
		return false, fmt.Errorf("try the lock: %w", err)
	}
	return got, nil
}

// unreachableOnce logs that the database cannot be reached, once until it
// can be again; a node that has just logged losing its leadership has said
// it already.
func (e *Elector) unreachableOnce(ctx context.Context, err error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return
	}
	e.mu.Lock()
	first := !e.unreachable
	e.unreachable = true
	e.mu.Unlock()
	if first {
		e.log.Warn("leader: cannot reach the database; trying again", "every", e.cfg.TryInterval, "err", err)
	} else {
		e.log.Debug("leader: still cannot reach the database", "err", err)
	}
}

func (e *Elector) reachable() {
	e.mu.Lock()
	was := e.unreachable
	e.unreachable = false
	e.mu.Unlock()
	if was {
		e.log.Debug("leader: the database answers again")
	}
}

// closeConn closes conn, which ends its session and so frees its lock.
func closeConn(conn *pgx.Conn) {
	if conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Close(ctx)
}
