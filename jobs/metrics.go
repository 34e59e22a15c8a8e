package jobs

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus collectors (registered on
// Config.Metrics when set; always updated).
type metrics struct {
	runsTotal    *prometheus.CounterVec
	runsActive   prometheus.Gauge
	taskDuration *prometheus.HistogramVec
	queueWait    *prometheus.HistogramVec
	slotWait     *prometheus.HistogramVec
	attempts     *prometheus.CounterVec
	schedulerLag prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sluice", Subsystem: "job", Name: "runs_total",
			Help: "Runs this engine executed to their end, by job and final state.",
		}, []string{"job", "state"}),
		runsActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "sluice", Subsystem: "job", Name: "runs_active",
			Help: "Runs this engine is executing.",
		}),
		taskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sluice", Subsystem: "job", Name: "task_duration_seconds",
			Help:    "Task attempts' time from start to end, by job, task type and final state.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400},
		}, []string{"job", "type", "state"}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sluice", Subsystem: "job", Name: "task_queue_wait_seconds",
			Help:    "Task attempts' time from ready (dependencies met, or retry delay over) to started (process running, or runner called), by task type.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30, 120},
		}, []string{"type"}),
		slotWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sluice", Subsystem: "job", Name: "task_slot_wait_seconds",
			Help:    "Task attempts' time from ready to getting one of the engine's slots, by task type: the part of the queue wait due to all slots being busy.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30, 120},
		}, []string{"type"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sluice", Subsystem: "job", Name: "task_attempts_total",
			Help: "Task attempts ended, by task type and state (skipped and upstream_failed tasks included).",
		}, []string{"type", "state"}),
		schedulerLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "sluice", Subsystem: "job", Name: "scheduler_lag_seconds",
			Help:    "Time from a cron tick being due to its run being created.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600},
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.runsTotal, m.runsActive, m.taskDuration, m.queueWait, m.slotWait, m.attempts, m.schedulerLag} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
