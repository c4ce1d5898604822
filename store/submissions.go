package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Submission states: every message that reaches the mailbox ends in one.
const (
	StateAccepted   = "accepted"   // waiting for its batch day's run
	StateHeld       = "held"       // first file of a new sender, waiting for a reviewer
	StateSuperseded = "superseded" // a later file from the same sender for the same day replaced it
	StateRejected   = "rejected"   // not processed; Reason says why
	StateIgnored    = "ignored"    // automatic mail (bounces, auto-replies): never answered
	StateProcessed  = "processed"  // applied by a run of the batch
)

// States lists the states in the order reports show them.
func States() []string {
	return []string{StateAccepted, StateHeld, StateSuperseded, StateRejected, StateIgnored, StateProcessed}
}

// SpoolRef locates a raw message in the spool.
type SpoolRef struct {
	Segment string // file name inside the spool directory
	Offset  int64
	Size    int64
}

// Submission is one message that reached the connector mailbox.
type Submission struct {
	ID           int64
	UIDValidity  uint32
	UID          uint32
	SHA256       string // of the raw message
	Spool        SpoolRef
	ReceivedAt   time.Time // IMAP INTERNALDATE
	MessageID    string
	Sender       string
	Subject      string
	Filename     string
	Attachments  []string // every attachment's name, in order (at most 20)
	FileSHA256   string
	FileSize     int64
	FileRows     int
	FileInvalid  int
	BatchDay     string // YYYY-MM-DD
	State        string
	Reason       string
	SupersededBy int64
	DecidedAt    time.Time
	ReviewedBy   string
	ReviewedAt   time.Time
	ProcessedAt  time.Time
	Counts       string    // JSON rows per status, once processed
	PurgedAt     time.Time // raw message and results file removed (retention)
	RunID        int64     // the night's run that processed or rejected it; 0 before
}

const submissionColumns = `id, uidvalidity, uid, sha256, spool_segment, spool_offset, spool_size, received_at,
	message_id, sender, subject, filename, file_sha256, file_size, file_rows, file_invalid, batch_day, state, reason,
	coalesce(superseded_by, 0), decided_at, reviewed_by, reviewed_at, processed_at, counts, purged_at, attachments,
	coalesce(run_id, 0)`

func scanSubmission(sc scanner, s *Submission) error {
	var received, decided, reviewed, processed, purged, attachments string
	err := sc.Scan(&s.ID, &s.UIDValidity, &s.UID, &s.SHA256, &s.Spool.Segment, &s.Spool.Offset, &s.Spool.Size,
		&received, &s.MessageID, &s.Sender, &s.Subject, &s.Filename, &s.FileSHA256, &s.FileSize, &s.FileRows,
		&s.FileInvalid, &s.BatchDay, &s.State, &s.Reason, &s.SupersededBy, &decided, &s.ReviewedBy, &reviewed,
		&processed, &s.Counts, &purged, &attachments, &s.RunID)
	if err != nil {
		return err
	}
	if s.Attachments, err = parseNames(attachments); err != nil {
		return fmt.Errorf("submission %d: attachments: %w", s.ID, err)
	}
	s.ReceivedAt, s.DecidedAt = parseTime(received), parseTime(decided)
	s.ReviewedAt, s.ProcessedAt = parseTime(reviewed), parseTime(processed)
	s.PurgedAt = parseTime(purged)
	return nil
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return timeText(t)
}

// InsertSubmission records a new message and its disposition, setting s.ID.
func (t *Tx) InsertSubmission(s *Submission) error {
	st, err := t.prepared(`INSERT INTO submissions (uidvalidity, uid, sha256, spool_segment, spool_offset,
		spool_size, received_at, message_id, sender, subject, filename, file_sha256, file_size, file_rows, file_invalid,
		batch_day, state, reason, decided_at, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return fmt.Errorf("record message %d: %w", s.UID, err)
	}
	names, err := namesJSON(s.Attachments)
	if err != nil {
		return fmt.Errorf("record message %d: %w", s.UID, err)
	}
	err = st.QueryRowContext(t.ctx,
		s.UIDValidity, s.UID, s.SHA256, s.Spool.Segment, s.Spool.Offset, s.Spool.Size, timeText(s.ReceivedAt),
		s.MessageID, s.Sender, s.Subject, s.Filename, s.FileSHA256, s.FileSize, s.FileRows, s.FileInvalid,
		s.BatchDay, s.State, s.Reason, timeText(s.DecidedAt), names).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("record message %d: %w", s.UID, err)
	}
	return nil
}

// SeenMessage reports whether a message is already recorded, by its UID
// in this UIDVALIDITY or by the hash of its bytes.
func (t *Tx) SeenMessage(uidValidity, uid uint32, sha256 string) (bool, error) {
	var n int
	st, err := t.prepared(`SELECT count(*) FROM submissions WHERE (uidvalidity = ? AND uid = ?) OR sha256 = ?`)
	if err != nil {
		return false, fmt.Errorf("look up message %d: %w", uid, err)
	}
	err = st.QueryRowContext(t.ctx, uidValidity, uid, sha256).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up message %d: %w", uid, err)
	}
	return n > 0, nil
}

// Submission loads one submission in the transaction.
func (t *Tx) Submission(id int64) (Submission, error) {
	var s Submission
	err := scanSubmission(t.tx.QueryRowContext(t.ctx, `SELECT `+submissionColumns+` FROM submissions WHERE id = ?`, id), &s)
	if errors.Is(err, sql.ErrNoRows) {
		return Submission{}, fmt.Errorf("submission %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Submission{}, fmt.Errorf("submission %d: %w", id, err)
	}
	return s, nil
}

// PendingForDay lists a sender's accepted and held submissions for a batch
// day: the ones a newer file supersedes.
func (t *Tx) PendingForDay(sender, day string) ([]Submission, error) {
	return t.query(`SELECT `+submissionColumns+` FROM submissions WHERE sender = ? AND batch_day = ? AND state IN ('accepted', 'held') ORDER BY received_at, id`, sender, day)
}

// Due lists the accepted submissions of batch day day or earlier, oldest
// first: a run's work.
func (t *Tx) Due(day string) ([]Submission, error) {
	return t.query(`SELECT `+submissionColumns+` FROM submissions WHERE state = 'accepted' AND batch_day <= ? ORDER BY batch_day, received_at, id`, day)
}

func (t *Tx) query(q string, args ...any) ([]Submission, error) {
	st, err := t.prepared(q)
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	rows, err := st.QueryContext(t.ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		var s Submission
		if err := scanSubmission(rows, &s); err != nil {
			return nil, fmt.Errorf("list submissions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Supersede marks submission id superseded by a newer one.
func (t *Tx) Supersede(id, by int64, now time.Time) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE submissions SET state = 'superseded', superseded_by = ?,
		reason = 'a later file from the same sender for the same batch day replaced it', decided_at = ?
		WHERE id = ? AND state IN ('accepted', 'held')`, by, timeText(now), id)
	if err != nil {
		return fmt.Errorf("supersede submission %d: %w", id, err)
	}
	return nil
}

// ErrAlreadyDecided is returned when a review acts on a submission that is
// no longer held.
var ErrAlreadyDecided = errors.New("already decided")

// Review moves a held submission to accepted or rejected, recording who
// decided. When another reviewer got there first it returns an error
// wrapping ErrAlreadyDecided that names them.
func (t *Tx) Review(id int64, state, reason, by string, now time.Time) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE submissions SET state = ?, reason = ?, reviewed_by = ?, reviewed_at = ?, decided_at = ?
		WHERE id = ? AND state = 'held'`, state, reason, by, timeText(now), timeText(now), id)
	if err != nil {
		return fmt.Errorf("review submission %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	s, err := t.Submission(id)
	if err != nil {
		return err
	}
	if s.State == StateSuperseded && s.SupersededBy != 0 {
		return t.supersededError(s)
	}
	who := s.ReviewedBy
	if who == "" {
		who = "connectord"
	}
	return fmt.Errorf("submission %d is %s (decided by %s): %w", id, s.State, who, ErrAlreadyDecided)
}

// runNow is the run holding the batch lock: the run that is recording
// a submission's end.
const runNow = `(SELECT run_id FROM batch_lock WHERE name = '` + batchLock + `')`

// MarkProcessed records that a run applied the submission, and which
// run did (the one holding the batch lock).
func (t *Tx) MarkProcessed(id int64, counts string, now time.Time) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE submissions SET state = 'processed', counts = ?, processed_at = ?, decided_at = ?,
		run_id = `+runNow+` WHERE id = ? AND state = 'accepted'`, counts, timeText(now), timeText(now), id)
	if err != nil {
		return fmt.Errorf("mark submission %d processed: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("submission %d is not waiting to be processed: %w", id, ErrAlreadyDecided)
	}
	return nil
}

// Reject marks an accepted submission rejected (a file that could not be
// used when its run came), recording the run holding the batch lock.
func (t *Tx) Reject(id int64, reason string, now time.Time) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE submissions SET state = 'rejected', reason = ?, decided_at = ?, run_id = `+runNow+` WHERE id = ?`,
		reason, timeText(now), id)
	if err != nil {
		return fmt.Errorf("reject submission %d: %w", id, err)
	}
	return nil
}

// SubmissionFilter selects submissions to list; zero fields match all.
type SubmissionFilter struct {
	Day    string
	State  string
	Sender string // the whole address
	// SenderPart and FilePart match part of the sender's address and of
	// the file name, ignoring ASCII case.
	SenderPart, FilePart string
	RunID                int64 // the night's run that settled them
	Limit                int
	// Before and After page through the list, which runs newest first:
	// the Limit rows older than submission Before, or the Limit rows
	// newer than submission After (still newest first).
	Before, After int64
}

// Submissions lists submissions, newest first.
func (s *Store) Submissions(ctx context.Context, f SubmissionFilter) ([]Submission, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if f.Day != "" {
		add("batch_day = ?", f.Day)
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	if f.Sender != "" {
		add("sender = ?", addressKey(f.Sender))
	}
	if f.SenderPart != "" {
		add(`sender `+s.dialect.caseInsensitiveLike()+` ? ESCAPE '\'`, likePattern(f.SenderPart))
	}
	if f.FilePart != "" {
		add(`filename `+s.dialect.caseInsensitiveLike()+` ? ESCAPE '\'`, likePattern(f.FilePart))
	}
	if f.RunID != 0 {
		add("run_id = ?", f.RunID)
	}
	order := " ORDER BY received_at DESC, id DESC"
	switch {
	case f.Before != 0:
		add("(received_at, id) < (SELECT received_at, id FROM submissions WHERE id = ?)", f.Before)
	case f.After != 0:
		add("(received_at, id) > (SELECT received_at, id FROM submissions WHERE id = ?)", f.After)
		order = " ORDER BY received_at, id"
	}
	q := `SELECT ` + submissionColumns + ` FROM submissions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += order
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	var out []Submission
	err := s.InTx(ctx, func(t *Tx) error {
		var err error
		out, err = t.query(q, args...)
		return err
	})
	if f.Before == 0 && f.After != 0 {
		slices.Reverse(out)
	}
	return out, err
}

// likePattern matches part of a text in a LIKE ... ESCAPE '\' clause.
func likePattern(part string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(part) + "%"
}

// HeldCount is how many files wait for a reviewer.
func (s *Store) HeldCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE state = 'held'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count held files: %w", err)
	}
	return n, nil
}

// Submission loads one submission.
func (s *Store) Submission(ctx context.Context, id int64) (Submission, error) {
	var sub Submission
	err := s.InTx(ctx, func(t *Tx) error {
		var err error
		sub, err = t.Submission(id)
		return err
	})
	return sub, err
}

// SpoolSegments lists the spool segments submissions refer to.
func (s *Store) SpoolSegments(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT spool_segment FROM submissions`)
	if err != nil {
		return nil, fmt.Errorf("list spool segments: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var seg string
		if err := rows.Scan(&seg); err != nil {
			return nil, fmt.Errorf("list spool segments: %w", err)
		}
		out[seg] = true
	}
	return out, rows.Err()
}

// SupersededFor lists a sender's superseded submissions for a batch day,
// for the results email.
func (t *Tx) SupersededFor(sender, day string) ([]Submission, error) {
	return t.query(`SELECT `+submissionColumns+` FROM submissions WHERE sender = ? AND batch_day = ? AND state = 'superseded' ORDER BY received_at, id`, sender, day)
}
