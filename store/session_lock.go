package store

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// spoolLockKey is the session-level advisory lock a PostgreSQL spool holds
// while it writes segments (see spool.Spool.Lock): one node at a time
// takes mail, whichever node runs the command.
const spoolLockKey int64 = 0x636f6e6e7370 // "connsp"

// LockSpool takes the database's spool lock on a connection of its own,
// waiting while another process holds it, until ctx ends. unlock releases
// it; so does the connection's end. It is for PostgreSQL only.
func (s *Store) LockSpool(ctx context.Context) (unlock func(), err error) {
	if s.dialect != dialectPostgres {
		return nil, fmt.Errorf("spool lock: the database is %s, whose spool is a directory", s.dialect)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("spool lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, spoolLockKey); err != nil {
		conn.Close()
		return nil, fmt.Errorf("spool lock (another connectord is taking mail): %w", err)
	}
	return func() {
		// A failed unlock leaves the lock with the session: closing
		// the connection returns it to the pool still holding it, so
		// it is closed for good (Raw's error) instead.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, spoolLockKey); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}
