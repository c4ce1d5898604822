package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func addSubmission(t *testing.T, st *Store, sender, file string, received time.Time) int64 {
	t.Helper()
	s := Submission{UIDValidity: 1, UID: uint32(received.Unix() % 1e6), SHA256: fmt.Sprint(received.UnixNano(), sender, file),
		ReceivedAt: received, Sender: sender, Filename: file, BatchDay: received.Format(time.DateOnly), State: StateAccepted,
		DecidedAt: received, FileSHA256: "f"}
	if err := st.InTx(context.Background(), func(tx *Tx) error { return tx.InsertSubmission(&s) }); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func subIDs(subs []Submission) []int64 {
	var ids []int64
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	return ids
}

// Submissions page newest first by when they were received (not by id),
// older and newer than a row, with parts of the sender and file name.
func TestSubmissionsPages(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	base := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	var ids []int64
	for i, at := range []int{5, 3, 6, 1, 4, 2, 0} { // received out of id order
		sender := "alice.smith@nhs.net"
		if i%2 == 1 {
			sender = "bob.jones@nhs.net"
		}
		id := addSubmission(t, st, sender, fmt.Sprintf("staff_%d.csv", i), base.Add(time.Duration(at)*time.Minute))
		ids = append(ids, id)
	}
	// ids[i] was received at minute order[i]; newest first is minutes 6..0.
	byMinute := map[int]int64{}
	for i, at := range []int{5, 3, 6, 1, 4, 2, 0} {
		byMinute[at] = ids[i]
	}
	newest := []int64{byMinute[6], byMinute[5], byMinute[4], byMinute[3], byMinute[2], byMinute[1], byMinute[0]}

	first, err := st.Submissions(ctx, SubmissionFilter{Limit: 3})
	if err != nil || !slices.Equal(subIDs(first), newest[:3]) {
		t.Fatalf("first page: got %v, %v; want %v", subIDs(first), err, newest[:3])
	}
	second, _ := st.Submissions(ctx, SubmissionFilter{Limit: 3, Before: first[2].ID})
	if !slices.Equal(subIDs(second), newest[3:6]) {
		t.Errorf("older than %d: got %v, want %v", first[2].ID, subIDs(second), newest[3:6])
	}
	back, _ := st.Submissions(ctx, SubmissionFilter{Limit: 3, After: second[0].ID})
	if !slices.Equal(subIDs(back), newest[:3]) {
		t.Errorf("newer than %d: got %v, want %v (newest first)", second[0].ID, subIDs(back), newest[:3])
	}
	for _, tc := range []struct {
		name string
		f    SubmissionFilter
		want int
	}{
		{"part of the sender, any case", SubmissionFilter{SenderPart: "ALICE"}, 4},
		{"part of the file name", SubmissionFilter{FilePart: "_3."}, 1},
		{"a percent sign is not a wildcard", SubmissionFilter{FilePart: "%"}, 0},
		{"an underscore is not a wildcard", SubmissionFilter{FilePart: "staf_"}, 0},
		{"an underscore matches itself", SubmissionFilter{FilePart: "staff_"}, 7},
		{"sender and file together", SubmissionFilter{SenderPart: "bob", FilePart: "staff_1"}, 1},
		{"sender, file and day together", SubmissionFilter{SenderPart: "bob", Day: "2026-03-04"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Submissions(ctx, tc.f)
			if err != nil || len(got) != tc.want {
				t.Errorf("got %d, %v; want %d", len(got), err, tc.want)
			}
		})
	}
	if n, err := st.HeldCount(ctx); err != nil || n != 0 {
		t.Errorf("held: got %d, %v; want 0", n, err)
	}
}

// A night records on each submission it settles which run it was: the one
// holding the batch lock.
func TestNightRecordsItsRunOnEachFile(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 21, 0, 0, 0, time.UTC)
	done, refused := addSubmission(t, st, "a@nhs.net", "a.csv", now), addSubmission(t, st, "b@nhs.net", "b.csv", now.Add(time.Second))
	run, err := st.StartRun(ctx, "2026-03-03", "schedule", SyncDone, "test:1", func(string) bool { return false }, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *Tx) error {
		if err := tx.MarkProcessed(done, `{"PROCESSED_NEW":1}`, now); err != nil {
			return err
		}
		return tx.Reject(refused, "not processed: the file cannot be used", now)
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, BatchRun{ID: run, State: RunDone}, now); err != nil {
		t.Fatal(err)
	}
	got, err := st.Submissions(ctx, SubmissionFilter{RunID: run})
	if err != nil || len(got) != 2 || got[0].RunID != run || got[1].RunID != run {
		t.Errorf("files of run %d: got %+v, %v; want both", run, got, err)
	}
	r, err := st.Run(ctx, run)
	if err != nil || r.BatchDay != "2026-03-03" {
		t.Errorf("run: got %+v, %v", r, err)
	}
	if _, err := st.Run(ctx, run+1); err == nil {
		t.Error("a run that does not exist was found")
	}
}

// Runs settled before the run_id column are matched by the time the night
// stamped on both when the schema is upgraded.
func TestUpgradeMatchesFilesToTheirRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`}
	for _, m := range ms[:6] {
		stmts = append(stmts, m.sql, fmt.Sprintf(`INSERT INTO schema_migrations VALUES (%d, '%s', 'x')`, m.version, m.name))
	}
	stmts = append(stmts,
		`INSERT INTO batch_runs (id, batch_day, started_at, state) VALUES (7, '2026-03-03', '2026-03-03T21:00:00.000Z', 'done')`,
		`INSERT INTO submissions (id, uidvalidity, uid, sha256, spool_segment, spool_offset, spool_size, received_at, state, decided_at, reason)
			VALUES (1, 1, 1, 'a', 's', 0, 1, 'x', 'processed', '2026-03-03T21:00:00.000Z', ''),
			       (2, 1, 2, 'b', 's', 0, 1, 'x', 'rejected', '2026-03-03T21:00:00.000Z', 'not processed: the file cannot be used'),
			       (3, 1, 3, 'c', 's', 0, 1, 'x', 'rejected', '2026-03-03T21:00:00.000Z', 'rejected by rita: wrong file')`,
		`INSERT INTO outbox (kind, recipient, subject, body, message_id, next_attempt_at, created_at, attempts, state)
			VALUES ('ack', 'a@nhs.net', 's', 'b', 'm1', 'x', 'x', 3, 'failed')`)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for id, want := range map[int64]int64{1: 7, 2: 7, 3: 0} {
		if s, err := st.Submission(context.Background(), id); err != nil || s.RunID != want {
			t.Errorf("submission %d: run %d, %v; want %d", id, s.RunID, err, want)
		}
	}
	if m, err := st.OutboxMessage(context.Background(), 1); err != nil || m.TotalAttempts != 3 {
		t.Errorf("mail 1: %d attempts in all, %v; want 3", m.TotalAttempts, err)
	}
}

// A retry starts the count against max_attempts again but keeps every
// attempt in TotalAttempts; later mail about the same submission is found.
func TestOutboxAttemptsAndLaterMail(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	sub := addSubmission(t, st, "a@nhs.net", "a.csv", now)
	var mail []OutboxMessage
	if err := st.InTx(ctx, func(tx *Tx) error {
		for i, kind := range []string{MailHeld, MailReview, MailDecision} {
			to := "a@nhs.net"
			if kind == MailReview {
				to = "support@nhs.net"
			}
			m := OutboxMessage{Kind: kind, SubmissionID: sub, Recipient: to, Subject: kind, Body: "b", MessageID: fmt.Sprint("m", i)}
			if err := tx.Enqueue(&m, now); err != nil {
				return err
			}
			mail = append(mail, m)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	held := mail[0]
	for range 2 {
		if ok, err := st.ClaimMail(ctx, held.ID); !ok || err != nil {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		if err := st.MarkRetry(ctx, held.ID, "451 try later", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.MarkFailed(ctx, held.ID, "550 5.1.1 user unknown"); err != nil {
		t.Fatal(err)
	}
	if err := st.RetryOutbox(ctx, held.ID, "oscar", now); err != nil {
		t.Fatal(err)
	}
	m, err := st.OutboxMessage(ctx, held.ID)
	if err != nil || m.Attempts != 0 || m.TotalAttempts != 2 {
		t.Errorf("after a retry: %d attempts, %d in all, %v; want 0 and 2", m.Attempts, m.TotalAttempts, err)
	}
	later, err := st.LaterMail(ctx, m)
	if err != nil || len(later) != 1 || later[0].Kind != MailDecision {
		t.Errorf("later mail to the same recipient: got %+v, %v; want the decision only", later, err)
	}
	for _, tc := range []struct {
		name string
		q    OutboxQuery
		want []int64
	}{
		{"newest first", OutboxQuery{}, []int64{mail[2].ID, mail[1].ID, mail[0].ID}},
		{"by state", OutboxQuery{States: []string{OutboxPending}, Kind: MailReview}, []int64{mail[1].ID}},
		{"search the recipient", OutboxQuery{Search: "SUPPORT@"}, []int64{mail[1].ID}},
		{"older than", OutboxQuery{Before: mail[2].ID, Limit: 1}, []int64{mail[1].ID}},
		{"newer than", OutboxQuery{After: mail[0].ID, Limit: 1}, []int64{mail[1].ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.OutboxList(ctx, tc.q)
			var ids []int64
			for _, m := range got {
				ids = append(ids, m.ID)
			}
			if err != nil || !slices.Equal(ids, tc.want) {
				t.Errorf("got %v, %v; want %v", ids, err, tc.want)
			}
		})
	}
}

func TestRosterAndAuditPages(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8", CreationLimit: 5}}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"e@nhs.net", "a@nhs.net", "c@nhs.net", "b@nhs.net", "d@nhs.net"} {
		if err := st.PutSender(ctx, a, []string{"RR8"}, "oscar", now); err != nil {
			t.Fatal(err)
		}
	}
	addrs := func(s []Sender) []string {
		var out []string
		for _, x := range s {
			out = append(out, x.Address)
		}
		return out
	}
	page, _ := st.SendersPage(ctx, SenderQuery{Limit: 2, After: "b@nhs.net"})
	if got := addrs(page); !slices.Equal(got, []string{"c@nhs.net", "d@nhs.net"}) || page[0].Orgs[0] != "RR8" {
		t.Errorf("after b: got %v", got)
	}
	if got, _ := st.SendersPage(ctx, SenderQuery{Limit: 2, Before: "d@nhs.net"}); !slices.Equal(addrs(got), []string{"b@nhs.net", "c@nhs.net"}) {
		t.Errorf("before d: got %v", addrs(got))
	}
	if got, _ := st.SendersPage(ctx, SenderQuery{Part: "E@"}); !slices.Equal(addrs(got), []string{"e@nhs.net"}) {
		t.Errorf("part e@: got %v", addrs(got))
	}
	all, _ := st.ConsoleAuditLog(ctx, ConsoleAuditFilter{})
	if len(all) != 5 {
		t.Fatalf("audit: %d rows, want 5", len(all))
	}
	older, _ := st.ConsoleAuditLog(ctx, ConsoleAuditFilter{Before: all[1].ID, Limit: 2})
	newer, _ := st.ConsoleAuditLog(ctx, ConsoleAuditFilter{After: all[3].ID, Limit: 2})
	if len(older) != 2 || older[0].ID != all[2].ID || len(newer) != 2 || newer[0].ID != all[1].ID || newer[1].ID != all[2].ID {
		t.Errorf("audit pages: older %+v, newer %+v", older, newer)
	}
	if got, _ := st.ConsoleAuditLog(ctx, ConsoleAuditFilter{Actor: "rita"}); len(got) != 0 {
		t.Errorf("by actor rita: got %d rows, want 0", len(got))
	}
}

// The directory's version changes with a change to a mailbox, a creation
// count, a limit or a unit, and not otherwise.
func TestDirectoryVersion(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8", CreationLimit: 5}}); err != nil {
		t.Fatal(err)
	}
	last, err := st.DirectoryVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := st.DirectoryVersion(ctx); again != last {
		t.Fatal("the version changed with nothing changed")
	}
	for _, tc := range []struct {
		name   string
		change func() error
	}{
		{"a mailbox", func() error {
			d, err := st.BeginDirectory(ctx)
			if err != nil {
				return err
			}
			defer d.Rollback()
			if err := d.Put(&Mailbox{Address: "a@nhs.net", Org: "RR8", Kind: KindMailbox}, now); err != nil {
				return err
			}
			if err := d.Audit(AuditEntry{At: now, Actor: "t", Action: "import"}); err != nil {
				return err
			}
			return d.Commit()
		}},
		{"a creation count", func() error {
			d, err := st.BeginDirectory(ctx)
			if err != nil {
				return err
			}
			defer d.Rollback()
			if err := d.AddCreated("RR8", 1); err != nil {
				return err
			}
			return d.Commit()
		}},
		{"a limit", func() error { return st.PutOrganisations(ctx, []Organisation{{Code: "RR8", CreationLimit: 6}}) }},
		{"a unit", func() error {
			return st.PutOrganisations(ctx, []Organisation{{Code: "RR8", CreationLimit: 6, Units: []string{"RR801"}}})
		}},
	} {
		if err := tc.change(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		v, err := st.DirectoryVersion(ctx)
		if err != nil || v == last {
			t.Errorf("after %s: version %s, %v; want a new one", tc.name, v, err)
		}
		last = v
	}
}
