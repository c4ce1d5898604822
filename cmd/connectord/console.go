package main

import (
	"context"
	"log/slog"
	"time"

	"connectord/ingest"
	"connectord/pushfile"
	"connectord/scheduler"
	"connectord/store"
)

// consoleDeps is what the web console works with: the same functions the
// CLI calls.
type consoleDeps struct {
	Store       *store.Store
	Review      *ingest.Review
	Night       *scheduler.Night
	ReadOptions func(ctx context.Context) (pushfile.Options, error)
	// WakeMail asks the outbox sender to send now (after a decision).
	WakeMail func()
	Location *time.Location
	Cutoff   ingest.Cutoff
	Log      *slog.Logger
}

// startConsole returns the console's server loop, or nil when the console
// is off (console.listen empty).
func (a *app) startConsole(deps consoleDeps) (func(ctx context.Context) error, error) {
	if a.cfg.Console.Listen == "" {
		return nil, nil
	}
	deps.Log.Warn("the web console is not part of this build yet", "listen", a.cfg.Console.Listen)
	return nil, nil
}
