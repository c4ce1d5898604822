package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"connectord/internal/atomicfile"
	"connectord/store"
)

// spoolText says where a submission's received message is kept.
func spoolText(a *app, s store.Submission) string {
	where := fmt.Sprintf("%s, offset %d, %d bytes", filepath.Join(a.spoolDir(), s.Spool.Segment), s.Spool.Offset, s.Spool.Size)
	if !s.PurgedAt.IsZero() {
		where += " (removed " + s.PurgedAt.Local().Format(time.RFC3339) + ")"
	}
	return where
}

// submissionFile writes a submission's CSV file as received to path, or
// to standard output when path is "". The bytes are checked against the
// SHA-256 recorded when the message arrived before any of them is written
// out: a spool that no longer matches writes nothing.
func submissionFile(ctx context.Context, a *app, st *store.Store, id int64, path string) error {
	sub, err := st.Submission(ctx, id)
	if err != nil {
		return err
	}
	if !sub.PurgedAt.IsZero() {
		return fmt.Errorf("the received message of submission %d was removed on %s (past batch.keep_files_days)",
			id, sub.PurgedAt.Local().Format(time.DateOnly))
	}
	rules, err := a.ingestRules(st)
	if err != nil {
		return err
	}
	sp, err := a.openSpool(st)
	if err != nil {
		return err
	}
	csv, err := sp.ExtractCSV(sub, rules.Policy)
	if err != nil {
		return err
	}
	defer csv.Close()
	if path == "" {
		_, err = io.Copy(a.stdout, csv)
		return err
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := io.Copy(f.Writer(), csv); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "wrote %s (%d bytes, SHA-256 %s) to %s\n", sub.Filename, sub.FileSize, sub.FileSHA256, path)
	return nil
}
