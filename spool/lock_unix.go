//go:build unix

package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock takes the spool's lock, waiting while another process holds it. A
// sync holds it from before its first segment is written until its last
// is recorded, so a segment no submission refers to, seen while holding
// the lock, is an orphan: no other process is about to record it. A spool
// in the database is locked in the database, for every node at once.
func (s *Spool) Lock(ctx context.Context) (unlock func(), err error) {
	if s.db != nil {
		return s.db.LockSpool(ctx)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("spool lock: %w", err)
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing the file releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("spool lock: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("spool lock (another connectord is taking mail into %s): %w", s.dir, ctx.Err())
		case <-tick.C:
		}
	}
}
