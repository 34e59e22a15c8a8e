package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// runForEach runs a for_each task: its parent attempt "KEY" (running
// without a slot while its iterations run), then the iterations "KEY[i]",
// at most Concurrency at once, each with its own attempts, retries and
// timeout. The parent succeeds when every iteration does; its values are
// {"count": n, "failed": k}. A for_each parent is not retried (its
// iterations are).
func (x *runExec) runForEach(w taskWork) taskDone {
	e := x.e
	fe := w.task.ForEach
	res := taskDone{key: w.key}
	var tr state.TaskRun
	var items []item
	resumed := w.rp.forEach != nil
	if resumed {
		tr = *w.rp.forEach
		if raw, ok := x.feItems[w.key]; ok {
			for _, r := range raw {
				items = append(items, itemFromJSON(r))
			}
		} else {
			resumed = false // crashed before the items were stored
		}
	} else {
		now := e.now()
		ready := w.ready
		if ready.IsZero() {
			ready = now
		}
		tr = state.TaskRun{
			RunID: x.id, Key: w.key, Attempt: w.rp.next, Repair: x.gen, State: state.TaskRunning,
			Type: spec.TypeForEach, ReadyAt: ready, StartedAt: now, LogPath: x.logPath(w.key, w.rp.next),
		}
	}
	tr.Executor, tr.Host = e.id, e.host
	res.attempt = tr.Attempt
	if w.rp.forEach == nil {
		if err := e.store.InsertTaskRun(x.dbctx, tr); err != nil {
			return x.storeFailed(res, "record the for_each task", err)
		}
	}
	ctx := x.ctx
	var tcause error
	if d := w.task.Timeout.D; d > 0 {
		tcause = &taskTimeout{d: d}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, tcause)
		defer cancel()
	}
	if !resumed {
		var err error
		items, err = x.forEachItems(ctx, w, &tr)
		if err != nil {
			return x.endAttempt(ctx, tcause, &tr, outcome{err: fmt.Errorf("for_each items: %w", err)})
		}
		raws := make([]json.RawMessage, len(items))
		for i, it := range items {
			raws[i] = it.raw
		}
		if b, err := json.Marshal(raws); err == nil {
			if err := e.store.SetTaskValues(x.dbctx, x.id, w.key, map[string]json.RawMessage{"items": b}); err != nil {
				return x.endAttempt(ctx, tcause, &tr, outcome{err: fmt.Errorf("store the for_each items: %w", err)})
			}
		}
	}
	appendLog(tr.LogPath, "sluice: for_each over %d items, at most %d at once\n", len(items), max(fe.Concurrency, 1))

	inner := fe.Task
	retry := inner.Retries
	if retry == nil {
		retry = x.retryOf(w.task)
	}
	results := make([]taskDone, len(items))
	limit := make(chan struct{}, max(fe.Concurrency, 1))
	var wg sync.WaitGroup
launch:
	for i, it := range items {
		key := fmt.Sprintf("%s[%d]", w.key, i)
		ks := analyze(x.history[key], x.gen, retryCount(retry), retry)
		if ks.final {
			results[i] = taskDone{key: key, state: ks.state, message: ks.message}
			continue
		}
		select {
		case limit <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		iw := taskWork{
			key:   key,
			task:  inner,
			typ:   inner.Type(),
			vars:  itemVars(w.vars, it),
			ready: e.now(),
			rp:    ks.rp,
			retry: retry,
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-limit }()
			results[i] = x.runAttempts(ctx, iw)
		}()
	}
	wg.Wait()

	failed, abandoned := 0, false
	var bad []string
	for i, r := range results {
		if r.abandoned {
			abandoned = true
		}
		if r.state != state.TaskSucceeded {
			failed++
			if len(bad) < 5 {
				st := string(r.state)
				if st == "" {
					st = "not started"
				}
				bad = append(bad, fmt.Sprintf("%s[%d] %s", w.key, i, st))
			}
		}
	}
	for i, r := range results {
		appendLog(tr.LogPath, "sluice: %s[%d] %s %s\n", w.key, i, r.state, firstLine(r.message))
	}
	if abandoned || isAbandon(context.Cause(ctx)) {
		res.abandoned = true
		return res
	}
	vals := map[string]json.RawMessage{
		"count":  json.RawMessage(strconv.Itoa(len(items))),
		"failed": json.RawMessage(strconv.Itoa(failed)),
	}
	out := outcome{values: vals, keepValues: true}
	if failed > 0 {
		out.state = state.TaskFailed
		out.err = fmt.Errorf("%d of %d iterations did not succeed: %s", failed, len(items), strings.Join(bad, ", "))
	}
	return x.endAttempt(ctx, tcause, &tr, out)
}

// forEachItems resolves a for_each's inputs: Items (substituted), Param
// (a JSON array or comma-separated list) or Query (rows, through the sql
// runner's RowsQuerier).
func (x *runExec) forEachItems(ctx context.Context, w taskWork, tr *state.TaskRun) ([]item, error) {
	fe := w.task.ForEach
	switch {
	case len(fe.Items) > 0:
		items := make([]item, len(fe.Items))
		for i, s := range fe.Items {
			v, err := spec.Substitute(s, w.vars)
			if err != nil {
				return nil, fmt.Errorf("items[%d]: %w", i, err)
			}
			items[i] = itemFromString(v)
		}
		return items, nil
	case fe.Param != "":
		v, ok := w.vars[fe.Param]
		if !ok {
			return nil, fmt.Errorf("parameter %q is not defined; declare it under parameters", fe.Param)
		}
		return parseListParam(fe.Param, v)
	case fe.Query != "":
		q, ok := x.e.cfg.Runners[spec.TypeSQL].(RowsQuerier)
		if !ok {
			return nil, errors.New("a for_each over a query needs the sql task runner, which this engine does not have; run the job in sluice server or sluice jobs run")
		}
		f, err := openLog(tr.LogPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		tc := &TaskContext{
			Job: x.job.Name, RunID: x.id, Key: w.key, Attempt: tr.Attempt, Task: w.task, Dir: x.job.Dir,
			Vars: w.vars, LogicalTime: x.run.LogicalTime, Log: f, Logger: slog.New(slog.NewTextHandler(f, nil)),
		}
		rows, err := q.QueryRows(ctx, tc, fe.Query)
		if err != nil {
			return nil, err
		}
		items := make([]item, len(rows))
		for i, r := range rows {
			raw, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
			items[i] = itemFromJSON(raw)
		}
		return items, nil
	}
	return nil, nil
}

// parseListParam reads a list parameter: a JSON array, or values
// separated by commas (spaces around them trimmed, empty ones dropped).
func parseListParam(name, v string) ([]item, error) {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "[") {
		var raws []json.RawMessage
		dec := json.NewDecoder(bytes.NewReader([]byte(t)))
		dec.UseNumber()
		if err := dec.Decode(&raws); err != nil {
			return nil, fmt.Errorf("parameter %s: %q starts with [ but is not a JSON array (%v); write a JSON array or comma-separated values", name, clipText(t, 80), err)
		}
		items := make([]item, len(raws))
		for i, r := range raws {
			items[i] = itemFromJSON(r)
		}
		return items, nil
	}
	var items []item
	for _, s := range strings.Split(t, ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, itemFromString(s))
		}
	}
	return items, nil
}
