package ops

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"connectord/store"
)

// Metrics are connectord's Prometheus metrics.
type Metrics struct {
	reg         *prometheus.Registry
	Messages    *prometheus.CounterVec // by disposition
	Rows        *prometheus.CounterVec // by status
	RunDuration prometheus.Histogram
	Runs        *prometheus.CounterVec // by state
	Unsynced    prometheus.Counter     // runs that could not read the mailbox first (not those told to skip it)
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
			Help: "Push-file rows processed by batch runs, by result."}, []string{"status"}),
		RunDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "connectord_batch_run_duration_seconds",
			Help: "Duration of batch runs.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}),
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connectord_batch_runs_total",
			Help: "Batch runs, by outcome."}, []string{"state"}),
		Unsynced: prometheus.NewCounter(prometheus.CounterOpts{Name: "connectord_batch_runs_unsynced_total",
			Help: "Batch runs that went ahead without reading the mailbox first (it could not be reached)."}),
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
