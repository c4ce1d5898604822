package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Blobs are files kept in the database as numbered chunks of one size
// (the last may be shorter): the spool's segments on PostgreSQL. A chunk
// is written in a transaction of its own; whoever writes a blob records
// what refers to it only after its last chunk is in, and removes the
// blobs nothing refers to, as the spool does with its files.

// PutBlobChunk stores chunk seq of blob name.
func (s *Store) PutBlobChunk(ctx context.Context, name string, seq int64, data []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO blob_chunks (name, seq, data) VALUES (?, ?, ?)`, name, seq, data)
	if err != nil {
		return fmt.Errorf("store %s chunk %d: %w", name, seq, err)
	}
	return nil
}

// BlobChunk reads chunk seq of blob name into buf (grown as needed),
// returning ErrNotFound when there is no such chunk.
func (s *Store) BlobChunk(ctx context.Context, name string, seq int64, buf []byte) ([]byte, error) {
	var data sql.RawBytes
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM blob_chunks WHERE name = ? AND seq = ?`, name, seq)
	if err != nil {
		return nil, fmt.Errorf("read %s chunk %d: %w", name, seq, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s chunk %d: %w", name, seq, err)
		}
		return nil, fmt.Errorf("read %s chunk %d: %w", name, seq, ErrNotFound)
	}
	if err := rows.Scan(&data); err != nil {
		return nil, fmt.Errorf("read %s chunk %d: %w", name, seq, err)
	}
	return append(buf[:0], data...), rows.Close()
}

// BlobNames lists the blobs whose names end with suffix.
func (s *Store) BlobNames(ctx context.Context, suffix string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT name FROM blob_chunks ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list stored files: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list stored files: %w", err)
		}
		if strings.HasSuffix(n, suffix) {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

// RemoveBlob deletes every chunk of blob name; a blob already gone is no
// error.
func (s *Store) RemoveBlob(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM blob_chunks WHERE name = ?`, name); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// OnPostgres reports whether the store is a PostgreSQL database, whose
// nodes share no filesystem: files the nodes share are kept as blobs.
func (s *Store) OnPostgres() bool { return s.dialect == dialectPostgres }
