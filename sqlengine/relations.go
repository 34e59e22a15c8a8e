package sqlengine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Relations are extra named inputs a query can read besides catalog
// tables: Arrow data (an ML frame, SQLTransformer's __THIS__) and files
// (CSV, TSV, Parquet, JSON lines, read by DuckDB). A relation shadows a
// catalog table of the same (unqualified) name for that query.
type Relations struct {
	Arrow map[string]array.RecordReader
	Files map[string]string
}

func (r Relations) names() []string {
	var out []string
	for n := range r.Arrow {
		out = append(out, n)
	}
	for n := range r.Files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// fileScan returns the DuckDB table function reading path, by extension.
func fileScan(path string) (string, error) {
	p := strings.ToLower(path)
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".gz"), ".zst")
	switch filepath.Ext(p) {
	case ".csv", ".tsv", ".txt":
		return "read_csv(" + quoteString(path) + ")", nil
	case ".parquet", ".pq":
		return "read_parquet(" + quoteString(path) + ")", nil
	case ".json", ".jsonl", ".ndjson":
		return "read_json_auto(" + quoteString(path) + ")", nil
	}
	return "", fmt.Errorf("file %s: unknown format; use .csv, .tsv, .parquet or .json/.jsonl", path)
}

// QueryWith runs one read statement like Query, with rel's relations
// visible under their names. fn gets the rows; the reader is valid only
// during fn.
func (e *Engine) QueryWith(ctx context.Context, query string, rel Relations, fn func(array.RecordReader) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("sql engine is closed")
	}
	names := rel.names()
	if len(names) == 0 {
		bound, err := e.bind(ctx, query)
		if err != nil {
			return err
		}
		return e.runBound(ctx, query, bound, fn)
	}
	e.shadow = map[string]bool{}
	for _, n := range names {
		e.shadow[strings.ToLower(n)] = true
	}
	defer func() { e.shadow = nil }()
	return e.withDriver(func(dc driver.Conn) error {
		for name, path := range rel.Files {
			scan, err := fileScan(path)
			if err != nil {
				return err
			}
			if err := e.exec(ctx, "CREATE OR REPLACE TEMP VIEW "+quoteIdent(name)+" AS SELECT * FROM "+scan); err != nil {
				return fmt.Errorf("file %s: %w", path, err)
			}
			defer e.exec(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS temp."+quoteIdent(name))
		}
		for name, rdr := range rel.Arrow {
			// DuckDB 1.4's Arrow scan through the Go driver loses pushed-down
			// filters (WHERE x >= 2 returns every row), so the data is
			// copied into a temporary table by a filterless scan first.
			staging := "__sluice_arrow_" + strings.ToLower(name)
			release, err := registerArrowView(dc, rdr, staging)
			if err != nil {
				return fmt.Errorf("relation %s: %w", name, err)
			}
			err = e.exec(ctx, "CREATE OR REPLACE TEMP TABLE "+quoteIdent(name)+" AS SELECT * FROM "+quoteIdent(staging))
			release()
			if err != nil {
				return fmt.Errorf("relation %s: %w", name, err)
			}
			defer e.exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp."+quoteIdent(name))
		}
		bound, err := e.bind(ctx, query)
		if err != nil {
			return err
		}
		return e.runBound(ctx, query, bound, fn)
	})
}

// QueryArrowViews runs query with each views[name] visible as a view; it
// is QueryWith for Arrow relations only (the shape ML's SQLTransformer
// needs, without importing this package).
func (e *Engine) QueryArrowViews(ctx context.Context, query string, views map[string]array.RecordReader, fn func(array.RecordReader) error) error {
	return e.QueryWith(ctx, query, Relations{Arrow: views}, fn)
}
