package web

import (
	"context"
	"strings"

	"connectord/provision"
	"connectord/spool"
	"connectord/store"
)

// The console's calls into the spool and the engine are all in this file:
// the received file read back out of its spooled message, and the dry run
// of a held file.

// extractCSV is submission sub's CSV file, exactly as received and
// checked against the SHA-256 recorded when it arrived, in a scratch file
// at its start. Close removes it.
func (s *Server) extractCSV(sub store.Submission) (*spool.CSVFile, error) {
	return s.deps.Batch.Spool.ExtractCSV(sub, s.deps.Batch.Policy)
}

// dryRun applies f as tonight's run would, each row's would-be result to
// job.Results, in a directory transaction it always rolls back. A dry run
// generates no passwords. The caller holds previewMu: one runs at a time,
// as each holds the database's write lock while it works.
func (s *Server) dryRun(ctx context.Context, f provision.File, job provision.Job) (provision.Summary, error) {
	s.dryRuns.Add(1)
	dtx, err := s.deps.Store.BeginDirectory(ctx)
	if err != nil {
		return provision.Summary{}, err
	}
	defer dtx.Rollback()
	backend := s.deps.Batch.Directory
	if backend == nil {
		backend = provision.EmbeddedBackend
	}
	dir, closeDir, err := backend(ctx, dtx, true)
	if err != nil {
		return provision.Summary{}, err
	}
	defer closeDir()
	return s.deps.Batch.Processor.Apply(ctx, dir, f, job)
}

// deniedForLimit reports whether an ACCESS_DENIED row's Detail says the
// organisation's creation limit was reached (the engine's other reason is
// an organisation the sender does not hold the Connector role for).
func deniedForLimit(detail string) bool { return strings.HasPrefix(detail, "creation limit ") }
