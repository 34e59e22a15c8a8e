package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

// fakeClock is a settable clock for the scheduler.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// scheduledTicks returns the logical times of a job's runs with a
// trigger, oldest first.
func (env *testEnv) scheduledTicks(job, trigger string) []string {
	env.t.Helper()
	runs, err := env.store.ListRuns(context.Background(), state.RunFilter{Job: job, Trigger: trigger, Limit: 1000})
	if err != nil {
		env.t.Fatal(err)
	}
	var out []string
	for i := len(runs) - 1; i >= 0; i-- {
		out = append(out, runs[i].LogicalTime.UTC().Format("15:04"))
	}
	return out
}

// The scheduler creates runs for due ticks: nothing for the past on the
// first look, the latest missed tick without catch-up, every missed tick
// (up to max_catch_up) with it; ticks are idempotent across two engines
// sharing one database; paused jobs let ticks pass.
func TestSchedulerDueTicks(t *testing.T) {
	metastoretest.ForEach(t, testSchedulerDueTicks)
}

func testSchedulerDueTicks(t *testing.T, db *metastore.DB) {
	clock := &fakeClock{t: mustTime(t, "2026-03-01T10:02:00Z")}
	a := newEnv(t, db, func(c *Config) { c.Now = clock.Now })
	b := newEnv(t, db, func(c *Config) { c.Now = clock.Now })
	a.deploy(`name: latest
schedule: {cron: "*/5 * * * *"}
tasks: [{key: t, exec: {command: ["true"]}}]
`, `name: catchup
schedule: {cron: "*/5 * * * *", catch_up: true, max_catch_up: 3}
tasks: [{key: t, exec: {command: ["true"]}}]
`, `name: paused
schedule: {cron: "*/5 * * * *", paused: true}
tasks: [{key: t, exec: {command: ["true"]}}]
`)
	ctx := testCtx(t)
	pass := func() {
		t.Helper()
		var wg sync.WaitGroup
		for _, env := range []*testEnv{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := env.e.triggers(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	pass()
	for _, j := range []string{"latest", "catchup", "paused"} {
		if got := a.scheduledTicks(j, "schedule"); len(got) != 0 {
			t.Errorf("%s: first look created runs %v; the past is not caught up", j, got)
		}
	}
	clock.Set(mustTime(t, "2026-03-01T10:04:59Z"))
	pass()
	if got := a.scheduledTicks("latest", "schedule"); len(got) != 0 {
		t.Errorf("before the tick: runs %v", got)
	}
	clock.Set(mustTime(t, "2026-03-01T10:05:00Z"))
	pass()
	pass()
	if got := fmt.Sprint(a.scheduledTicks("latest", "schedule")); got != "[10:05]" {
		t.Errorf("latest at 10:05: got %s", got)
	}
	// Down for a while: 10:10 … 10:30 missed.
	clock.Set(mustTime(t, "2026-03-01T10:31:00Z"))
	pass()
	if got := fmt.Sprint(a.scheduledTicks("latest", "schedule")); got != "[10:05 10:30]" {
		t.Errorf("without catch-up: got %s, want only the latest missed tick", got)
	}
	if got := fmt.Sprint(a.scheduledTicks("catchup", "schedule")); got != "[10:05 10:20 10:25 10:30]" {
		t.Errorf("with catch-up (max 3): got %s", got)
	}
	if got := a.scheduledTicks("paused", "schedule"); len(got) != 0 {
		t.Errorf("paused: got runs %v", got)
	}
	// Resumed: ticks passed while paused are not run.
	if err := a.store.SetPaused(ctx, "paused", false); err != nil {
		t.Fatal(err)
	}
	clock.Set(mustTime(t, "2026-03-01T10:36:00Z"))
	pass()
	if got := fmt.Sprint(a.scheduledTicks("paused", "schedule")); got != "[10:35]" {
		t.Errorf("resumed: got %s, want [10:35]", got)
	}
	runs, err := a.store.ListRuns(ctx, state.RunFilter{Job: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.State != state.RunQueued || r.TriggerKey != scheduleKey(r.LogicalTime) {
			t.Errorf("run %d: state %s key %q", r.ID, r.State, r.TriggerKey)
		}
	}
}

// fakeTables is a TableVersions with settable versions.
type fakeTables struct {
	mu sync.Mutex
	v  map[string]int64
}

func (f *fakeTables) TableVersion(_ context.Context, table string) (int64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.v[table]
	return v, ok, nil
}

func (f *fakeTables) set(table string, v int64) {
	f.mu.Lock()
	f.v[table] = v
	f.mu.Unlock()
}

// A table_updated trigger runs the job once per new table version; the
// first observation only records the version.
func TestTableUpdatedTrigger(t *testing.T) {
	tables := &fakeTables{v: map[string]int64{}}
	env := newEnv(t, nil, func(c *Config) { c.Tables = tables })
	env.deploy(`name: ontable
on: {table_updated: sales.orders}
tasks: [{key: t, exec: {command: ["true"]}}]
`)
	ctx := testCtx(t)
	pass := func() {
		t.Helper()
		if err := env.e.triggers(ctx); err != nil {
			t.Fatal(err)
		}
	}
	keys := func() []string {
		runs, err := env.store.ListRuns(ctx, state.RunFilter{Job: "ontable"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i := len(runs) - 1; i >= 0; i-- {
			if runs[i].Trigger != "table_updated" {
				t.Errorf("trigger %q", runs[i].Trigger)
			}
			out = append(out, runs[i].TriggerKey)
		}
		return out
	}
	pass() // the table does not exist yet
	tables.set("sales.orders", 3)
	pass() // first observation
	pass()
	if got := keys(); len(got) != 0 {
		t.Fatalf("runs before any change: %v", got)
	}
	tables.set("sales.orders", 4)
	pass()
	pass()
	tables.set("sales.orders", 6)
	pass()
	if got := fmt.Sprint(keys()); got != "[table:sales.orders@4 table:sales.orders@6]" {
		t.Errorf("got runs %s", got)
	}
}

// Serve runs queued runs respecting max_concurrent_runs: the second run
// of a max-1 job stays queued until the first ends.
func TestServeMaxConcurrentRuns(t *testing.T) {
	metastoretest.ForEach(t, testServeMaxConcurrentRuns)
}

func testServeMaxConcurrentRuns(t *testing.T, db *metastore.DB) {
	p := &probe{release: make(chan struct{})}
	env := newEnv(t, db, func(c *Config) { c.Runners = map[string]TaskRunner{"sql": p} })
	env.deploy(`name: one
max_concurrent_runs: 1
tasks: [{key: q, sql: {query: "SELECT 1"}}]
`)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	first, err := env.e.Submit(ctx, "one", SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := env.e.Submit(ctx, "one", SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	serveDone := make(chan error, 1)
	go func() { serveDone <- env.e.Serve(ctx) }()
	waitFor(t, "the first run's task to start", func() bool { return p.count() == 1 })
	// Give Serve several polls to (wrongly) claim the second run.
	time.Sleep(10 * env.e.cfg.PollInterval)
	r2, err := env.store.GetRun(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r2.State != state.RunQueued || p.count() != 1 {
		t.Fatalf("second run is %s with %d tasks started while the first runs; want queued", r2.State, p.count())
	}
	close(p.release)
	for _, id := range []int64{first.ID, second.ID} {
		r, err := env.e.Wait(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantRun(t, r, state.RunSucceeded)
	}
	if p.maxConcurrent() != 1 {
		t.Errorf("%d tasks of the job ran at once, want 1", p.maxConcurrent())
	}
	cancel()
	if err := <-serveDone; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
}

// Backfill creates one run per tick with the group limit: never more than
// Concurrency runs at once; a second backfill of the same range creates
// nothing.
func TestBackfillConcurrency(t *testing.T) {
	p := &probe{hold: 40 * time.Millisecond}
	env := newEnv(t, nil, func(c *Config) { c.Runners = map[string]TaskRunner{"sql": p} })
	env.deploy(`name: hourly
schedule: {cron: "0 * * * *", paused: true}
max_concurrent_runs: 10
parameters: {region: eu}
tasks: [{key: q, sql: {query: "SELECT 1"}}]
`)
	ctx := testCtx(t)
	from, to := mustTime(t, "2026-01-01T00:00:00Z"), mustTime(t, "2026-01-01T06:00:00Z")
	runs, err := env.e.Backfill(ctx, "hourly", BackfillOptions{From: from, To: to, Concurrency: 2, Params: map[string]string{"region": "us"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 6 {
		t.Fatalf("got %d runs, want 6 (00:00 … 05:00)", len(runs))
	}
	var ids []int64
	for i, r := range runs {
		if want := from.Add(time.Duration(i) * time.Hour); !r.LogicalTime.Equal(want) || r.Trigger != "backfill" || r.GroupLimit != 2 || r.Parameters["region"] != "us" {
			t.Errorf("run %d: logical %s trigger %s limit %d params %v", i, r.LogicalTime, r.Trigger, r.GroupLimit, r.Parameters)
		}
		ids = append(ids, r.ID)
	}
	if err := env.e.ExecuteQueued(ctx, ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		r, err := env.store.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantRun(t, r, state.RunSucceeded)
	}
	if m := p.maxConcurrent(); m != 2 {
		t.Errorf("%d runs at once, want 2", m)
	}
	again, err := env.e.Backfill(ctx, "hourly", BackfillOptions{From: from, To: to})
	if err != nil || len(again) != 0 {
		t.Errorf("second backfill: %d runs, %v; want none", len(again), err)
	}
	if _, err := env.e.Backfill(ctx, "hourly", BackfillOptions{From: from, To: to.Add(24 * time.Hour), Max: 10}); err == nil {
		t.Error("backfill over the limit: no error")
	}
	env.deploy(`name: unscheduled
tasks: [{key: q, exec: {command: ["true"]}}]
`)
	if _, err := env.e.Backfill(ctx, "unscheduled", BackfillOptions{From: from, To: to}); err == nil {
		t.Error("backfill of a job without schedule: no error")
	}
}
