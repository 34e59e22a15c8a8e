package metastore_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

func mustExec(tb testing.TB, db *metastore.DB, query string) {
	tb.Helper()
	if _, err := db.ExecContext(context.Background(), query); err != nil {
		tb.Fatal(err)
	}
}

func insertN(ctx context.Context, db *metastore.DB, n int) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO t (n) VALUES (?)"), n)
		return err
	}
}

func rows(tb testing.TB, db *metastore.DB) []int {
	tb.Helper()
	r, err := db.QueryContext(context.Background(), "SELECT n FROM t ORDER BY n")
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var out []int
	for r.Next() {
		var n int
		if err := r.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		out = append(out, n)
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Concurrent writers all commit, on both backends.
func TestWriterConcurrent(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		mustExec(t, db, "CREATE TABLE t (n INTEGER)")
		w := db.Writer()
		if db.Writer() != w {
			t.Fatal("DB.Writer returned two Writers")
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16*50)
		for g := range 16 {
			wg.Go(func() {
				for i := range 50 {
					errs <- w.Write(ctx, insertN(ctx, db, g*50+i))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := rows(t, db)
		if len(got) != 800 {
			t.Fatalf("rows = %d, want 800", len(got))
		}
		for i, n := range got {
			if n != i {
				t.Fatalf("row %d = %d, want %d", i, n, i)
			}
		}
	})
}

// A failing write rolls back its own changes and returns its error.
func TestWriterRollback(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		mustExec(t, db, "CREATE TABLE t (n INTEGER)")
		boom := errors.New("boom")
		err := db.Writer().Write(ctx, func(tx *sql.Tx) error {
			if err := insertN(ctx, db, 1)(tx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want boom", err)
		}
		if err := db.Writer().Write(ctx, insertN(ctx, db, 2)); err != nil {
			t.Fatal(err)
		}
		if got := rows(t, db); !slices.Equal(got, []int{2}) {
			t.Errorf("rows = %v, want [2]", got)
		}
	})
}

// group lines writes up behind a leader whose write blocks until release
// is closed, so that the writes queued meanwhile form one group in the
// order given. It returns each write's error, the leader's first.
func group(t *testing.T, w *metastore.Writer, leader func(tx *sql.Tx) error, ctxs []context.Context, fns []func(tx *sql.Tx) error) []error {
	t.Helper()
	enqueued := make(chan struct{}, len(fns)+1)
	metastore.SetOnEnqueue(w, func() { enqueued <- struct{}{} })
	defer metastore.SetOnEnqueue(w, nil)
	started, release := make(chan struct{}), make(chan struct{})
	errs := make([]error, len(fns)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		errs[0] = w.Write(context.Background(), func(tx *sql.Tx) error {
			close(started)
			<-release
			return leader(tx)
		})
	})
	<-enqueued
	<-started
	for i, fn := range fns {
		wg.Go(func() { errs[i+1] = w.Write(ctxs[i], fn) })
		<-enqueued // keep the queue in the order given
	}
	close(release)
	wg.Wait()
	return errs
}

// Writes queued behind a transaction share the next one; a failing write
// rolls back alone, a canceled caller's write never runs, and the others
// see each other's changes and commit.
func TestWriterGroupCommit(t *testing.T) {
	db := metastoretest.Open(t, metastore.SQLite)
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE t (n INTEGER)")
	w := metastore.NewWriter(db)
	boom := errors.New("boom")
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	var seen int
	errs := group(t, w, insertN(ctx, db, 1),
		[]context.Context{ctx, ctx, ctx, canceled},
		[]func(tx *sql.Tx) error{
			insertN(ctx, db, 2),
			func(tx *sql.Tx) error {
				// The group's earlier write is visible: one transaction.
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM t WHERE n = 2").Scan(&seen); err != nil {
					return err
				}
				insertN(ctx, db, 3)(tx)
				return boom
			},
			insertN(ctx, db, 4),
			insertN(ctx, db, 5),
		})
	want := []error{nil, nil, boom, nil, context.Canceled}
	for i := range want {
		if !errors.Is(errs[i], want[i]) || (want[i] == nil && errs[i] != nil) {
			t.Errorf("write %d: got %v, want %v", i, errs[i], want[i])
		}
	}
	if seen != 1 {
		t.Errorf("the failing write saw %d rows of the write before it, want 1", seen)
	}
	if got := rows(t, db); !slices.Equal(got, []int{1, 2, 4}) {
		t.Errorf("rows = %v, want [1 2 4]", got)
	}
}

// A commit that fails (here a deferred foreign key) fails every write of
// the group, and none of their changes stay.
func TestWriterGroupCommitFailure(t *testing.T) {
	db := metastoretest.Open(t, metastore.SQLite)
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE t (n INTEGER)")
	mustExec(t, db, "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
	mustExec(t, db, "CREATE TABLE child (pid INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
	w := metastore.NewWriter(db)
	if err := w.Write(ctx, insertN(ctx, db, 1)); err != nil {
		t.Fatal(err)
	}
	orphan := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO child (pid) VALUES (42)")
		return err
	}
	errs := group(t, w, insertN(ctx, db, 2),
		[]context.Context{ctx, ctx, ctx},
		[]func(tx *sql.Tx) error{insertN(ctx, db, 3), orphan, insertN(ctx, db, 4)})
	if errs[0] != nil {
		t.Errorf("leader: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if err == nil {
			t.Errorf("write %d: nil error, want the failed commit's", i+1)
		}
	}
	if got := rows(t, db); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("rows = %v, want [1 2]", got)
	}
	// The failed transaction is gone: later writes commit, and every
	// connection sees them.
	for i := range 5 {
		if err := w.Write(ctx, insertN(ctx, db, 5+i)); err != nil {
			t.Fatalf("write after the failed commit: %v", err)
		}
	}
	for range 4 {
		if got := rows(t, db); !slices.Equal(got, []int{1, 2, 5, 6, 7, 8, 9}) {
			t.Errorf("rows = %v, want [1 2 5 6 7 8 9]", got)
		}
	}
	var n int
	db.QueryRowContext(ctx, "SELECT count(*) FROM child").Scan(&n)
	if n != 0 {
		t.Errorf("child rows = %d, want 0", n)
	}
}

// Two databases on one SQLite file (two processes, in effect) each with
// its own Writer: every write commits once.
func TestWriterTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/two.db"
	var dbs [2]*metastore.DB
	for i := range dbs {
		db, err := metastore.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	mustExec(t, dbs[0], "CREATE TABLE t (n INTEGER)")
	var wg sync.WaitGroup
	errs := make(chan error, 8*25)
	for g := range 8 {
		db := dbs[g%2]
		wg.Go(func() {
			for i := range 25 {
				errs <- db.Writer().Write(ctx, insertN(ctx, db, g*25+i))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := rows(t, dbs[1]); len(got) != 200 {
		t.Errorf("rows = %d, want 200", len(got))
	}
}
