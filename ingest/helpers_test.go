package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// env is a workspace-like environment: a SQLite metastore, an Iceberg
// catalog with its warehouse, and a SQL engine, all in a temp directory.
type env struct {
	tb  testing.TB
	ctx context.Context
	dir string // where tests write input files
	cat *table.Catalog
	eng *sqlengine.Engine
}

// mustEnv opens an env that is closed when tb ends.
func mustEnv(tb testing.TB) *env {
	tb.Helper()
	return mustEnvConfig(tb, sqlengine.DefaultConfig())
}

// mustEnvConfig is mustEnv with an engine config.
func mustEnvConfig(tb testing.TB, cfg sqlengine.Config) *env {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cat, err := table.Open(ctx, db.DB, db.Dialect, "file://"+filepath.Join(dir, "warehouse"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cat.Close() })
	eng, err := sqlengine.Open(ctx, cat, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { eng.Close() })
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		tb.Fatal(err)
	}
	return &env{tb: tb, ctx: ctx, dir: in, cat: cat, eng: eng}
}

// with returns a copy of e that reports to tb (for a fuzz target, whose
// env is opened once by the *testing.F).
func (e *env) with(tb testing.TB) *env {
	c := *e
	c.tb = tb
	return &c
}

// write writes an input file and returns its absolute path.
func (e *env) write(name, body string) string {
	e.tb.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		e.tb.Fatal(err)
	}
	return p
}

func mustIdent(tb testing.TB, s string) table.Ident {
	tb.Helper()
	id, err := table.ParseIdent(s)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// mustRun ingests and fails the test on error.
func (e *env) mustRun(opts Options, patterns ...string) *Summary {
	e.tb.Helper()
	sum, err := Run(e.ctx, e.eng, patterns, opts)
	if err != nil {
		e.tb.Fatalf("ingest %v: %v", patterns, err)
	}
	return sum
}

// rows runs a query and returns its rows as strings ("NULL" for NULL).
func (e *env) rows(q string) [][]string {
	e.tb.Helper()
	var out [][]string
	err := e.eng.Query(e.ctx, q, func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				row := make([]string, rec.NumCols())
				for j := range row {
					col := rec.Column(j)
					if col.IsNull(i) {
						row[j] = "NULL"
					} else {
						row[j] = strings.Clone(col.ValueStr(i))
					}
				}
				out = append(out, row)
			}
		}
		return nil
	})
	if err != nil {
		e.tb.Fatalf("%s: %v", q, err)
	}
	return out
}

// count returns the number of rows of a table.
func (e *env) count(name string) int64 {
	e.tb.Helper()
	var n int64
	err := e.eng.Query(e.ctx, "SELECT count(*) FROM "+name, func(rdr array.RecordReader) error {
		for rdr.Next() {
			n = rdr.RecordBatch().Column(0).(*array.Int64).Value(0)
		}
		return nil
	})
	if err != nil {
		e.tb.Fatalf("count %s: %v", name, err)
	}
	return n
}

// records returns the number of rows of a table from its Iceberg metadata,
// without SQL: the sum of its data files' record counts.
func (e *env) records(name string) int64 {
	e.tb.Helper()
	tbl, err := e.cat.Load(e.ctx, mustIdent(e.tb, name))
	if err != nil {
		e.tb.Fatal(err)
	}
	plan, err := tbl.Plan(e.ctx, nil)
	if err != nil {
		e.tb.Fatal(err)
	}
	var n int64
	for _, f := range plan.Files {
		n += f.Records
	}
	return n
}

// version returns a table's current version, or -1 when it does not exist.
func (e *env) version(name string) int64 {
	e.tb.Helper()
	tbl, err := e.cat.Load(e.ctx, mustIdent(e.tb, name))
	if errors.Is(err, table.ErrNotFound) {
		return -1
	}
	if err != nil {
		e.tb.Fatal(err)
	}
	return tbl.CurrentVersion()
}

// schema returns a table's columns as "name TYPE" strings.
func (e *env) schema(name string) []string {
	e.tb.Helper()
	tbl, err := e.cat.Load(e.ctx, mustIdent(e.tb, name))
	if err != nil {
		e.tb.Fatal(err)
	}
	var out []string
	for _, f := range tbl.Schema().Fields() {
		out = append(out, f.Name+" "+table.SQLType(f.Type))
	}
	return out
}

func mustSchema(tb testing.TB, s string) []table.Column {
	tb.Helper()
	cols, err := table.ParseSchema(s)
	if err != nil {
		tb.Fatal(err)
	}
	return cols
}

func ptr[T any](v T) *T { return &v }
