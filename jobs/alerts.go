package jobs

import (
	"github.com/sluice-dev/sluice/jobs/notify"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// notifyStart sends the job's on_start notifications (first start of a
// run only).
func (x *runExec) notifyStart() {
	n := x.job.Notifications
	if n == nil || len(n.OnStart) == 0 {
		return
	}
	ev := x.event(notify.EventStarted, x.run)
	x.e.send(n.OnStart, ev)
}

// notifyEnd sends on_success or on_failure (failed, timed_out and
// canceled runs).
func (x *runExec) notifyEnd(run *state.Run) {
	n := x.job.Notifications
	if n == nil {
		return
	}
	dests, name := n.OnFailure, notify.EventFailed
	if run.State == state.RunSucceeded {
		dests, name = n.OnSuccess, notify.EventSucceeded
	}
	if len(dests) == 0 {
		return
	}
	ev := x.event(name, run)
	ev.Tasks = make([]notify.TaskSummary, 0, len(x.job.Tasks))
	for _, t := range x.job.Tasks { // file order
		nd := x.byKey[t.Key]
		n := nd.attempts
		if nd.state == state.TaskSkipped || nd.state == state.TaskUpstreamFailed {
			n = 0 // recorded, never ran
		}
		ev.Tasks = append(ev.Tasks, notify.TaskSummary{Key: t.Key, State: string(nd.state), Attempts: n, Message: firstLine(nd.message)})
	}
	x.e.send(dests, ev)
}

// event is a notification payload for a run.
func (x *runExec) event(name string, run *state.Run) notify.Event {
	ev := notify.Event{
		Event:       name,
		Job:         run.Job,
		RunID:       run.ID,
		State:       string(run.State),
		Trigger:     run.Trigger,
		Attempt:     run.Attempt,
		LogicalTime: run.LogicalTime,
		QueuedAt:    run.QueuedAt,
		StartedAt:   run.StartedAt,
		EndedAt:     run.EndedAt,
		Message:     run.Message,
		Parameters:  run.Parameters,
	}
	if !run.StartedAt.IsZero() && !run.EndedAt.IsZero() {
		ev.DurationSeconds = run.EndedAt.Sub(run.StartedAt).Seconds()
	}
	if x.e.cfg.RunURL != nil {
		ev.RunURL = x.e.cfg.RunURL(run.ID)
	}
	return ev
}

// send delivers a notification to each destination in the background
// (owned by the engine: Close waits for it, up to a grace period).
// Failures are logged; they never fail the run.
func (e *Engine) send(dests []spec.Destination, ev notify.Event) {
	for _, d := range dests {
		e.mu.Lock()
		if e.closed && e.notesCtx.Err() != nil {
			e.mu.Unlock()
			return
		}
		e.notes.Add(1)
		e.mu.Unlock()
		go func() {
			defer e.notes.Done()
			if err := e.sender.Send(e.notesCtx, d, ev); err != nil {
				e.log.Warn("jobs: notification not delivered", "run", ev.RunID, "event", ev.Event, "err", err)
			}
		}()
	}
}
