package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/table"
)

// localOf turns a file:// location into a path.
func localOf(tb testing.TB, loc string) string {
	tb.Helper()
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "file" {
		tb.Fatalf("location %q is not a file:// URL", loc)
	}
	return u.Path
}

// load returns a table's current state.
func (e *env) load(name string) *table.Table {
	e.tb.Helper()
	tbl, err := e.cat.Load(e.ctx, mustIdent(e.tb, name))
	if err != nil {
		e.tb.Fatal(err)
	}
	return tbl
}

// writers returns the program that wrote each data file of the table's
// current version (the Parquet footer's created_by), sorted, and fails
// unless every file's Parquet columns carry the table's field ids under
// their sanitized names.
func (e *env) writers(name string) []string {
	e.tb.Helper()
	tbl := e.load(name)
	plan, err := tbl.Plan(e.ctx, nil)
	if err != nil {
		e.tb.Fatal(err)
	}
	safe, err := iceberg.SanitizeColumnNames(tbl.Schema())
	if err != nil {
		e.tb.Fatal(err)
	}
	var out []string
	for _, f := range plan.Files {
		r, err := file.OpenParquetFile(localOf(e.tb, f.Path), false)
		if err != nil {
			e.tb.Fatal(err)
		}
		out = append(out, strings.Fields(r.MetaData().GetCreatedBy())[0])
		if r.NumRows() != f.Records {
			e.tb.Errorf("%s: %d rows, manifest says %d", f.Path, r.NumRows(), f.Records)
		}
		root := r.MetaData().Schema.Root()
		for i := range root.NumFields() {
			n := root.Field(i)
			sf, ok := safe.FindFieldByID(int(n.FieldID()))
			if !ok || sf.Name != n.Name() {
				e.tb.Errorf("%s: column %s has field id %d; the table's Parquet name for that id is %q", f.Path, n.Name(), n.FieldID(), sf.Name)
			}
		}
		r.Close()
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// filesOnDisk lists every file under the warehouse.
func (e *env) filesOnDisk() []string {
	e.tb.Helper()
	var out []string
	root := localOf(e.tb, e.cat.Warehouse())
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		e.tb.Fatal(err)
	}
	return out
}

// planned lists the local paths of the data files of the table's current
// version.
func (e *env) planned(name string) []string {
	e.tb.Helper()
	plan, err := e.load(name).Plan(e.ctx, nil)
	if err != nil {
		e.tb.Fatal(err)
	}
	var out []string
	for _, f := range plan.Files {
		out = append(out, localOf(e.tb, f.Path))
	}
	return out
}

// scan reads the table's current version with iceberg-go's own reader
// (by field id, not through sqlengine) and returns the named columns of
// every row as strings ("NULL" for NULL), sorted.
func (e *env) scan(name string, cols ...string) [][]string {
	e.tb.Helper()
	at, err := e.load(name).Iceberg().Scan(itable.WithSelectedFields(cols...)).ToArrowTable(e.ctx)
	if err != nil {
		e.tb.Fatalf("iceberg-go scan of %s: %v", name, err)
	}
	defer at.Release()
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	var out [][]string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]string, len(cols))
			for j, c := range cols {
				idx := rec.Schema().FieldIndices(c)
				if len(idx) != 1 {
					e.tb.Fatalf("iceberg-go scan of %s has no column %q: %s", name, c, rec.Schema())
				}
				if col := rec.Column(idx[0]); col.IsNull(i) {
					row[j] = "NULL"
				} else {
					row[j] = strings.Clone(col.ValueStr(i))
				}
			}
			out = append(out, row)
		}
	}
	if err := tr.Err(); err != nil {
		e.tb.Fatal(err)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(strings.Join(a, "\x00"), strings.Join(b, "\x00")) })
	return out
}

// duckDB is the created_by of files DuckDB writes.
const duckDB = "DuckDB"

func TestCopyTypes(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	schema := mustSchema(t, "b BOOLEAN, i INTEGER, l BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(10,2), big DECIMAL(30,4), s VARCHAR, dt DATE, tm TIME, ts TIMESTAMP, tstz TIMESTAMPTZ, bl BLOB")
	f := e.write("types.csv", `b,i,l,f,d,dec,big,s,dt,tm,ts,tstz,bl
true,1,10000000000,1.5,2.25,12.34,12345678901234567890.1234,hello,2024-01-02,10:11:12,2024-01-02 03:04:05.123456,2024-01-02 03:04:05+00,\xAA\xBB
false,-2,-3,,-0.5,-1.00,,"with, comma",,23:59:59,,,
`)
	sum := e.mustRun(Options{Table: mustIdent(t, "ns.t"), Schema: schema}, f)
	if sum.RowsWritten != 2 || e.records("ns.t") != 2 || sum.Version != 1 {
		t.Fatalf("got %+v (%d rows in the table), want 2 rows in version 1", sum, e.records("ns.t"))
	}
	if got := e.writers("ns.t"); !slices.Equal(got, []string{duckDB}) {
		t.Fatalf("data files written by %v, want DuckDB's COPY", got)
	}
	got := e.rows(`SELECT b, i, l, f, d, CAST(dec AS VARCHAR), CAST(big AS VARCHAR), s, CAST(dt AS VARCHAR), CAST(tm AS VARCHAR),
  CAST(ts AS VARCHAR), epoch_us(tstz), hex(bl) FROM ns.t ORDER BY i`)
	want := [][]string{
		{"false", "-2", "-3", "NULL", "-0.5", "-1.00", "NULL", "with, comma", "NULL", "23:59:59", "NULL", "NULL", "NULL"},
		{"true", "1", "10000000000", "1.5", "2.25", "12.34", "12345678901234567890.1234", "hello", "2024-01-02", "10:11:12", "2024-01-02 03:04:05.123456", "1704164645000000", "AABB"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("SQL read:\n got %q\nwant %q", got, want)
	}
	// iceberg-go reads the same values (Arrow's renderings).
	gotScan := e.scan("ns.t", "i", "b", "l", "f", "d", "dec", "big", "s", "dt", "tm", "ts", "tstz")
	wantScan := [][]string{
		{"-2", "false", "-3", "NULL", "-0.5", "-1", "NULL", "with, comma", "NULL", "23:59:59.000000", "NULL", "NULL"},
		{"1", "true", "10000000000", "1.5", "2.25", "12.34", "12345678901234567890.1234", "hello", "2024-01-02", "10:11:12.000000", "2024-01-02T03:04:05.123456", "2024-01-02T03:04:05Z"},
	}
	if !slices.EqualFunc(gotScan, wantScan, slices.Equal) {
		t.Errorf("iceberg-go read:\n got %q\nwant %q", gotScan, wantScan)
	}
	// The manifest's bounds come from DuckDB's footers.
	tasks, err := e.load("ns.t").Iceberg().Scan(itable.WithRowFilter(iceberg.GreaterThan(iceberg.Reference("l"), int64(10000000000)))).PlanFiles(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 0 {
		t.Errorf("a scan for l > max(l) plans %d files, want none (pruned by the upper bound)", len(tasks))
	}
}

// TestCopyMissingColumns: table columns the input lacks are NULL, input
// columns match table columns case-insensitively, in any order.
func TestCopyMissingColumns(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	id := mustIdent(t, "ns.t")
	e.mustRun(Options{Table: id, Schema: mustSchema(t, "id BIGINT, name VARCHAR, score DOUBLE, note VARCHAR")}, e.write("a.csv", "id,name,score,note\n1,a,1.5,x\n"))
	sum := e.mustRun(Options{Table: id}, e.write("b.csv", "NAME,Id\nb,2\nc,3\n"))
	if sum.RowsWritten != 2 || sum.Version != 2 {
		t.Fatalf("got %+v, want 2 rows in version 2", sum)
	}
	if got := e.writers("ns.t"); !slices.Equal(got, []string{duckDB}) {
		t.Errorf("data files written by %v, want DuckDB's COPY", got)
	}
	want := [][]string{{"1", "a", "1.5", "x"}, {"2", "b", "NULL", "NULL"}, {"3", "c", "NULL", "NULL"}}
	if got := e.rows("SELECT id, name, score, note FROM ns.t ORDER BY id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("SQL read: got %v, want %v", got, want)
	}
	if got := e.scan("ns.t", "id", "name", "score", "note"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("iceberg-go read: got %v, want %v", got, want)
	}
}

// TestCopySanitizedNames: columns whose names are not Avro names are
// written under their sanitized Parquet names with their field ids, and
// read back under their own names by SQL and by iceberg-go.
func TestCopySanitizedNames(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	f := e.write("odd.csv", "id,first name,1st,Amount ($),é\n1,a,b,2.5,c\n2,d,e,3,f\n")
	e.mustRun(Options{Table: mustIdent(t, "ns.t")}, f)
	if got := e.writers("ns.t"); !slices.Equal(got, []string{duckDB}) {
		t.Errorf("data files written by %v, want DuckDB's COPY", got)
	}
	want := [][]string{{"1", "a", "b", "2.5", "c"}, {"2", "d", "e", "3", "f"}}
	if got := e.rows(`SELECT id, "first name", "1st", "Amount ($)", "é" FROM ns.t ORDER BY id`); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("SQL read: got %v, want %v", got, want)
	}
	if got := e.scan("ns.t", "id", "first name", "1st", "Amount ($)", "é"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("iceberg-go read: got %v, want %v", got, want)
	}
}

// TestCopyFormats: JSON and Parquet input go through DuckDB's COPY too.
func TestCopyFormats(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	j := e.write("a.jsonl", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": null}\n")
	e.mustRun(Options{Table: mustIdent(t, "ns.j")}, j)
	p := filepath.Join(e.dir, "a.parquet")
	if _, err := e.eng.CopyTo(e.ctx, "SELECT range AS id, 'n' || range AS name FROM range(5)", p); err != nil {
		t.Fatal(err)
	}
	e.mustRun(Options{Table: mustIdent(t, "ns.p")}, p)
	// Into an existing table, with the input's narrower types cast.
	e.mustRun(Options{Table: mustIdent(t, "ns.p")}, e.write("b.jsonl", "{\"id\": 7}\n"))
	for name, n := range map[string]int64{"ns.j": 2, "ns.p": 6} {
		if got := e.writers(name); !slices.Equal(got, []string{duckDB}) {
			t.Errorf("%s: data files written by %v, want DuckDB's COPY", name, got)
		}
		if c := e.count(name); c != n {
			t.Errorf("%s: %d rows, want %d", name, c, n)
		}
	}
}

// TestCopyFallback: the writes DuckDB's COPY cannot do go through Arrow
// and iceberg-go's writer.
func TestCopyFallback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		first Options // creates the table from a.csv
		next  Options // then ingests b.csv
	}{
		{"partitioned", Options{Partition: []table.PartitionField{{Column: "name", Transform: "identity"}}}, Options{}},
		{"NOT NULL column", Options{Schema: mustSchema(t, "id BIGINT NOT NULL, name VARCHAR")}, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := mustEnv(t)
			tc.first.Table, tc.next.Table = mustIdent(t, "ns.t"), mustIdent(t, "ns.t")
			e.mustRun(tc.first, e.write("a.csv", "id,name\n1,a\n"))
			e.mustRun(tc.next, e.write("b.csv", "id,name\n2,b\n"))
			if got := e.writers("ns.t"); slices.Contains(got, duckDB) {
				t.Errorf("data files written by %v, want iceberg-go's writer", got)
			}
			if n := e.count("ns.t"); n != 2 {
				t.Errorf("got %d rows, want 2", n)
			}
		})
	}
	t.Run("merge schema", func(t *testing.T) {
		t.Parallel()
		e := mustEnv(t)
		id := mustIdent(t, "ns.t")
		e.mustRun(Options{Table: id}, e.write("a.csv", "id,name\n1,a\n"))
		// MergeSchema with nothing to evolve: COPY.
		e.mustRun(Options{Table: id, MergeSchema: true}, e.write("b.csv", "id,name\n2,b\n"))
		if got := e.writers("ns.t"); !slices.Equal(got, []string{duckDB}) {
			t.Errorf("data files written by %v, want DuckDB's COPY", got)
		}
		// A new column: Append evolves the table.
		sum := e.mustRun(Options{Table: id, MergeSchema: true}, e.write("c.csv", "id,name,extra\n3,c,x\n"))
		if sum.Version != 3 || e.count("ns.t") != 3 {
			t.Errorf("got %+v with %d rows, want version 3 with 3 rows", sum, e.count("ns.t"))
		}
		if got := e.writers("ns.t"); len(got) != 2 {
			t.Errorf("data files written by %v, want DuckDB and iceberg-go", got)
		}
	})
}

// TestCopyManyFiles: DuckDB rolls over to a new file at the table's
// target file size; every file is committed, and scans prune by their
// bounds.
func TestCopyManyFiles(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	id := mustIdent(t, "ns.t")
	cols, err := table.ParseSchema("id BIGINT, v VARCHAR")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := table.NewSchema(cols)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.CreateTable(e.ctx, id, sc, table.CreateOptions{Properties: map[string]string{itable.WriteTargetFileSizeBytesKey: "1"}}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("id,v\n")
	const n = 300_000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,v%d\n", i, i%7)
	}
	sum := e.mustRun(Options{Table: id}, e.write("big.csv", b.String()))
	if sum.RowsWritten != n || e.records("ns.t") != n || e.count("ns.t") != n {
		t.Fatalf("got %d rows written, %d in the manifests, %d counted; want %d", sum.RowsWritten, e.records("ns.t"), e.count("ns.t"), n)
	}
	files := e.planned("ns.t")
	if len(files) < 2 {
		t.Fatalf("got %d data files, want several (1-byte target size)", len(files))
	}
	if onDisk := e.filesOnDisk(); !sameSet(onDisk, files) {
		t.Errorf("files on disk %v, want exactly the committed %v", onDisk, files)
	}
	tasks, err := e.load("ns.t").Iceberg().Scan(itable.WithRowFilter(iceberg.GreaterThanEqual(iceberg.Reference("id"), int64(n-10)))).PlanFiles(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 {
		t.Errorf("a scan for the last 10 ids plans %d of %d files, want 1", len(tasks), len(files))
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestCopyOverwrite: an overwrite commits the new files in place of all
// others, in one version.
func TestCopyOverwrite(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	id := mustIdent(t, "ns.t")
	e.mustRun(Options{Table: id}, e.write("a.csv", "id,v\n1,a\n2,b\n"))
	e.mustRun(Options{Table: id}, e.write("b.csv", "id,v\n3,c\n"))
	before := e.planned("ns.t")
	sum := e.mustRun(Options{Table: id, Mode: "overwrite"}, e.write("c.csv", "id,v\n9,z\n8,y\n"))
	if sum.Version != 3 || sum.RowsWritten != 2 {
		t.Fatalf("got %+v, want version 3 writing 2 rows", sum)
	}
	after := e.planned("ns.t")
	for _, f := range after {
		if slices.Contains(before, f) {
			t.Errorf("file %s of version 2 is still in version 3", f)
		}
	}
	want := [][]string{{"8", "y"}, {"9", "z"}}
	if got := e.rows("SELECT id, v FROM ns.t ORDER BY id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("SQL read: got %v, want %v", got, want)
	}
	if got := e.scan("ns.t", "id", "v"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("iceberg-go read: got %v, want %v", got, want)
	}
	h := e.load("ns.t").History()
	if v := h[len(h)-1]; v.DeletedRows != 3 || v.AddedRows != 2 || v.TotalRows != 2 || v.Summary["sluice.operation"] != "INGEST" {
		t.Errorf("version 3: got %+v, want an INGEST deleting 3 rows and adding 2", v)
	}
	// Time travel still reads version 2.
	if got := e.rows("SELECT count(*) FROM ns.t VERSION AS OF 2"); got[0][0] != "3" {
		t.Errorf("version 2 has %s rows, want 3", got[0][0])
	}
}

// TestCopyFailLeavesNothing: an ingest that fails after DuckDB wrote its
// files deletes them; the table keeps its version and files.
func TestCopyFailLeavesNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	id := mustIdent(t, "ns.t")
	bad := e.write("bad.csv", "id,name\n1,a\nx,b\n3,c\n")
	opts := Options{Table: id, Schema: mustSchema(t, "id INTEGER, name VARCHAR")}

	// A new table is not left behind, nor are its files.
	var bre *BadRowsError
	if _, err := Run(e.ctx, e.eng, []string{bad}, opts); !errors.As(err, &bre) {
		t.Fatalf("got %v, want *BadRowsError", err)
	}
	if v := e.version("ns.t"); v != -1 {
		t.Errorf("table exists at version %d", v)
	}
	if left := e.filesOnDisk(); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}

	// A given schema that lacks a column of Parquet input.
	pq := filepath.Join(e.dir, "extra.parquet")
	if _, err := e.eng.CopyTo(e.ctx, "SELECT 1 AS id, 'a' AS name, 2 AS extra", pq); err != nil {
		t.Fatal(err)
	}
	var sme *table.SchemaMismatchError
	if _, err := Run(e.ctx, e.eng, []string{pq}, opts); !errors.As(err, &sme) || sme.Mismatches[0].Column != "extra" {
		t.Fatalf("got %v, want *table.SchemaMismatchError about column extra", err)
	}
	if v := e.version("ns.t"); v != -1 {
		t.Errorf("table exists at version %d", v)
	}

	e.mustRun(opts, e.write("good.csv", "id,name\n1,a\n"))
	before := e.filesOnDisk()
	for _, tc := range []struct {
		name string
		opts Options
		file string
		want func(error) bool
	}{
		{"bad rows", Options{Table: id}, bad, func(err error) bool { return errors.As(err, &bre) }},
		{"bad rows, overwrite", Options{Table: id, Mode: "overwrite"}, bad, func(err error) bool { return errors.As(err, &bre) }},
		{"column not in the table", Options{Table: id}, e.write("extra.csv", "id,extra\n1,x\n"), func(err error) bool {
			var sme *table.SchemaMismatchError
			return errors.As(err, &sme)
		}},
	} {
		_, err := Run(e.ctx, e.eng, []string{tc.file}, tc.opts)
		if !tc.want(err) {
			t.Errorf("%s: got %v", tc.name, err)
		}
		if v := e.version("ns.t"); v != 1 {
			t.Errorf("%s: version %d, want 1", tc.name, v)
		}
		if after := e.filesOnDisk(); !sameSet(after, before) {
			t.Errorf("%s: files %v, want only %v", tc.name, after, before)
		}
	}
	// A cancelled ingest leaves nothing either.
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if _, err := Run(ctx, e.eng, []string{e.write("more.csv", "id,name\n5,e\n")}, Options{Table: id}); err == nil {
		t.Error("cancelled ingest: got no error")
	}
	if after := e.filesOnDisk(); !sameSet(after, before) {
		t.Errorf("cancelled ingest: files %v, want only %v", after, before)
	}
	// Quarantine commits the good rows (DuckDB's files) and keeps the bad.
	sum, err := Run(e.ctx, e.eng, []string{bad}, Options{Table: id, BadRows: "quarantine"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Version != 2 || sum.RowsWritten != 2 || sum.RowsRejected != 1 || e.records("ns.t") != 3 {
		t.Errorf("got %+v, %d rows in the table; want version 2 with 2 written, 1 rejected, 3 in total", sum, e.records("ns.t"))
	}
	if got := e.writers("ns.t"); !slices.Equal(got, []string{duckDB}) {
		t.Errorf("data files written by %v, want DuckDB's COPY", got)
	}
	if got := e.rows(`SELECT line, "column" FROM ns.t__rejects`); !slices.EqualFunc(got, [][]string{{"3", "id"}}, slices.Equal) {
		t.Errorf("rejects: got %v, want line 3, column id", got)
	}
	if onDisk, planned := e.filesOnDisk(), append(e.planned("ns.t"), e.planned("ns.t__rejects")...); !sameSet(onDisk, planned) {
		t.Errorf("files on disk %v, want exactly the committed %v", onDisk, planned)
	}
}
