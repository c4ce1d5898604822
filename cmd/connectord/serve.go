package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"connectord/batchday"
	"connectord/ingest"
	"connectord/ops"
	"connectord/provision"
	"connectord/scheduler"
	"connectord/store"
	"connectord/web"
)

const serveUsage = `connectord serve

The daemon: polls the connector mailbox (IDLE when the server has it),
runs the batch on batch.schedule (catching up batch days missed while
it was down), sends the outbox, serves /healthz and /metrics on ops.listen
and the web console on console.listen. SIGINT or SIGTERM stops it cleanly:
it stops taking mail, lets a running file finish (a run stops between
files), finishes the current send, and closes the database last.`

func runServe(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("serve takes no arguments")
	}
	if err := a.dataDir(); err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close() // last, after every component below has stopped
	d, err := a.daemon(ctx, st)
	if err != nil {
		return err
	}
	return d.run(ctx)
}

// daemon is every long-running part of serve, wired.
type daemon struct {
	a        *app
	st       *store.Store
	poller   *ingest.Poller
	batch    *scheduler.Batch
	schedule *scheduler.Schedule
	health   *ops.Health
	metrics  *ops.Metrics
	console  func(context.Context) error
	runMail  func(context.Context) error
	wakeMail func()
}

func (a *app) daemon(ctx context.Context, st *store.Store) (*daemon, error) {
	d := &daemon{a: a, st: st}
	var err error
	if d.poller, err = a.poller(ctx, st); err != nil {
		return nil, err
	}
	if d.batch, err = a.batch(st, d.poller); err != nil {
		return nil, err
	}
	mailer, err := a.mailer(ctx, st)
	if err != nil {
		return nil, err
	}
	d.runMail, d.wakeMail = mailer.Run, mailer.Wake
	loc, err := a.cfg.Location()
	if err != nil {
		return nil, err
	}
	cutoff, err := batchday.ParseCutoff(a.cfg.Batch.Cutoff)
	if err != nil {
		return nil, err
	}
	d.metrics = ops.NewMetrics(func() map[string]int {
		depth, err := st.OutboxDepth(context.Background())
		if err != nil {
			return nil
		}
		return depth
	}, func() int { return d.poller.Status().Reconnects })
	mailer.Sent = func(kind, outcome string) { d.metrics.Mail.WithLabelValues(kind, outcome).Inc() }
	d.health = ops.NewHealth(d.poller.Status, time.Now)
	d.health.Version = buildVersion()
	d.schedule = &scheduler.Schedule{Spec: a.cfg.Batch.Schedule, Location: loc, Cutoff: cutoff, Batch: d.batch,
		Store: st, Log: a.log, MaxCatchUp: 31, Ran: d.ran}
	if runs, err := st.Runs(ctx, "", 1); err == nil && len(runs) == 1 {
		next, _ := d.schedule.Next()
		d.health.RunFinished(runs[0], next)
	}
	d.console, err = a.startConsole(web.Deps{
		Store: st, Review: &ingest.Review{Store: st}, Batch: d.batch,
		ReadOptions: d.batch.ReadOptions, WakeMail: d.wakeMail, Ran: d.ran, Location: loc, Cutoff: cutoff, Log: a.log,
		Schedule: a.cfg.Batch.Schedule, MailFrom: a.cfg.SMTP.From, LoopHeader: LoopHeader,
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ran records a finished run in the metrics and health, and sends its
// results at once.
func (d *daemon) ran(r store.BatchRun) {
	d.metrics.Runs.WithLabelValues(r.State).Inc()
	if r.Sync == store.SyncUnreachable {
		d.metrics.Unsynced.Inc()
	}
	d.metrics.RunDuration.Observe(r.FinishedAt.Sub(r.StartedAt).Seconds())
	for status, n := range parseCounts(r.Counts) {
		d.metrics.Rows.WithLabelValues(string(status)).Add(float64(n))
	}
	next, _ := d.schedule.Next()
	d.health.RunFinished(r, next)
	d.wakeMail()
}

// run starts every part and waits for them; the first to fail stops the
// rest. Each goroutine is owned here and waited for.
func (d *daemon) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 5)
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	start("mailbox", func(ctx context.Context) error {
		return d.poller.Run(ctx, func(o ingest.Outcome) {
			d.metrics.Messages.WithLabelValues(o.State).Inc()
			d.a.log.Info("message taken", "submission", o.SubmissionID, "uid", o.UID, "sender", o.Sender,
				"file", o.Filename, "state", o.State, "reason", o.Reason)
			d.wakeMail()
		})
	})
	start("outbox", d.runMail)
	start("schedule", d.schedule.Run)
	if d.a.cfg.Ops.Listen != "" {
		ln, err := net.Listen("tcp", d.a.cfg.Ops.Listen)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("ops.listen: %w", err)
		}
		srv := &http.Server{Handler: ops.Handler(d.health, d.metrics, d.a.cfg.IMAP.PollInterval), ReadHeaderTimeout: 10 * time.Second}
		start("ops endpoint", func(ctx context.Context) error { return ops.Serve(ctx, srv, func() error { return srv.Serve(ln) }) })
		d.a.log.Info("ops endpoint listening", "addr", ln.Addr().String())
	}
	if d.console != nil {
		start("console", d.console)
	}
	d.a.log.Info("connectord running", "version", buildVersion(), "mailbox", d.a.cfg.IMAP.Address, "schedule", d.a.cfg.Batch.Schedule, "timezone", d.a.cfg.Batch.Timezone)
	wg.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	d.a.log.Info("connectord stopped")
	return errors.Join(errs...)
}

// parseCounts reads a run's counts JSON ({"PROCESSED_NEW":3,...}).
func parseCounts(s string) provision.Counts {
	var m map[string]int
	c := provision.Counts{}
	if json.Unmarshal([]byte(s), &m) != nil {
		return c
	}
	for k, v := range m {
		c[provision.Status(k)] = v
	}
	return c
}
