package state_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

// MustOpen opens a Store on db, closed at cleanup.
func MustOpen(tb testing.TB, db *metastore.DB) *state.Store {
	tb.Helper()
	s, err := state.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustReopen opens a second handle (its own connection pool, as another
// process would have) on the database db is open on.
func MustReopen(tb testing.TB, db *metastore.DB) *metastore.DB {
	tb.Helper()
	ctx := context.Background()
	var other *metastore.DB
	var err error
	switch db.Dialect {
	case metastore.SQLite:
		var path string
		if err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
			tb.Fatal(err)
		}
		other, err = metastore.OpenSQLite(ctx, path)
	case metastore.Postgres:
		var name string
		if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
			tb.Fatal(err)
		}
		u, perr := url.Parse(metastoretest.PostgresURL(tb))
		if perr != nil {
			tb.Fatal(perr)
		}
		u.Path = "/" + name
		other, err = metastore.OpenPostgres(ctx, u.String())
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { other.Close() })
	return other
}

// MustCreate creates a run.
func MustCreate(tb testing.TB, s *state.Store, r state.NewRun) *state.Run {
	tb.Helper()
	run, created, err := s.CreateRun(context.Background(), r)
	if err != nil {
		tb.Fatal(err)
	}
	if !created {
		tb.Fatalf("CreateRun(%+v): created = false", r)
	}
	return run
}

// wantErr fails t unless err matches target (nil: no error).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Errorf("%s: %v, want no error", what, err)
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s: got %v, want %v", what, err, target)
	}
}

// at is a millisecond-precise test time, minutes after a fixed instant.
func at(min int) time.Time {
	return time.Date(2026, 3, 29, 1, 0, 0, 123_000_000, time.UTC).Add(time.Duration(min) * time.Minute)
}

func ptr[T any](v T) *T { return &v }

func TestOpenTwice(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		MustOpen(t, db)
		s := MustOpen(t, db) // migrations already applied
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestDeploy(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		_, err := s.GetJob(ctx, "etl")
		wantErr(t, "GetJob before deploy", err, state.ErrNotFound)

		before := time.Now().Add(-time.Second)
		j, changed, err := s.Deploy(ctx, "etl", []byte("name: etl\n"), json.RawMessage(`{"name":"etl"}`), "jobs/etl.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !changed || j.Version != 1 || j.Paused || string(j.Spec) != "name: etl\n" || string(j.SpecJSON) != `{"name":"etl"}` || j.SourcePath != "jobs/etl.yaml" {
			t.Errorf("first deploy: changed %v job %+v", changed, j)
		}
		if j.DeployedAt.Before(before) || j.DeployedAt.Location() != time.UTC || !j.CreatedAt.Equal(j.DeployedAt) {
			t.Errorf("first deploy: DeployedAt %v CreatedAt %v", j.DeployedAt, j.CreatedAt)
		}

		// Same bytes: nothing changes, not even the source path.
		j2, changed, err := s.Deploy(ctx, "etl", []byte("name: etl\n"), json.RawMessage(`{"name":"etl"}`), "elsewhere.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		if changed || j2.Version != 1 || j2.SourcePath != "jobs/etl.yaml" || !j2.DeployedAt.Equal(j.DeployedAt) {
			t.Errorf("unchanged deploy: changed %v job %+v", changed, j2)
		}

		// Paused is set, then kept by a changed deploy without setPaused.
		j3, changed, err := s.Deploy(ctx, "etl", []byte("name: etl\n"), nil, "jobs/etl.yaml", ptr(true))
		if err != nil {
			t.Fatal(err)
		}
		if changed || !j3.Paused || j3.Version != 1 {
			t.Errorf("pause on unchanged deploy: changed %v paused %v version %d", changed, j3.Paused, j3.Version)
		}
		j4, changed, err := s.Deploy(ctx, "etl", []byte("name: etl\nv: 2\n"), json.RawMessage(`{"v":2}`), "jobs/etl.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !changed || j4.Version != 2 || !j4.Paused || !j4.CreatedAt.Equal(j.CreatedAt) {
			t.Errorf("changed deploy: changed %v version %d paused %v created %v (want %v)", changed, j4.Version, j4.Paused, j4.CreatedAt, j.CreatedAt)
		}
		j5, _, err := s.Deploy(ctx, "etl", []byte("name: etl\nv: 3\n"), nil, "", ptr(false))
		if err != nil {
			t.Fatal(err)
		}
		if j5.Version != 3 || j5.Paused || string(j5.SpecJSON) != "null" {
			t.Errorf("third deploy: %+v", j5)
		}

		// Old versions stay readable.
		v1, err := s.JobVersion(ctx, "etl", 1)
		if err != nil {
			t.Fatal(err)
		}
		if string(v1.Spec) != "name: etl\n" || v1.Version != 1 {
			t.Errorf("version 1: %q v%d", v1.Spec, v1.Version)
		}
		_, err = s.JobVersion(ctx, "etl", 9)
		wantErr(t, "JobVersion 9", err, state.ErrNotFound)
		cur, err := s.GetJob(ctx, "etl")
		if err != nil {
			t.Fatal(err)
		}
		if cur.Version != 3 || string(cur.Spec) != "name: etl\nv: 3\n" {
			t.Errorf("current: v%d %q", cur.Version, cur.Spec)
		}

		// SetPaused, ListJobs by name.
		if err := s.SetPaused(ctx, "etl", true); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "SetPaused missing", s.SetPaused(ctx, "nope", true), state.ErrNotFound)
		for _, n := range []string{"b_job", "A-job", "a_job"} {
			if _, _, err := s.Deploy(ctx, n, []byte(n), nil, "", nil); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.ListJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, j := range list {
			names = append(names, fmt.Sprintf("%s:%d:%v", j.Name, j.Version, j.Paused))
		}
		if got, want := strings.Join(names, " "), "A-job:1:false a_job:1:false b_job:1:false etl:3:true"; got != want {
			t.Errorf("ListJobs = %s, want %s", got, want)
		}
	})
}

// A deleted job loses its versions and trigger state but not its runs;
// deployed again, it continues after the versions those runs name.
func TestDeleteJob(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		for i := range 2 {
			if _, _, err := s.Deploy(ctx, "etl", fmt.Appendf(nil, "v%d", i), nil, "", nil); err != nil {
				t.Fatal(err)
			}
		}
		run := MustCreate(t, s, state.NewRun{Job: "etl", JobVersion: 2, Trigger: "manual"})
		if err := s.SetTriggerState(ctx, "etl", "schedule", "2026-01-01T00:00:00Z"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteJob(ctx, "etl"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "DeleteJob again", s.DeleteJob(ctx, "etl"), state.ErrNotFound)
		_, err := s.GetJob(ctx, "etl")
		wantErr(t, "GetJob after delete", err, state.ErrNotFound)
		_, err = s.JobVersion(ctx, "etl", 1)
		wantErr(t, "JobVersion after delete", err, state.ErrNotFound)
		if _, ok, err := s.TriggerState(ctx, "etl", "schedule"); ok || err != nil {
			t.Errorf("trigger state after delete: ok %v err %v", ok, err)
		}
		if _, err := s.GetRun(ctx, run.ID); err != nil {
			t.Errorf("run after delete: %v", err)
		}
		j, changed, err := s.Deploy(ctx, "etl", []byte("v0"), nil, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !changed || j.Version != 3 {
			t.Errorf("redeploy: changed %v version %d, want true 3", changed, j.Version)
		}
	})
}

// Concurrent deployers of one new job: one stores version 1, the others
// find it unchanged; with different specs each gets its own version.
func TestDeployConcurrent(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		stores := []*state.Store{MustOpen(t, db), MustOpen(t, MustReopen(t, db))}
		const n = 8
		var wg sync.WaitGroup
		changed := make([]bool, n)
		versions := make([]int64, n)
		errs := make([]error, 2*n)
		for i := range n {
			wg.Go(func() {
				j, c, err := stores[i%2].Deploy(ctx, "same", []byte("spec"), nil, "", nil)
				errs[i] = err
				if err == nil {
					changed[i], versions[i] = c, j.Version
				}
			})
			wg.Go(func() {
				_, _, errs[n+i] = stores[i%2].Deploy(ctx, "many", fmt.Appendf(nil, "spec %d", i), nil, "", nil)
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		nChanged := 0
		for i := range n {
			if changed[i] {
				nChanged++
			}
			if versions[i] != 1 {
				t.Errorf("deployer %d got version %d, want 1", i, versions[i])
			}
		}
		if nChanged != 1 {
			t.Errorf("%d deployers stored a version, want 1", nChanged)
		}
		j, err := stores[0].GetJob(ctx, "many")
		if err != nil {
			t.Fatal(err)
		}
		if j.Version != n {
			t.Errorf("many: version %d, want %d", j.Version, n)
		}
	})
}

// DeployAll refuses the whole batch when one entry is bad.
func TestDeployAll(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db)
		_, err := s.DeployAll(ctx, []state.Deployment{{Name: "a", Spec: []byte("a")}, {Name: "b", Spec: []byte("b"), SpecJSON: json.RawMessage("{")}})
		if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
			t.Errorf("bad SpecJSON: %v", err)
		}
		_, err = s.DeployAll(ctx, []state.Deployment{{Name: "a", Spec: []byte("a")}, {Name: "a", Spec: []byte("b")}})
		if err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("duplicate: %v", err)
		}
		if list, _ := s.ListJobs(ctx); len(list) != 0 {
			t.Errorf("jobs after refused batches: %d", len(list))
		}
		out, err := s.DeployAll(ctx, []state.Deployment{{Name: "a", Spec: []byte("a")}, {Name: "b", Spec: []byte("b"), SetPaused: ptr(true)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[0].Job.Name != "a" || !out[0].Changed || out[1].Job.Name != "b" || !out[1].Job.Paused {
			t.Errorf("DeployAll = %+v", out)
		}
	})
}
