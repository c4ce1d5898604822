// Package ops is the operations endpoint of 'connectord serve': /healthz
// says whether the mailbox is reachable and how the last night went, and
// /metrics exposes Prometheus metrics. It holds its own metrics registry
// (no process-wide state).
package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"connectord/ingest"
	"connectord/store"
)

// Metrics are connectord's Prometheus metrics.
type Metrics struct {
	reg         *prometheus.Registry
	Messages    *prometheus.CounterVec // by disposition
	Rows        *prometheus.CounterVec // by status
	RunDuration prometheus.Histogram
	Runs        *prometheus.CounterVec // by state
	Unsynced    prometheus.Counter     // runs that could not read the mailbox first
	Mail        *prometheus.CounterVec // by kind and outcome
}

// NewMetrics registers the metrics. outboxDepth and reconnects are read
// at scrape time.
func NewMetrics(outboxDepth func() map[string]int, reconnects func() int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connectord_messages_total",
			Help: "Messages taken from the connector mailbox, by disposition."}, []string{"disposition"}),
		Rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connectord_rows_total",
			Help: "Push-file rows processed by nightly runs, by result."}, []string{"status"}),
		RunDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "connectord_batch_run_duration_seconds",
			Help: "Duration of nightly runs.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}),
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connectord_batch_runs_total",
			Help: "Nightly runs, by outcome."}, []string{"state"}),
		Unsynced: prometheus.NewCounter(prometheus.CounterOpts{Name: "connectord_batch_runs_unsynced_total",
			Help: "Nightly runs that went ahead without reading the mailbox first (it could not be reached)."}),
		Mail: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connectord_mail_attempts_total",
			Help: "Outbox send attempts, by kind and outcome (sent, retry, failed)."}, []string{"kind", "outcome"}),
	}
	m.reg.MustRegister(m.Messages, m.Rows, m.RunDuration, m.Runs, m.Unsynced, m.Mail,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "connectord_imap_reconnects",
		Help: "Times the mailbox connection was lost and made again since start."}, func() float64 { return float64(reconnects()) }))
	for _, state := range []string{store.OutboxPending, store.OutboxSending, store.OutboxFailed} {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "connectord_outbox_messages",
			Help: "Outbox messages by state.", ConstLabels: prometheus.Labels{"state": state}},
			func() float64 { return float64(outboxDepth()[state]) }))
	}
	return m
}

// Health is what /healthz reports.
type Health struct {
	mu        sync.Mutex
	poller    func() ingest.Status
	lastRun   store.BatchRun
	hasRun    bool
	nextRun   time.Time
	startedAt time.Time
}

// NewHealth reads the poller's status at request time.
func NewHealth(poller func() ingest.Status, started time.Time) *Health {
	return &Health{poller: poller, startedAt: started}
}

// RunFinished records the latest night.
func (h *Health) RunFinished(r store.BatchRun, next time.Time) {
	h.mu.Lock()
	h.lastRun, h.hasRun, h.nextRun = r, true, next
	h.mu.Unlock()
}

type healthJSON struct {
	OK            bool       `json:"ok"`
	MailboxOnline bool       `json:"mailbox_connected"`
	LastPoll      *time.Time `json:"last_poll,omitempty"`
	PollError     string     `json:"poll_error,omitempty"`
	LastNight     *nightJSON `json:"last_night,omitempty"`
	NextNight     *time.Time `json:"next_night,omitempty"`
	Started       time.Time  `json:"started"`
}

type nightJSON struct {
	Day      string    `json:"batch_day"`
	State    string    `json:"state"`
	Files    int       `json:"files"`
	Synced   bool      `json:"synced"`
	Finished time.Time `json:"finished"`
	Errors   string    `json:"errors,omitempty"`
}

// Handler serves /healthz and /metrics. /healthz answers 503 when the
// mailbox has not been reached for three poll intervals or the last night
// failed.
func Handler(h *Health, m *Metrics, pollInterval time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		st := h.poller()
		h.mu.Lock()
		out := healthJSON{MailboxOnline: st.Connected, PollError: st.LastError, Started: h.startedAt}
		if !st.LastSync.IsZero() {
			t := st.LastSync
			out.LastPoll = &t
		}
		if h.hasRun {
			out.LastNight = &nightJSON{Day: h.lastRun.BatchDay, State: h.lastRun.State, Files: h.lastRun.Files,
				Synced: h.lastRun.Synced, Finished: h.lastRun.FinishedAt, Errors: h.lastRun.Errors}
		}
		if !h.nextRun.IsZero() {
			t := h.nextRun
			out.NextNight = &t
		}
		h.mu.Unlock()
		fresh := !st.LastSync.IsZero() && time.Since(st.LastSync) < 3*pollInterval+time.Minute
		if st.LastSync.IsZero() && time.Since(h.startedAt) < 3*pollInterval+time.Minute {
			fresh = true // still starting
		}
		out.OK = fresh && (out.LastNight == nil || out.LastNight.State != store.RunFailed)
		w.Header().Set("Content-Type", "application/json")
		if !out.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(out)
	})
	return mux
}

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
