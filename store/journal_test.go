package store

import (
	"context"
	"reflect"
	"testing"
)

// What a Checkpoint commits survives the transaction's rollback (a run
// that fails later in the file); what was recorded after it does not. The
// journal reads back by line, and is gone once forgotten.
func TestJournalCheckpoint(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	work := tx.Work()
	intent := JournalRecord{Line: 2, Op: JournalCreate, LocalID: "L1", Detail: "Local ID generated: L1", GeneratedLocalID: true}
	done := JournalRecord{Line: 3, Op: JournalUpdate, Done: true, LocalID: "L2", Status: "PROCESSED_UPDATED",
		Detail: "changed: JobTitle", Address: "a.b@nhs.net"}
	for _, r := range []JournalRecord{intent, done} {
		if err := tx.Record("submission 1", r); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.KeepFields(&Mailbox{LocalID: "L2", EmailSize: 16}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := work.RosterSender("nobody@nhs.net"); err != nil {
		t.Fatalf("Work's Tx after a checkpoint: %v", err)
	}
	if err := tx.Record("submission 1", JournalRecord{Line: 4, Op: JournalCreate, LocalID: "L3"}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()

	tx, err = st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	got, err := tx.Journal("submission 1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]JournalRecord{2: intent, 3: done}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("journal after the rollback: got %+v, want %+v", got, want)
	}
	var m Mailbox
	if ok, err := tx.KeptFields("L2", &m); !ok || err != nil || m.EmailSize != 16 {
		t.Errorf("kept fields after the rollback: %v %v %+v, want EmailSize 16", ok, err, m)
	}
	if other, err := tx.Journal("submission 2"); err != nil || len(other) != 0 {
		t.Errorf("another file's journal: %+v, %v; want none", other, err)
	}
	if err := tx.ForgetJournal("submission 1"); err != nil {
		t.Fatal(err)
	}
	if got, err := tx.Journal("submission 1"); err != nil || len(got) != 0 {
		t.Errorf("after ForgetJournal: %+v, %v; want none", got, err)
	}
}
