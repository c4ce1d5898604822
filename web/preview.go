package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"connectord/provision"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

// preview is what tonight's run would do with a held file: a dry run of
// the engine against the current directory, rolled back, kept until the
// directory changes, and read a page at a time.
type preview struct {
	Skipped      string             // why no dry run was made
	FileProblems []pushfile.Problem // the file is unusable
	Made         time.Time
	Rows         *rowsView
	meta         indexMeta
	dir          string
}

// NotApplied counts the rows the night would not apply.
func (p *preview) NotApplied() (invalid, denied int) {
	return p.meta.Counts["INVALID"], p.meta.Counts[deniedOrg] + p.meta.Counts[deniedLimit]
}

// errUnreadable is a received file that cannot be read back out of the
// spool.
type errUnreadable struct{ err error }

func (e *errUnreadable) Error() string { return e.err.Error() }
func (e *errUnreadable) Unwrap() error { return e.err }

// preview returns held file sub's dry run, made now if the directory or
// the roster changed since the last, with the page of rows q asks for.
func (s *Server) preview(ctx context.Context, sub store.Submission, sender store.Sender, q rowsQuery) (*preview, error) {
	if sub.FileRows > s.cfg.PreviewMaxRows {
		return &preview{Skipped: fmt.Sprintf("The file has %d rows, more than the %d a preview may dry-run "+
			"(a dry run holds up the mailbox and the batch while it works). Check it with the validate page.",
			sub.FileRows, s.cfg.PreviewMaxRows)}, nil
	}
	dir, meta, err := s.heldPreview(ctx, sub, sender)
	var unreadable *errUnreadable
	if errors.Is(err, spool.ErrFileChanged) || errors.Is(err, spool.ErrNoCSV) {
		return &preview{Skipped: "The file cannot be previewed, and tonight's run would not apply it: " + err.Error()}, nil
	}
	if errors.As(err, &unreadable) {
		return &preview{Skipped: "The received file cannot be read back out of the spool, so there is no preview: " +
			upperFirst(unreadable.Error()) + "."}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &preview{Made: meta.Made, FileProblems: meta.Problems, meta: meta, dir: dir}
	if len(meta.Problems) == 0 {
		path := fmt.Sprintf("/review/%d", sub.ID)
		if p.Rows, err = s.rowsPage(dir, meta, q, true, path, url.Values{}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// makePreview dry-runs held file sub for sender into dir: the would-be
// results file, and its index.
func (s *Server) makePreview(ctx context.Context, dir string, sub store.Submission, sender store.Sender) (indexMeta, error) {
	now := s.now()
	csv, err := s.extractCSV(sub)
	if err != nil {
		return indexMeta{}, &errUnreadable{err}
	}
	defer csv.Close()
	opts, err := s.deps.ReadOptions(ctx)
	if err != nil {
		return indexMeta{}, err
	}
	out, err := os.OpenFile(filepath.Join(dir, resultsName), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return indexMeta{}, err
	}
	defer out.Close()
	_, err = s.dryRun(ctx, provision.File{Name: sub.Filename, Data: csv, Read: opts},
		provision.Job{Sender: sender, Now: now, DryRun: true, Results: out})
	var fe *pushfile.FileError
	if errors.As(err, &fe) {
		return indexMeta{Made: now, Problems: fe.Problems}, nil
	}
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		return indexMeta{}, fmt.Errorf("dry run of submission %d: %w", sub.ID, err)
	}
	if _, err := csv.Seek(0, io.SeekStart); err != nil {
		return indexMeta{}, err
	}
	again, err := pushfile.Open(csv, opts)
	if err != nil {
		return indexMeta{}, err
	}
	return buildIndex(dir, filepath.Join(dir, resultsName), "", again, now)
}
