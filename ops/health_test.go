package ops

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectord/ingest"
	"connectord/store"
)

// /healthz is 200 while the mailbox was read within three poll intervals
// (plus a minute) and the last night did not fail, 503 otherwise; the
// body says why either way.
func TestHealthz(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	const poll = time.Minute // grace: 3 intervals + 1 min = 4 min
	for _, tc := range []struct {
		name     string
		since    time.Duration // from start to the request
		status   ingest.Status
		night    *store.BatchRun
		wantCode int
		wantBody []string
	}{
		{name: "starting, not polled yet", since: 3 * time.Minute,
			wantCode: 200, wantBody: []string{`"ok":true`, `"mailbox_connected":false`, `"version":"v1.2.3 go1.26"`}},
		{name: "never reached the mailbox", since: 5 * time.Minute,
			status:   ingest.Status{LastError: "dial tcp: connection refused"},
			wantCode: 503, wantBody: []string{`"ok":false`, `"poll_error":"dial tcp: connection refused"`}},
		{name: "polled a minute ago", since: time.Hour,
			status:   ingest.Status{Connected: true, LastSync: start.Add(59 * time.Minute)},
			wantCode: 200, wantBody: []string{`"ok":true`, `"mailbox_connected":true`, `"last_poll":"2026-11-25T09:59:00Z"`}},
		{name: "last poll too long ago", since: time.Hour,
			status:   ingest.Status{LastSync: start.Add(55 * time.Minute), LastError: "i/o timeout"},
			wantCode: 503, wantBody: []string{`"ok":false`, `"poll_error":"i/o timeout"`}},
		{name: "last night failed", since: time.Hour,
			status: ingest.Status{Connected: true, LastSync: start.Add(59 * time.Minute)},
			night: &store.BatchRun{BatchDay: "2026-11-24", State: store.RunFailed, Files: 2, Sync: store.SyncDone,
				Errors: "submission 7 (a.csv): disk full"},
			wantCode: 503, wantBody: []string{`"ok":false`, `"state":"failed"`, `disk full`, `"next_night":"2026-11-25T20:30:00Z"`}},
		{name: "last night unsynced but done", since: time.Hour,
			status:   ingest.Status{Connected: true, LastSync: start.Add(59 * time.Minute)},
			night:    &store.BatchRun{BatchDay: "2026-11-24", State: store.RunDone, Sync: store.SyncUnreachable},
			wantCode: 200, wantBody: []string{`"ok":true`, `"synced":false`, `"sync":"unreachable"`}},
		{name: "last night told to skip the sync", since: time.Hour,
			status:   ingest.Status{Connected: true, LastSync: start.Add(59 * time.Minute)},
			night:    &store.BatchRun{BatchDay: "2026-11-24", State: store.RunDone, Sync: store.SyncSkipped},
			wantCode: 200, wantBody: []string{`"ok":true`, `"synced":false`, `"sync":"skipped"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := start
			h := NewHealth(func() ingest.Status { return tc.status }, func() time.Time { return now })
			h.Version = "v1.2.3 go1.26"
			if tc.night != nil {
				h.RunFinished(*tc.night, time.Date(2026, 11, 25, 20, 30, 0, 0, time.UTC))
			}
			now = start.Add(tc.since)
			srv := httptest.NewServer(Handler(h, NewMetrics(func() map[string]int { return nil }, func() int { return 0 }), poll))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.wantCode, body)
			}
			if !json.Valid(body) {
				t.Errorf("body is not JSON: %s", body)
			}
			for _, w := range tc.wantBody {
				if !strings.Contains(string(body), w) {
					t.Errorf("body lacks %s: %s", w, body)
				}
			}
		})
	}
}

// /metrics serves every connectord metric, the scrape-time gauges read
// when scraped.
func TestMetrics(t *testing.T) {
	depth := map[string]int{store.OutboxPending: 3, store.OutboxFailed: 1}
	m := NewMetrics(func() map[string]int { return depth }, func() int { return 2 })
	m.Messages.WithLabelValues("accepted").Inc()
	m.Rows.WithLabelValues("PROCESSED_NEW").Add(5)
	m.Runs.WithLabelValues(store.RunDone).Inc()
	m.Unsynced.Inc()
	m.Mail.WithLabelValues("results", "sent").Inc()
	m.RunDuration.Observe(12)
	h := NewHealth(func() ingest.Status { return ingest.Status{} }, time.Now)
	srv := httptest.NewServer(Handler(h, m, time.Minute))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, w := range []string{
		`connectord_messages_total{disposition="accepted"} 1`,
		`connectord_rows_total{status="PROCESSED_NEW"} 5`,
		`connectord_batch_runs_total{state="done"} 1`,
		`connectord_batch_runs_unsynced_total 1`,
		`connectord_mail_attempts_total{kind="results",outcome="sent"} 1`,
		`connectord_batch_run_duration_seconds_count 1`,
		`connectord_imap_reconnects 2`,
		`connectord_outbox_messages{state="pending"} 3`,
		`connectord_outbox_messages{state="failed"} 1`,
		`connectord_outbox_messages{state="sending"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
}
