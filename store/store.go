// Package store is connectord's durable state: one database holding the organisation registry, the Connector
// roster, the mailbox directory and the audit trail. The schema is created
// and upgraded by embedded, versioned migrations; a database written by a
// newer connectord is refused rather than guessed at.
//
// The database is SQLite (pure Go, modernc.org/sqlite) in the data
// directory by default, or PostgreSQL (OpenPostgres) for two or more nodes.
// One implementation serves both: the SQL is written once with SQLite's
// placeholders, and the few statements that differ ask s.dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is the database. It is safe for concurrent use.
type Store struct {
	db          *sql.DB
	dialect     dialect
	path        string // the SQLite file; "" on PostgreSQL
	msgIDDomain string // the right-hand side of the outbox's Message-IDs
	loginSweep  loginSweep
}

// Option sets how a Store works; Open takes any number.
type Option func(*Store)

// MessageIDDomain is the right-hand side of the Message-IDs Enqueue gives
// the emails connectord sends (DefaultMessageIDDomain without it).
func MessageIDDomain(domain string) Option {
	return func(s *Store) {
		if domain != "" {
			s.msgIDDomain = domain
		}
	}
}

// DefaultMessageIDDomain ends the Message-IDs of a store opened without
// MessageIDDomain.
const DefaultMessageIDDomain = "connectord.localdomain"

// Open opens (creating when missing) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, path: path, msgIDDomain: DefaultMessageIDDomain}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return s, nil
}

// OpenExisting opens the database at path only if it exists, read-only,
// without migrating. It returns ErrNotFound when there is no database.
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.checkVersion(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return s, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
		// 16 MiB of page cache per connection: measured on a million-row
		// file against a million-mailbox directory, a larger cache cost
		// memory and no speed (the OS page cache serves the rest); see
		// docs/performance.md.
		"cache_size(-16384)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Set("mode", "ro")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Flush forces every committed transaction to stable storage: the
// write-ahead log, the database and their directory entries are fsynced.
// The database runs with synchronous=NORMAL, whose commits survive a
// killed process but not, on their own, a power cut; callers Flush before
// acting outside the database on what they committed (moving a message on
// the server, sending an email).
func (s *Store) Flush() error {
	if s.dialect == dialectPostgres {
		return nil // PostgreSQL's commits are durable when they return
	}
	for _, name := range []string{s.path + "-wal", s.path, filepath.Dir(s.path)} {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("flush database: %w", err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("flush database: %w", err)
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file ("" on PostgreSQL).
func (s *Store) Path() string { return s.path }

// timeText is how times are stored: UTC, fixed width, sortable.
const timeLayout = "2006-01-02T15:04:05.000Z"

func timeText(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// inTx runs fn in one write transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.beginWrite(ctx, s.db)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
