package state_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

func TestExecutors(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		if list, err := s.Executors(ctx); err != nil || len(list) != 0 {
			t.Errorf("no executors: %v, %v", list, err)
		}
		b := state.Executor{ID: "b", Host: "h2", PID: 20, StartedAt: at(0), HeartbeatAt: at(0)}
		a := state.Executor{ID: "a", Host: "h1", PID: 10, StartedAt: at(1), HeartbeatAt: at(1)}
		for _, e := range []state.Executor{b, a} {
			if err := s.RegisterExecutor(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Heartbeat(ctx, "a", at(5)); err != nil {
			t.Fatal(err)
		}
		a.HeartbeatAt = at(5)
		wantErr(t, "heartbeat of an unknown executor", s.Heartbeat(ctx, "zz", at(5)), state.ErrNotFound)
		list, err := s.Executors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(list, []state.Executor{a, b}, equalExecutor) {
			t.Errorf("executors\n got %+v\nwant %+v", list, []state.Executor{a, b})
		}
		// Registering again refreshes (a restarted process reusing its ID).
		b2 := state.Executor{ID: "b", Host: "h3", PID: 30, StartedAt: at(9), HeartbeatAt: at(9)}
		if err := s.RegisterExecutor(ctx, b2); err != nil {
			t.Fatal(err)
		}
		if err := s.UnregisterExecutor(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.UnregisterExecutor(ctx, "a"); err != nil {
			t.Errorf("unregister twice: %v", err)
		}
		list, _ = s.Executors(ctx)
		if !slices.EqualFunc(list, []state.Executor{b2}, equalExecutor) {
			t.Errorf("after refresh and unregister: %+v", list)
		}
		// Zero times mean now.
		before := time.Now().Add(-time.Second)
		if err := s.RegisterExecutor(ctx, state.Executor{ID: "c"}); err != nil {
			t.Fatal(err)
		}
		list, _ = s.Executors(ctx)
		if c := list[1]; c.ID != "c" || c.StartedAt.Before(before) || c.HeartbeatAt.Before(before) {
			t.Errorf("registered with zero times: %+v", c)
		}
		if err := s.RegisterExecutor(ctx, state.Executor{}); err == nil {
			t.Error("register without an ID: no error")
		}
	})
}

func equalExecutor(a, b state.Executor) bool {
	return a.ID == b.ID && a.Host == b.Host && a.PID == b.PID && a.StartedAt.Equal(b.StartedAt) && a.HeartbeatAt.Equal(b.HeartbeatAt)
}

func TestOrphansAndAdoption(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		for _, e := range []state.Executor{
			{ID: "alive", HeartbeatAt: at(10)},
			{ID: "stale", HeartbeatAt: at(1)},
			{ID: "dead-pid", HeartbeatAt: at(10)},
		} {
			if err := s.RegisterExecutor(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		MustCreate(t, s, state.NewRun{Job: "a", Executor: "alive"}) // not an orphan
		stale := MustCreate(t, s, state.NewRun{Job: "a", Executor: "stale"})
		gone := MustCreate(t, s, state.NewRun{Job: "a", Executor: "gone"})
		deadPID := MustCreate(t, s, state.NewRun{Job: "a", Executor: "dead-pid"})
		MustCreate(t, s, state.NewRun{Job: "a"}) // queued: no executor to lose
		ended := MustCreate(t, s, state.NewRun{Job: "a", Executor: "gone"})
		if err := s.FinishRun(ctx, ended.ID, state.RunSucceeded, "", at(2)); err != nil {
			t.Fatal(err)
		}

		orphans, err := s.OrphanedRuns(ctx, at(5), []string{"dead-pid"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(orphans), []int64{stale.ID, gone.ID, deadPID.ID}; !slices.Equal(got, want) {
			t.Errorf("orphans: got %v, want %v", got, want)
		}
		orphans, _ = s.OrphanedRuns(ctx, at(5), nil)
		if got, want := ids(orphans), []int64{stale.ID, gone.ID}; !slices.Equal(got, want) {
			t.Errorf("orphans without dead list: got %v, want %v", got, want)
		}
		orphans, _ = s.OrphanedRuns(ctx, time.Time{}, nil)
		if got, want := ids(orphans), []int64{gone.ID}; !slices.Equal(got, want) {
			t.Errorf("orphans, no staleness: got %v, want %v", got, want)
		}

		// Adopt: compare-and-set on the executor.
		if err := s.AdoptRun(ctx, stale.ID, "stale", "alive"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "adopt from the old owner again", s.AdoptRun(ctx, stale.ID, "stale", "other"), state.ErrConflict)
		wantErr(t, "adopt an ended run", s.AdoptRun(ctx, ended.ID, "gone", "alive"), state.ErrConflict)
		wantErr(t, "adopt a missing run", s.AdoptRun(ctx, 9999, "gone", "alive"), state.ErrNotFound)
		r, _ := s.GetRun(ctx, stale.ID)
		if r.Executor != "alive" || r.State != state.RunRunning {
			t.Errorf("adopted run: executor %q state %s", r.Executor, r.State)
		}

		// Many executors (on two handles) adopt one orphan: one wins.
		stores := []*state.Store{s, MustOpen(t, MustReopen(t, db))}
		const n = 12
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = stores[i%2].AdoptRun(ctx, gone.ID, "gone", string(rune('A'+i))) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("executors %c and %c both adopted run %d", 'A'+winner, 'A'+i, gone.ID)
			case err == nil:
				winner = i
			default:
				wantErr(t, "losing adopter", err, state.ErrConflict)
			}
		}
		r, _ = s.GetRun(ctx, gone.ID)
		if winner < 0 || r.Executor != string(rune('A'+winner)) {
			t.Errorf("run %d executor %q, winner %d", gone.ID, r.Executor, winner)
		}
	})
}

func TestTriggerState(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		if v, ok, err := s.TriggerState(ctx, "etl", "schedule"); ok || v != "" || err != nil {
			t.Errorf("unset: %q %v %v", v, ok, err)
		}
		set := func(job, kind, v string) {
			t.Helper()
			if err := s.SetTriggerState(ctx, job, kind, v); err != nil {
				t.Fatal(err)
			}
		}
		set("etl", "schedule", "2026-03-29T01:00:00Z")
		set("etl", "table_updated", "17")
		set("other", "schedule", "x")
		set("etl", "schedule", "2026-03-29T02:00:00Z")
		for _, c := range []struct{ job, kind, want string }{
			{"etl", "schedule", "2026-03-29T02:00:00Z"},
			{"etl", "table_updated", "17"},
			{"other", "schedule", "x"},
		} {
			v, ok, err := s.TriggerState(ctx, c.job, c.kind)
			if err != nil || !ok || v != c.want {
				t.Errorf("%s %s: %q %v %v, want %q", c.job, c.kind, v, ok, err, c.want)
			}
		}
	})
}
