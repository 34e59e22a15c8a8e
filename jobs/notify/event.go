package notify

import (
	"encoding/json"
	"time"
)

// The event names.
const (
	EventStarted   = "run.started"   // a run started (first start only, not after a repair)
	EventSucceeded = "run.succeeded" // a run ended succeeded
	EventFailed    = "run.failed"    // a run ended failed, timed_out or canceled; State says which
)

// Event is the JSON payload a webhook receives; the package documentation
// shows a complete example. Times are encoded in RFC 3339 in UTC, and a
// zero time is left out.
type Event struct {
	// Event is EventStarted, EventSucceeded or EventFailed.
	Event string `json:"event"`
	// Job is the job's name.
	Job string `json:"job"`
	// RunID is the run's ID ('sluice runs show RUN_ID').
	RunID int64 `json:"run_id"`
	// State is the run's state: running for run.started; succeeded,
	// failed, timed_out or canceled when it ended.
	State string `json:"state"`
	// Trigger says what started the run: manual, schedule, backfill,
	// table_updated or run_job.
	Trigger string `json:"trigger"`
	// Attempt is the run's repair generation (JSON "repair"): 0 for the
	// run as first executed, n after its n-th repair.
	Attempt int `json:"repair"`
	// LogicalTime is the time the run is for: its schedule tick or
	// backfill date; zero (left out) for runs without one.
	LogicalTime time.Time `json:"logical_time,omitzero"`
	// QueuedAt, StartedAt and EndedAt are the run's timestamps; a zero
	// one (EndedAt of run.started) is left out.
	QueuedAt  time.Time `json:"queued_at,omitzero"`
	StartedAt time.Time `json:"started_at,omitzero"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	// DurationSeconds is EndedAt - StartedAt in seconds; left out while
	// the run has not ended.
	DurationSeconds float64 `json:"duration_seconds,omitzero"`
	// Message explains the run's state (why it failed, who canceled it);
	// left out when empty.
	Message string `json:"message,omitempty"`
	// Tasks summarizes each task of the run, in the job file's order;
	// present on run.succeeded and run.failed.
	Tasks []TaskSummary `json:"tasks,omitempty"`
	// Parameters are the run's resolved parameters; left out when the job
	// has none.
	Parameters map[string]string `json:"parameters,omitempty"`
	// RunURL is the run's page when the server knows its public address;
	// left out otherwise.
	RunURL string `json:"run_url,omitempty"`
}

// TaskSummary is one task's outcome in an Event.
type TaskSummary struct {
	// Key is the task's key.
	Key string `json:"key"`
	// State is the task's final state: succeeded, failed, timed_out,
	// canceled, skipped or upstream_failed (or queued/running if the run
	// ended before it did).
	State string `json:"state"`
	// Attempts is how many attempts the task made (0 if it never ran).
	Attempts int `json:"attempts"`
	// Message explains a failure (the error, or the exit status and the
	// log's last line); left out when empty.
	Message string `json:"message,omitempty"`
}

// MarshalJSON encodes the event with its times in UTC, so the payload
// does not depend on the server's time zone.
func (ev Event) MarshalJSON() ([]byte, error) {
	type plain Event // without this method
	p := plain(ev)
	for _, t := range []*time.Time{&p.LogicalTime, &p.QueuedAt, &p.StartedAt, &p.EndedAt} {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	return json.Marshal(p)
}
