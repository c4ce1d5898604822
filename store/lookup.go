package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// lookupBatch is how many Local IDs one ByLocalIDs query asks for.
const lookupBatch = 500

// lookupInQuery selects the entries whose Local ID is one of lookupBatch.
var lookupInQuery = `SELECT ` + matchColumns + ` FROM mailboxes WHERE local_id IN (?` +
	strings.Repeat(", ?", lookupBatch-1) + `)`

// ByLocalIDs loads the entries with the given Local IDs, calling found
// with each (without its times; m is reused between calls, so found copies
// what it keeps, and must not use d: it runs inside the lookup). ids are sorted in place into the index's order first and
// asked for lookupBatch at a time, so that a window of a file's rows costs
// a few index walks in key order instead of one random descent a row
// (measured: a third of the CPU time of per-row lookups on a million-row
// directory). An ID that is not in the directory is not reported; IDs
// that match only ignoring ASCII case find the entry, as ByLocalID does.
func (d *DirectoryTx) ByLocalIDs(ids []string, found func(m *Mailbox) error) error {
	slices.SortFunc(ids, compareNoCase)
	ids = slices.CompactFunc(ids, func(a, b string) bool { return compareNoCase(a, b) == 0 })
	if len(ids) == 0 {
		return nil
	}
	return d.conn.Raw(func(dc any) error {
		if d.rawIn == nil {
			st, err := dc.(driver.ConnPrepareContext).PrepareContext(d.ctx, lookupInQuery)
			if err != nil {
				return fmt.Errorf("prepare Local ID lookup: %w", err)
			}
			d.rawIn = st
		}
		args := make([]driver.NamedValue, lookupBatch)
		var m Mailbox
		for len(ids) > 0 {
			chunk := ids[:min(lookupBatch, len(ids))]
			ids = ids[len(chunk):]
			for i := range args {
				v := chunk[0] // a repeat of one already asked for pads the last batch
				if i < len(chunk) {
					v = chunk[i]
				}
				args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
			}
			if err := d.lookupChunk(args, &m, found); err != nil {
				return err
			}
		}
		return nil
	})
}

// lookupChunk runs one batch of ByLocalIDs.
func (d *DirectoryTx) lookupChunk(args []driver.NamedValue, m *Mailbox, found func(m *Mailbox) error) error {
	rows, err := d.rawIn.(driver.StmtQueryContext).QueryContext(d.ctx, args)
	if err != nil {
		return fmt.Errorf("look up Local IDs: %w", err)
	}
	defer rows.Close()
	var v [18]driver.Value
	for {
		err := rows.Next(v[:])
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up Local IDs: %w", err)
		}
		if err := m.fromValues(v[:]); err != nil {
			return err
		}
		if err := found(m); err != nil {
			return err
		}
	}
}

// FoldLocalID is a Local ID as the directory compares it: ASCII letters in
// lower case, nothing else folded (SQLite's NOCASE), so "k" and the Kelvin
// sign stay different IDs.
func FoldLocalID(id string) string {
	for i := 0; i < len(id); i++ {
		if c := id[i]; c >= 'A' && c <= 'Z' {
			b := []byte(id)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return id
}

// compareNoCase orders strings as SQLite's NOCASE collation does.
func compareNoCase(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 'A' && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if cb >= 'A' && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

// TakenNumbers returns, ascending, the collision numbers n for which the
// address base+n@domain is taken (1 standing for base@domain itself,
// never written as a number), with one indexed range query: the entries
// starting base0 to base@ sort together, so the hundredth John Smith costs
// one walk of the index, not a lookup per candidate. Only numbers below
// limit are returned.
func (d *DirectoryTx) TakenNumbers(base, domain string, limit int) ([]int, error) {
	rows, err := d.takenRange.QueryContext(d.ctx, base+"0", base+"A")
	if err != nil {
		return nil, fmt.Errorf("look up addresses %s…: %w", base, err)
	}
	defer rows.Close()
	var out []int
	tail := "@" + domain
	for rows.Next() {
		var addr string
		if err := rows.Scan(&addr); err != nil {
			return nil, fmt.Errorf("look up addresses %s…: %w", base, err)
		}
		digits, ok := strings.CutSuffix(addr[len(base):], tail)
		if !ok {
			continue
		}
		if digits == "" {
			out = append(out, 1)
		} else if n, err := strconv.Atoi(digits); err == nil && n > 1 && n < limit && strconv.Itoa(n) == digits {
			out = append(out, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up addresses %s…: %w", base, err)
	}
	slices.Sort(out)
	return out, nil
}
