package state_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

func TestCreateRun(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		before := time.Now().Add(-time.Second)
		r := MustCreate(t, s, state.NewRun{
			Job: "etl", JobVersion: 3, Trigger: "schedule", TriggerKey: "schedule:2026-03-29T01:00:00Z",
			LogicalTime: at(0), Parameters: map[string]string{"day": "2026-03-29", "quote": `it's "x"`},
			Group: "backfill:1", GroupLimit: 2, ParentRunID: 7, ParentTask: "call",
		})
		want := state.Run{
			ID: r.ID, Job: "etl", JobVersion: 3, State: state.RunQueued, Trigger: "schedule", TriggerKey: "schedule:2026-03-29T01:00:00Z",
			LogicalTime: at(0), Parameters: map[string]string{"day": "2026-03-29", "quote": `it's "x"`},
			Group: "backfill:1", GroupLimit: 2, ParentRunID: 7, ParentTask: "call", QueuedAt: r.QueuedAt,
		}
		if !equalRun(*r, want) {
			t.Errorf("created run\n got %+v\nwant %+v", *r, want)
		}
		if r.QueuedAt.Before(before) || r.QueuedAt.Location() != time.UTC || !r.StartedAt.IsZero() || !r.EndedAt.IsZero() {
			t.Errorf("times: queued %v started %v ended %v", r.QueuedAt, r.StartedAt, r.EndedAt)
		}
		got, err := s.GetRun(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !equalRun(*got, *r) {
			t.Errorf("GetRun\n got %+v\nwant %+v", *got, *r)
		}
		_, err = s.GetRun(ctx, r.ID+100)
		wantErr(t, "GetRun missing", err, state.ErrNotFound)

		// Same key: the existing run. Another job, or no key: new runs.
		again, created, err := s.CreateRun(ctx, state.NewRun{Job: "etl", TriggerKey: "schedule:2026-03-29T01:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		if created || again.ID != r.ID || again.JobVersion != 3 {
			t.Errorf("same trigger key: created %v id %d (want %d)", created, again.ID, r.ID)
		}
		other := MustCreate(t, s, state.NewRun{Job: "other", TriggerKey: "schedule:2026-03-29T01:00:00Z"})
		a := MustCreate(t, s, state.NewRun{Job: "etl"})
		b := MustCreate(t, s, state.NewRun{Job: "etl"})
		if other.ID == r.ID || a.ID == b.ID || a.TriggerKey != "" {
			t.Errorf("ids %d %d %d %d", r.ID, other.ID, a.ID, b.ID)
		}
		// Defaults: LogicalTime is the creation time, parameters empty.
		if !a.LogicalTime.Equal(a.QueuedAt) || len(a.Parameters) != 0 || a.ParentRunID != 0 {
			t.Errorf("defaults: %+v", a)
		}

		// Executor set: created running, claimed by it.
		c := MustCreate(t, s, state.NewRun{Job: "etl", Executor: "cli-1"})
		if c.State != state.RunRunning || c.Executor != "cli-1" {
			t.Errorf("with executor: state %s executor %q", c.State, c.Executor)
		}
		if _, _, err := s.CreateRun(ctx, state.NewRun{}); err == nil {
			t.Error("CreateRun without a job: no error")
		}
	})
}

func equalRun(a, b state.Run) bool {
	pa, pb := a.Parameters, b.Parameters
	a.Parameters, b.Parameters = nil, nil
	ta := []time.Time{a.LogicalTime, a.QueuedAt, a.StartedAt, a.EndedAt}
	tb := []time.Time{b.LogicalTime, b.QueuedAt, b.StartedAt, b.EndedAt}
	a.LogicalTime, a.QueuedAt, a.StartedAt, a.EndedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.LogicalTime, b.QueuedAt, b.StartedAt, b.EndedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b) && maps.Equal(pa, pb) && slices.EqualFunc(ta, tb, time.Time.Equal)
}

// Concurrent creators of one trigger key, on two handles, get one run.
func TestCreateRunIdempotentConcurrent(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		stores := []*state.Store{MustOpen(t, db), MustOpen(t, MustReopen(t, db))}
		const n = 16
		for round := range 3 {
			key := fmt.Sprintf("schedule:tick-%d", round)
			ids := make([]int64, n)
			created := make([]bool, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					r, c, err := stores[i%2].CreateRun(ctx, state.NewRun{Job: "etl", Trigger: "schedule", TriggerKey: key})
					errs[i], created[i] = err, c
					if err == nil {
						ids[i] = r.ID
					}
				})
			}
			wg.Wait()
			nCreated := 0
			for i := range n {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if created[i] {
					nCreated++
				}
				if ids[i] != ids[0] {
					t.Errorf("round %d: creator %d got run %d, creator 0 run %d", round, i, ids[i], ids[0])
				}
			}
			if nCreated != 1 {
				t.Errorf("round %d: %d creators created a run, want 1", round, nCreated)
			}
		}
		runs, err := stores[0].ListRuns(ctx, state.RunFilter{Job: "etl"})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 3 {
			t.Errorf("runs = %d, want 3", len(runs))
		}
	})
}

func ids(runs []state.Run) []int64 {
	out := make([]int64, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

func TestListRuns(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		var all []int64 // ascending
		mk := func(r state.NewRun) int64 {
			id := MustCreate(t, s, r).ID
			all = append(all, id)
			return id
		}
		a1 := mk(state.NewRun{Job: "a", Trigger: "manual"})
		b1 := mk(state.NewRun{Job: "b", Trigger: "schedule", TriggerKey: "k1"})
		a2 := mk(state.NewRun{Job: "a", Trigger: "run_job", ParentRunID: b1, ParentTask: "t"})
		a3 := mk(state.NewRun{Job: "a", Trigger: "manual", Executor: "e"})
		b2 := mk(state.NewRun{Job: "b", Trigger: "backfill"})
		if err := s.FinishRun(ctx, a3, state.RunFailed, "boom", at(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RequestCancel(ctx, b2); err != nil {
			t.Fatal(err)
		}
		for i := range 101 {
			mk(state.NewRun{Job: fmt.Sprintf("bulk%d", i%3), Trigger: "manual"})
		}
		cases := []struct {
			name string
			f    state.RunFilter
			want []int64
		}{
			{"job", state.RunFilter{Job: "a"}, []int64{a3, a2, a1}},
			{"states", state.RunFilter{States: []state.RunState{state.RunFailed, state.RunCanceled}}, []int64{b2, a3}},
			{"job and state", state.RunFilter{Job: "a", States: []state.RunState{state.RunQueued}}, []int64{a2, a1}},
			{"trigger", state.RunFilter{Trigger: "schedule"}, []int64{b1}},
			{"parent", state.RunFilter{ParentRunID: b1}, []int64{a2}},
			{"before", state.RunFilter{Job: "a", BeforeID: a3}, []int64{a2, a1}},
			{"limit", state.RunFilter{Job: "a", Limit: 2}, []int64{a3, a2}},
			{"none", state.RunFilter{Job: "zzz"}, nil},
		}
		for _, c := range cases {
			runs, err := s.ListRuns(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(runs); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
		// Default limit 100, newest first.
		runs, err := s.ListRuns(ctx, state.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 100 || runs[0].ID != all[len(all)-1] {
			t.Errorf("default: %d runs, first %d", len(runs), runs[0].ID)
		}
		// Paging visits every run once, newest first.
		var paged []int64
		before := int64(0)
		for {
			page, err := s.ListRuns(ctx, state.RunFilter{BeforeID: before, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page)...)
			before = page[len(page)-1].ID
		}
		want := slices.Clone(all)
		slices.Reverse(want)
		if !slices.Equal(paged, want) {
			t.Errorf("paging: %d runs, want %d in descending order", len(paged), len(want))
		}
	})
}

func TestRunLifecycle(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		r := MustCreate(t, s, state.NewRun{Job: "etl"})
		wantErr(t, "StartRun queued", s.StartRun(ctx, r.ID, at(0)), state.ErrConflict)
		wantErr(t, "StartRun missing", s.StartRun(ctx, r.ID+1, at(0)), state.ErrNotFound)
		claimed, err := s.ClaimRuns(ctx, "ex1", 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 1 || claimed[0].ID != r.ID || claimed[0].State != state.RunRunning || claimed[0].Executor != "ex1" {
			t.Fatalf("claimed %+v", claimed)
		}
		n, err := s.CountRunning(ctx, "etl")
		if err != nil || n != 1 {
			t.Errorf("CountRunning = %d, %v; want 1", n, err)
		}
		if err := s.StartRun(ctx, r.ID, at(1)); err != nil {
			t.Fatal(err)
		}
		if err := s.StartRun(ctx, r.ID, at(2)); err != nil { // first start only
			t.Fatal(err)
		}
		if err := s.FinishRun(ctx, r.ID, state.RunRunning, "", at(3)); err == nil {
			t.Error("FinishRun to running: no error")
		}
		if err := s.FinishRun(ctx, r.ID, state.RunFailed, "task b failed", at(3)); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "FinishRun twice", s.FinishRun(ctx, r.ID, state.RunSucceeded, "", at(4)), state.ErrConflict)
		wantErr(t, "FinishRun missing", s.FinishRun(ctx, r.ID+1, state.RunSucceeded, "", at(4)), state.ErrNotFound)
		wantErr(t, "StartRun finished", s.StartRun(ctx, r.ID, at(4)), state.ErrConflict)
		got, err := s.GetRun(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != state.RunFailed || got.Message != "task b failed" || !got.StartedAt.Equal(at(1)) || !got.EndedAt.Equal(at(3)) {
			t.Errorf("finished run: %+v", got)
		}
		if n, _ := s.CountRunning(ctx, "etl"); n != 0 {
			t.Errorf("CountRunning after finish = %d", n)
		}
	})
}

func TestRequestCancel(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		queued := MustCreate(t, s, state.NewRun{Job: "etl"})
		running := MustCreate(t, s, state.NewRun{Job: "etl", Executor: "ex1"})
		other := MustCreate(t, s, state.NewRun{Job: "etl", Executor: "ex1"})
		done := MustCreate(t, s, state.NewRun{Job: "etl", Executor: "ex1"})
		if err := s.FinishRun(ctx, done.ID, state.RunSucceeded, "", at(0)); err != nil {
			t.Fatal(err)
		}

		// A queued run is canceled at once and never claimed.
		r, err := s.RequestCancel(ctx, queued.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != state.RunCanceled || r.EndedAt.IsZero() || !r.CancelRequested || r.Message == "" {
			t.Errorf("canceled queued run: %+v", r)
		}
		if c, _ := s.ClaimRuns(ctx, "ex2", 10, map[string]int{"etl": 10}); len(c) != 0 {
			t.Errorf("claimed %v after cancel", ids(c))
		}
		// A running one is flagged for its executor.
		r, err = s.RequestCancel(ctx, running.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != state.RunRunning || !r.CancelRequested || !r.EndedAt.IsZero() {
			t.Errorf("flagged running run: %+v", r)
		}
		if _, err := s.RequestCancel(ctx, running.ID); err != nil {
			t.Errorf("second request: %v", err)
		}
		pending, err := s.CancelRequested(ctx, []int64{other.ID, running.ID, queued.ID, done.ID, 9999})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pending, []int64{running.ID}) {
			t.Errorf("CancelRequested = %v, want [%d]", pending, running.ID)
		}
		if p, err := s.CancelRequested(ctx, nil); err != nil || len(p) != 0 {
			t.Errorf("CancelRequested(nil) = %v, %v", p, err)
		}
		_, err = s.RequestCancel(ctx, done.ID)
		wantErr(t, "cancel a finished run", err, state.ErrConflict)
		_, err = s.RequestCancel(ctx, queued.ID)
		wantErr(t, "cancel a canceled run", err, state.ErrConflict)
		_, err = s.RequestCancel(ctx, 9999)
		wantErr(t, "cancel a missing run", err, state.ErrNotFound)
		// The executor honours it; the request is no longer pending.
		if err := s.FinishRun(ctx, running.ID, state.RunCanceled, "canceled", at(1)); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.CancelRequested(ctx, []int64{running.ID}); len(p) != 0 {
			t.Errorf("pending after finish: %v", p)
		}

		// Many ids (more than one chunk).
		var many []int64
		for range 3 {
			r := MustCreate(t, s, state.NewRun{Job: "bulk", Executor: "ex1"})
			if _, err := s.RequestCancel(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			many = append(many, r.ID)
		}
		var ask []int64
		for i := range int64(1200) {
			ask = append(ask, 100000+i)
		}
		ask = append(ask, many...)
		if p, err := s.CancelRequested(ctx, ask); err != nil || !slices.Equal(p, many) {
			t.Errorf("CancelRequested(1203 ids) = %v, %v; want %v", p, err, many)
		}
	})
}

func TestBeginRepair(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		r := MustCreate(t, s, state.NewRun{Job: "etl", Executor: "ex1"})
		_, err := s.BeginRepair(ctx, r.ID, "")
		wantErr(t, "repair a running run", err, state.ErrConflict)
		_, err = s.BeginRepair(ctx, 9999, "")
		wantErr(t, "repair a missing run", err, state.ErrNotFound)
		if err := s.StartRun(ctx, r.ID, at(0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RequestCancel(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishRun(ctx, r.ID, state.RunCanceled, "canceled by user", at(1)); err != nil {
			t.Fatal(err)
		}
		rep, err := s.BeginRepair(ctx, r.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.State != state.RunQueued || rep.Attempt != 1 || !rep.EndedAt.IsZero() || rep.Message != "" || rep.Executor != "" ||
			rep.CancelRequested || !rep.StartedAt.Equal(at(0)) || !rep.QueuedAt.Equal(r.QueuedAt) {
			t.Errorf("repaired run: %+v", rep)
		}
		_, err = s.BeginRepair(ctx, r.ID, "")
		wantErr(t, "repair a queued run", err, state.ErrConflict)
		claimed, err := s.ClaimRuns(ctx, "ex2", 1, nil)
		if err != nil || len(claimed) != 1 || claimed[0].ID != r.ID || claimed[0].Attempt != 1 {
			t.Fatalf("claim the repair: %+v, %v", claimed, err)
		}
		if err := s.FinishRun(ctx, r.ID, state.RunFailed, "again", at(2)); err != nil {
			t.Fatal(err)
		}
		// With an executor: running at once, claimed by it.
		rep, err = s.BeginRepair(ctx, r.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if rep.State != state.RunRunning || rep.Attempt != 2 || rep.Executor != "cli" {
			t.Errorf("repair with executor: %+v", rep)
		}
	})
}

// queue creates n queued runs of job (in group g with limit gl) and
// returns their IDs.
func queue(t *testing.T, s *state.Store, n int, job, g string, gl int) []int64 {
	t.Helper()
	var out []int64
	for range n {
		out = append(out, MustCreate(t, s, state.NewRun{Job: job, Group: g, GroupLimit: gl}).ID)
	}
	return out
}

func claim(t *testing.T, s *state.Store, ex string, limit int, max map[string]int) []int64 {
	t.Helper()
	runs, err := s.ClaimRuns(context.Background(), ex, limit, max)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.State != state.RunRunning || r.Executor != ex {
			t.Errorf("claimed run %d: state %s executor %q", r.ID, r.State, r.Executor)
		}
	}
	return ids(runs)
}

func TestClaimRunsLimits(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		if got := claim(t, s, "ex", 10, nil); len(got) != 0 {
			t.Errorf("empty queue: %v", got)
		}
		a := queue(t, s, 4, "a", "", 0) // max 2
		b := queue(t, s, 3, "b", "", 0) // missing: 1
		c := queue(t, s, 2, "c", "", 0) // 0 counts as 1
		max := map[string]int{"a": 2, "c": 0}

		// The limit argument, oldest first.
		if got, want := claim(t, s, "ex", 1, max), a[:1]; !slices.Equal(got, want) {
			t.Errorf("limit 1: got %v, want %v", got, want)
		}
		if got, want := claim(t, s, "ex", 10, max), []int64{a[1], b[0], c[0]}; !slices.Equal(got, want) {
			t.Errorf("job limits: got %v, want %v", got, want)
		}
		if got := claim(t, s, "ex", 10, max); len(got) != 0 {
			t.Errorf("all jobs at their limit, claimed %v", got)
		}
		if err := s.FinishRun(ctx, a[0], state.RunSucceeded, "", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got, want := claim(t, s, "ex", 10, max), a[2:3]; !slices.Equal(got, want) {
			t.Errorf("after a finished: got %v, want %v", got, want)
		}
		// A higher limit passed later admits more.
		if got, want := claim(t, s, "ex", 10, map[string]int{"a": 5, "b": 2}), []int64{a[3], b[1]}; !slices.Equal(got, want) {
			t.Errorf("raised limits: got %v, want %v", got, want)
		}
		// Runs created running (CLI --wait) count against the job.
		MustCreate(t, s, state.NewRun{Job: "d", Executor: "cli"})
		d := queue(t, s, 1, "d", "", 0)
		if got := claim(t, s, "ex", 10, nil); slices.Contains(got, d[0]) {
			t.Errorf("claimed d beside its running run: %v", got)
		}
	})
}

func TestClaimRunsGroups(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		max := map[string]int{"x": 100, "y": 100}
		x := queue(t, s, 3, "x", "backfill:1", 2)
		y := queue(t, s, 2, "y", "backfill:1", 2)
		free := queue(t, s, 2, "y", "", 0)      // not in the group
		other := queue(t, s, 2, "x", "bf:2", 0) // a group without a limit
		got := claim(t, s, "ex", 100, max)
		if want := []int64{x[0], x[1], free[0], free[1], other[0], other[1]}; !slices.Equal(got, want) {
			t.Errorf("group limit 2: got %v, want %v", got, want)
		}
		if err := s.FinishRun(ctx, x[0], state.RunSucceeded, "", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got, want := claim(t, s, "ex", 100, max), x[2:3]; !slices.Equal(got, want) {
			t.Errorf("after one finished: got %v, want %v", got, want)
		}
		for _, id := range []int64{x[1], x[2]} {
			if err := s.FinishRun(ctx, id, state.RunFailed, "", time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		if got := claim(t, s, "ex", 100, max); !slices.Equal(got, y) {
			t.Errorf("group emptied: got %v, want %v", got, y)
		}
	})
}

// A job at its limit with more queued runs than one page of the claim's
// scan does not hide the runs queued after them.
func TestClaimRunsDeepQueue(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		s := MustOpen(t, db)
		busy := queue(t, s, 300, "busy", "", 0)
		grouped := queue(t, s, 300, "g", "bf", 1)
		late := queue(t, s, 1, "late", "", 0)
		got := claim(t, s, "ex", 10, map[string]int{"g": 1000})
		if want := []int64{busy[0], grouped[0], late[0]}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

// Two Stores on two handles of one database (two processes, in effect)
// claim from many goroutines at once: every run is claimed exactly once,
// and a job's limit holds across them.
func TestClaimRunsRace(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		stores := []*state.Store{MustOpen(t, db), MustOpen(t, MustReopen(t, db))}
		var free []int64
		for j := range 10 {
			free = append(free, queue(t, stores[0], 20, fmt.Sprintf("job%d", j), "", 0)...)
		}
		limited := queue(t, stores[1], 30, "limited", "", 0)
		grouped := queue(t, stores[1], 30, "grouped", "g", 4)
		max := map[string]int{"limited": 3, "grouped": 1000}
		for j := range 10 {
			max[fmt.Sprintf("job%d", j)] = 1000
		}

		const workers = 16
		claimedBy := make([][]int64, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				s := stores[w%2]
				for {
					runs, err := s.ClaimRuns(ctx, fmt.Sprintf("ex%d", w), 3, max)
					if err != nil {
						errs[w] = err
						return
					}
					if len(runs) == 0 {
						return
					}
					claimedBy[w] = append(claimedBy[w], ids(runs)...)
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		seen := map[int64]int{}
		for w, got := range claimedBy {
			for _, id := range got {
				if prev, dup := seen[id]; dup {
					t.Errorf("run %d claimed by ex%d and ex%d", id, prev, w)
				}
				seen[id] = w
			}
		}
		want := len(free) + 3 + 4
		if len(seen) != want {
			t.Errorf("claimed %d runs, want %d", len(seen), want)
		}
		for _, id := range free {
			if _, ok := seen[id]; !ok {
				t.Errorf("run %d never claimed", id)
			}
		}
		for _, id := range append(limited[:3:3], grouped[:4]...) {
			if _, ok := seen[id]; !ok {
				t.Errorf("run %d (oldest of its job) not claimed", id)
			}
		}
		// The store agrees: each run's executor is its claimer.
		for id, w := range seen {
			r, err := stores[w%2].GetRun(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != state.RunRunning || r.Executor != fmt.Sprintf("ex%d", w) {
				t.Errorf("run %d: state %s executor %q, claimed by ex%d", id, r.State, r.Executor, w)
			}
		}
		for job, limit := range map[string]int{"limited": 3, "grouped": 4} {
			if n, _ := stores[0].CountRunning(ctx, job); n != limit {
				t.Errorf("%s: %d running, want %d", job, n, limit)
			}
		}
	})
}
