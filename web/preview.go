package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"connectord/provision"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

// preview is what tonight's run would do with a held file: a dry run of
// the engine against the current directory, rolled back.
type preview struct {
	Skipped      string             // why no dry run was made
	FileProblems []pushfile.Problem // the file is unusable
	Counts       []statusCount
	Total        int
	Table        resultTable
	More         int // rows not in Table
}

// previewRows is how many rows the preview lists.
const previewRows = 50

// previewBytes bounds the results kept for the listed rows.
const previewBytes = 256 << 10

// preview dry-runs a held submission's file for its sender. It reads the
// CSV out of the spooled message again, and checks it, as the batch does.
func (s *Server) preview(ctx context.Context, sub store.Submission, sender store.Sender) (*preview, error) {
	if sub.FileRows > s.cfg.PreviewMaxRows {
		return &preview{Skipped: fmt.Sprintf("The file has %d rows, more than the %d a preview may dry-run "+
			"(a dry run holds up the mailbox and the batch while it works). Check it with the validate page.",
			sub.FileRows, s.cfg.PreviewMaxRows)}, nil
	}
	n := s.deps.Batch
	f, err := n.Spool.ExtractCSV(sub, n.Policy)
	if errors.Is(err, spool.ErrFileChanged) || errors.Is(err, spool.ErrNoCSV) {
		return &preview{Skipped: "The file cannot be previewed, and tonight's run would not apply it: " + err.Error()}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts, err := s.deps.ReadOptions(ctx)
	if err != nil {
		return nil, err
	}
	head := &headBuffer{limit: previewBytes}
	sum, err := s.dryRun(ctx, provision.File{Name: sub.Filename, Data: f, Read: opts},
		provision.Job{Sender: sender, Now: s.now(), DryRun: true, Results: head})
	var fe *pushfile.FileError
	if errors.As(err, &fe) {
		return &preview{FileProblems: fe.Problems}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &preview{Counts: countsOf(sum.Counts), Total: sum.Counts.Total()}
	if p.Table, err = readResultTable(bytes.NewReader(head.complete()), previewRows); err != nil {
		return nil, err
	}
	p.More = p.Total - len(p.Table.Rows)
	return p, nil
}

// dryRun applies f in a directory transaction that it always rolls back.
// One runs at a time: each holds the database's write lock.
func (s *Server) dryRun(ctx context.Context, f provision.File, job provision.Job) (provision.Summary, error) {
	s.previewMu.Lock()
	defer s.previewMu.Unlock()
	dtx, err := s.deps.Store.BeginDirectory(ctx)
	if err != nil {
		return provision.Summary{}, err
	}
	defer dtx.Rollback()
	return s.deps.Batch.Processor.Apply(ctx, dtx, f, job)
}
