package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"connectord/batchday"
	"connectord/store"
)

// Schedule runs the batch on a cron schedule in the batch time zone.
type Schedule struct {
	Spec     string // five fields, e.g. "30 20 * * *"
	Location *time.Location
	Cutoff   batchday.Cutoff
	Batch    *Batch
	Store    *store.Store
	Log      *slog.Logger
	// MaxCatchUp bounds how many missed days are run one by one at start;
	// older ones are covered by the first catch-up run (a run takes every
	// waiting file of its day or earlier).
	MaxCatchUp int
	Now        func() time.Time
	// Ran, when set, is told of every finished run (metrics, health).
	Ran func(store.BatchRun)
}

func (s *Schedule) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// parse checks the spec.
func (s *Schedule) parse() (cron.Schedule, error) {
	sched, err := cron.ParseStandard(s.Spec)
	if err != nil {
		return nil, fmt.Errorf("batch.schedule %q: %w", s.Spec, err)
	}
	return sched, nil
}

// MissedDays lists the batch days whose scheduled run was missed: days
// after the last completed run up to the day of the latest scheduled time
// that has passed. With no run ever, nothing was missed.
func (s *Schedule) MissedDays(ctx context.Context) ([]string, error) {
	sched, err := s.parse()
	if err != nil {
		return nil, err
	}
	last, err := s.Store.LastDoneDay(ctx)
	if err != nil || last == "" {
		return nil, err
	}
	now := s.now().In(s.Location)
	// The latest scheduled time at or before now: step from a week back.
	var latest time.Time
	for t := sched.Next(now.AddDate(0, 0, -7)); !t.After(now); t = sched.Next(t) {
		latest = t
	}
	if latest.IsZero() {
		return nil, nil
	}
	upTo := batchday.Closed(latest, s.Location, s.Cutoff)
	var days []string
	for d := nextDay(last); d <= upTo; d = nextDay(d) {
		days = append(days, d)
	}
	if max := s.MaxCatchUp; max > 0 && len(days) > max {
		days = days[len(days)-max:]
	}
	return days, nil
}

// Run catches up missed days, then runs the schedule until ctx ends,
// waiting for a run in progress to finish (a file is never left half
// done: the run stops between files).
func (s *Schedule) Run(ctx context.Context) error {
	if _, err := s.parse(); err != nil {
		return err
	}
	missed, err := s.MissedDays(ctx)
	if err != nil {
		return err
	}
	for _, day := range missed {
		s.Log.Info("catching up a missed batch day", "day", day)
		s.runDay(ctx, day, "catch-up")
		if ctx.Err() != nil {
			return nil
		}
	}
	logger := cronLogger{s.Log}
	c := cron.New(cron.WithLocation(s.Location), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := c.AddFunc(s.Spec, func() {
		s.runDay(ctx, batchday.Closed(s.now(), s.Location, s.Cutoff), "schedule")
	}); err != nil {
		return fmt.Errorf("batch.schedule: %w", err)
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// nextDay is the day after day (YYYY-MM-DD).
func nextDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

func (s *Schedule) runDay(ctx context.Context, day, trigger string) {
	run, err := s.Batch.Run(ctx, day, trigger, s.now())
	if err != nil {
		s.Log.Error("batch run", "day", day, "err", err)
		return
	}
	if s.Ran != nil {
		s.Ran(run)
	}
}

// Next is when the schedule fires next.
func (s *Schedule) Next() (time.Time, error) {
	sched, err := s.parse()
	if err != nil {
		return time.Time{}, err
	}
	return sched.Next(s.now().In(s.Location)), nil
}

// cronLogger sends cron's messages to slog; skipped runs are worth a
// warning (cron logs them at Info, which its default logger drops).
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("batch run skipped: the previous one is still running", kv...)
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
