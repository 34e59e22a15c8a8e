package jobs

import (
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// runIfMet evaluates a task's run_if on its dependencies' final states.
// When the rule is not met, st is upstream_failed if a dependency failed
// (failed, timed_out, upstream_failed or canceled), else skipped, and msg
// says why.
//
//   - all_success: every dependency succeeded;
//   - all_done: every dependency ended (always true here);
//   - none_failed: no dependency failed (skipped ones allowed);
//   - at_least_one_failed: a dependency failed, timed out or was
//     upstream_failed.
func runIfMet(t *spec.Task, deps []*node) (ok bool, st state.TaskState, msg string) {
	rule := t.RunIf
	if rule == "" {
		rule = spec.AllSuccess
	}
	var failed, notSucceeded []string
	anyFailed := false
	for _, d := range deps {
		if d.state != state.TaskSucceeded {
			notSucceeded = append(notSucceeded, fmt.Sprintf("%s %s", d.task.Key, d.state))
		}
		if d.state.Failed() {
			anyFailed = true
		}
		if d.state == state.TaskFailed || d.state == state.TaskTimedOut || d.state == state.TaskUpstreamFailed {
			failed = append(failed, d.task.Key)
		}
	}
	switch rule {
	case spec.AllSuccess:
		ok = len(notSucceeded) == 0
	case spec.AllDone:
		ok = true
	case spec.NoneFailed:
		ok = !anyFailed
	case spec.AtLeastOneFailed:
		ok = len(failed) > 0
	default:
		// spec.Parse refuses other values; treat one as all_success.
		ok = len(notSucceeded) == 0
	}
	if ok {
		return true, "", ""
	}
	st = state.TaskSkipped
	if anyFailed {
		st = state.TaskUpstreamFailed
	}
	switch rule {
	case spec.AtLeastOneFailed:
		msg = "run_if at_least_one_failed not met: no dependency failed"
	default:
		msg = fmt.Sprintf("run_if %s not met: %s", rule, strings.Join(notSucceeded, ", "))
	}
	return false, st, msg
}
