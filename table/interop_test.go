package table_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/table"
)

// mustRead reads the current version with iceberg-go and returns the
// named columns of every row, sorted by the first.
func mustRead(tb testing.TB, tbl *table.Table, cols ...string) [][]any {
	tb.Helper()
	s := mustScan(tb, tbl)
	if got := s.Schema.NumFields(); got != len(cols) {
		tb.Fatalf("iceberg-go read %d columns (%s), want %v", got, s.Schema, cols)
	}
	vals := make([][]any, len(cols))
	for i, c := range cols {
		vals[i] = s.Col(tb, c)
	}
	out := make([][]any, len(s.Rows))
	for r := range out {
		out[r] = make([]any, len(cols))
		for i := range cols {
			out[r][i] = vals[i][r]
		}
	}
	slices.SortFunc(out, func(a, b []any) int { return cmp.Compare(fmt.Sprint(a[0]), fmt.Sprint(b[0])) })
	return out
}

// checkRead checks the rows iceberg-go reads, and that the table's
// metadata and data files are what any Iceberg v2 reader expects.
func checkRead(tb testing.TB, tbl *table.Table, want [][]any, cols ...string) {
	tb.Helper()
	slices.SortFunc(want, func(a, b []any) int { return cmp.Compare(fmt.Sprint(a[0]), fmt.Sprint(b[0])) })
	if got := mustRead(tb, tbl, cols...); !reflect.DeepEqual(got, want) {
		tb.Fatalf("version %d read by iceberg-go:\n got %v\nwant %v", tbl.CurrentVersion(), got, want)
	}
	if d := tbl.Describe(); d.Rows != int64(len(want)) {
		tb.Errorf("version %d: total-records %d, want %d", tbl.CurrentVersion(), d.Rows, len(want))
	}
	checkFormatV2(tb, tbl)
	checkParquetFieldIDs(tb, tbl)
}

// checkFormatV2 checks the current metadata file says format-version 2.
func checkFormatV2(tb testing.TB, tbl *table.Table) {
	tb.Helper()
	raw, err := os.ReadFile(localPath(tb, tbl.Iceberg().MetadataLocation()))
	if err != nil {
		tb.Fatal(err)
	}
	var md struct {
		FormatVersion int `json:"format-version"`
	}
	if err := json.Unmarshal(raw, &md); err != nil {
		tb.Fatalf("metadata %s: %v", tbl.Iceberg().MetadataLocation(), err)
	}
	if md.FormatVersion != 2 {
		tb.Fatalf("metadata %s: format-version %d, want 2", tbl.Iceberg().MetadataLocation(), md.FormatVersion)
	}
}

// checkParquetFieldIDs reads the footer of every data file of the current
// version and checks that each column carries the field id of the table
// column of that name, both in the Parquet schema and as arrow-go's
// pqarrow reader exposes it.
func checkParquetFieldIDs(tb testing.TB, tbl *table.Table) {
	tb.Helper()
	plan, err := tbl.Plan(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	sc := tbl.Schema()
	for _, df := range plan.Files {
		r, err := file.OpenParquetFile(localPath(tb, df.Path), false)
		if err != nil {
			tb.Fatalf("open %s: %v", df.Path, err)
		}
		psc := r.MetaData().Schema
		if got := r.NumRows(); got != df.Records {
			tb.Errorf("%s: %d rows, manifest says %d", df.Path, got, df.Records)
		}
		root := psc.Root()
		if root.NumFields() == 0 {
			tb.Errorf("%s: no columns", df.Path)
		}
		// Parquet names may be sanitized ("first name" is stored as
		// first_x20name); the field ids tie the columns to the table.
		safe, err := iceberg.SanitizeColumnNames(sc)
		if err != nil {
			tb.Fatal(err)
		}
		for i := range root.NumFields() {
			n := root.Field(i)
			f, ok := safe.FindFieldByID(int(n.FieldID()))
			if !ok {
				tb.Errorf("%s: column %s has field id %d, which is not in the table", df.Path, n.Name(), n.FieldID())
				continue
			}
			if n.Name() != f.Name {
				tb.Errorf("%s: column %s has the field id %d of table column %s", df.Path, n.Name(), n.FieldID(), f.Name)
			}
		}
		asc, err := pqarrow.FromParquet(psc, nil, r.MetaData().KeyValueMetadata())
		if err != nil {
			tb.Fatalf("%s: %v", df.Path, err)
		}
		for i, af := range asc.Fields() {
			id, ok := af.Metadata.GetValue("PARQUET:field_id")
			if want := strconv.Itoa(int(root.Field(i).FieldID())); !ok || id != want {
				tb.Errorf("%s: pqarrow field %s has PARQUET:field_id %q, want %s", df.Path, af.Name, id, want)
			}
		}
		r.Close()
	}
}

func TestInteropLifecycle(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "interop.life", "id INTEGER NOT NULL, name VARCHAR", table.CreateOptions{})
	var err error

	// Version 1: INTEGER ids.
	idName := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}, {Name: "name", Type: arrow.BinaryTypes.String, Nullable: true}}
	v1 := recordsOf(t, idName, int32Array([]int32{1, 2, 3}, nil), stringArray([]string{"a", "b", ""}, []bool{true, true, false}))
	if tbl, _, err = tbl.Append(ctx, v1, table.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := [][]any{{int64(1), "a"}, {int64(2), "b"}, {int64(3), nil}}
	checkRead(t, tbl, want, "id", "name")

	// Version 2: evolve: id INTEGER -> BIGINT, new column score.
	v2 := recordsOf(t, []arrow.Field{
		{Name: "ID", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, int64Array([]int64{4, 1 << 40}, nil), stringArray([]string{"d", "e"}, nil), float64Array([]float64{0.5, 0}, []bool{true, false}))
	if tbl, _, err = tbl.Append(ctx, v2, table.WriteOptions{MergeSchema: true}); err != nil {
		t.Fatal(err)
	}
	if got := table.FormatSchema(tbl.Schema()); got != "id BIGINT NOT NULL, name VARCHAR, score DOUBLE" {
		t.Fatalf("schema after merge = %s", got)
	}
	want = [][]any{{int64(1), "a", nil}, {int64(2), "b", nil}, {int64(3), nil, nil}, {int64(4), "d", 0.5}, {int64(1 << 40), "e", nil}}
	checkRead(t, tbl, want, "id", "name", "score")
	if s := mustScan(t, tbl); !arrow.TypeEqual(s.Schema.Field(0).Type, arrow.PrimitiveTypes.Int64) {
		t.Fatalf("iceberg-go reads id as %s, want int64 after widening", s.Schema.Field(0).Type)
	}
	v2Rows := slices.Clone(want)

	// Version 3: DELETE WHERE id = 2, copy-on-write: the version 1 file is
	// replaced by one without the row.
	snap1, err := tbl.SnapshotAtVersion(1)
	if err != nil {
		t.Fatal(err)
	}
	plan1, err := tbl.Plan(ctx, snap1)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := tbl.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	keep := recordsOf(t, idName[:2], int32Array([]int32{1, 3}, nil), stringArray([]string{"a", ""}, []bool{true, false}))
	if tbl, _, err = tbl.Rewrite(ctx, cur.Snapshot, []string{plan1.Files[0].Path}, []array.RecordReader{keep}, table.WriteOptions{Operation: "DELETE"}); err != nil {
		t.Fatal(err)
	}
	want = slices.DeleteFunc(slices.Clone(want), func(r []any) bool { return r[0] == int64(2) })
	checkRead(t, tbl, want, "id", "name", "score")
	if h := tbl.History(); h[2].Operation != "overwrite" || h[2].DeletedRows != 3 || h[2].AddedRows != 2 {
		t.Errorf("delete version = %+v, want an overwrite of 3 rows by 2", h[2])
	}

	// Version 4: compaction leaves the rows alone.
	before, _ := tbl.Plan(ctx, nil)
	tbl, res, err := tbl.Compact(ctx, table.CompactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := tbl.Plan(ctx, nil)
	if res.FilesRemoved != len(before.Files) || len(after.Files) != 1 || tbl.CurrentVersion() != 4 {
		t.Fatalf("compact: %+v, files %d -> %d, version %d", res, len(before.Files), len(after.Files), tbl.CurrentVersion())
	}
	checkRead(t, tbl, want, "id", "name", "score")
	v4Rows := slices.Clone(want)

	// Rollback to version 2 and forward again.
	if tbl, err = tbl.Rollback(ctx, 2); err != nil {
		t.Fatal(err)
	}
	checkRead(t, tbl, v2Rows, "id", "name", "score")
	if tbl, err = tbl.Rollback(ctx, 4); err != nil {
		t.Fatal(err)
	}
	checkRead(t, tbl, v4Rows, "id", "name", "score")

	// Expire all but the current version: their files go, reads still work.
	tbl, removed, err := tbl.Expire(ctx, table.ExpireOptions{RetainLast: 1})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if !slices.Equal(removed, []int64{1, 2, 3}) || len(tbl.History()) != 1 {
		t.Fatalf("expire removed versions %v, kept %d, want 1-3 and 1", removed, len(tbl.History()))
	}
	checkRead(t, tbl, v4Rows, "id", "name", "score")
	for _, f := range plan1.Files {
		if _, err := os.Stat(localPath(t, f.Path)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("data file %s of expired version 1 still exists (stat: %v)", f.Path, err)
		}
	}
	if _, err := tbl.SnapshotAtVersion(1); !errors.Is(err, table.ErrNoVersion) {
		t.Errorf("version 1 after expiry: %v, want ErrNoVersion", err)
	}
	// A fresh load (as another process would) reads the same.
	checkRead(t, mustLoad(t, cat, "interop.life"), v4Rows, "id", "name", "score")
}

// partRows builds id, name, region and ts (microseconds) columns.
func partRows(tb testing.TB, ids []int64, names, regions []string, ts []time.Time) array.RecordReader {
	tb.Helper()
	tsb := array.NewTimestampBuilder(memory.DefaultAllocator, &arrow.TimestampType{Unit: arrow.Microsecond})
	defer tsb.Release()
	for _, v := range ts {
		tsb.Append(arrow.Timestamp(v.UnixMicro()))
	}
	return recordsOf(tb, []arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	}, int64Array(ids, nil), stringArray(names, nil), stringArray(regions, nil), tsb.NewArray())
}

func TestInteropPartitioned(t *testing.T) {
	ctx := context.Background()
	day := func(d int, h int) time.Time { return time.Date(2024, 3, d, h, 0, 0, 0, time.UTC) }
	ids := []int64{1, 2, 3, 4, 5, 6, 7, 8}
	names := []string{"alpha", "alpine", "beta", "betamax", "gamma", "al", "b", "alps"}
	regions := []string{"eu", "us", "eu", "ap", "us", "eu", "ap", "us"}
	ts := []time.Time{day(1, 1), day(1, 23), day(2, 0), day(2, 12), day(3, 5), day(3, 6), day(1, 2), day(4, 0)}
	for _, tc := range []struct {
		spec   string
		filter iceberg.BooleanExpression
		match  func(i int) bool // rows the filter selects
	}{
		{"region", iceberg.EqualTo(iceberg.Reference("region"), "eu"), func(i int) bool { return regions[i] == "eu" }},
		{"day(ts)", iceberg.GreaterThanEqual(iceberg.Reference("ts"), iceberg.Timestamp(day(3, 0).UnixMicro())), func(i int) bool { return !ts[i].Before(day(3, 0)) }},
		{"bucket(4, id)", iceberg.EqualTo(iceberg.Reference("id"), int64(5)), func(i int) bool { return ids[i] == 5 }},
		{"truncate(3, name)", iceberg.EqualTo(iceberg.Reference("name"), "alpine"), func(i int) bool { return names[i] == "alpine" }},
		{"region, bucket(2, id)", iceberg.EqualTo(iceberg.Reference("region"), "us"), func(i int) bool { return regions[i] == "us" }},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			spec, err := table.ParsePartitionSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			cat := mustCatalog(t)
			tbl := mustCreate(t, cat, "interop.part", "id BIGINT, name VARCHAR, region VARCHAR, ts TIMESTAMP", table.CreateOptions{Partition: spec})
			// Two appends of four rows each.
			for _, half := range [][2]int{{0, 4}, {4, 8}} {
				lo, hi := half[0], half[1]
				if tbl, _, err = tbl.Append(ctx, partRows(t, ids[lo:hi], names[lo:hi], regions[lo:hi], ts[lo:hi]), table.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if got := fmt.Sprint(tbl.Partition()); got != fmt.Sprint(spec) {
				t.Fatalf("partition = %v, want %v", got, spec)
			}
			var want, wantFiltered [][]any
			for i := range ids {
				row := []any{ids[i], names[i], regions[i], arrow.Timestamp(ts[i].UnixMicro())}
				want = append(want, row)
				if tc.match(i) {
					wantFiltered = append(wantFiltered, row)
				}
			}
			checkRead(t, tbl, want, "id", "name", "region", "ts")

			// Every file holds one partition, and iceberg-go prunes with it.
			all, err := tbl.Iceberg().Scan().PlanFiles(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ispec := tbl.Iceberg().Spec()
			for _, task := range all {
				if task.File.SpecID() != int32(ispec.ID()) || len(task.File.Partition()) != len(spec) {
					t.Errorf("file %s: spec %d partition %v, want spec %d with %d values", task.File.FilePath(), task.File.SpecID(), task.File.Partition(), ispec.ID(), len(spec))
				}
			}
			scan := tbl.Iceberg().Scan(itable.WithRowFilter(tc.filter))
			pruned, err := scan.PlanFiles(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(pruned) == 0 || len(pruned) >= len(all) {
				t.Errorf("filter %s planned %d of %d files; want partition pruning", tc.filter, len(pruned), len(all))
			}
			at, err := scan.ToArrowTable(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer at.Release()
			if at.NumRows() != int64(len(wantFiltered)) {
				t.Errorf("filter %s read %d rows, want %d", tc.filter, at.NumRows(), len(wantFiltered))
			}

			// Compaction keeps partitions apart and the rows unchanged.
			tbl, _, err = tbl.Compact(ctx, table.CompactOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkRead(t, tbl, want, "id", "name", "region", "ts")
		})
	}
}

// TestInteropQuotedColumnName: a column name that is not a plain
// identifier reads back under its own name.
func TestInteropQuotedColumnName(t *testing.T) {
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "interop.names", `id BIGINT, "first name" VARCHAR`, table.CreateOptions{})
	rdr := recordsOf(t, []arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "First Name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, int64Array([]int64{1, 2}, nil), stringArray([]string{"ada", "grace"}, nil))
	tbl, _, err := tbl.Append(ctx, rdr, table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRead(t, tbl, [][]any{{int64(1), "ada"}, {int64(2), "grace"}}, "id", "first name")
}
