package table_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/table"
)

// mustCatalogAt opens the catalog whose SQLite database and warehouse live
// in dir, as every process of a multi-process test does. The database is
// closed when tb ends.
func mustCatalogAt(tb testing.TB, dir string) *table.Catalog {
	tb.Helper()
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

func mustLoad(tb testing.TB, cat *table.Catalog, name string) *table.Table {
	tb.Helper()
	id, err := table.ParseIdent(name)
	if err != nil {
		tb.Fatal(err)
	}
	tbl, err := cat.Load(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return tbl
}

// idRows builds a reader with an int64 "id" and a string "name" column
// ("n<id>") holding ids.
func idRows(ids []int64) array.RecordReader {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = fmt.Sprintf("n%d", id)
	}
	return rows(ids, names)
}

// seq returns the n ids from start.
func seq(start int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = start + int64(i)
	}
	return out
}

// scanned is a table read back with iceberg-go's own reader.
type scanned struct {
	Schema *arrow.Schema
	Rows   [][]any // cells as Go values: int64, float64, string, bool, []byte, nil …
}

// Col returns the values of the named column.
func (s scanned) Col(tb testing.TB, name string) []any {
	tb.Helper()
	idx := s.Schema.FieldIndices(name)
	if len(idx) != 1 {
		tb.Fatalf("scan result has no column %q (schema %s)", name, s.Schema)
	}
	out := make([]any, len(s.Rows))
	for i, r := range s.Rows {
		out[i] = r[idx[0]]
	}
	return out
}

// Ints returns the named int column sorted; it fails on NULLs.
func (s scanned) Ints(tb testing.TB, name string) []int64 {
	tb.Helper()
	var out []int64
	for i, v := range s.Col(tb, name) {
		n, ok := v.(int64)
		if !ok {
			tb.Fatalf("row %d: column %s = %#v, want an integer", i, name, v)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// mustScan reads the table's current snapshot with iceberg-go's scan to
// Arrow (not Sluice's Plan), so it checks what any Iceberg reader sees.
func mustScan(tb testing.TB, tbl *table.Table) scanned {
	tb.Helper()
	s, err := scanTable(context.Background(), tbl)
	if err != nil {
		tb.Fatalf("iceberg-go scan of %s: %v", tbl.Ident(), err)
	}
	return s
}

func scanTable(ctx context.Context, tbl *table.Table) (scanned, error) {
	at, err := tbl.Iceberg().Scan().ToArrowTable(ctx)
	if err != nil {
		return scanned{}, err
	}
	defer at.Release()
	out := scanned{Schema: at.Schema()}
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = cell(rec.Column(c), i)
			}
			out.Rows = append(out.Rows, row)
		}
	}
	return out, tr.Err()
}

func cell(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Binary:
		return slices.Clone(a.Value(i))
	case *array.Timestamp:
		return a.Value(i)
	case *array.Date32:
		return a.Value(i)
	default:
		return a.ValueStr(i)
	}
}

// localPath turns a file:// location into a path.
func localPath(tb testing.TB, loc string) string {
	tb.Helper()
	u, err := url.Parse(loc)
	if err != nil || (u.Scheme != "file" && u.Scheme != "") {
		tb.Fatalf("location %q is not a local file", loc)
	}
	return u.Path
}

// mustDataFilesReadable checks that every data file of the current version
// exists with the size the manifest records.
func mustDataFilesReadable(tb testing.TB, tbl *table.Table) {
	tb.Helper()
	plan, err := tbl.Plan(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range plan.Files {
		st, err := os.Stat(localPath(tb, f.Path))
		if err != nil {
			tb.Fatalf("data file of version %d: %v", plan.Version, err)
		}
		if st.Size() != f.Size {
			tb.Fatalf("data file %s: size %d, manifest says %d", f.Path, st.Size(), f.Size)
		}
	}
}

// recordsOf builds a reader from columns; each column is an Arrow array
// built by the caller, released here.
func recordsOf(tb testing.TB, fields []arrow.Field, cols ...arrow.Array) array.RecordReader {
	tb.Helper()
	sc := arrow.NewSchema(fields, nil)
	n := int64(0)
	if len(cols) > 0 {
		n = int64(cols[0].Len())
	}
	rec := array.NewRecordBatch(sc, cols, n)
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	if err != nil {
		tb.Fatal(err)
	}
	return rdr
}

func int64Array(vs []int64, valid []bool) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, valid)
	return b.NewArray()
}

func int32Array(vs []int32, valid []bool) arrow.Array {
	b := array.NewInt32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, valid)
	return b.NewArray()
}

func float64Array(vs []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, valid)
	return b.NewArray()
}

func stringArray(vs []string, valid []bool) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, valid)
	return b.NewArray()
}
