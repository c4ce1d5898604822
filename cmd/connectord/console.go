package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"connectord/ingest"
	"connectord/pushfile"
	"connectord/scheduler"
	"connectord/store"
	"connectord/web"
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
	// Ran, when set, is told of each night the console ran (metrics and
	// health, as the schedule's Ran).
	Ran      func(store.BatchRun)
	Location *time.Location
	Cutoff   ingest.Cutoff
	Log      *slog.Logger
}

// startConsole returns the console's server loop, or nil when the console
// is off (console.listen empty). The templates, the TLS key pair and the
// listening socket are all set up here, so a broken template, a bad key
// or a port in use stops serve at start-up.
func (a *app) startConsole(deps consoleDeps) (func(ctx context.Context) error, error) {
	c := a.cfg.Console
	if c.Listen == "" {
		return nil, nil
	}
	cfg := web.DefaultConfig()
	cfg.TLSCertFile, cfg.TLSKeyFile = c.TLSCert, c.TLSKey
	cfg.BehindProxy = c.AllowPlainHTTPBehindProxy
	cfg.SessionIdle, cfg.SessionMax = c.SessionIdle, c.SessionMax
	cfg.MaxUploadBytes = a.cfg.Ingest.MaxAttachmentBytes
	srv, err := web.New(web.Deps{
		Store: deps.Store, Review: deps.Review, Night: deps.Night, ReadOptions: deps.ReadOptions,
		WakeMail: deps.WakeMail, Ran: deps.Ran, Location: deps.Location, Cutoff: deps.Cutoff, Log: deps.Log,
	}, cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("console.listen: %w", err)
	}
	return func(ctx context.Context) error { return srv.Serve(ctx, ln) }, nil
}
