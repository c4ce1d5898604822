package leader

import (
	"testing"
	"time"

	"connectord/internal/pgtest"
)

// BenchmarkFailover measures, with the default timings, how long a standby
// takes to lead after the leader (a) died, its kernel closing its socket
// (a SIGKILL), and (b) went silent with its connection left open (a power
// cut, a cable pulled, a frozen process). Each iteration is a fresh pair;
// run it with -benchtime 5x. docs/performance.md has the figures.
func BenchmarkFailover(b *testing.B) {
	for _, c := range []struct {
		name string
		kill func(*proxy)
	}{{"process-killed", (*proxy).cut}, {"silent", (*proxy).freeze}} {
		b.Run(c.name, func(b *testing.B) {
			var total, worst time.Duration
			for range b.N {
				d := failover(b, c.kill)
				total += d
				worst = max(worst, d)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/failover")
			b.ReportMetric(worst.Seconds(), "s-worst")
		})
	}
}

func failover(b *testing.B, kill func(*proxy)) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	db := pgtest.Database(b)
	tr := &tracker{t: b}
	p := startProxy(b, pgtest.Shared(b).Addr)
	a := startElector(b, Config{Conn: p.config(parse(b, db.URL)), Node: "a"}, tr, nil)
	wait(b, a.started, takeOne, "a leads")
	s := startElector(b, Config{Conn: parse(b, db.URL), Node: "b"}, tr, nil)
	// let the standby settle into its rhythm of tries
	time.Sleep(3 * s.e.cfg.TryInterval)
	start := time.Now()
	kill(p)
	wait(b, s.started, takeOne, "b takes over")
	d := time.Since(start)
	if tr.overlap() {
		b.Errorf("a and b led at the same time: starts %v, stops %v", tr.starts, tr.stops)
	}
	a.cancel()
	s.cancel()
	return d
}
