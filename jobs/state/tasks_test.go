package state_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

func TestTaskAttemptLifecycle(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		run := MustCreate(t, s, state.NewRun{Job: "etl", Executor: "ex1"})

		tr := state.TaskRun{RunID: run.ID, Key: "extract", Attempt: 1, State: state.TaskQueued, Type: "exec", ReadyAt: at(0)}
		if err := s.InsertTaskRun(ctx, tr); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "insert the same attempt", s.InsertTaskRun(ctx, tr), state.ErrConflict)
		missing := tr
		missing.RunID = run.ID + 100
		wantErr(t, "insert into a missing run", s.InsertTaskRun(ctx, missing), state.ErrNotFound)

		tr.State, tr.StartedAt = state.TaskRunning, at(1)
		tr.Host, tr.PID, tr.ProcStart, tr.LogPath, tr.Executor = "h1", 4242, 1<<62+5, "/logs/1/extract/1.log", "ex1"
		if err := s.UpdateTaskRun(ctx, tr); err != nil {
			t.Fatal(err)
		}
		code := 3
		tr.State, tr.EndedAt, tr.ExitCode, tr.Message = state.TaskFailed, at(2), &code, "exit status 3"
		if err := s.UpdateTaskRun(ctx, tr); err != nil {
			t.Fatal(err)
		}
		final := tr

		// A terminal attempt never changes: not its state, not its fields.
		for _, st := range []state.TaskState{state.TaskSucceeded, state.TaskRunning, state.TaskFailed} {
			late := tr
			late.State, late.Message, late.ExitCode = st, "late write", nil
			wantErr(t, "update a terminal attempt to "+string(st), s.UpdateTaskRun(ctx, late), state.ErrConflict)
		}
		nope := tr
		nope.Attempt = 7
		wantErr(t, "update a missing attempt", s.UpdateTaskRun(ctx, nope), state.ErrNotFound)

		// Retry as attempt 2, and tasks that never start.
		retry := state.TaskRun{RunID: run.ID, Key: "extract", Attempt: 2, State: state.TaskRunning, Type: "exec", ReadyAt: at(3), StartedAt: at(3)}
		if err := s.InsertTaskRun(ctx, retry); err != nil {
			t.Fatal(err)
		}
		zero := 0
		retry.State, retry.EndedAt, retry.ExitCode = state.TaskSucceeded, at(4), &zero
		if err := s.UpdateTaskRun(ctx, retry); err != nil {
			t.Fatal(err)
		}
		skipped := state.TaskRun{RunID: run.ID, Key: "alert", Attempt: 1, State: state.TaskSkipped, Type: "exec", ReadyAt: at(4), EndedAt: at(4), Message: "run_if at_least_one_failed: no failure"}
		if err := s.InsertTaskRun(ctx, skipped); err != nil {
			t.Fatal(err)
		}
		skipped.State = state.TaskRunning
		wantErr(t, "start a skipped task", s.UpdateTaskRun(ctx, skipped), state.ErrConflict)
		skipped.State = state.TaskSkipped
		// Same ReadyAt as alert: ordered by key ("a[1]" < "alert" < "b").
		for _, k := range []string{"b", "a[1]"} {
			if err := s.InsertTaskRun(ctx, state.TaskRun{RunID: run.ID, Key: k, Attempt: 1, State: state.TaskQueued, ReadyAt: at(4)}); err != nil {
				t.Fatal(err)
			}
		}

		got, err := s.TaskRuns(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, g := range got {
			keys = append(keys, fmt.Sprintf("%s#%d", g.Key, g.Attempt))
		}
		if k, want := strings.Join(keys, " "), "extract#1 extract#2 a[1]#1 alert#1 b#1"; k != want {
			t.Fatalf("order: %s, want %s", k, want)
		}
		if !reflect.DeepEqual(got[0], final) {
			t.Errorf("attempt 1\n got %+v\nwant %+v", got[0], final)
		}
		if !reflect.DeepEqual(got[1], retry) || *got[1].ExitCode != 0 {
			t.Errorf("attempt 2\n got %+v\nwant %+v", got[1], retry)
		}
		if !reflect.DeepEqual(got[3], skipped) || got[3].ExitCode != nil {
			t.Errorf("skipped\n got %+v\nwant %+v", got[3], skipped)
		}
		if none, err := s.TaskRuns(ctx, run.ID+100); err != nil || len(none) != 0 {
			t.Errorf("TaskRuns of a missing run: %v, %v", none, err)
		}

		// Bad input is refused before it reaches the database.
		for _, bad := range []state.TaskRun{
			{RunID: run.ID, Attempt: 1, State: state.TaskQueued},
			{RunID: run.ID, Key: "x", Attempt: 0, State: state.TaskQueued},
			{RunID: run.ID, Key: "x", Attempt: 1, State: "done"},
			{Key: "x", Attempt: 1, State: state.TaskQueued},
		} {
			if err := s.InsertTaskRun(ctx, bad); err == nil {
				t.Errorf("InsertTaskRun(%+v): no error", bad)
			}
		}
	})
}

// Two executors finishing one attempt at once (a crashed executor's
// replacement and a late write of the old one): exactly one terminal
// state is written, the other gets ErrConflict.
func TestTaskAttemptFinishRace(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		stores := []*state.Store{MustOpen(t, db), MustOpen(t, MustReopen(t, db))}
		run := MustCreate(t, stores[0], state.NewRun{Job: "etl", Executor: "ex1"})
		const tasks = 20
		for i := range tasks {
			if err := stores[0].InsertTaskRun(ctx, state.TaskRun{RunID: run.ID, Key: fmt.Sprintf("t%d", i), Attempt: 1, State: state.TaskRunning, ReadyAt: at(0)}); err != nil {
				t.Fatal(err)
			}
		}
		outcomes := []state.TaskState{state.TaskSucceeded, state.TaskFailed, state.TaskCanceled, state.TaskTimedOut}
		winners := make([][]state.TaskState, tasks)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range tasks {
			for j, st := range outcomes {
				wg.Go(func() {
					err := stores[j%2].UpdateTaskRun(ctx, state.TaskRun{RunID: run.ID, Key: fmt.Sprintf("t%d", i), Attempt: 1, State: st, EndedAt: at(1)})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						winners[i] = append(winners[i], st)
					case !errors.Is(err, state.ErrConflict):
						t.Errorf("t%d to %s: %v", i, st, err)
					}
				})
			}
		}
		wg.Wait()
		got, err := stores[1].TaskRuns(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range got {
			var i int
			fmt.Sscanf(tr.Key, "t%d", &i)
			if len(winners[i]) != 1 || winners[i][0] != tr.State {
				t.Errorf("%s: stored %s, successful updates %v; want exactly that one", tr.Key, tr.State, winners[i])
			}
		}
	})
}

func TestTaskValues(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		run := MustCreate(t, s, state.NewRun{Job: "etl"})
		other := MustCreate(t, s, state.NewRun{Job: "etl"})
		vals := map[string]json.RawMessage{
			"auc":    json.RawMessage(`0.8710`),
			"big":    json.RawMessage(`12345678901234567890`),
			"obj":    json.RawMessage(`{ "b": [1, 2.50],  "a": null }`),
			"text":   json.RawMessage(`"it's \u00e9 \"q\""`),
			"nested": json.RawMessage("[\n  true\n]"),
		}
		if err := s.SetTaskValues(ctx, run.ID, "train", vals); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTaskValues(ctx, run.ID, "score", map[string]json.RawMessage{"rows": json.RawMessage(`100`)}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTaskValues(ctx, other.ID, "train", map[string]json.RawMessage{"auc": json.RawMessage(`0.5`)}); err != nil {
			t.Fatal(err)
		}
		got, err := s.TaskValues(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[string]json.RawMessage{"train": vals, "score": {"rows": json.RawMessage(`100`)}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("values\n got %s\nwant %s", dump(got), dump(want))
		}
		// Setting again replaces the task's values, and only that task's.
		if err := s.SetTaskValues(ctx, run.ID, "train", map[string]json.RawMessage{"auc": json.RawMessage(`0.9`)}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.TaskValues(ctx, run.ID)
		want = map[string]map[string]json.RawMessage{"train": {"auc": json.RawMessage(`0.9`)}, "score": {"rows": json.RawMessage(`100`)}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after replace\n got %s\nwant %s", dump(got), dump(want))
		}
		if err := s.SetTaskValues(ctx, run.ID, "score", nil); err != nil {
			t.Fatal(err)
		}
		got, _ = s.TaskValues(ctx, run.ID)
		if _, ok := got["score"]; ok {
			t.Errorf("score after clearing: %s", dump(got))
		}
		if got, err := s.TaskValues(ctx, 9999); err != nil || got == nil || len(got) != 0 {
			t.Errorf("values of a missing run: %v, %v; want an empty map", got, err)
		}
		err = s.SetTaskValues(ctx, run.ID, "train", map[string]json.RawMessage{"bad": json.RawMessage(`{oops`)})
		if err == nil || !strings.Contains(err.Error(), "bad") {
			t.Errorf("invalid JSON: %v", err)
		}
		wantErr(t, "values of a missing run", s.SetTaskValues(ctx, 9999, "t", map[string]json.RawMessage{"a": json.RawMessage(`1`)}), state.ErrNotFound)
	})
}

func dump(v map[string]map[string]json.RawMessage) string {
	var b strings.Builder
	for k, m := range v {
		for n, x := range m {
			fmt.Fprintf(&b, "%s.%s=%s; ", k, n, x)
		}
	}
	return b.String()
}
