package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
)

// testEnv is an engine over a real metadata database in a temporary
// directory.
type testEnv struct {
	t     testing.TB
	db    *metastore.DB
	store *state.Store
	e     *Engine
	dir   string // job files and scratch
}

// openSQLite opens a fresh SQLite metadata database for tb.
func openSQLite(tb testing.TB) (*metastore.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "meta.db")
	db, err := metastore.OpenSQLite(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

// newEnv returns an engine on db (a fresh SQLite one when nil); mod
// adjusts its Config.
func newEnv(tb testing.TB, db *metastore.DB, mod func(*Config)) *testEnv {
	tb.Helper()
	if db == nil {
		db, _ = openSQLite(tb)
	}
	st, err := state.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	env := &testEnv{t: tb, db: db, store: st, dir: tb.TempDir()}
	cfg := Config{
		Store:        st,
		LogDir:       filepath.Join(env.dir, "logs"),
		PollInterval: 20 * time.Millisecond,
		LeaseTimeout: 3 * time.Second,
		KillGrace:    time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	env.e = e
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return env
}

// ctx returns a context bounded for a test step.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// MustParseJob writes src as a job file in dir and parses it.
func MustParseJob(tb testing.TB, dir, src string) *spec.Job {
	tb.Helper()
	name := "job"
	for _, line := range strings.Split(src, "\n") {
		if v, ok := strings.CutPrefix(line, "name: "); ok {
			name = strings.TrimSpace(v)
			break
		}
	}
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	j, err := spec.ParseFile(path)
	if err != nil {
		tb.Fatalf("parse job:\n%v", err)
	}
	return j
}

// deploy parses and deploys job files.
func (env *testEnv) deploy(srcs ...string) []*spec.Job {
	env.t.Helper()
	var js []*spec.Job
	for _, s := range srcs {
		js = append(js, MustParseJob(env.t, env.dir, s))
	}
	if _, err := env.e.Deploy(testCtx(env.t), js); err != nil {
		env.t.Fatalf("Deploy: %v", err)
	}
	return js
}

// run submits a run of job in this engine and executes it to its end.
func (env *testEnv) run(job string, params map[string]string) *state.Run {
	env.t.Helper()
	ctx := testCtx(env.t)
	r, err := env.e.Submit(ctx, job, SubmitOptions{Params: params, Execute: true})
	if err != nil {
		env.t.Fatalf("Submit: %v", err)
	}
	final, err := env.e.Execute(ctx, r.ID)
	if err != nil {
		env.t.Fatalf("Execute: %v", err)
	}
	return final
}

// attempts returns a run's attempts by task key, by attempt number.
func (env *testEnv) attempts(runID int64) map[string][]state.TaskRun {
	env.t.Helper()
	trs, err := env.store.TaskRuns(context.Background(), runID)
	if err != nil {
		env.t.Fatal(err)
	}
	out := map[string][]state.TaskRun{}
	for _, tr := range trs {
		out[tr.Key] = append(out[tr.Key], tr)
	}
	for _, h := range out {
		for i := 1; i < len(h); i++ {
			for j := i; j > 0 && h[j].Attempt < h[j-1].Attempt; j-- {
				h[j], h[j-1] = h[j-1], h[j]
			}
		}
	}
	return out
}

// latest returns the latest attempt of each task key.
func (env *testEnv) latest(runID int64) map[string]state.TaskRun {
	out := map[string]state.TaskRun{}
	for k, h := range env.attempts(runID) {
		out[k] = h[len(h)-1]
	}
	return out
}

// wantRun fails unless run ended in st.
func wantRun(tb testing.TB, run *state.Run, st state.RunState) {
	tb.Helper()
	if run.State != st {
		tb.Fatalf("run %d: got state %s (%q), want %s", run.ID, run.State, run.Message, st)
	}
}

// waitFor polls cond (cross-goroutine or cross-process state in the
// store) until it holds or 20s pass.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// processGone reports whether pid no longer runs (gone or a zombie).
func processGone(pid int) bool { return !pidAlive(pid) }

// readPID reads a PID written to a file by a task.
func readPID(tb testing.TB, path string) int {
	tb.Helper()
	var pid int
	waitFor(tb, "pid file "+path, func() bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	return pid
}

// probe is an in-process task runner that records how many of its
// attempts run at once; each attempt waits hold (or until release is
// closed, when set), and fails when its task's vars say fail=ITEM.
type probe struct {
	mu      sync.Mutex
	cur     int
	max     int
	started []string
	hold    time.Duration
	release chan struct{}
	failOn  string
}

func (p *probe) Run(ctx context.Context, tc *TaskContext) (map[string]json.RawMessage, error) {
	p.mu.Lock()
	p.cur++
	p.max = max(p.max, p.cur)
	p.started = append(p.started, tc.Key)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.cur--
		p.mu.Unlock()
	}()
	fmt.Fprintf(tc.Log, "probe %s item=%s\n", tc.Key, tc.Vars["item"])
	if p.release != nil {
		select {
		case <-p.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if p.hold > 0 {
		t := time.NewTimer(p.hold)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if p.failOn != "" && tc.Vars["item"] == p.failOn {
		return nil, fmt.Errorf("probe: item %s fails", p.failOn)
	}
	return map[string]json.RawMessage{"key": json.RawMessage(strconv.Quote(tc.Key))}, nil
}

func (p *probe) maxConcurrent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.max
}

func (p *probe) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.started)
}
