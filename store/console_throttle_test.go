package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestReserveLogin(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	pair := LoginKey{Key: "account-address:a 1", LoginLimit: LoginLimit{Limit: 3, Window: 10 * time.Minute, Lockout: 15 * time.Minute}, ClearOnSuccess: true}
	addr := LoginKey{Key: "address:1", LoginLimit: LoginLimit{Limit: 10, Window: 10 * time.Minute, Lockout: 15 * time.Minute}}
	keys := []LoginKey{pair, addr}
	reserve := func(at time.Time) LoginAttempt {
		t.Helper()
		a, err := st.ReserveLogin(ctx, keys, at)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for i := 1; i <= 3; i++ {
		a := reserve(now.Add(time.Duration(i) * time.Second))
		if a.Refused || a.LockedUntil.IsZero() != (i < 3) {
			t.Errorf("attempt %d: got %+v, want charged and locked only at the third", i, a)
		}
	}
	lockedUntil := now.Add(3*time.Second + 15*time.Minute)
	if a := reserve(now.Add(time.Minute)); !a.Refused || !a.LockedUntil.Equal(lockedUntil) {
		t.Errorf("while locked: got %+v, want refused until %v", a, lockedUntil)
	}
	if got := failures(t, st, addr.Key); got != 3 {
		t.Errorf("the address after a refused attempt: got %d failures, want 3 (a refusal charges nothing)", got)
	}
	// Taking the attempt that locked back unlocks the key.
	if err := st.ReleaseLogin(ctx, keys, false); err != nil {
		t.Fatal(err)
	}
	if a := reserve(now.Add(2 * time.Minute)); a.Refused || a.LockedUntil.IsZero() {
		t.Errorf("after a release: got %+v, want charged and locked again", a)
	}
	// A sign-in forgets the ClearOnSuccess key and takes its attempt back
	// from the others.
	if err := st.ReleaseLogin(ctx, keys, true); err != nil {
		t.Fatal(err)
	}
	if got, want := failures(t, st, pair.Key), -1; got != want {
		t.Errorf("the pair after a sign-in: got %d failures, want no row", got)
	}
	if got := failures(t, st, addr.Key); got != 2 {
		t.Errorf("the address after a sign-in: got %d failures, want 2", got)
	}
	// After the window, counting starts again.
	if a := reserve(now.Add(time.Hour)); a.Refused || !a.LockedUntil.IsZero() {
		t.Errorf("an hour later: got %+v, want charged, not locked", a)
	}
	if got := failures(t, st, addr.Key); got != 1 {
		t.Errorf("the address an hour later: got %d failures, want 1", got)
	}
}

// Parallel reservations of one key let exactly the limit through.
func TestReserveLoginInParallel(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	keys := []LoginKey{{Key: "account:a", LoginLimit: LoginLimit{Limit: 5, Window: time.Minute, Lockout: time.Minute}}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	through := 0
	for range 24 {
		wg.Go(func() {
			a, err := st.ReserveLogin(ctx, keys, now)
			if err != nil {
				t.Error(err)
				return
			}
			if !a.Refused {
				mu.Lock()
				through++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if through != 5 {
		t.Errorf("24 parallel attempts: got %d through, want 5", through)
	}
}

// Rows that count for nothing any more are removed as attempts are
// written, a few at a time, and live ones stay.
func TestLoginFailuresPruned(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	t0 := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	lim := LoginLimit{Limit: 2, Window: 15 * time.Minute, Lockout: 30 * time.Minute}
	for i := range 200 {
		key := LoginKey{Key: fmt.Sprintf("account:x%d", i), LoginLimit: lim}
		if _, err := st.ReserveLogin(ctx, []LoginKey{key}, t0); err != nil {
			t.Fatal(err)
		}
	}
	locked := LoginKey{Key: "account:locked", LoginLimit: lim}
	live := LoginKey{Key: "account:live", LoginLimit: lim}
	for _, k := range []LoginKey{locked, locked} {
		if _, err := st.ReserveLogin(ctx, []LoginKey{k}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ReserveLogin(ctx, []LoginKey{live}, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, st); got != 202 {
		t.Fatalf("before: got %d rows, want 202", got)
	}
	later := t0.Add(20 * time.Minute) // the first windows are over, the lock is not
	other := LoginKey{Key: "address:9", LoginLimit: lim}
	if _, err := st.ReserveLogin(ctx, []LoginKey{other}, later); err != nil {
		t.Fatal(err)
	}
	// The sweep looked at the first 64 keys in order: the live and the
	// locked one, and 62 expired.
	if got, want := rows(t, st), 202+1-62; got != want {
		t.Errorf("after one attempt: got %d rows, want %d (62 of one batch of %d pruned)", got, want, loginPruneBatch)
	}
	for range 4 {
		if _, err := st.ReserveLogin(ctx, []LoginKey{other}, later); err != nil {
			t.Fatal(err)
		}
	}
	if got := rows(t, st); got != 3 {
		t.Errorf("after five attempts: got %d rows, want 3 (the locked, the live and the new key)", got)
	}
	if got := failures(t, st, locked.Key); got != 2 {
		t.Errorf("the locked key: got %d failures, want 2", got)
	}
	if _, err := st.ReserveLogin(ctx, []LoginKey{other}, t0.Add(31*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := failures(t, st, locked.Key); got != -1 {
		t.Errorf("the locked key after its lock: got %d failures, want the row removed", got)
	}
}

// failures returns a key's count, or -1 when it has no row.
func failures(t *testing.T, st *Store, key string) int {
	t.Helper()
	n := -1
	err := st.db.QueryRow(`SELECT failures FROM console_login_failures WHERE key = ?`, key).Scan(&n)
	if err != nil && !isNoRows(err) {
		t.Fatal(err)
	}
	return n
}

func rows(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM console_login_failures`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
