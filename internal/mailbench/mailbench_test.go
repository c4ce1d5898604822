package mailbench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectord/inspect"
	"connectord/pushfile"
	"connectord/store"
)

// The generated messages are what the benchmark claims: authenticated
// submissions from rostered senders, each with one usable CSV, with the
// Maildir name and mtime Dovecot reads size and INTERNALDATE from.
func TestGeneratedMessagesAreSubmissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Maildir")
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	l := EasyLoad(4)
	l.Senders, l.FirstTime, l.Start = 2, 1, start
	total, err := l.WriteMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "cur"))
	if err != nil || len(entries) != 4 {
		t.Fatalf("cur/ holds %d files (%v), want 4", len(entries), err)
	}
	policy := inspect.DefaultPolicy()
	policy.TrustedAuthservIDs = []string{"mx.nhs.net"}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := l.Roster(ctx, st, start); err != nil {
		t.Fatal(err)
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, e := range entries {
		path := filepath.Join(dir, "cur", e.Name())
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum += int64(len(raw))
		if !strings.Contains(e.Name(), ",S="+strconv.Itoa(len(raw))+":2,") {
			t.Errorf("%s: the name does not carry S=%d", e.Name(), len(raw))
		}
		info, _ := e.Info()
		if d := info.ModTime().Sub(start); d < 0 || d > 24*time.Hour {
			t.Errorf("%s: mtime %s, want a receipt time on the first two days", e.Name(), info.ModTime())
		}
		var csv bytes.Buffer
		ins, err := inspect.Inspect(bytes.NewReader(raw), policy, &csv)
		if err != nil {
			t.Fatal(err)
		}
		if ins.Automatic != "" || ins.SenderProblem != "" || !ins.Authenticated || ins.AttachmentProblem != "" || ins.CSV == nil {
			t.Fatalf("%s: %+v, want an authenticated submission with one CSV", e.Name(), ins)
		}
		if _, ok, _ := rosterSender(ctx, st, ins.From); !ok {
			t.Errorf("%s: sender %s is not on the roster", e.Name(), ins.From)
		}
		if n := csv.Len(); n < 1500 || n > 3000 {
			t.Errorf("%s: CSV of %d bytes, want about 2 KB", e.Name(), n)
		}
		rd, err := pushfile.Open(bytes.NewReader(csv.Bytes()), pushfile.Options{Registry: reg})
		if err != nil {
			t.Fatalf("%s: the CSV is not usable: %v", e.Name(), err)
		}
		rows := 0
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows++
			if !row.Valid() {
				t.Errorf("%s line %d: %s", e.Name(), row.Line, row.Detail())
			}
		}
		if rows != l.Rows {
			t.Errorf("%s: %d rows, want %d", e.Name(), rows, l.Rows)
		}
	}
	if sum != total {
		t.Errorf("WriteMaildir reported %d bytes, the files hold %d", total, sum)
	}
}

func rosterSender(ctx context.Context, st *store.Store, addr string) (store.Sender, bool, error) {
	var s store.Sender
	var ok bool
	err := st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		s, ok, err = tx.RosterSender(addr)
		return err
	})
	return s, ok, err
}
