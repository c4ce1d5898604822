package store

import (
	"context"
	"testing"
	"time"
)

// How a run read the mailbox is recorded when it starts (so an interrupted
// run says it too) and when it ends; an empty Sync at the end keeps the
// start's, and the older synced column follows.
func TestRunSyncRecorded(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 10, 21, 0, 0, 0, time.UTC)
	dead := func(string) bool { return false }
	for _, tc := range []struct{ start, finish, want string }{
		{SyncSkipped, "", SyncSkipped},
		{SyncDone, SyncDone, SyncDone},
		{SyncUnreachable, SyncUnreachable, SyncUnreachable},
	} {
		t.Run(tc.want, func(t *testing.T) {
			id, err := st.StartRun(ctx, "2026-03-10", "command", tc.start, "test:1", dead, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.FinishRun(ctx, BatchRun{ID: id, State: RunDone, Sync: tc.finish}, now); err != nil {
				t.Fatal(err)
			}
			var sync string
			var synced int
			if err := st.db.QueryRowContext(ctx, `SELECT sync, synced FROM batch_runs WHERE id = ?`, id).Scan(&sync, &synced); err != nil {
				t.Fatal(err)
			}
			if wantSynced := syncedFlag(tc.want); sync != tc.want || synced != wantSynced {
				t.Errorf("recorded sync %q, synced %d; want %q, %d", sync, synced, tc.want, wantSynced)
			}
		})
	}
}
