package spool

import (
	"context"
	"testing"
	"time"
)

// The spool's lock excludes a second holder (another process, or another
// poller in this one) until the first lets go.
func TestSpoolLock(t *testing.T) {
	sp, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := sp.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if u, err := sp.Lock(ctx); err == nil {
		u()
		t.Fatal("a second Lock succeeded while the first was held")
	}
	got := make(chan error, 1)
	go func() {
		u, err := sp.Lock(context.Background())
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Lock after the first unlocked: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Lock still waiting 10 s after the first unlocked")
	}
}
