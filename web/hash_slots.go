package web

import (
	"context"
	"errors"
	"time"
)

// hashSlots bounds the password checks that run at once. Each argon2id
// check holds 19 MiB until it ends, so a flood of sign-ins would otherwise
// take memory without bound. A check waits for a slot for a short while,
// then gives up with errHashesBusy.
type hashSlots struct {
	slots chan struct{}
	wait  time.Duration
}

func newHashSlots(n int, wait time.Duration) *hashSlots {
	return &hashSlots{slots: make(chan struct{}, n), wait: wait}
}

// errHashesBusy: every slot stayed taken for the whole wait.
var errHashesBusy = errors.New("every password check slot is busy")

// acquire takes a slot; release gives it back.
func (h *hashSlots) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	default:
	}
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	case <-timer.C:
		return nil, errHashesBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (h *hashSlots) release() { <-h.slots }
