package table_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/table"
)

// Environment of the writer processes started by the multi-process tests.
const (
	envWriter  = "SLUICE_TABLE_WRITER" // role: append, rewrite or loop
	envDir     = "SLUICE_TABLE_DIR"    // directory of the catalog and warehouse
	envTable   = "SLUICE_TABLE_NAME"
	envBase    = "SLUICE_TABLE_BASE"    // first id the writer appends
	envBatches = "SLUICE_TABLE_BATCHES" // number of appends (role append)
	envRows    = "SLUICE_TABLE_ROWS"    // rows per append
)

// Lines a writer process prints on stdout for its parent.
const (
	lineStarted  = "WRITER STARTED"  // loop: catalog open, waiting on stdin to start appending
	lineReady    = "WRITER READY"    // rewrite: files written, waiting on stdin to commit
	lineOK       = "WRITER OK"       // rewrite: committed
	lineConflict = "WRITER CONFLICT" // rewrite: failed with ErrConflict; the message follows
)

func envInt(t *testing.T, key string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(os.Getenv(key), 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", key, os.Getenv(key), err)
	}
	return n
}

// TestWriterProcess is the body of the writer processes the multi-process
// tests start by re-executing the test binary; it is skipped otherwise.
//
//   - append: appends SLUICE_TABLE_BATCHES batches of SLUICE_TABLE_ROWS
//     consecutive ids from SLUICE_TABLE_BASE, one commit each.
//   - loop: the same, forever (until killed), after printing lineStarted
//     and reading a line from stdin.
//   - rewrite: plans the table, writes a copy of its rows without the ids
//     from SLUICE_TABLE_BASE on (a delete), prints lineReady, waits for a
//     line on stdin and commits, printing lineOK or lineConflict.
func TestWriterProcess(t *testing.T) {
	role := os.Getenv(envWriter)
	if role == "" {
		t.Skip("runs only as a writer process of the multi-process tests")
	}
	ctx := context.Background()
	cat := mustCatalogAt(t, os.Getenv(envDir))
	stdin := bufio.NewReader(os.Stdin)
	if role == "loop" {
		fmt.Println(lineStarted)
		if _, err := stdin.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	tbl := mustLoad(t, cat, os.Getenv(envTable))
	switch role {
	case "append", "loop":
		base, n := envInt(t, envBase), int(envInt(t, envRows))
		batches := int64(-1)
		if role == "append" {
			batches = envInt(t, envBatches)
		}
		for b := int64(0); batches < 0 || b < batches; b++ {
			var err error
			if tbl, _, err = tbl.Append(ctx, idRows(seq(base+b*int64(n), n)), table.WriteOptions{}); err != nil {
				t.Fatalf("append batch %d: %v", b, err)
			}
		}
	case "rewrite":
		_, err := deleteFrom(ctx, tbl, envInt(t, envBase), func() error {
			fmt.Println(lineReady)
			_, err := stdin.ReadString('\n')
			return err
		})
		switch {
		case err == nil:
			fmt.Println(lineOK)
		case errors.Is(err, table.ErrConflict):
			fmt.Println(lineConflict, strings.ReplaceAll(err.Error(), "\n", " "))
		default:
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown %s=%q", envWriter, role)
	}
}

// deleteFrom deletes the rows with id >= from the way DELETE does:
// it reads the current version, writes the rows to keep and replaces all
// data files with them in one Rewrite based on the planned snapshot.
func deleteFrom(ctx context.Context, tbl *table.Table, from int64, before func() error) (*table.Table, error) {
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		return nil, err
	}
	s, err := scanTable(ctx, tbl)
	if err != nil {
		return nil, err
	}
	idx := s.Schema.FieldIndices("id")
	if len(idx) != 1 {
		return nil, fmt.Errorf("scan of %s has no id column", tbl.Ident())
	}
	var keep []int64
	for _, r := range s.Rows {
		if id := r[idx[0]].(int64); id < from {
			keep = append(keep, id)
		}
	}
	remove := make([]string, len(plan.Files))
	for i, f := range plan.Files {
		remove[i] = f.Path
	}
	nt, _, err := tbl.Rewrite(ctx, plan.Snapshot, remove, []array.RecordReader{idRows(keep)}, table.WriteOptions{Operation: "DELETE", BeforeCommit: before})
	return nt, err
}

// writer is a running writer process.
type writer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string  // stdout lines; closed at EOF
	wait   func() error // waits for the process to exit
	mu     sync.Mutex
	output strings.Builder // everything it printed, for failure messages
}

// startWriter re-executes the test binary as a writer process with the
// given role and environment. The process is killed (if still running)
// and reaped when tb ends.
func startWriter(tb testing.TB, dir, name, role string, env ...string) *writer {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriterProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envWriter+"="+role, envDir+"="+dir, envTable+"="+name)
	cmd.Env = append(cmd.Env, env...)
	w := &writer{cmd: cmd, lines: make(chan string, 64)}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{w: w}
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { // owned by the cleanup below, which waits for it
		defer close(done)
		defer close(w.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.mu.Lock()
			w.output.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
			w.lines <- sc.Text()
		}
		// Drain so that a process blocked on a full pipe can exit.
		io.Copy(io.Discard, stdout)
	}()
	tb.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			for range w.lines {
			}
			<-done
			cmd.Wait()
		}
	})
	w.wait = func() error {
		for range w.lines {
		}
		<-done
		return cmd.Wait()
	}
	return w
}

type lockedWriter struct{ w *writer }

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	return l.w.output.Write(p)
}

// Output returns what the process printed so far.
func (w *writer) Output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.output.String()
}

// expect reads stdout lines until one starts with prefix and returns it;
// it fails when the process ends first.
func (w *writer) expect(tb testing.TB, prefix string) string {
	tb.Helper()
	for l := range w.lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	tb.Fatalf("writer ended without printing %q; output:\n%s", prefix, w.Output())
	return ""
}

func TestAppendProcessesConcurrently(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel() // mostly waits for its processes
	const n, k, batch = 4, 20, 5
	dir := t.TempDir()
	cat := mustCatalogAt(t, dir)
	mustCreate(t, cat, "conc.appends", "id BIGINT NOT NULL, name VARCHAR", table.CreateOptions{})
	ws := make([]*writer, n)
	for i := range ws {
		ws[i] = startWriter(t, dir, "conc.appends", "append",
			fmt.Sprintf("%s=%d", envBase, int64(i)*1_000_000),
			fmt.Sprintf("%s=%d", envBatches, k),
			fmt.Sprintf("%s=%d", envRows, batch))
	}
	for i, w := range ws {
		if err := w.wait(); err != nil {
			t.Errorf("writer %d: %v; output:\n%s", i, err, w.Output())
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	var want []int64
	for i := range n {
		want = append(want, seq(int64(i)*1_000_000, k*batch)...)
	}
	checkAppends(t, mustLoad(t, cat, "conc.appends"), want, n*k)
}

// checkAppends checks a table built only by appends: iceberg-go reads
// every id of want exactly once, there is one version per append,
// numbered 1..appends, and the summaries agree with the data.
func checkAppends(t *testing.T, tbl *table.Table, want []int64, appends int) {
	t.Helper()
	got := mustScan(t, tbl).Ints(t, "id")
	if !slices.Equal(got, want) {
		t.Errorf("ids read: %d rows, want %d (each appended id exactly once); first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	h := tbl.History()
	if len(h) != appends {
		t.Fatalf("versions = %d, want %d", len(h), appends)
	}
	var sum int64
	for i, v := range h {
		if v.Version != int64(i+1) {
			t.Fatalf("version %d of history is numbered %d, want %d", i, v.Version, i+1)
		}
		if v.Operation != "append" {
			t.Errorf("version %d operation = %q, want append", v.Version, v.Operation)
		}
		sum += v.AddedRows
		if v.TotalRows != sum {
			t.Errorf("version %d: total-records %d, want the sum of added rows %d", v.Version, v.TotalRows, sum)
		}
	}
	if tbl.CurrentVersion() != int64(appends) || sum != int64(len(want)) {
		t.Errorf("current version %d rows %d, want %d and %d", tbl.CurrentVersion(), sum, appends, len(want))
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestAppendGoroutinesConcurrently(t *testing.T) {
	const n, k, batch = 4, 10, 3
	ctx := context.Background()
	cat := mustCatalog(t)
	mustCreate(t, cat, "conc.goroutines", "id BIGINT, name VARCHAR", table.CreateOptions{})
	g, ctx := errgroup.WithContext(ctx)
	for i := range n {
		g.Go(func() error {
			tbl, err := cat.Load(ctx, table.Ident{Namespace: "conc", Name: "goroutines"})
			if err != nil {
				return err
			}
			for b := range k {
				if tbl, _, err = tbl.Append(ctx, idRows(seq(int64(i*1000+b*batch), batch)), table.WriteOptions{}); err != nil {
					return fmt.Errorf("writer %d batch %d: %w", i, b, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	var want []int64
	for i := range n {
		want = append(want, seq(int64(i*1000), k*batch)...)
	}
	checkAppends(t, mustLoad(t, cat, "conc.goroutines"), want, n*k)
}

// TestConflictingRewriteProcesses has two processes delete different rows
// from the same version: both plan and write their files, then commit at
// the same moment. Exactly one may win; the other must fail with
// ErrConflict and leave the table as the winner made it.
func TestConflictingRewriteProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel() // mostly waits for its processes
	ctx := context.Background()
	dir := t.TempDir()
	cat := mustCatalogAt(t, dir)
	tbl := mustCreate(t, cat, "conc.rewrites", "id BIGINT, name VARCHAR", table.CreateOptions{})
	var err error
	for b := range 3 {
		if tbl, _, err = tbl.Append(ctx, idRows(seq(int64(b*10), 10)), table.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Writer 0 deletes ids >= 20, writer 1 ids >= 5.
	froms := []int64{20, 5}
	ws := make([]*writer, len(froms))
	for i, from := range froms {
		ws[i] = startWriter(t, dir, "conc.rewrites", "rewrite", fmt.Sprintf("%s=%d", envBase, from))
	}
	for _, w := range ws {
		w.expect(t, lineReady)
	}
	// Both have planned version 3 and written their files: let them race.
	for _, w := range ws {
		if _, err := io.WriteString(w.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	results := make([]string, len(ws))
	for i, w := range ws {
		results[i] = w.expect(t, "WRITER ")
		if err := w.wait(); err != nil {
			t.Fatalf("writer %d: %v; output:\n%s", i, err, w.Output())
		}
	}
	winner := -1
	for i, r := range results {
		switch {
		case r == lineOK:
			if winner >= 0 {
				t.Fatalf("both conflicting rewrites committed: %q", results)
			}
			winner = i
		case strings.HasPrefix(r, lineConflict):
			checkConflictMessage(t, strings.TrimPrefix(r, lineConflict+" "))
		default:
			t.Fatalf("writer %d: %q", i, r)
		}
	}
	if winner < 0 {
		t.Fatalf("neither rewrite committed: %q", results)
	}
	cur := mustLoad(t, cat, "conc.rewrites")
	if got := mustScan(t, cur).Ints(t, "id"); !slices.Equal(got, seq(0, int(froms[winner]))) {
		t.Fatalf("ids after the winning delete of ids >= %d: %v", froms[winner], got)
	}
	if cur.CurrentVersion() != 4 || len(cur.History()) != 4 {
		t.Fatalf("version %d with %d versions, want 4 and 4", cur.CurrentVersion(), len(cur.History()))
	}
	mustDataFilesReadable(t, cur)
}

// checkConflictMessage checks that a conflict error tells the user what
// happened and what to do.
func checkConflictMessage(t *testing.T, msg string) {
	t.Helper()
	for _, want := range []string{"conc.rewrites", table.ErrConflict.Error(), "nothing was written", "run it again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("conflict message %q does not mention %q", msg, want)
		}
	}
}

func TestConflictingRewriteGoroutines(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "conc.rewrites", "id BIGINT, name VARCHAR", table.CreateOptions{})
	var err error
	for b := range 3 {
		if tbl, _, err = tbl.Append(ctx, idRows(seq(int64(b*10), 10)), table.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	froms := []int64{20, 5}
	// Both rewrites reach BeforeCommit before either commits.
	var ready sync.WaitGroup
	ready.Add(len(froms))
	errs := make([]error, len(froms))
	var wg sync.WaitGroup
	for i, from := range froms {
		wg.Go(func() {
			_, errs[i] = deleteFrom(ctx, tbl, from, func() error {
				ready.Done()
				ready.Wait()
				return nil
			})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatal("both conflicting rewrites committed")
			}
			winner = i
		case errors.Is(err, table.ErrConflict):
			checkConflictMessage(t, err.Error())
		default:
			t.Fatalf("rewrite %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("neither rewrite committed: %v", errs)
	}
	cur := mustLoad(t, cat, "conc.rewrites")
	if got := mustScan(t, cur).Ints(t, "id"); !slices.Equal(got, seq(0, int(froms[winner]))) {
		t.Fatalf("ids after the winning delete of ids >= %d: %v", froms[winner], got)
	}
	if cur.CurrentVersion() != 4 {
		t.Fatalf("version %d, want 4", cur.CurrentVersion())
	}
}

// TestRewriteAfterConcurrentAppend: a delete planned before another
// writer's append must not commit (it would drop the appended rows).
func TestRewriteAfterConcurrentAppend(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "conc.mixed", "id BIGINT, name VARCHAR", table.CreateOptions{})
	tbl, _, err := tbl.Append(ctx, idRows(seq(0, 10)), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = deleteFrom(ctx, tbl, 5, func() error {
		// Another writer appends after the delete planned.
		other := mustLoad(t, cat, "conc.mixed")
		_, _, err := other.Append(ctx, idRows(seq(100, 3)), table.WriteOptions{})
		return err
	})
	if !errors.Is(err, table.ErrConflict) {
		t.Fatalf("delete planned before a concurrent append: err = %v, want ErrConflict", err)
	}
	cur := mustLoad(t, cat, "conc.mixed")
	want := append(seq(0, 10), seq(100, 3)...)
	if got := mustScan(t, cur).Ints(t, "id"); !slices.Equal(got, want) {
		t.Fatalf("ids = %v, want %v", got, want)
	}
}

// scoreRows builds a reader with id, name and a new double column score.
func scoreRows(tb testing.TB, ids []int64, score float64) array.RecordReader {
	tb.Helper()
	names := make([]string, len(ids))
	scores := make([]float64, len(ids))
	for i, id := range ids {
		names[i], scores[i] = fmt.Sprintf("n%d", id), score
	}
	return recordsOf(tb, []arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, int64Array(ids, nil), stringArray(names, nil), float64Array(scores, nil))
}

// TestAppendRetryAcrossSchemaEvolution races appends that evolve the
// schema: the loser of each race replays its already written files on top
// of the winner's schema.
func TestAppendRetryAcrossSchemaEvolution(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		merge [2]bool // whether each writer adds the column score
	}{
		{"both add the same column", [2]bool{true, true}},
		{"one adds a column", [2]bool{true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat := mustCatalog(t)
			tbl := mustCreate(t, cat, "conc.evolve", "id BIGINT, name VARCHAR", table.CreateOptions{})
			var ready sync.WaitGroup
			ready.Add(2)
			barrier := func() error { ready.Done(); ready.Wait(); return nil }
			g, ctx := errgroup.WithContext(ctx)
			for i, merge := range tc.merge {
				g.Go(func() error {
					rdr := idRows(seq(int64(i*10), 3))
					if merge {
						rdr = scoreRows(t, seq(int64(i*10), 3), float64(i+1))
					}
					_, _, err := tbl.Append(ctx, rdr, table.WriteOptions{MergeSchema: merge, BeforeCommit: barrier})
					return err
				})
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			cur := mustLoad(t, cat, "conc.evolve")
			if got := table.FormatSchema(cur.Schema()); got != "id BIGINT, name VARCHAR, score DOUBLE" {
				t.Fatalf("schema = %s", got)
			}
			s := mustScan(t, cur)
			if got := s.Ints(t, "id"); !slices.Equal(got, []int64{0, 1, 2, 10, 11, 12}) {
				t.Fatalf("ids = %v", got)
			}
			ids, scores := s.Col(t, "id"), s.Col(t, "score")
			for r := range ids {
				w := ids[r].(int64) / 10
				var want any
				if tc.merge[w] {
					want = float64(w + 1)
				}
				if scores[r] != want {
					t.Errorf("id %d: score = %v, want %v", ids[r], scores[r], want)
				}
			}
			if cur.CurrentVersion() != 2 {
				t.Errorf("version = %d, want 2", cur.CurrentVersion())
			}
		})
	}
}

// TestAppendRetryDoesNotCrossTables: an append whose table is dropped and
// created again before it commits must not land in the new table.
func TestAppendRetryDoesNotCrossTables(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "conc.recreated", "id BIGINT, name VARCHAR", table.CreateOptions{})
	if _, _, err := tbl.Append(ctx, idRows(seq(0, 2)), table.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _, err := tbl.Append(ctx, idRows(seq(10, 2)), table.WriteOptions{BeforeCommit: func() error {
		if err := cat.Drop(ctx, tbl.Ident(), false); err != nil {
			return err
		}
		mustCreate(t, cat, "conc.recreated", "id BIGINT, name VARCHAR", table.CreateOptions{})
		return nil
	}})
	if !errors.Is(err, table.ErrConflict) || !strings.Contains(err.Error(), "created again") {
		t.Fatalf("append to a table recreated meanwhile: err = %v, want ErrConflict", err)
	}
	if cur := mustLoad(t, cat, "conc.recreated"); cur.CurrentVersion() != 0 {
		t.Fatalf("recreated table has version %d, want 0 (no rows)", cur.CurrentVersion())
	}
}

// TestStaleMaintenance runs compaction, expiry and rollback on a table
// value loaded before another writer's append: none may lose the append.
func TestStaleMaintenance(t *testing.T) {
	ctx := context.Background()
	for _, op := range []string{"compact", "expire", "rollback"} {
		t.Run(op, func(t *testing.T) {
			cat := mustCatalog(t)
			tbl := mustCreate(t, cat, "conc.stale", "id BIGINT, name VARCHAR", table.CreateOptions{})
			var err error
			for b := range 3 {
				if tbl, _, err = tbl.Append(ctx, idRows(seq(int64(b*10), 2)), table.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			stale := tbl
			if _, _, err := mustLoad(t, cat, "conc.stale").Append(ctx, idRows([]int64{99}), table.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			switch op {
			case "compact":
				_, _, err = stale.Compact(ctx, table.CompactOptions{})
			case "expire":
				_, _, err = stale.Expire(ctx, table.ExpireOptions{RetainLast: 1})
			case "rollback":
				_, err = stale.Rollback(ctx, 1)
			}
			if !errors.Is(err, table.ErrConflict) {
				t.Errorf("%s of a stale table: err = %v, want ErrConflict", op, err)
			}
			cur := mustLoad(t, cat, "conc.stale")
			if got := mustScan(t, cur).Ints(t, "id"); !slices.Equal(got, []int64{0, 1, 10, 11, 20, 21, 99}) {
				t.Fatalf("ids after a stale %s = %v", op, got)
			}
			if cur.CurrentVersion() != 4 || len(cur.History()) != 4 {
				t.Fatalf("after a stale %s: version %d with %d versions, want 4 and 4", op, cur.CurrentVersion(), len(cur.History()))
			}
		})
	}
}

// TestAppendRetryBudget: with commit.retry.num-retries = 0 the loser of a
// race fails with ErrConflict, naming the property to raise; a bad value of
// the property is reported by name.
func TestAppendRetryBudget(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "conc.budget", "id BIGINT, name VARCHAR", table.CreateOptions{Properties: map[string]string{"commit.retry.num-retries": "0"}})
	var ready sync.WaitGroup
	ready.Add(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, _, errs[i] = tbl.Append(ctx, idRows([]int64{int64(i)}), table.WriteOptions{BeforeCommit: func() error { ready.Done(); ready.Wait(); return nil }})
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors = %v; want exactly one append to fail", errs)
	}
	err := errors.Join(errs...)
	if !errors.Is(err, table.ErrConflict) || !strings.Contains(err.Error(), "commit.retry.num-retries") {
		t.Fatalf("losing append: %v; want ErrConflict naming commit.retry.num-retries", err)
	}
	if got := mustScan(t, mustLoad(t, cat, "conc.budget")).Ints(t, "id"); len(got) != 1 {
		t.Fatalf("ids = %v, want the winner's only", got)
	}

	bad := mustCreate(t, cat, "conc.bad", "id BIGINT, name VARCHAR", table.CreateOptions{Properties: map[string]string{"commit.retry.min-wait-ms": "soon"}})
	if _, _, err := bad.Append(ctx, idRows([]int64{1}), table.WriteOptions{}); err == nil || !strings.Contains(err.Error(), `commit.retry.min-wait-ms="soon"`) {
		t.Fatalf("append with a bad retry property: %v", err)
	}
}
