package sqlengine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/sqlengine/sqltext"
	"github.com/sluice-dev/sluice/table"
)

// identOf maps a reference's name parts to a catalog identifier. ok is false
// for names that cannot be Sluice tables (three or more parts).
func identOf(parts []string) (table.Ident, bool) {
	switch len(parts) {
	case 1:
		return table.Ident{Namespace: table.DefaultNamespace, Name: parts[0]}, true
	case 2:
		return table.Ident{Namespace: parts[0], Name: parts[1]}, true
	}
	return table.Ident{}, false
}

// bind creates or refreshes the DuckDB views for the catalog tables stmt
// references and returns the statement to run.
// The caller holds e.mu.
func (e *Engine) bind(ctx context.Context, stmt string) (string, error) {
	// Table references become the scan of their snapshot's files, written
	// into the statement, so DuckDB binds read_parquet directly (no view
	// to expand). DESCRIBE, SUMMARIZE and SHOW take names, not table
	// expressions: for them the names are bound to views instead.
	return e.bindAs(ctx, stmt, !startsWithWord(stmt, "DESCRIBE", "SUMMARIZE", "SHOW"))
}

// bindAs binds stmt's table references inline (see bind) or, with inline
// false, to DuckDB views named as the statement names them.
func (e *Engine) bindAs(ctx context.Context, stmt string, inline bool) (string, error) {
	refs, err := sqltext.FindTableRefs(stmt)
	if err != nil {
		return "", err
	}
	if len(refs) == 0 {
		return stmt, nil
	}
	repl := map[int]string{} // ref index → replacement
	for i, ref := range refs {
		id, ok := identOf(ref.Parts)
		if !ok || (len(ref.Parts) == 1 && e.shadow[strings.ToLower(ref.Parts[0])]) {
			continue
		}
		tbl, err := e.load(ctx, id)
		if errors.Is(err, table.ErrNotFound) {
			if ref.Travel != sqltext.NoTravel {
				return "", fmt.Errorf("%s: time travel needs a Sluice table: %w", strings.Join(ref.Parts, "."), err)
			}
			// A table dropped since it was bound must not stay readable.
			if view := plainViewName(ref.Parts); e.bound[view] != "" {
				if err := e.exec(ctx, "DROP VIEW IF EXISTS "+view); err != nil {
					return "", err
				}
				delete(e.bound, view)
			}
			continue // a DuckDB object, CTE or a typo DuckDB will report
		}
		if err != nil {
			return "", err
		}
		if ref.Write {
			// A write the engine did not route (MERGE INTO, WITH … INSERT):
			// DuckDB would change only its view.
			return "", fmt.Errorf("%s: this kind of write is not supported on Sluice tables yet; use INSERT INTO, UPDATE, DELETE or CREATE TABLE AS as a statement of its own", id)
		}
		var snap *itable.Snapshot
		switch ref.Travel {
		case sqltext.TravelVersion:
			if snap, err = tbl.SnapshotAtVersion(ref.Version); err != nil {
				return "", err
			}
		case sqltext.TravelTimestamp:
			ts, err := parseTimestamp(ref.Timestamp)
			if err != nil {
				return "", fmt.Errorf("%s TIMESTAMP AS OF '%s': %w", id, ref.Timestamp, err)
			}
			if snap, err = tbl.SnapshotAsOf(ts); err != nil {
				return "", err
			}
		}
		if inline {
			src, err := e.source(ctx, tbl, snap)
			if err != nil {
				return "", err
			}
			if ref.Alias == "" {
				src += " AS " + quoteIdent(ref.Parts[len(ref.Parts)-1])
			}
			repl[i] = src
			continue
		}
		var view string
		if ref.Travel == sqltext.NoTravel {
			view = plainViewName(ref.Parts)
			if len(ref.Parts) == 2 && !ref.Quoted[0] && strings.EqualFold(ref.Parts[0], table.DefaultNamespace) {
				// DEFAULT is a keyword to DuckDB's parser: quote it.
				repl[i] = view
			}
		} else {
			view = quoteIdent(fmt.Sprintf("%s@v%d", id, snap.SequenceNumber))
			if ref.Alias != "" {
				repl[i] = view
			} else {
				repl[i] = view + " AS " + quoteIdent(ref.Parts[len(ref.Parts)-1])
			}
		}
		if err := e.bindView(ctx, view, ref.Parts, tbl, snap); err != nil {
			return "", err
		}
	}
	if len(repl) == 0 {
		return stmt, nil
	}
	idx := map[int]int{}
	for i := range refs {
		idx[refs[i].Start] = i
	}
	return sqltext.Rewrite(stmt, refs, func(r sqltext.TableRef) string {
		if s, ok := repl[idx[r.Start]]; ok {
			return s
		}
		return stmt[r.Start:r.End]
	}), nil
}

// startsWithWord reports whether the statement's first word is one of words.
func startsWithWord(stmt string, words ...string) bool {
	toks, _ := sqltext.Tokenize(stmt)
	for _, t := range toks {
		if t.Kind == sqltext.Space || t.Kind == sqltext.Comment {
			continue
		}
		for _, w := range words {
			if t.Is(w) {
				return true
			}
		}
		return false
	}
	return false
}

// maxSources bounds the cache of scan expressions.
const maxSources = 256

// source returns the table expression that scans the given snapshot (nil:
// current) of tbl: read_parquet over its files when they hold exactly the
// table's columns, else a subquery that renames, casts or fills them.
// Snapshots are immutable, so the expression is cached by plan key.
// The caller holds e.mu.
func (e *Engine) source(ctx context.Context, tbl *table.Table, snap *itable.Snapshot) (string, error) {
	key := tbl.PlanKey(snap)
	if src, ok := e.sources[key]; ok {
		return src, nil
	}
	plan, err := tbl.Plan(ctx, snap)
	if err != nil {
		return "", err
	}
	src := "(" + scanSQL(plan, plan.Files, "") + ")"
	if direct(plan) {
		src = readParquetSQL(plan.Files, false, "")
	}
	if len(e.sources) >= maxSources {
		clear(e.sources)
	}
	e.sources[key] = src
	return src, nil
}

// direct reports whether plain read_parquet over the plan's files yields
// the table's columns with the right names and types.
func direct(plan *table.ScanPlan) bool {
	if len(plan.Files) == 0 || plan.SchemaChanged {
		return false
	}
	for id, name := range physicalNames(plan) {
		if f, ok := plan.Schema.FindFieldByID(id); !ok || f.Name != name {
			return false
		}
	}
	return true
}

// load returns the table's current state, reusing the loaded metadata
// while the catalog's metadata location for it is unchanged (one indexed
// SELECT instead of reading and parsing the metadata file). The caller
// holds e.mu.
func (e *Engine) load(ctx context.Context, id table.Ident) (*table.Table, error) {
	loc, err := e.tables.MetadataLocation(ctx, id)
	if err != nil {
		delete(e.loaded, id)
		return nil, err
	}
	if t, ok := e.loaded[id]; ok && t.MetadataLocation() == loc {
		return t, nil
	}
	t, err := e.tables.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	e.loaded[id] = t
	return t, nil
}

// plainViewName is the DuckDB name of the view for a plain reference: the
// same name the user wrote, so qualified column references keep working.
// The default namespace's tables are also reachable unqualified, in
// DuckDB's main schema.
func plainViewName(parts []string) string {
	if len(parts) == 1 {
		return "main." + quoteIdent(parts[0])
	}
	return quoteIdent(parts[0]) + "." + quoteIdent(parts[1])
}

func (e *Engine) bindView(ctx context.Context, view string, parts []string, tbl *table.Table, snap *itable.Snapshot) error {
	key := tbl.PlanKey(snap)
	if e.bound[view] == key {
		return nil
	}
	plan, err := tbl.Plan(ctx, snap)
	if err != nil {
		return err
	}
	if len(parts) == 2 {
		if err := e.exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(parts[0])); err != nil {
			return fmt.Errorf("bind %s: %w", tbl.Ident(), err)
		}
	}
	if err := e.exec(ctx, "CREATE OR REPLACE VIEW "+view+" AS "+scanSQL(plan, plan.Files, "")); err != nil {
		return fmt.Errorf("bind %s: %w", tbl.Ident(), err)
	}
	e.bound[view] = key
	return nil
}

// scanSQL is a SELECT over the given files of a plan, yielding the plan's
// schema. When fileCol is set, it adds that column with each row's file
// path (as in the plan).
func scanSQL(plan *table.ScanPlan, files []table.DataFile, fileCol string) string {
	fields := plan.Schema.Fields()
	cols := make([]string, 0, len(fields)+1)
	if len(files) == 0 {
		for _, f := range fields {
			cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", table.SQLType(f.Type), quoteIdent(f.Name)))
		}
		if fileCol != "" {
			cols = append(cols, "CAST(NULL AS VARCHAR) AS "+quoteIdent(fileCol))
		}
		return "SELECT " + strings.Join(cols, ", ") + " LIMIT 0"
	}
	phys := physicalNames(plan)
	for _, f := range fields {
		name := phys[f.ID]
		switch {
		case plan.SchemaChanged:
			cols = append(cols, fmt.Sprintf("CAST(%s AS %s) AS %s", quoteIdent(name), table.SQLType(f.Type), quoteIdent(f.Name)))
		case name != f.Name:
			cols = append(cols, fmt.Sprintf("%s AS %s", quoteIdent(name), quoteIdent(f.Name)))
		default:
			cols = append(cols, quoteIdent(f.Name))
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(cols, ", "))
	if fileCol != "" {
		b.WriteString(", ")
		b.WriteString(quoteIdent(fileCol))
	}
	b.WriteString(" FROM ")
	b.WriteString(readParquetSQL(files, plan.SchemaChanged, fileCol))
	return b.String()
}

// readParquetSQL is DuckDB's read_parquet over files.
// One file is passed as a plain string, which DuckDB binds faster than a
// list.
func readParquetSQL(files []table.DataFile, unionByName bool, fileCol string) string {
	var b strings.Builder
	b.WriteString("read_parquet(")
	if len(files) == 1 {
		b.WriteString(quoteString(localPath(files[0].Path)))
	} else {
		b.WriteString("[")
		for i, f := range files {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteString(localPath(f.Path)))
		}
		b.WriteString("]")
	}
	if unionByName {
		b.WriteString(", union_by_name = true")
	}
	if fileCol != "" {
		b.WriteString(", filename = " + quoteString(fileCol))
	}
	b.WriteString(")")
	return b.String()
}

// physicalNames maps top-level field ids to the column names in the data
// files: iceberg-go writes names that are not valid Avro names ("first
// name", "1st") escaped, as the Iceberg spec's name sanitizing does
// ("first_x20name", "_1st").
func physicalNames(plan *table.ScanPlan) map[int]string {
	out := make(map[int]string, plan.Schema.NumFields())
	for _, f := range plan.Schema.Fields() {
		out[f.ID] = f.Name
	}
	san, err := iceberg.SanitizeColumnNames(plan.Schema)
	if err != nil {
		return out
	}
	for _, f := range san.Fields() {
		out[f.ID] = f.Name
	}
	return out
}

// localPath turns a file:// URL into a path DuckDB reads; other paths pass
// through.
func localPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "file://"); ok {
		return rest
	}
	return p
}

var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTimestamp parses a TIMESTAMP AS OF literal; without a zone it is UTC.
func parseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read the time; write it like '2026-11-20 10:00:00' (UTC) or '2026-11-20T10:00:00+01:00'")
}
