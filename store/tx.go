package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx is one write transaction for work that must commit together: a batch
// of received messages with their dispositions and replies, a review
// decision with its email, a processed file with its results email. Its
// methods live beside the tables they touch.
type Tx struct {
	tx          *sql.Tx
	ctx         context.Context
	stmts       map[string]*sql.Stmt
	msgIDDomain string // for Enqueue
}

// prepared returns q prepared in the transaction, once per transaction.
func (t *Tx) prepared(q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(t.ctx, q)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

// Begin starts a write transaction.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	tx, err := s.beginWrite(ctx, s.db)
	if err != nil {
		return nil, err
	}
	return &Tx{tx: tx, ctx: ctx, msgIDDomain: s.msgIDDomain}, nil
}

// Commit makes the transaction durable.
func (t *Tx) Commit() error {
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Rollback abandons the transaction. It is safe after Commit.
func (t *Tx) Rollback() error {
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// Work returns the general transaction the directory changes run in, so
// that a file's submission state and results email commit with them.
func (d *DirectoryTx) Work() *Tx { return d.work }

// InTx runs fn in one write transaction, committing when it returns nil.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	t, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(t); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}
