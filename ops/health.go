package ops

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"connectord/ingest"
	"connectord/store"
)

// Health is what /healthz reports.
type Health struct {
	// Version names the build; set it before serving.
	Version string

	mu        sync.Mutex
	poller    func() ingest.Status
	lastRun   store.BatchRun
	hasRun    bool
	nextRun   time.Time
	startedAt time.Time
	now       func() time.Time
}

// NewHealth reads the poller's status at request time; now is the clock
// (time.Now in the daemon), read at start and at each request.
func NewHealth(poller func() ingest.Status, now func() time.Time) *Health {
	return &Health{poller: poller, startedAt: now(), now: now}
}

// RunFinished records the latest run of the batch.
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
	LastRun       *runJSON   `json:"last_night,omitempty"`
	NextRun       *time.Time `json:"next_night,omitempty"`
	Started       time.Time  `json:"started"`
	Version       string     `json:"version,omitempty"`
}

type runJSON struct {
	Day    string `json:"batch_day"`
	State  string `json:"state"`
	Files  int    `json:"files"`
	Synced bool   `json:"synced"`
	// Sync says how the mailbox was read first: synced, unreachable, or
	// skipped on purpose (batch run -no-sync).
	Sync     string    `json:"sync"`
	Finished time.Time `json:"finished"`
	Errors   string    `json:"errors,omitempty"`
}

// Handler serves /healthz and /metrics. /healthz answers 503 when the
// mailbox has not been reached for three poll intervals or the last run
// failed.
func Handler(h *Health, m *Metrics, pollInterval time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		st := h.poller()
		h.mu.Lock()
		out := healthJSON{MailboxOnline: st.Connected, PollError: st.LastError, Started: h.startedAt, Version: h.Version}
		if !st.LastSync.IsZero() {
			t := st.LastSync
			out.LastPoll = &t
		}
		if h.hasRun {
			out.LastRun = &runJSON{Day: h.lastRun.BatchDay, State: h.lastRun.State, Files: h.lastRun.Files,
				Synced: h.lastRun.Synced(), Sync: h.lastRun.Sync, Finished: h.lastRun.FinishedAt, Errors: h.lastRun.Errors}
		}
		if !h.nextRun.IsZero() {
			t := h.nextRun
			out.NextRun = &t
		}
		h.mu.Unlock()
		now, grace := h.now(), 3*pollInterval+time.Minute
		fresh := !st.LastSync.IsZero() && now.Sub(st.LastSync) < grace
		if st.LastSync.IsZero() && now.Sub(h.startedAt) < grace {
			fresh = true // still starting
		}
		out.OK = fresh && (out.LastRun == nil || out.LastRun.State != store.RunFailed)
		w.Header().Set("Content-Type", "application/json")
		if !out.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(out)
	})
	return mux
}
