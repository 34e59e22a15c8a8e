package table_test

import (
	"context"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/table"
)

// TestKilledWriters kills a writer process appending in a loop with
// SIGKILL at random moments, many times. After every kill the table must
// load, its current version's files must exist and read with iceberg-go,
// and it must hold exactly the rows of the appends that committed: whole
// batches, a prefix of each writer's batches, as many as the snapshot
// summaries say. RemoveOrphans then deletes what the killed writers left
// behind, and the table still reads.
func TestKilledWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel() // mostly waits for its processes
	const iterations = 30
	const maxDelay = 300 * time.Millisecond
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SLUICE_CRASH_SEED"); s != "" { // to replay a failure
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SLUICE_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (set SLUICE_CRASH_SEED to replay the kill times)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ctx := context.Background()
	dir := t.TempDir()
	cat := mustCatalogAt(t, dir)
	mustCreate(t, cat, "crash.t", "id BIGINT NOT NULL, name VARCHAR", table.CreateOptions{})
	batchRows := func(i int) int64 { return int64(1 + i%5) } // rows per append of writer i
	start := func(i int) *writer {
		return startWriter(t, dir, "crash.t", "loop",
			envBase+"="+itoa(int64(i)*1_000_000),
			envRows+"="+itoa(batchRows(i)))
	}
	// Writers take long to start (most of all with -race), so a few start
	// ahead and wait for their turn.
	const ahead = 3
	var queue []*writer
	for i := range min(ahead, iterations) {
		queue = append(queue, start(i))
	}
	for i := range iterations {
		w := queue[0]
		queue = queue[1:]
		if i+ahead < iterations {
			queue = append(queue, start(i+ahead))
		}
		w.expect(t, lineStarted)
		if _, err := io.WriteString(w.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(maxDelay)))) // the fault's random moment, not synchronization
		if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := w.wait()
		if ws, ok := w.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("writer %d ended before it was killed: %v; output:\n%s", i, err, w.Output())
		}
		checkAfterKill(t, mustLoad(t, cat, "crash.t"), i+1, batchRows)
	}
	tbl := mustLoad(t, cat, "crash.t")
	t.Logf("%d kills: %d versions, %d rows", iterations, tbl.CurrentVersion(), tbl.Describe().Rows)

	res, err := tbl.RemoveOrphans(ctx, time.Nanosecond, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("removed %d orphan files (%d bytes)", len(res.Files), res.SizeBytes)
	kinds := map[string]int{}
	for _, f := range res.Files {
		k := filepath.Base(filepath.Dir(f))
		switch {
		case strings.HasSuffix(f, ".metadata.json"):
			k += " metadata.json"
		case strings.Contains(f, "snap-"):
			k += " manifest list"
		case strings.HasSuffix(f, ".avro"):
			k += " manifest"
		}
		kinds[k]++
	}
	t.Logf("orphans by kind: %v", kinds)
	if kinds["data"] == 0 {
		t.Errorf("no orphan data files after %d kills of busy writers; did RemoveOrphans look?", iterations)
	}
	tbl = mustLoad(t, cat, "crash.t")
	checkAfterKill(t, tbl, iterations, batchRows)
	// Every data file left on disk belongs to the current version (the
	// table only had appends, so it holds every version's files).
	referenced := map[string]bool{}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range plan.Files {
		referenced[localPath(t, f.Path)] = true
	}
	var stray []string
	dataDir := filepath.Join(localPath(t, tbl.Describe().Location), "data")
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !referenced[p] {
			stray = append(stray, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stray) > 0 {
		t.Errorf("after RemoveOrphans, %d data files belong to no version, e.g. %s", len(stray), stray[0])
	}
	if again, err := tbl.RemoveOrphans(ctx, time.Nanosecond, true); err != nil || len(again.Files) > 0 {
		t.Errorf("second RemoveOrphans dry run: %d files, err %v; want none", len(again.Files), err)
	}
	// And the table still takes writes.
	if _, _, err := tbl.Append(ctx, idRows([]int64{-1}), table.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// checkAfterKill checks the table after writers 0..writers-1 were killed.
func checkAfterKill(t *testing.T, tbl *table.Table, writers int, batchRows func(int) int64) {
	t.Helper()
	mustDataFilesReadable(t, tbl)
	ids := mustScan(t, tbl).Ints(t, "id")
	d := tbl.Describe()
	if d.Rows != int64(len(ids)) {
		t.Fatalf("after kill %d: total-records of version %d is %d, iceberg-go read %d rows", writers, d.CurrentVersion, d.Rows, len(ids))
	}
	var sum int64
	for i, v := range tbl.History() {
		if v.Version != int64(i+1) || v.Operation != "append" {
			t.Fatalf("after kill %d: history entry %d is version %d, %s; want %d, append", writers, i, v.Version, v.Operation, i+1)
		}
		sum += v.AddedRows
	}
	if sum != int64(len(ids)) {
		t.Fatalf("after kill %d: versions added %d rows, iceberg-go read %d", writers, sum, len(ids))
	}
	// Writer i appended batches of batchRows(i) consecutive ids from
	// i*1e6: what committed must be whole batches, and a prefix of them.
	for i := range writers {
		lo := int64(i) * 1_000_000
		start, _ := slices.BinarySearch(ids, lo)
		end, _ := slices.BinarySearch(ids, lo+1_000_000)
		got := ids[start:end]
		if !slices.Equal(got, seq(lo, len(got))) || int64(len(got))%batchRows(i) != 0 {
			t.Fatalf("after kill %d: writer %d's rows are not whole batches of %d from %d: %v", writers, i, batchRows(i), lo, got)
		}
	}
	if _, err := os.Stat(localPath(t, tbl.Iceberg().MetadataLocation())); err != nil {
		t.Fatalf("after kill %d: current metadata file: %v", writers, err)
	}
}
