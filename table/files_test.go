package table_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/table"
)

// col is a column of a test Parquet file: its name in the file, its field
// id (0: none) and its values.
type col struct {
	name     string
	id       int
	arr      arrow.Array
	required bool
}

func optCol(name string, id int, arr arrow.Array) col { return col{name: name, id: id, arr: arr} }

func reqCol(name string, id int, arr arrow.Array) col {
	return col{name: name, id: id, arr: arr, required: true}
}

// mustWriteParquet writes cols as a Parquet file at path with arrow-go's
// pqarrow writer, each column carrying its field id (PARQUET:field_id),
// as an engine writing for an Iceberg table does. It releases the arrays.
func mustWriteParquet(tb testing.TB, path string, cols ...col) {
	tb.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		var md arrow.Metadata
		if c.id != 0 {
			md = arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{strconv.Itoa(c.id)})
		}
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: !c.required, Metadata: md}
		arrs[i] = c.arr
	}
	sc := arrow.NewSchema(fields, nil)
	n := int64(0)
	if len(arrs) > 0 {
		n = int64(arrs[0].Len())
	}
	rec := array.NewRecordBatch(sc, arrs, n)
	defer rec.Release()
	for _, a := range arrs {
		a.Release()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, f, parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithStats(true)), pqarrow.DefaultWriterProps())
	if err != nil {
		tb.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

// mustDataLocation returns a fresh directory for data files of tbl.
func mustDataLocation(tb testing.TB, tbl *table.Table) string {
	tb.Helper()
	dir, err := tbl.NewDataLocation()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		tb.Fatalf("NewDataLocation returned %s, which exists (%v)", dir, err)
	}
	if _, err := os.Stat(filepath.Dir(dir)); err != nil {
		tb.Fatalf("NewDataLocation did not create the directory of %s: %v", dir, err)
	}
	return dir
}

// filesUnder lists the regular files under dir (none when it is gone).
func filesUnder(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		tb.Fatal(err)
	}
	return out
}

func decimalArray(vs []int64, prec, scale int32, valid []bool) arrow.Array {
	b := array.NewDecimal128Builder(memory.DefaultAllocator, &arrow.Decimal128Type{Precision: prec, Scale: scale})
	defer b.Release()
	for i, v := range vs {
		if valid != nil && !valid[i] {
			b.AppendNull()
			continue
		}
		b.Append(decimal128.FromI64(v))
	}
	return b.NewArray()
}

func dateArray(vs []arrow.Date32) arrow.Array {
	b := array.NewDate32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, nil)
	return b.NewArray()
}

func boolArray(vs []bool) arrow.Array {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, nil)
	return b.NewArray()
}

// filesSchema is the table TestAppendFiles writes to; note is in no file.
const filesSchema = `id BIGINT, "first name" VARCHAR, amount DOUBLE, price DECIMAL(10,2), day DATE, ok BOOLEAN, note VARCHAR`

// filesCols returns the columns of a data file of filesSchema's table
// holding ids, by their field ids and Parquet names.
func filesCols(ids []int64) []col {
	names := make([]string, len(ids))
	amounts := make([]float64, len(ids))
	cents := make([]int64, len(ids))
	days := make([]arrow.Date32, len(ids))
	oks := make([]bool, len(ids))
	for i, id := range ids {
		names[i] = "n" + strconv.FormatInt(id, 10)
		amounts[i] = float64(id) / 2
		cents[i] = id*101 + 1
		days[i] = arrow.Date32(19000 + id)
		oks[i] = id%2 == 0
	}
	return []col{
		optCol("id", 1, int64Array(ids, nil)),
		optCol("first_x20name", 2, stringArray(names, nil)),
		optCol("amount", 3, float64Array(amounts, nil)),
		optCol("price", 4, decimalArray(cents, 10, 2, nil)),
		optCol("day", 5, dateArray(days)),
		optCol("ok", 6, boolArray(oks)),
	}
}

func TestAppendFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "files.t", filesSchema, table.CreateOptions{})
	dir := mustDataLocation(t, tbl)
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	mustWriteParquet(t, a, filesCols(seq(1, 5))...)
	mustWriteParquet(t, b, filesCols(seq(100, 3))...)
	// A local path and a file:// URL are both accepted.
	nt, info, err := tbl.AppendFiles(ctx, []string{a, "file://" + b}, table.WriteOptions{Operation: "INGEST"})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Committed || info.Version != 1 || info.RowsWritten != 8 {
		t.Fatalf("got %+v, want version 1 committing 8 rows", info)
	}
	if h := nt.History(); len(h) != 1 || h[0].AddedFiles != 2 || h[0].AddedRows != 8 || h[0].Summary["sluice.operation"] != "INGEST" || h[0].Operation != "append" {
		t.Errorf("history: got %+v, want one append of 2 files and 8 rows by INGEST", h)
	}
	var want [][]any
	for _, id := range append(seq(1, 5), seq(100, 3)...) {
		want = append(want, []any{id, "n" + strconv.FormatInt(id, 10), float64(id) / 2, strconv.FormatFloat(float64(id*101+1)/100, 'f', 2, 64), arrow.Date32(19000 + id), id%2 == 0, nil})
	}
	checkRead(t, nt, want, "id", "first name", "amount", "price", "day", "ok", "note")
	mustDataFilesReadable(t, nt)

	// The manifest entries carry the footers' statistics; scans prune by them.
	tasks, err := nt.Iceberg().Scan().PlanFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]iceberg.DataFile{}
	for _, task := range tasks {
		byPath[localPath(t, task.File.FilePath())] = task.File
		if !strings.HasPrefix(task.File.FilePath(), "file://") {
			t.Errorf("data file recorded as %s, want a file:// URL like the table location", task.File.FilePath())
		}
	}
	sc := nt.Schema()
	bound := func(df iceberg.DataFile, name string, upper bool) string {
		f, ok := sc.FindFieldByName(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		raw := df.LowerBoundValues()[f.ID]
		if upper {
			raw = df.UpperBoundValues()[f.ID]
		}
		if raw == nil {
			return "(none)"
		}
		lit, err := iceberg.LiteralFromBytes(f.Type, raw)
		if err != nil {
			t.Fatal(err)
		}
		return lit.String()
	}
	for _, tc := range []struct {
		file, column, lower, upper string
	}{
		{a, "id", "1", "5"}, {b, "id", "100", "102"},
		{a, "first name", "n1", "n5"}, {b, "first name", "n100", "n102"},
		{a, "amount", "0.5", "2.5"},
		{a, "price", "1.02", "5.06"},
		{b, "ok", "false", "true"},
	} {
		df, ok := byPath[tc.file]
		if !ok {
			t.Fatalf("no manifest entry for %s (have %v)", tc.file, byPath)
		}
		if lo, hi := bound(df, tc.column, false), bound(df, tc.column, true); lo != tc.lower || hi != tc.upper {
			t.Errorf("%s %s: bounds [%s, %s], want [%s, %s]", filepath.Base(tc.file), tc.column, lo, hi, tc.lower, tc.upper)
		}
	}
	for _, tc := range []struct {
		file            string
		records, values int64
	}{{a, 5, 5}, {b, 3, 3}} {
		df := byPath[tc.file]
		id := sc.Field(0).ID
		if df.Count() != tc.records || df.ValueCounts()[id] != tc.values || df.NullValueCounts()[id] != 0 {
			t.Errorf("%s: %d records, id values %d, nulls %d; want %d, %d, 0", filepath.Base(tc.file), df.Count(), df.ValueCounts()[id], df.NullValueCounts()[id], tc.records, tc.values)
		}
		st, err := os.Stat(tc.file)
		if err != nil || df.FileSizeBytes() != st.Size() {
			t.Errorf("%s: manifest size %d, file %v", tc.file, df.FileSizeBytes(), st)
		}
	}
	pruned, err := nt.Iceberg().Scan(itable.WithRowFilter(iceberg.GreaterThan(iceberg.Reference("id"), int64(50)))).PlanFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pruned) != 1 || localPath(t, pruned[0].File.FilePath()) != b {
		t.Errorf("scan for id > 50 plans %d files, want only %s", len(pruned), b)
	}
}

// TestAppendFilesRejects: files that do not fit are refused with every
// problem listed, and deleted with their directory; nothing is committed.
func TestAppendFilesRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := mustCatalog(t)
	// Every file is committed with a good one, which is deleted too.
	tbl := mustCreate(t, cat, "files.t", `id BIGINT NOT NULL, "first name" VARCHAR, n INTEGER`, table.CreateOptions{})
	id := func() col { return reqCol("id", 1, int64Array([]int64{1}, nil)) }
	for _, tc := range []struct {
		name string
		cols []col
		want []string // substrings of the error
	}{
		{"no field ids", []col{{name: "id", arr: int64Array([]int64{1}, nil), required: true}}, []string{"field id"}},
		{"unknown field id", []col{id(), optCol("x", 9, int64Array([]int64{1}, nil))}, []string{"column x has field id 9, which no table column has"}},
		{"wrong type", []col{id(), optCol("n", 3, int64Array([]int64{1}, nil))}, []string{"column n is BIGINT, table column n is INTEGER"}},
		{"unsanitized name", []col{id(), optCol("first name", 2, stringArray([]string{"a"}, nil))}, []string{"must be named first_x20name"}},
		{"optional NOT NULL column", []col{optCol("id", 1, int64Array([]int64{1}, nil))}, []string{"column id is optional, table column id is NOT NULL"}},
		{"missing NOT NULL column", []col{optCol("n", 3, int32Array([]int32{1}, nil))}, []string{"NOT NULL table column id (field id 1) is missing"}},
		{"several problems", []col{optCol("id", 1, int64Array([]int64{1}, nil)), optCol("n", 3, stringArray([]string{"a"}, nil))}, []string{"column id is optional", "column n is VARCHAR"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := mustDataLocation(t, tbl)
			good := filepath.Join(dir, "good.parquet")
			mustWriteParquet(t, good, id(), optCol("n", 3, int32Array([]int32{7}, nil)))
			bad := filepath.Join(dir, "bad.parquet")
			mustWriteParquet(t, bad, tc.cols...)
			_, _, err := tbl.AppendFiles(ctx, []string{good, bad}, table.WriteOptions{})
			if err == nil {
				t.Fatal("AppendFiles succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if left := filesUnder(t, dir); len(left) != 0 {
				t.Errorf("files left behind: %v", left)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("directory %s left behind", dir)
			}
			if v := mustLoad(t, cat, "files.t").CurrentVersion(); v != 0 {
				t.Errorf("version %d, want 0 (nothing committed)", v)
			}
		})
	}
}

func TestAppendFilesOwnership(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "files.t", `id BIGINT, name VARCHAR`, table.CreateOptions{})

	t.Run("outside the table", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.parquet")
		mustWriteParquet(t, p, optCol("id", 1, int64Array([]int64{1}, nil)))
		_, _, err := tbl.AppendFiles(ctx, []string{p}, table.WriteOptions{})
		if err == nil || !strings.Contains(err.Error(), "not under the table's location") {
			t.Fatalf("got %v, want an error about the location", err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a file outside the table was touched: %v", err)
		}
	})
	t.Run("BeforeCommit fails", func(t *testing.T) {
		dir := mustDataLocation(t, tbl)
		p := filepath.Join(dir, "a.parquet")
		mustWriteParquet(t, p, optCol("id", 1, int64Array([]int64{1}, nil)))
		boom := errors.New("boom")
		_, _, err := tbl.AppendFiles(ctx, []string{p}, table.WriteOptions{BeforeCommit: func() error { return boom }})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want BeforeCommit's error", err)
		}
		if left := filesUnder(t, dir); len(left) != 0 {
			t.Errorf("files left behind: %v", left)
		}
	})
	t.Run("no rows", func(t *testing.T) {
		dir := mustDataLocation(t, tbl)
		p := filepath.Join(dir, "empty.parquet")
		mustWriteParquet(t, p, optCol("id", 1, int64Array(nil, nil)))
		called := false
		nt, info, err := tbl.AppendFiles(ctx, []string{p}, table.WriteOptions{BeforeCommit: func() error { called = true; return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if info.Committed || nt.CurrentVersion() != 0 || !called {
			t.Errorf("got %+v (BeforeCommit called: %v), want no commit after BeforeCommit", info, called)
		}
		if left := filesUnder(t, dir); len(left) != 0 {
			t.Errorf("empty file left behind: %v", left)
		}
	})
	t.Run("partitioned table", func(t *testing.T) {
		pt := mustCreate(t, cat, "files.p", `id BIGINT, name VARCHAR`, table.CreateOptions{Partition: []table.PartitionField{{Column: "name", Transform: "identity"}}})
		dir := mustDataLocation(t, pt)
		p := filepath.Join(dir, "a.parquet")
		mustWriteParquet(t, p, optCol("id", 1, int64Array([]int64{1}, nil)))
		if _, _, err := pt.AppendFiles(ctx, []string{p}, table.WriteOptions{}); err == nil || !strings.Contains(err.Error(), "partitioned") {
			t.Fatalf("got %v, want an error about partitioning", err)
		}
		if left := filesUnder(t, dir); len(left) != 0 {
			t.Errorf("files left behind: %v", left)
		}
	})
	t.Run("data location not local", func(t *testing.T) {
		rt := mustCreate(t, cat, "files.remote", `id BIGINT`, table.CreateOptions{Properties: map[string]string{"write.data.path": "s3://bucket/files/remote"}})
		if _, err := rt.NewDataLocation(); !errors.Is(err, table.ErrNotLocal) {
			t.Fatalf("got %v, want ErrNotLocal", err)
		}
	})
}

// TestAppendFilesRetry: a concurrent commit between the files being
// written and committed is replayed like Append's.
func TestAppendFilesRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "files.t", `id BIGINT, name VARCHAR`, table.CreateOptions{})
	dir := mustDataLocation(t, tbl)
	p := filepath.Join(dir, "a.parquet")
	mustWriteParquet(t, p, optCol("id", 1, int64Array(seq(1, 3), nil)), optCol("name", 2, stringArray([]string{"n1", "n2", "n3"}, nil)))
	other := mustLoad(t, cat, "files.t")
	nt, info, err := tbl.AppendFiles(ctx, []string{p}, table.WriteOptions{BeforeCommit: func() error {
		_, _, err := other.Append(ctx, idRows(seq(10, 2)), table.WriteOptions{})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 2 || info.RowsWritten != 3 {
		t.Errorf("got %+v, want version 2 adding 3 rows", info)
	}
	if got, want := mustScan(t, nt).Ints(t, "id"), []int64{1, 2, 3, 10, 11}; !equalInts(got, want) {
		t.Errorf("ids: got %v, want %v", got, want)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOverwriteFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := mustCatalog(t)
	tbl := mustCreate(t, cat, "files.t", `id BIGINT, name VARCHAR`, table.CreateOptions{})
	tbl, _, err := tbl.Append(ctx, idRows(seq(1, 4)), table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := mustDataLocation(t, tbl)
	p := filepath.Join(dir, "a.parquet")
	mustWriteParquet(t, p, optCol("id", 1, int64Array([]int64{7, 8}, nil)), optCol("name", 2, stringArray([]string{"n7", "n8"}, nil)))
	nt, info, err := tbl.OverwriteFiles(ctx, []string{p}, table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 2 || info.RowsWritten != 2 {
		t.Errorf("got %+v, want version 2 writing 2 rows", info)
	}
	checkRead(t, nt, [][]any{{int64(7), "n7"}, {int64(8), "n8"}}, "id", "name")
	if h := nt.History(); h[1].Summary["sluice.operation"] != "OVERWRITE" || h[1].DeletedRows != 4 {
		t.Errorf("version 2: got %+v, want an OVERWRITE deleting 4 rows", h[1])
	}

	// Overwriting from a stale version conflicts and deletes the files.
	dir = mustDataLocation(t, tbl)
	q := filepath.Join(dir, "b.parquet")
	mustWriteParquet(t, q, optCol("id", 1, int64Array([]int64{9}, nil)))
	if _, _, err := tbl.OverwriteFiles(ctx, []string{q}, table.WriteOptions{}); !errors.Is(err, table.ErrConflict) {
		t.Fatalf("overwrite from version 1 after version 2: got %v, want ErrConflict", err)
	}
	if left := filesUnder(t, dir); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
	if v := mustLoad(t, cat, "files.t").CurrentVersion(); v != 2 {
		t.Errorf("version %d, want 2", v)
	}

	// An overwrite with no rows empties the table.
	dir = mustDataLocation(t, nt)
	e := filepath.Join(dir, "empty.parquet")
	mustWriteParquet(t, e, optCol("id", 1, int64Array(nil, nil)))
	nt, info, err = nt.OverwriteFiles(ctx, []string{e}, table.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 3 || countRows(t, nt, nil) != 0 {
		t.Errorf("got %+v with %d rows, want version 3 with none", info, countRows(t, nt, nil))
	}
	if left := filesUnder(t, dir); len(left) != 0 {
		t.Errorf("empty file left behind: %v", left)
	}
}
