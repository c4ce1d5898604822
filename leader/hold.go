package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// hold runs lead while this node holds the lock on conn. It returns
// returned=true with lead's error when lead returned while the node still
// led; otherwise the leadership was lost or ctx is done, and lead has
// returned.
func (e *Elector) hold(ctx context.Context, conn *pgx.Conn, lead func(context.Context) error) (returned bool, err error) {
	term, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	e.setLeading(true)
	e.log.Info("leader: leading", "lock", e.cfg.Key)

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	lost := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		lost <- e.watch(watchCtx, conn)
	}()
	leadDone := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		leadDone <- lead(term)
	}()
	defer wg.Wait()

	select {
	case reason := <-lost:
		// watch has already marked this node a standby
		if reason == nil { // ctx is done
			cancel(ErrNotLeader)
			<-leadDone
			e.log.Info("leader: stopping; giving up the leadership")
			return false, nil
		}
		cancel(fmt.Errorf("%w: %w", ErrNotLeader, reason))
		e.log.Warn("leader: lost the leadership; stopping the leader's work", "err", reason)
		e.mu.Lock()
		e.unreachable = true // the loss said why; a failing reconnect is not news
		e.mu.Unlock()
		<-leadDone
		return false, nil
	case err := <-leadDone:
		stopWatch()
		<-lost
		if ctx.Err() != nil {
			e.log.Info("leader: stopping; giving up the leadership")
			return false, nil
		}
		e.log.Info("leader: the leader's work ended; giving up the leadership", "err", err)
		return true, err
	}
}

// watch waits on the lock's connection and proves the lock every
// CheckInterval, or at once when StillLeading asks. It returns the reason
// when the leadership is lost, or nil when ctx is done; either way this
// node is then a standby and every waiting StillLeading has its answer.
func (e *Elector) watch(ctx context.Context, conn *pgx.Conn) (reason error) {
	defer func() { e.stepDown(reason) }()
	for {
		if err := e.wait(ctx, conn); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		reqs := e.takeRequests()
		err := e.prove(ctx, conn)
		if ctx.Err() != nil {
			e.answer(reqs, ErrNotLeader)
			return nil
		}
		if err != nil {
			e.answer(reqs, fmt.Errorf("%w: %w", ErrNotLeader, err))
			return err
		}
		e.answer(reqs, nil)
	}
}

// wait reads from the lock's connection for up to CheckInterval, so that a
// connection the server ends is noticed at once; a StillLeading request
// cuts it short. It returns an error only when the connection failed.
func (e *Elector) wait(ctx context.Context, conn *pgx.Conn) error {
	wctx, cancel := context.WithTimeout(ctx, e.cfg.CheckInterval)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-e.wake:
			cancel()
		case <-wctx.Done():
		case <-stop:
		}
	}()
	_, err := conn.WaitForNotification(wctx)
	close(stop)
	wg.Wait()
	if conn.IsClosed() {
		if err == nil {
			err = errors.New("connection closed")
		}
		return fmt.Errorf("the lock's connection failed: %w", err)
	}
	return nil // a timeout, a request, or a notification nobody asked for
}

// prove asks the server whether this session still holds the lock.
func (e *Elector) prove(ctx context.Context, conn *pgx.Conn) error {
	qctx, cancel := context.WithTimeout(ctx, e.cfg.CheckTimeout)
	defer cancel()
	key := uint64(e.cfg.Key)
	var held bool
	err := conn.QueryRow(qctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
		AND pid = pg_backend_pid() AND granted AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1)`,
		int64(key>>32), int64(key&0xffffffff)).Scan(&held)
	switch {
	case err != nil && qctx.Err() != nil && ctx.Err() == nil:
		return fmt.Errorf("the database did not confirm the lock within %v: %w", e.cfg.CheckTimeout, err)
	case err != nil:
		return fmt.Errorf("confirm the lock: %w", err)
	case !held:
		return errors.New("the session no longer holds the lock")
	}
	return nil
}

// StillLeading proves with a round trip on the lock's connection that this
// node holds the lock, for use right before an action outside the
// database. It returns an error wrapping ErrNotLeader when the node does
// not lead, the round trip fails, or it takes longer than CheckTimeout.
func (e *Elector) StillLeading(ctx context.Context) error {
	ch := make(chan error, 1)
	e.mu.Lock()
	if !e.leading {
		e.mu.Unlock()
		return ErrNotLeader
	}
	e.reqs = append(e.reqs, ch)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default: // a wake-up is already waiting
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrNotLeader, ctx.Err())
	}
}

func (e *Elector) takeRequests() []chan error {
	e.mu.Lock()
	defer e.mu.Unlock()
	reqs := e.reqs
	e.reqs = nil
	return reqs
}

func (e *Elector) answer(reqs []chan error, err error) {
	for _, ch := range reqs {
		ch <- err // buffered, one answer each
	}
}

func (e *Elector) setLeading(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.leading, e.since = on, e.cfg.Now()
}

// stepDown marks this node a standby and fails the requests still waiting,
// in one step, so no StillLeading can succeed after it.
func (e *Elector) stepDown(reason error) {
	e.mu.Lock()
	reqs := e.reqs
	e.reqs = nil
	e.leading, e.since = false, e.cfg.Now()
	e.mu.Unlock()
	err := ErrNotLeader
	if reason != nil {
		err = fmt.Errorf("%w: %w", ErrNotLeader, reason)
	}
	e.answer(reqs, err)
	// a wake-up left for a request that is already answered
	select {
	case <-e.wake:
	default:
	}
}
