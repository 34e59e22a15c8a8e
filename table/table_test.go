package table_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/table"
)

func mustCatalog(tb testing.TB) *table.Catalog {
	tb.Helper()
	dir := tb.TempDir()
	db, err := metastore.OpenSQLite(context.Background(), filepath.Join(dir, "catalog.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cat, err := table.Open(context.Background(), db.DB, db.Dialect, "file://"+filepath.Join(dir, "warehouse"))
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// rows builds a reader with an int64 "id" and a string "name" column.
func rows(ids []int64, names []string) array.RecordReader {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(names, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	return rdr
}

func mustCreate(tb testing.TB, cat *table.Catalog, name, schema string, opts table.CreateOptions) *table.Table {
	tb.Helper()
	cols, err := table.ParseSchema(schema)
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := table.NewSchema(cols)
	if err != nil {
		tb.Fatal(err)
	}
	id, err := table.ParseIdent(name)
	if err != nil {
		tb.Fatal(err)
	}
	tbl, err := cat.CreateTable(context.Background(), id, sc, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return tbl
}

func countRows(tb testing.TB, tbl *table.Table, snap *itable.Snapshot) int64 {
	tb.Helper()
	plan, err := tbl.Plan(context.Background(), snap)
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, f := range plan.Files {
		n += f.Records
	}
	return n
}

func TestAppendHistoryRollback(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "people", "id BIGINT, name VARCHAR", table.CreateOptions{})
	if got := tbl.CurrentVersion(); got != 0 {
		t.Fatalf("new table version = %d, want 0", got)
	}
	tbl, info, err := tbl.Append(ctx, rows([]int64{1, 2}, []string{"a", "b"}), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 1 || info.RowsWritten != 2 {
		t.Fatalf("first append = %+v, want version 1 with 2 rows", info)
	}
	tbl, info, err = tbl.Append(ctx, rows([]int64{3}, []string{"c"}), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 2 {
		t.Fatalf("second append version = %d, want 2", info.Version)
	}
	if got := countRows(t, tbl, nil); got != 3 {
		t.Fatalf("rows now = %d, want 3", got)
	}
	v1, err := tbl.SnapshotAtVersion(1)
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, tbl, v1); got != 2 {
		t.Fatalf("rows at version 1 = %d, want 2", got)
	}
	h := tbl.History()
	if len(h) != 2 || h[0].Version != 1 || h[1].Version != 2 || !h[1].Current || h[1].AddedRows != 1 || h[1].TotalRows != 3 {
		t.Fatalf("history = %+v", h)
	}
	tbl, err = tbl.Rollback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, tbl, nil); got != 2 {
		t.Fatalf("rows after rollback = %d, want 2", got)
	}
	// A new commit after a rollback gets the next version number.
	tbl, info, err = tbl.Append(ctx, rows([]int64{9}, []string{"z"}), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 3 || countRows(t, tbl, nil) != 3 {
		t.Fatalf("append after rollback: version %d rows %d, want 3 and 3", info.Version, countRows(t, tbl, nil))
	}
	// Version 2 is still reachable and can be made current again.
	tbl, err = tbl.Rollback(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, tbl, nil); got != 3 {
		t.Fatalf("rows after roll forward to 2 = %d, want 3", got)
	}
	if _, err := tbl.SnapshotAtVersion(7); !errors.Is(err, table.ErrNoVersion) || !strings.Contains(err.Error(), "1-3") {
		t.Fatalf("missing version error = %v", err)
	}
}

func TestSchemaEnforcement(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "s.t", "id INTEGER, name BOOLEAN, score DOUBLE NOT NULL", table.CreateOptions{})
	_, _, err := tbl.Append(ctx, rows([]int64{1}, []string{"a"}), table.WriteOptions{})
	var sm *table.SchemaMismatchError
	if !errors.As(err, &sm) {
		t.Fatalf("append error = %v, want *SchemaMismatchError", err)
	}
	got := map[string]table.Mismatch{}
	for _, m := range sm.Mismatches {
		got[m.Column] = m
	}
	if len(got) != 3 {
		t.Fatalf("mismatches = %+v, want id, name and score", sm.Mismatches)
	}
	if got["id"].TableType != "INTEGER" || got["id"].IncomingType != "BIGINT" || !strings.Contains(got["id"].Reason, "--merge-schema") {
		t.Errorf("id mismatch = %+v", got["id"])
	}
	if got["name"].TableType != "BOOLEAN" || got["name"].IncomingType != "VARCHAR" {
		t.Errorf("name mismatch = %+v", got["name"])
	}
	if !strings.Contains(got["score"].Reason, "required") {
		t.Errorf("score mismatch = %+v", got["score"])
	}
}

func TestMergeSchema(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "m", "id INTEGER", table.CreateOptions{})
	_, _, err := tbl.Append(ctx, rows([]int64{1}, []string{"a"}), table.WriteOptions{})
	if err == nil {
		t.Fatal("append of a wider schema without merge succeeded")
	}
	tbl, info, err := tbl.Append(ctx, rows([]int64{1 << 40}, []string{"a"}), table.WriteOptions{MergeSchema: true})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 1 {
		t.Fatalf("version = %d", info.Version)
	}
	if got := table.FormatSchema(tbl.Schema()); got != "id BIGINT, name VARCHAR" {
		t.Fatalf("schema after merge = %q", got)
	}
}

func TestRewriteConflict(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "r", "id BIGINT, name VARCHAR", table.CreateOptions{})
	tbl, _, err := tbl.Append(ctx, rows([]int64{1, 2, 3}, []string{"a", "b", "c"}), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stale := tbl
	// Another writer appends meanwhile.
	if _, _, err := tbl.Append(ctx, rows([]int64{4}, []string{"d"}), table.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _, err = stale.Rewrite(ctx, plan.Snapshot, []string{plan.Files[0].Path}, []array.RecordReader{rows([]int64{1}, []string{"a"})}, table.WriteOptions{Operation: "DELETE"})
	if !errors.Is(err, table.ErrConflict) {
		t.Fatalf("stale rewrite error = %v, want ErrConflict", err)
	}
	cur, err := cat.Load(ctx, tbl.Ident())
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, cur, nil); got != 4 {
		t.Fatalf("rows after failed rewrite = %d, want 4", got)
	}
	plan, _ = cur.Plan(ctx, nil)
	var paths []string
	for _, f := range plan.Files {
		paths = append(paths, f.Path)
	}
	cur, info, err := cur.Rewrite(ctx, plan.Snapshot, paths, []array.RecordReader{rows([]int64{1}, []string{"a"})}, table.WriteOptions{Operation: "DELETE"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 3 || countRows(t, cur, nil) != 1 {
		t.Fatalf("rewrite: version %d rows %d, want 3 and 1", info.Version, countRows(t, cur, nil))
	}
}

func TestPartitionedCompactExpire(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "p", "id BIGINT, name VARCHAR", table.CreateOptions{Partition: []table.PartitionField{{Column: "id", Transform: "bucket", Width: 2}}})
	var err error
	for i := range 4 {
		if tbl, _, err = tbl.Append(ctx, rows([]int64{int64(i), int64(i + 10)}, []string{"x", "y"}), table.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := tbl.Plan(ctx, nil)
	tbl, res, err := tbl.Compact(ctx, table.CompactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := tbl.Plan(ctx, nil)
	if res.FilesRemoved == 0 || len(after.Files) >= len(before.Files) || countRows(t, tbl, nil) != 8 {
		t.Fatalf("compact: %+v, files %d -> %d, rows %d", res, len(before.Files), len(after.Files), countRows(t, tbl, nil))
	}
	tbl, removed, err := tbl.Expire(ctx, table.ExpireOptions{RetainLast: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 3 || len(tbl.History()) != 2 {
		t.Fatalf("expire removed %v, history %d", removed, len(tbl.History()))
	}
	if countRows(t, tbl, nil) != 8 {
		t.Fatal("rows changed by expire")
	}
}

// A data file larger than read.split.target-size is split by iceberg-go's
// planner into several scan tasks; Plan lists it once, so SQL reads each
// row once.
func TestPlanListsSplitFilesOnce(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "big", "id BIGINT, name VARCHAR", table.CreateOptions{Properties: map[string]string{
		"write.parquet.row-group-limit": "1000", // 10 row groups of a few KiB
		"read.split.target-size":        "1024",
	}})
	tbl, _, err := tbl.Append(ctx, idRows(seq(0, 10_000)), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var records int64
	paths := map[string]bool{}
	for _, f := range plan.Files {
		if paths[f.Path] {
			t.Errorf("Plan lists %s twice", f.Path)
		}
		paths[f.Path] = true
		records += f.Records
	}
	if records != 10_000 {
		t.Errorf("Plan's files hold %d records, want 10000 (%d files)", records, len(plan.Files))
	}
}
