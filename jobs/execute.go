package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// Why a run stops before its tasks are done: the cause its context is
// canceled with.
var (
	// errAbandoned: Serve's ctx ended; the run is left running in the
	// store for the next executor to adopt, and nothing more is recorded.
	errAbandoned = errors.New("the executor is stopping; the run is left for another executor to adopt")
	// errLostRun: a write found the run's attempts changed by another
	// executor (it adopted the run); this one stops recording.
	errLostRun = errors.New("another executor adopted the run")
	// errEngineClosed: Engine.Close.
	errEngineClosed = errors.New("the executor was closed")
	// errCancelRequested: Cancel, here or in the store.
	errCancelRequested = errors.New("canceled on request")
)

// isAbandon reports whether a stop cause leaves the run to another
// executor instead of recording its end.
func isAbandon(cause error) bool {
	return errors.Is(cause, errAbandoned) || errors.Is(cause, errLostRun)
}

// runTimeout is the cause of a run's own timeout (compared by identity:
// a run_job child seeing its parent's timeout is canceled, not timed out).
type runTimeout struct {
	runID int64
	d     time.Duration
}

func (t *runTimeout) Error() string { return fmt.Sprintf("run %d timed out after %s", t.runID, t.d) }

// taskTimeout is the cause of one attempt's timeout (compared by
// identity).
type taskTimeout struct{ d time.Duration }

func (t *taskTimeout) Error() string { return fmt.Sprintf("timed out after %s", t.d) }

// cancelMessage says why a run or task was canceled.
func cancelMessage(cause error) string {
	var cs *callerStopped
	switch {
	case cause == nil:
		return "canceled"
	case errors.As(cause, &cs):
		return "canceled: " + cause.Error()
	case errors.Is(cause, errCancelRequested):
		return "canceled on request"
	case errors.Is(cause, errEngineClosed):
		return "canceled: the executor was closed while the run was in progress"
	case errors.Is(cause, context.Canceled), errors.Is(cause, context.DeadlineExceeded):
		return "canceled: the caller stopped waiting (" + cause.Error() + ")"
	}
	return "canceled: " + cause.Error()
}

// runExec executes one run. Its loop goroutine (the caller of execute)
// owns the nodes, values and counters; task goroutines get copies of
// what they need and report on done.
type runExec struct {
	e     *Engine
	id    int64
	ctx   context.Context // canceled (with a cause) when the run stops
	stop  context.CancelCauseFunc
	dbctx context.Context // store writes: not canceled with the run
	// finished is closed when execute returns.
	finished chan struct{}
	// background: executed by Serve (claimed or adopted); Serve's end
	// abandons it.
	background bool

	// Set by load, read-only afterwards (task goroutines read them).
	run          *state.Run
	job          *spec.Job
	gen          int
	timeoutCause error
	history      map[string][]state.TaskRun // attempts by key, by attempt number
	feItems      map[string][]json.RawMessage
	base         map[string]string // parameters and run.* / job.* vars

	// Owned by the loop.
	nodes    []*node
	byKey    map[string]*node
	values   map[string]map[string]json.RawMessage
	done     chan taskDone
	inflight int
	stopping bool
	wg       sync.WaitGroup // task goroutines
}

// nodeStatus is where a task is in the loop.
type nodeStatus int

const (
	nodePending nodeStatus = iota // waiting for its dependencies
	nodeActive                    // its goroutine runs it
	nodeFinal                     // its final state is known
)

// node is one task of the job's DAG in the loop.
type node struct {
	task    *spec.Task
	deps    []*node
	downs   []*node
	waiting int // dependencies not final yet
	status  nodeStatus
	state   state.TaskState
	message string
	// attempts is the highest attempt number recorded for the task.
	attempts int
	rp       resumePoint
}

// resumePoint is where a task's attempts continue from.
type resumePoint struct {
	next int // the next attempt's number
	used int // attempts made in this generation
	// queued: an attempt recorded queued (never started) to run first.
	queued *state.TaskRun
	// retryAt: the last attempt failed and may be retried; the next
	// attempt waits until then (its retry delay).
	retryAt time.Time
	last    *state.TaskRun
	// forEach: a for_each parent attempt recorded running, to continue.
	forEach *state.TaskRun
}

// taskDone is a task goroutine's report.
type taskDone struct {
	key       string
	state     state.TaskState
	message   string
	values    map[string]json.RawMessage
	attempt   int
	abandoned bool
}

// Execute executes a run claimed by this engine (Submit with Execute,
// Repair with Execute, or a run this engine claimed or adopted) until it
// ends, and returns it in its final state. It resumes a run whose
// attempts were recorded by an executor that died: attempts that never
// started run, lost ones count as failed and are retried by their
// policy, succeeded ones are kept. ctx bounds the wait: when it ends the
// run is canceled (recorded). The run's own failure is not an error: it
// is the returned run's State and Message. Errors: the run does not
// exist or is not claimed by this engine, the engine is closed.
func (e *Engine) Execute(ctx context.Context, runID int64) (*state.Run, error) {
	if err := e.ensureRegistered(ctx); err != nil {
		return nil, err
	}
	x, err := e.begin(ctx, runID)
	if err != nil {
		return nil, err
	}
	defer e.end(x)
	return x.execute()
}

// begin registers a run about to execute here.
func (e *Engine) begin(ctx context.Context, runID int64) (*runExec, error) {
	rctx, stop := context.WithCancelCause(ctx)
	x := &runExec{
		e:        e,
		id:       runID,
		ctx:      rctx,
		stop:     stop,
		dbctx:    context.WithoutCancel(ctx),
		finished: make(chan struct{}),
	}
	if err := e.addActive(x); err != nil {
		stop(nil)
		return nil, err
	}
	return x, nil
}

// end unregisters a run that finished executing here.
func (e *Engine) end(x *runExec) {
	x.stop(nil)
	close(x.finished)
	e.removeActive(x)
}

// execute loads the run, runs its loop and records its end.
func (x *runExec) execute() (*state.Run, error) {
	e := x.e
	run, err := e.store.GetRun(x.dbctx, x.id)
	if err != nil {
		return nil, fmt.Errorf("execute run %d: %w", x.id, err)
	}
	if run.State.Terminal() {
		return run, nil
	}
	if run.State != state.RunRunning || run.Executor != e.id {
		return run, fmt.Errorf("execute run %d: it is %s under executor %q, not claimed by this one (%s); submit it with Execute, or leave it to 'sluice server'",
			x.id, run.State, run.Executor, e.id)
	}
	x.run = run
	x.gen = run.Attempt
	job, err := e.jobVersion(x.dbctx, run.Job, run.JobVersion)
	if err != nil {
		return x.failEarly(err)
	}
	x.job = job
	first := run.StartedAt.IsZero()
	if first {
		run.StartedAt = e.now()
		if err := e.store.StartRun(x.dbctx, x.id, run.StartedAt); err != nil {
			return x.failEarly(fmt.Errorf("record the run's start: %w", err))
		}
	}
	e.met.runsActive.Inc()
	defer e.met.runsActive.Dec()
	if first {
		x.notifyStart()
	}
	if err := x.load(); err != nil {
		return x.failEarly(err)
	}
	if run.CancelRequested {
		x.stop(errCancelRequested)
	}
	x.loop()
	return x.finish()
}

// failEarly records a run that could not be executed at all as failed.
func (x *runExec) failEarly(cause error) (*state.Run, error) {
	msg := cause.Error()
	if err := x.e.store.FinishRun(x.dbctx, x.id, state.RunFailed, msg, x.e.now()); err != nil && !errors.Is(err, state.ErrConflict) {
		return nil, fmt.Errorf("execute run %d: %v; recording the failure: %w", x.id, cause, err)
	}
	x.e.met.runsTotal.WithLabelValues(x.run.Job, string(state.RunFailed)).Inc()
	run, err := x.e.store.GetRun(x.dbctx, x.id)
	if err != nil {
		return nil, fmt.Errorf("execute run %d: %w", x.id, err)
	}
	return run, nil
}

// retryOf returns the retry policy of a task of the job.
func (x *runExec) retryOf(t *spec.Task) *spec.Retry {
	if t.Retries != nil {
		return t.Retries
	}
	return x.job.Retries
}

func retryCount(r *spec.Retry) int {
	if r == nil {
		return 0
	}
	return r.Count
}

// load builds the run's state from the store: attempts, values, the
// rerun set of a repair; fails attempts lost with a dead executor.
func (x *runExec) load() error {
	e := x.e
	trs, err := e.store.TaskRuns(x.dbctx, x.id)
	if err != nil {
		return fmt.Errorf("load the run's attempts: %w", err)
	}
	vals, err := e.store.TaskValues(x.dbctx, x.id)
	if err != nil {
		return fmt.Errorf("load the run's task values: %w", err)
	}
	// Attempts still marked running belong to an executor that is gone
	// (this one had not started the run): kill what is left of them and
	// fail them, so that their retry policy decides.
	reload := false
	for i := range trs {
		tr := &trs[i]
		if tr.State != state.TaskRunning {
			continue // queued attempts never started: they run in their turn
		}
		if tr.Type == spec.TypeForEach && !strings.Contains(tr.Key, "[") {
			continue // a for_each parent only coordinates; it continues
		}
		if conflict := e.markLost(x.dbctx, tr); conflict {
			reload = true
		}
	}
	if reload {
		if trs, err = e.store.TaskRuns(x.dbctx, x.id); err != nil {
			return fmt.Errorf("load the run's attempts: %w", err)
		}
	}
	x.history = map[string][]state.TaskRun{}
	for _, tr := range trs {
		x.history[tr.Key] = append(x.history[tr.Key], tr)
	}
	for _, h := range x.history {
		sort.Slice(h, func(i, j int) bool { return h[i].Attempt < h[j].Attempt })
	}
	rerun, err := x.rerunSet()
	if err != nil {
		return err
	}

	x.base = baseVars(x.run, x.job)
	x.values = map[string]map[string]json.RawMessage{}
	x.feItems = map[string][]json.RawMessage{}
	x.byKey = map[string]*node{}
	x.nodes = nil
	for _, t := range x.job.TopoOrder() {
		n := &node{task: t}
		x.byKey[t.Key] = n
		x.nodes = append(x.nodes, n)
		for _, d := range t.DependsOn {
			dn := x.byKey[d]
			if dn == nil {
				return fmt.Errorf("task %s depends on unknown task %s", t.Key, d)
			}
			n.deps = append(n.deps, dn)
			dn.downs = append(dn.downs, n)
		}
		all := x.history[t.Key]
		if len(all) > 0 {
			n.attempts = all[len(all)-1].Attempt
		}
		if rerun != nil && !rerun[t.Key] {
			// Kept from an earlier generation: its latest attempt stands.
			n.status = nodeFinal
			n.state, n.message = state.TaskSkipped, "not run"
			if len(all) > 0 {
				n.state, n.message = all[len(all)-1].State, all[len(all)-1].Message
			}
			if v, ok := vals[t.Key]; ok {
				x.values[t.Key] = v
			}
			continue
		}
		retries := retryCount(x.retryOf(t))
		if t.ForEach != nil {
			retries = 0 // a for_each parent is not retried; its iterations are
		}
		ks := analyze(all, x.gen, retries, x.retryOf(t))
		n.rp = ks.rp
		switch {
		case ks.final:
			n.status = nodeFinal
			n.state, n.message = ks.state, ks.message
			if v, ok := vals[t.Key]; ok {
				x.values[t.Key] = v
			}
		case ks.fresh:
			n.status = nodePending
		default:
			n.status = nodeActive // resumed by loop
			if t.ForEach != nil && ks.rp.forEach != nil {
				if items, ok := decodeItems(vals[t.Key]); ok {
					x.feItems[t.Key] = items
				}
			}
		}
	}
	for _, n := range x.nodes {
		for _, d := range n.deps {
			if d.status != nodeFinal {
				n.waiting++
			}
		}
	}
	x.done = make(chan taskDone, len(x.nodes))
	return nil
}

// keyState is what a key's recorded attempts say about it.
type keyState struct {
	fresh   bool // no attempt in this generation
	final   bool
	state   state.TaskState
	message string
	rp      resumePoint
}

// analyze decides how a key continues from its attempts (all
// generations, ordered by attempt) in generation gen.
func analyze(all []state.TaskRun, gen, retries int, policy *spec.Retry) keyState {
	var ks keyState
	ks.rp.next = 1
	if len(all) > 0 {
		ks.rp.next = all[len(all)-1].Attempt + 1
	}
	var cur []state.TaskRun
	for _, tr := range all {
		if tr.Repair == gen {
			cur = append(cur, tr)
		}
	}
	if len(cur) == 0 {
		ks.fresh = true
		return ks
	}
	last := cur[len(cur)-1]
	ks.rp.used = len(cur)
	ks.rp.last = &last
	switch last.State {
	case state.TaskQueued:
		ks.rp.used--
		ks.rp.queued = &last
		ks.rp.next = last.Attempt
	case state.TaskRunning: // a for_each parent
		ks.rp.used--
		ks.rp.forEach = &last
		ks.rp.next = last.Attempt
	case state.TaskFailed, state.TaskTimedOut:
		if ks.rp.used < 1+retries {
			end := last.EndedAt
			if end.IsZero() {
				end = last.ReadyAt
			}
			ks.rp.retryAt = end.Add(policy.DelayBefore(ks.rp.used + 1))
			return ks
		}
		fallthrough
	default:
		ks.final = true
		ks.state, ks.message = last.State, last.Message
	}
	return ks
}

// loop runs the run's DAG: ready tasks start as their dependencies end,
// until every task is final or the run stops.
func (x *runExec) loop() {
	var timeoutC <-chan time.Time
	if d := x.job.Timeout.D; d > 0 {
		x.timeoutCause = &runTimeout{runID: x.id, d: d}
		base := x.run.StartedAt
		if x.gen > 0 {
			base = x.genStart()
		}
		t := time.NewTimer(max(base.Add(d).Sub(x.e.now()), 0))
		defer t.Stop()
		timeoutC = t.C
	}
	ctxDone := x.ctx.Done()
	if x.ctx.Err() != nil {
		x.stopping = true
		ctxDone = nil
	}
	// Resumed tasks continue even when the run is already stopping: their
	// goroutines record how they end (a queued attempt canceled, a retry
	// not made).
	for _, n := range x.nodes {
		if n.status == nodeActive {
			x.spawn(n, time.Time{})
		}
	}
	if !x.stopping {
		now := x.e.now()
		for _, n := range x.nodes {
			if n.status == nodePending && n.waiting == 0 {
				x.ready(n, now)
			}
		}
	}
	for x.inflight > 0 {
		select {
		case d := <-x.done:
			x.inflight--
			x.onDone(d)
		case <-ctxDone:
			x.stopping = true
			ctxDone = nil
		case <-timeoutC:
			timeoutC = nil
			x.stop(x.timeoutCause)
		}
	}
	x.wg.Wait()
	if x.ctx.Err() != nil {
		x.stopping = true
	}
}

// genStart is when the current repair generation started: its first
// attempt's ready time, or now.
func (x *runExec) genStart() time.Time {
	start := x.e.now()
	for _, h := range x.history {
		for _, tr := range h {
			if tr.Repair == x.gen && !tr.ReadyAt.IsZero() && tr.ReadyAt.Before(start) {
				start = tr.ReadyAt
			}
		}
	}
	return start
}

// ready handles a task whose dependencies are all final: start it, or
// record it skipped / upstream_failed per its run_if.
func (x *runExec) ready(n *node, now time.Time) {
	ok, st, msg := runIfMet(n.task, n.deps)
	if ok {
		x.spawn(n, now)
		return
	}
	n.status = nodeActive
	x.inflight++
	tr := state.TaskRun{
		RunID: x.id, Key: n.task.Key, Attempt: n.rp.next, Repair: x.gen, State: st,
		Type: n.task.Type(), ReadyAt: now, EndedAt: now, Message: msg, Executor: x.e.id, Host: x.e.host,
	}
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		d := taskDone{key: tr.Key, state: st, message: msg, attempt: tr.Attempt}
		if err := x.e.store.InsertTaskRun(x.dbctx, tr); err != nil {
			if x.lost(err) {
				d.abandoned = true
			} else {
				x.e.log.Error("jobs: record a task's state", "run", x.id, "task", tr.Key, "state", st, "err", err)
			}
		}
		x.e.met.attempts.WithLabelValues(tr.Type, string(st)).Inc()
		x.done <- d
	}()
}

// spawn starts a task's goroutine. ready is when its dependencies were
// met (zero when resuming).
func (x *runExec) spawn(n *node, ready time.Time) {
	n.status = nodeActive
	x.inflight++
	w := taskWork{
		key:   n.task.Key,
		task:  n.task,
		typ:   n.task.Type(),
		vars:  x.vars(),
		ready: ready,
		rp:    n.rp,
		retry: x.retryOf(n.task),
	}
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		var d taskDone
		if w.typ == spec.TypeForEach {
			d = x.runForEach(w)
		} else {
			d = x.runAttempts(x.ctx, w)
		}
		x.done <- d
	}()
}

// onDone records a task's end and starts what it unblocks.
func (x *runExec) onDone(d taskDone) {
	n := x.byKey[d.key]
	n.status = nodeFinal
	n.state, n.message = d.state, d.message
	if d.attempt > n.attempts {
		n.attempts = d.attempt
	}
	if d.abandoned {
		n.state = ""
		return
	}
	if d.values != nil {
		x.values[d.key] = d.values
	}
	if x.stopping || x.ctx.Err() != nil {
		return
	}
	now := time.Time{}
	for _, dn := range n.downs {
		dn.waiting--
		if dn.waiting == 0 && dn.status == nodePending {
			if now.IsZero() {
				now = x.e.now()
			}
			x.ready(dn, now)
		}
	}
}

// finish records the run's end: tasks never started canceled, the run's
// state and message, metrics and notifications.
func (x *runExec) finish() (*state.Run, error) {
	e := x.e
	var cause error
	if x.stopping {
		cause = context.Cause(x.ctx)
	}
	if isAbandon(cause) {
		run, err := e.store.GetRun(x.dbctx, x.id)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", x.id, err)
		}
		return run, fmt.Errorf("run %d left running: %w", x.id, cause)
	}
	var st state.RunState
	var msg string
	switch {
	case cause != nil && cause == x.timeoutCause:
		st, msg = state.RunTimedOut, cause.Error()
	case cause != nil:
		st, msg = state.RunCanceled, cancelMessage(cause)
	default:
		st, msg = x.outcome()
	}
	if cause != nil {
		x.cancelUnstarted(cause)
	}
	now := e.now()
	if err := e.store.FinishRun(x.dbctx, x.id, st, msg, now); err != nil {
		if !errors.Is(err, state.ErrConflict) {
			return nil, fmt.Errorf("record the end of run %d: %w", x.id, err)
		}
		e.log.Warn("jobs: run already ended elsewhere", "run", x.id, "err", err)
	}
	e.met.runsTotal.WithLabelValues(x.run.Job, string(st)).Inc()
	run, err := e.store.GetRun(x.dbctx, x.id)
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", x.id, err)
	}
	x.notifyEnd(run)
	e.log.Info("jobs: run ended", "run", x.id, "job", run.Job, "state", run.State, "message", run.Message)
	return run, nil
}

// outcome is the state of a run whose tasks all ended: failed when a
// task's final attempt failed, timed out or was canceled.
func (x *runExec) outcome() (state.RunState, string) {
	var bad []string
	for _, n := range x.nodes {
		switch n.state {
		case state.TaskFailed, state.TaskTimedOut, state.TaskCanceled:
			m := firstLine(n.message)
			if n.state == state.TaskTimedOut && m == "" {
				m = "timed out"
			}
			bad = append(bad, fmt.Sprintf("%s (%s)", n.task.Key, clipText(m, 200)))
		case "":
			bad = append(bad, n.task.Key+" (did not finish)")
		}
	}
	switch len(bad) {
	case 0:
		return state.RunSucceeded, ""
	case 1:
		return state.RunFailed, "task " + bad[0] + " failed"
	}
	if len(bad) > 5 {
		bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
	}
	return state.RunFailed, fmt.Sprintf("%d tasks failed: %s", len(bad), strings.Join(bad, ", "))
}

// cancelUnstarted records tasks that never started (pending when the run
// stopped) as canceled.
func (x *runExec) cancelUnstarted(cause error) {
	why := "the run was canceled before the task started"
	if cause == x.timeoutCause {
		why = "the run timed out before the task started"
	}
	now := x.e.now()
	g, ctx := errgroup.WithContext(x.dbctx)
	g.SetLimit(16)
	for _, n := range x.nodes {
		if n.status == nodeFinal && n.state != "" {
			continue
		}
		n.status, n.state, n.message = nodeFinal, state.TaskCanceled, why
		tr := state.TaskRun{
			RunID: x.id, Key: n.task.Key, Attempt: n.rp.next, Repair: x.gen, State: state.TaskCanceled,
			Type: n.task.Type(), ReadyAt: now, EndedAt: now, Message: why, Executor: x.e.id, Host: x.e.host,
		}
		g.Go(func() error {
			if err := x.e.store.InsertTaskRun(ctx, tr); err != nil {
				x.e.log.Warn("jobs: record a canceled task", "run", x.id, "task", tr.Key, "err", err)
			}
			return nil
		})
	}
	_ = g.Wait()
}

// lost reports whether a store error means another executor took the
// run over; then it stops the run without recording more.
func (x *runExec) lost(err error) bool {
	if errors.Is(err, state.ErrConflict) {
		x.stop(fmt.Errorf("%w: %v", errLostRun, err))
		return true
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
