package store

import (
	"context"
	"database/sql"
	"fmt"
)

// dialect is which database engine a Store runs on.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// writeLockKey is the transaction-level advisory lock every write
// transaction on PostgreSQL takes first. SQLite lets one writer in at a
// time (its transactions begin IMMEDIATE), and the store's read-then-write
// transactions (a file's dispositions, the night's lock row, the outbox's
// claims) rely on that; the lock gives PostgreSQL the same order, across
// every node. It is not leader.DefaultKey: leading and writing are
// different things.
const writeLockKey int64 = 0x636f6e6e7772 // "connwr"

type beginner interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}

// beginWrite starts a write transaction on b (the pool or one connection).
func (s *Store) beginWrite(ctx context.Context, b beginner) (*sql.Tx, error) {
	return s.dialect.beginWrite(ctx, b)
}

func (d dialect) beginWrite(ctx context.Context, b beginner) (*sql.Tx, error) {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if d == dialectPostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLockKey); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("begin: take the write lock: %w", err)
		}
	}
	return tx, nil
}

// caseInsensitiveLike is the operator that matches a LIKE pattern ignoring
// ASCII case, as SQLite's LIKE does.
func (d dialect) caseInsensitiveLike() string {
	if d == dialectPostgres {
		return "ILIKE"
	}
	return "LIKE"
}
