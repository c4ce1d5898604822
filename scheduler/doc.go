// Package scheduler runs the batch: every accepted submission of a
// batch day (and any earlier day still waiting) is applied with the
// engine, as its sender, and its results email is queued. Batch.Run is a
// plain function of the day and the time, called by the cron schedule, by
// catch-up after downtime, by 'connectord batch run' and by the console.
//
// Each file commits in one transaction together with its submission's
// state and its results email, so a crash or a re-run of the same day
// never applies a file twice and never loses a result. A lock row in the
// store keeps a second process from running the batch at the same time.
package scheduler
