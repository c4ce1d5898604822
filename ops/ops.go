// Package ops is the operations endpoint of 'connectord serve': /healthz
// says whether the mailbox is reachable and how the last run of the batch went, and
// /metrics exposes Prometheus metrics. It holds its own metrics registry
// (no process-wide state).
package ops

import (
	"context"
	"net/http"
	"time"
)

// Serve runs an HTTP server on ln's address until ctx ends, then shuts it
// down gracefully.
func Serve(ctx context.Context, srv *http.Server, serve func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		if err == http.ErrServerClosed {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	return err
}
