// Package benchref holds the naive references scripts/bench.sh measures
// the engine against, on the same file, database and machine in the same
// run: plain loops that do the least a push file or a Mailbox Report
// needs, with nothing the engine adds for correctness or speed.
//
// Process is the reference for `connectord process`: per row it reads and
// validates the row with the engine's reader, SELECTs the entry by Local
// ID with a prepared statement, compares, UPSERTs when something changed
// and writes the row's result with the engine's results writer,
// committing every 10,000 rows. It makes no addresses (a new entry is
// named after its Local ID), writes no audit, searches no duplicates and
// checks no creation limits or senders: the engine must do all of that and
// still be no slower.
//
// Import is the reference for `connectord directory import`: encoding/csv
// and one prepared UPSERT per row, committing every 10,000 rows.
//
// Both run on the store's schema, through the same SQLite driver
// (modernc.org/sqlite) with the store's pragmas (Pragmas).
package benchref

import (
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// TxRows is how many rows the references apply per transaction.
const TxRows = 10000

// Pragmas are the store's connection settings (store.Open); a test holds
// the two lists equal.
func Pragmas() []string {
	return []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "cache_size(-16384)"}
}

// Open opens the connectord database at path as the store would, on one
// connection (the references are single loops).
func Open(path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range Pragmas() {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}
