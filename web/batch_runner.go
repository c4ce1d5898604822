package web

import (
	"context"
	"errors"
	"sync"
	"time"

	"connectord/store"
)

// batchRunner does the runs operators start from the console, one at a
// time, in a goroutine it owns: the page answers at once and the run goes
// on (a large run takes minutes). Server.Serve cancels it at shutdown
// (a run stops between files) and waits for it.
type batchRunner struct {
	s       *Server
	mu      sync.Mutex
	ctx     context.Context
	wg      sync.WaitGroup
	running string // the batch day being run; "" when idle
	last    runOutcome
}

// runOutcome is how the last run started here ended.
type runOutcome struct {
	Day, By string
	Run     store.BatchRun
	Err     string
}

var errRunBusy = errors.New("a run started from the console is still running")

func (n *batchRunner) setContext(ctx context.Context) {
	n.mu.Lock()
	n.ctx = ctx
	n.mu.Unlock()
}

// start runs batch day day in the background.
func (n *batchRunner) start(day, by string, now time.Time) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.running != "" {
		return errRunBusy
	}
	ctx := n.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	n.running = day
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		run, err := n.s.deps.Batch.Run(ctx, day, "console", now)
		out := runOutcome{Day: day, By: by, Run: run}
		if err != nil {
			out.Err = err.Error()
			n.s.log.Error("run started from the console failed", "day", day, "by", by, "err", err)
		} else if n.s.deps.Ran != nil {
			n.s.deps.Ran(run)
		}
		n.s.deps.WakeMail()
		n.mu.Lock()
		n.running, n.last = "", out
		n.mu.Unlock()
	}()
	return nil
}

// status returns the day being run ("" when idle) and how the last run
// started here ended.
func (n *batchRunner) status() (string, runOutcome) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.running, n.last
}

// wait returns when no run started here is running.
func (n *batchRunner) wait() { n.wg.Wait() }
