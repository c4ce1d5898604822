package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connectord/inspect"
	"connectord/internal/atomicfile"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

// Batch applies a batch day's accepted files; each Run of it is one run
// (a store.BatchRun). It holds what a run needs.
type Batch struct {
	Store     *store.Store
	Spool     *spool.Spool
	Policy    inspect.Policy // to read the CSV out of the spooled message again
	Processor *provision.Processor
	// Directory is where files are applied; nil is the embedded directory.
	Directory provision.Backend
	// ReadOptions says how files are read (pick lists, registry), fresh
	// for each run.
	ReadOptions func(ctx context.Context) (pushfile.Options, error)
	DataDir     string // results files go in DataDir/results
	// Keep is how long a settled submission's raw message and results
	// file are kept; each run removes older ones. 0 keeps them for ever.
	Keep time.Duration
	// Sync, when set, takes the mailbox's waiting messages first, retried
	// for up to SyncTimeout; the run goes ahead unsynced after that
	// (store.SyncUnreachable). Without it the run is recorded as having
	// skipped the sync (store.SyncSkipped).
	Sync        func(ctx context.Context) error
	SyncTimeout time.Duration
	// Holder names this process in the batch lock; Alive says whether a
	// lock holder still runs.
	Holder string
	Alive  func(holder string) bool
	Log    *slog.Logger
	// AfterFile, when set, runs after each file's transaction commits;
	// AfterPurgeFiles after a segment's files past retention are removed,
	// before they are recorded so (crash tests kill the process there).
	AfterFile       func()
	AfterPurgeFiles func()
	// AfterApply, when set, runs once a file's rows are applied, before
	// its results email is queued and the file's transaction commits.
	AfterApply func()
}

// ResultsDir is where results files are kept, relative to the data
// directory.
const ResultsDir = "results"

// Run processes batch day day: every accepted submission of that day or
// earlier not yet processed, oldest first. trigger says who asked
// (schedule, catch-up, command, console). Per-file failures are recorded
// on the run and the run goes on; the returned error is for failures of
// the run itself.
func (n *Batch) Run(ctx context.Context, day, trigger string, now time.Time) (store.BatchRun, error) {
	started := time.Now() // for the duration, whatever clock now comes from
	run := store.BatchRun{BatchDay: day, Trigger: trigger, Sync: store.SyncSkipped, State: store.RunDone}
	if n.Sync != nil {
		run.Sync = store.SyncUnreachable
		if n.sync(ctx) {
			run.Sync = store.SyncDone
		}
	}
	id, err := n.Store.StartRun(ctx, day, trigger, run.Sync, n.Holder, n.Alive, now)
	if err != nil {
		return run, err
	}
	run.ID = id
	n.removeStaleResults()
	total := provision.Counts{}
	var errs []string
	var due []store.Submission
	err = n.Store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.Due(day)
		return err
	})
	if err == nil {
		for _, sub := range due {
			if ctx.Err() != nil {
				errs = append(errs, "stopped before every file was processed: "+ctx.Err().Error())
				break
			}
			counts, err := n.file(ctx, sub, day, now)
			if err != nil {
				n.Log.Error("file not processed", "submission", sub.ID, "file", sub.Filename, "err", err)
				errs = append(errs, fmt.Sprintf("submission %d (%s): %v", sub.ID, sub.Filename, err))
				continue
			}
			run.Files++
			for s, c := range counts {
				total[s] += c
			}
			if n.AfterFile != nil {
				n.AfterFile()
			}
		}
	} else {
		errs = append(errs, err.Error())
	}
	if _, err := n.purge(ctx, now); err != nil {
		n.Log.Error("files past retention not all removed", "err", err)
		errs = append(errs, "removing files past retention: "+err.Error())
	}
	if run.Sync == store.SyncUnreachable {
		errs = append([]string{"the mailbox could not be synced first: files received since the last poll wait for the next run"}, errs...)
	}
	run.Counts, run.Errors = countsJSON(total), strings.Join(errs, "\n")
	if len(errs) > 0 && (err != nil || run.Files < len(due)) {
		run.State = store.RunFailed
	}
	run.StartedAt, run.FinishedAt = now, now.Add(time.Since(started))
	if ferr := n.Store.FinishRun(context.WithoutCancel(ctx), run, run.FinishedAt); ferr != nil {
		return run, ferr
	}
	n.Log.Info("batch run finished", "day", day, "trigger", trigger, "files", run.Files, "state", run.State, "sync", run.Sync, "counts", run.Counts)
	return run, nil
}

// removeStaleResults deletes results files a killed run left half
// written. It runs holding the batch lock, so no other run is writing.
func (n *Batch) removeStaleResults() {
	stale, _ := filepath.Glob(filepath.Join(n.DataDir, ResultsDir, ".*"))
	for _, f := range stale {
		if err := os.Remove(f); err == nil {
			n.Log.Info("removed a results file a stopped run left half written", "file", filepath.Base(f))
		}
	}
}

// sync takes waiting mail, retrying until SyncTimeout.
func (n *Batch) sync(ctx context.Context) bool {
	deadline := time.Now().Add(n.SyncTimeout)
	wait := time.Second
	for {
		err := n.Sync(ctx)
		if err == nil {
			return true
		}
		if ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			n.Log.Warn("batch runs unsynced: the mailbox could not be read", "err", err)
			return false
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		wait = min(wait*2, 30*time.Second)
	}
}

// file processes one submission: the directory changes, the submission's
// state and its results email commit in one transaction.
func (n *Batch) file(ctx context.Context, sub store.Submission, day string, now time.Time) (provision.Counts, error) {
	csv, err := n.Spool.ExtractCSV(sub, n.Policy)
	var changed *spool.FileChangedError
	if errors.As(err, &changed) {
		return nil, n.refuseChanged(ctx, sub, changed, now)
	}
	if err != nil {
		return nil, err
	}
	defer csv.Close()
	opts, err := n.ReadOptions(ctx)
	if err != nil {
		return nil, err
	}
	resultsPath := filepath.Join(ResultsDir, fmt.Sprintf("%d.csv", sub.ID))
	out, err := atomicfile.Create(filepath.Join(n.DataDir, resultsPath))
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	dtx, err := n.Store.BeginDirectory(ctx)
	if err != nil {
		return nil, err
	}
	defer dtx.Rollback()
	tx := dtx.Work()
	sender, ok, err := tx.RosterSender(sub.Sender)
	if err != nil {
		return nil, err
	}
	if !ok {
		dtx.Rollback()
		return nil, n.reject(ctx, sub, sub.Sender+" no longer holds the Connector role", now)
	}
	dir, closeDir, err := n.directory()(ctx, dtx, false)
	if err != nil {
		return nil, err
	}
	defer closeDir()
	sum, err := n.Processor.Apply(ctx, dir, provision.File{Name: sub.Filename, Data: csv, Read: opts},
		provision.Job{Sender: sender, Now: now, Results: out.Writer(), Key: JournalKey(sub.ID)})
	var fe *pushfile.FileError
	if errors.As(err, &fe) {
		dtx.Rollback()
		return nil, n.reject(ctx, sub, fe.Error(), now)
	}
	if err != nil {
		return nil, err
	}
	if n.AfterApply != nil {
		n.AfterApply()
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	if err := tx.MarkProcessed(sub.ID, countsJSON(sum.Counts), now); err != nil {
		return nil, err
	}
	superseded, err := tx.SupersededFor(sub.Sender, sub.BatchDay)
	if err != nil {
		return nil, err
	}
	subject, body := resultsMail(&sub, day, sum.Counts, superseded)
	if err := tx.Enqueue(&store.OutboxMessage{Kind: store.MailResults, SubmissionID: sub.ID, Recipient: sub.Sender,
		Subject: subject, Body: body, InReplyTo: sub.MessageID,
		AttachmentName: resultsName(sub.Filename), AttachmentPath: resultsPath}, now); err != nil {
		return nil, err
	}
	if err := dtx.Commit(); err != nil {
		return nil, err
	}
	return sum.Counts, nil
}

// JournalKey names submission id's file in a directory's journal
// (provision.Resumable), so a run that stopped part-way is resumed.
func JournalKey(id int64) string { return fmt.Sprintf("submission %d", id) }

// directory is the backend files are applied through.
func (n *Batch) directory() provision.Backend {
	if n.Directory == nil {
		return provision.EmbeddedBackend
	}
	return n.Directory
}

// reject marks a submission that cannot be processed after all (its file
// became unusable, or its sender lost the role) and tells the sender.
func (n *Batch) reject(ctx context.Context, sub store.Submission, why string, now time.Time) error {
	return n.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Reject(sub.ID, "not processed: "+why, now); err != nil {
			return err
		}
		subject, body := unusableMail(&sub, why)
		return tx.Enqueue(&store.OutboxMessage{Kind: store.MailRejected, SubmissionID: sub.ID, Recipient: sub.Sender,
			Subject: subject, Body: body, InReplyTo: sub.MessageID}, now)
	})
}
