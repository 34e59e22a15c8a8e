package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
)

// TimelineTask is one attempt on a run's timeline.
type TimelineTask struct {
	Key       string          `json:"key"`
	Attempt   int             `json:"attempt"`
	Repair    int             `json:"repair"`
	Type      string          `json:"type"`
	State     state.TaskState `json:"state"`
	DependsOn []string        `json:"depends_on,omitempty"`
	ReadyAt   *time.Time      `json:"ready_at,omitempty"`
	StartedAt *time.Time      `json:"started_at,omitempty"`
	EndedAt   *time.Time      `json:"ended_at,omitempty"`
	// QueueMillis is ReadyAt→StartedAt, DurationMillis StartedAt→EndedAt.
	QueueMillis    float64 `json:"queue_ms"`
	DurationMillis float64 `json:"duration_ms"`
	ExitCode       *int    `json:"exit_code,omitempty"`
	Message        string  `json:"message,omitempty"`
}

// Timeline is a run with its attempts, for a Gantt view.
type Timeline struct {
	RunID     int64                     `json:"run_id"`
	Job       string                    `json:"job"`
	State     state.RunState            `json:"state"`
	Trigger   string                    `json:"trigger"`
	Repair    int                       `json:"repair"`
	QueuedAt  time.Time                 `json:"queued_at"`
	StartedAt *time.Time                `json:"started_at,omitempty"`
	EndedAt   *time.Time                `json:"ended_at,omitempty"`
	Message   string                    `json:"message,omitempty"`
	Tasks     []TimelineTask            `json:"tasks"`
	Values    map[string]map[string]any `json:"task_values,omitempty"`
}

// Timeline returns a run's timeline: every attempt (ordered by ready
// time, key, attempt) with its dependencies from the run's job version
// (a for_each iteration "KEY[i]" depends on its parent "KEY"), queue and
// run durations, and the run's task values decoded. Errors: the run does
// not exist (state.ErrNotFound), the store failing.
func (e *Engine) Timeline(ctx context.Context, runID int64) (*Timeline, error) {
	run, err := e.store.GetRun(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("timeline of run %d: %w", runID, err)
	}
	trs, err := e.store.TaskRuns(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("timeline of run %d: %w", runID, err)
	}
	vals, err := e.store.TaskValues(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("timeline of run %d: %w", runID, err)
	}
	deps := map[string][]string{}
	if j, err := e.jobVersion(ctx, run.Job, run.JobVersion); err == nil {
		for _, t := range j.Tasks {
			deps[t.Key] = t.DependsOn
		}
	}
	tl := &Timeline{
		RunID: run.ID, Job: run.Job, State: run.State, Trigger: run.Trigger, Repair: run.Attempt,
		QueuedAt: run.QueuedAt, StartedAt: timePtr(run.StartedAt), EndedAt: timePtr(run.EndedAt),
		Message: run.Message, Tasks: make([]TimelineTask, 0, len(trs)),
	}
	for _, tr := range trs {
		tt := TimelineTask{
			Key: tr.Key, Attempt: tr.Attempt, Repair: tr.Repair, Type: tr.Type, State: tr.State,
			DependsOn: deps[tr.Key],
			ReadyAt:   timePtr(tr.ReadyAt), StartedAt: timePtr(tr.StartedAt), EndedAt: timePtr(tr.EndedAt),
			ExitCode: tr.ExitCode, Message: tr.Message,
		}
		if i := strings.IndexByte(tr.Key, '['); i > 0 && tt.DependsOn == nil {
			tt.DependsOn = []string{tr.Key[:i]}
		}
		if !tr.ReadyAt.IsZero() && !tr.StartedAt.IsZero() {
			tt.QueueMillis = millis(tr.StartedAt.Sub(tr.ReadyAt))
		}
		if !tr.StartedAt.IsZero() && !tr.EndedAt.IsZero() {
			tt.DurationMillis = millis(tr.EndedAt.Sub(tr.StartedAt))
		}
		tl.Tasks = append(tl.Tasks, tt)
	}
	if len(vals) > 0 {
		tl.Values = make(map[string]map[string]any, len(vals))
		for k, vs := range vals {
			m := make(map[string]any, len(vs))
			for name, raw := range vs {
				var v any
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				if dec.Decode(&v) != nil {
					v = string(raw)
				}
				m[name] = v
			}
			tl.Values[k] = m
		}
	}
	return tl, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
