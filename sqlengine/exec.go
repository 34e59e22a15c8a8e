package sqlengine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/sluice-dev/sluice/sqlengine/sqltext"
	"github.com/sluice-dev/sluice/table"
)

// Result describes one executed statement.
type Result struct {
	// Statement is the statement's text.
	Statement string
	// Kind is "query" for statements whose rows went to the callback, or the
	// write: "create", "insert", "delete", "update", "drop"; "ok" for other
	// statements DuckDB ran (SET, CREATE VIEW …).
	Kind string
	// Table is the written table, for writes.
	Table table.Ident
	// Rows is the number of rows inserted, deleted or updated.
	Rows int64
	// Version is the table's version after the write (0: no commit).
	Version int64
}

// Summary says what a write did, e.g. "inserted 3 rows into sales.orders
// (version 4)"; "" for queries and other statements.
func (r Result) Summary() string {
	rows := func(n int64) string {
		if n == 1 {
			return "1 row"
		}
		return fmt.Sprintf("%d rows", n)
	}
	switch r.Kind {
	case "create":
		if r.Version > 0 {
			return fmt.Sprintf("created %s with %s (version %d)", r.Table, rows(r.Rows), r.Version)
		}
		return fmt.Sprintf("created %s", r.Table)
	case "insert":
		return fmt.Sprintf("inserted %s into %s (version %d)", rows(r.Rows), r.Table, r.Version)
	case "delete":
		return fmt.Sprintf("deleted %s from %s (version %d)", rows(r.Rows), r.Table, r.Version)
	case "update":
		return fmt.Sprintf("updated %s in %s (version %d)", rows(r.Rows), r.Table, r.Version)
	case "drop":
		return fmt.Sprintf("dropped %s", r.Table)
	}
	return ""
}

// RowsFunc receives the rows of a statement. The reader is valid only
// during the call.
type RowsFunc func(stmt string, rdr array.RecordReader) error

// Exec runs a script of one or more statements separated by ';'. Rows of
// queries go to onRows; a nil onRows discards them. It stops at the first
// failing statement; the results of the statements before it are returned
// with the error. Errors name the statement's line in the script.
func (e *Engine) Exec(ctx context.Context, script string, onRows RowsFunc) ([]Result, error) {
	stmts, err := sqltext.Split(script)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, errors.New("no SQL statement given")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("sql engine is closed")
	}
	var out []Result
	for _, st := range stmts {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		res, err := e.execOne(ctx, st.Text, onRows)
		if err != nil {
			return out, statementError(script, st, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// StatementError locates a failed statement in its script.
type StatementError struct {
	Line int // 1-based line of the statement's start in the script
	Err  error
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("statement at line %d: %v", e.Line, e.Err)
}

func (e *StatementError) Unwrap() error { return e.Err }

func statementError(script string, st sqltext.Stmt, err error) error {
	var se *sqltext.Error
	if errors.As(err, &se) {
		// Positions inside the statement become positions in the script.
		pos := sqltext.PosOf(script, st.Offset+se.Pos.Offset)
		return &sqltext.Error{Pos: pos, Msg: se.Msg, Hint: se.Hint}
	}
	if strings.TrimSpace(script) == strings.TrimSpace(st.Text) {
		return err
	}
	return &StatementError{Line: sqltext.PosOf(script, st.Offset).Line, Err: err}
}

func (e *Engine) execOne(ctx context.Context, stmt string, onRows RowsFunc) (Result, error) {
	an, err := sqltext.Analyze(stmt)
	if err != nil {
		return Result{}, err
	}
	res := Result{Statement: stmt}
	if an.Kind != sqltext.Query {
		id, ok := identOf(an.Target.Parts)
		if !ok {
			return res, fmt.Errorf("%s: write to a Sluice table named name or namespace.name", strings.Join(an.Target.Parts, "."))
		}
		if _, err := table.ParseIdent(id.String()); err != nil {
			return res, err
		}
		res.Table = id
		switch an.Kind {
		case sqltext.CreateTableAs:
			return e.createTableAs(ctx, res, an)
		case sqltext.CreateTable:
			return e.createTable(ctx, res, an)
		case sqltext.InsertInto:
			return e.insert(ctx, res, an)
		case sqltext.Delete, sqltext.Update:
			return e.rewriteRows(ctx, res, an)
		case sqltext.DropTable:
			return e.dropTable(ctx, res, an)
		}
	}
	bound, err := e.bind(ctx, stmt)
	if err != nil {
		return res, err
	}
	if onRows == nil {
		onRows = func(string, array.RecordReader) error { return nil }
	}
	res.Kind = "query"
	err = e.runBound(ctx, stmt, bound, func(rdr array.RecordReader) error {
		if len(rdr.Schema().Fields()) == 0 {
			res.Kind = "ok"
			for rdr.Next() {
			}
			return nil
		}
		return onRows(stmt, rdr)
	})
	return res, err
}

// runBound runs bound, the binding of stmt. When DuckDB rejects it before
// running it (a parser, binder or catalog error, such as an unknown
// column), the error's LINE and caret would point into the rewritten text,
// so the statement is prepared once more with the tables bound as views
// named as the user wrote them, and that error — positioned in the user's
// own text — is returned instead.
func (e *Engine) runBound(ctx context.Context, stmt, bound string, fn func(array.RecordReader) error) error {
	err := e.queryArrow(ctx, bound, fn)
	if err == nil || bound == stmt || !isCompileError(err) {
		return err
	}
	viewBound, verr := e.bindAs(ctx, stmt, false)
	if verr != nil {
		return err
	}
	perr := e.withDriver(func(dc driver.Conn) error {
		ps, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, viewBound)
		if err != nil {
			return err
		}
		return ps.Close()
	})
	if perr != nil && isCompileError(perr) {
		return perr
	}
	return err
}

// isCompileError reports whether DuckDB rejected a statement before
// running it.
func isCompileError(err error) bool {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return false
	}
	switch de.Type {
	case duckdb.ErrorTypeParser, duckdb.ErrorTypeBinder, duckdb.ErrorTypeCatalog:
		return true
	}
	return false
}

// Query runs one read statement over the catalog and passes its rows to fn.
func (e *Engine) Query(ctx context.Context, query string, fn func(array.RecordReader) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("sql engine is closed")
	}
	bound, err := e.bind(ctx, query)
	if err != nil {
		return err
	}
	return e.runBound(ctx, query, bound, fn)
}

func (e *Engine) createTable(ctx context.Context, res Result, an *sqltext.Analysis) (Result, error) {
	res.Kind = "create"
	cols, err := table.ParseSchema(an.ColumnDefs)
	if err != nil {
		return res, err
	}
	sc, err := table.NewSchema(cols)
	if err != nil {
		return res, err
	}
	if an.OrReplace {
		if err := e.tables.Drop(ctx, res.Table, false); err != nil && !errors.Is(err, table.ErrNotFound) {
			return res, err
		}
	}
	_, err = e.tables.CreateTable(ctx, res.Table, sc, table.CreateOptions{IfNotExists: an.IfNotExists})
	return res, err
}

func (e *Engine) createTableAs(ctx context.Context, res Result, an *sqltext.Analysis) (Result, error) {
	res.Kind = "create"
	exists, err := e.tables.Exists(ctx, res.Table)
	if err != nil {
		return res, err
	}
	if exists && an.IfNotExists {
		return res, nil
	}
	if exists && !an.OrReplace {
		return res, fmt.Errorf("create table %s: %w; use CREATE OR REPLACE TABLE, INSERT INTO, or DROP TABLE first", res.Table, table.ErrAlreadyExists)
	}
	bound, err := e.bind(ctx, an.Query)
	if err != nil {
		return res, err
	}
	err = e.queryArrow(ctx, bound, func(rdr array.RecordReader) error {
		sc, err := ArrowToSchema(rdr.Schema())
		if err != nil {
			return fmt.Errorf("create table %s: %w", res.Table, err)
		}
		var tbl *table.Table
		if exists {
			// Replace: a new version with the new schema and rows, keeping history.
			if tbl, err = e.tables.Load(ctx, res.Table); err != nil {
				return err
			}
			_, info, err := tbl.Overwrite(ctx, rdr, table.WriteOptions{MergeSchema: true, Operation: "CREATE OR REPLACE TABLE AS"})
			res.Rows, res.Version = info.RowsWritten, info.Version
			return err
		}
		tbl, err = e.tables.CreateTable(ctx, res.Table, sc, table.CreateOptions{})
		if err != nil {
			return err
		}
		_, info, err := tbl.Append(ctx, rdr, table.WriteOptions{Operation: "CREATE TABLE AS"})
		if err != nil {
			// Leave no empty table behind a failed CREATE TABLE AS.
			return errors.Join(err, e.tables.Drop(ctx, res.Table, true))
		}
		res.Rows, res.Version = info.RowsWritten, info.Version
		return nil
	})
	return res, err
}

// insert runs INSERT INTO t [(cols)] query. As in SQL, the query's
// columns are assigned by position to the listed columns (or the table's
// first columns) and cast to their types; other columns get NULL.
func (e *Engine) insert(ctx context.Context, res Result, an *sqltext.Analysis) (Result, error) {
	res.Kind = "insert"
	tbl, err := e.tables.Load(ctx, res.Table)
	if err != nil {
		return res, err
	}
	bound, err := e.bind(ctx, an.Query)
	if err != nil {
		return res, err
	}
	incoming, err := e.describe(ctx, bound)
	if err != nil {
		return res, err
	}
	fields := tbl.Schema().Fields()
	var target []iceberg.NestedField
	if len(an.Columns) > 0 {
		seen := map[string]bool{}
		for _, c := range an.Columns {
			f, ok := tbl.Schema().FindFieldByNameCaseInsensitive(c)
			if !ok {
				return res, fmt.Errorf("insert into %s: no column %q; columns are %s", res.Table, c, table.FormatSchema(tbl.Schema()))
			}
			if seen[f.Name] {
				return res, fmt.Errorf("insert into %s: column %s listed twice", res.Table, f.Name)
			}
			seen[f.Name] = true
			target = append(target, f)
		}
	} else {
		if len(incoming) > len(fields) {
			return res, fmt.Errorf("insert into %s: the query returns %d columns but the table has %d (%s)", res.Table, len(incoming), len(fields), table.FormatSchema(tbl.Schema()))
		}
		target = fields[:len(incoming)]
	}
	if len(incoming) != len(target) {
		return res, fmt.Errorf("insert into %s: the query returns %d columns for %d target columns", res.Table, len(incoming), len(target))
	}
	pos := make([]string, len(incoming))
	sel := make([]string, len(incoming))
	for i, f := range target {
		// Name the query's columns after their targets, so DuckDB's cast
		// errors name the column ("… when casting from source column churn").
		pos[i] = quoteIdent(f.Name)
		sel[i] = fmt.Sprintf("CAST(__sluice_insert.%s AS %s) AS %s", quoteIdent(f.Name), table.SQLType(f.Type), quoteIdent(f.Name))
	}
	q := fmt.Sprintf("SELECT %s FROM (%s) AS __sluice_insert(%s)", strings.Join(sel, ", "), bound, strings.Join(pos, ", "))
	err = e.queryArrow(ctx, q, func(rdr array.RecordReader) error {
		_, info, err := tbl.Append(ctx, rdr, table.WriteOptions{Operation: "INSERT"})
		res.Rows, res.Version = info.RowsWritten, info.Version
		return err
	})
	return res, err
}

// describe returns the column names of a bound query without running it.
func (e *Engine) describe(ctx context.Context, query string) ([]string, error) {
	var names []string
	err := e.queryArrow(ctx, "SELECT column_name FROM (DESCRIBE SELECT * FROM ("+query+"))", func(rdr array.RecordReader) error {
		for rdr.Next() {
			col := rdr.RecordBatch().Column(0).(*array.String)
			for i := 0; i < col.Len(); i++ {
				names = append(names, strings.Clone(col.Value(i)))
			}
		}
		return nil
	})
	return names, err
}

func (e *Engine) dropTable(ctx context.Context, res Result, an *sqltext.Analysis) (Result, error) {
	res.Kind = "drop"
	err := e.tables.Drop(ctx, res.Table, false)
	if errors.Is(err, table.ErrNotFound) && an.IfExists {
		return res, nil
	}
	return res, err
}

// fileCol names the column that carries each row's data file in rewrites.
const fileCol = "__sluice_file"

// rewriteRows runs DELETE and UPDATE copy-on-write: DuckDB finds the data
// files holding affected rows, computes their new contents, and the table
// replaces just those files in one commit, failing if another commit came
// first.
func (e *Engine) rewriteRows(ctx context.Context, res Result, an *sqltext.Analysis) (Result, error) {
	op := "DELETE"
	res.Kind = "delete"
	if an.Kind == sqltext.Update {
		op, res.Kind = "UPDATE", "update"
	}
	tbl, err := e.tables.Load(ctx, res.Table)
	if err != nil {
		return res, err
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		return res, err
	}
	for _, a := range an.Set {
		if _, ok := plan.Schema.FindFieldByNameCaseInsensitive(a.Column); !ok {
			return res, fmt.Errorf("UPDATE %s SET %s: no such column; columns are %s", res.Table, a.Column, table.FormatSchema(plan.Schema))
		}
	}
	if len(plan.Files) == 0 {
		res.Version = plan.Version
		return res, nil
	}
	alias := quoteIdent(an.Target.Parts[len(an.Target.Parts)-1])
	pred := "TRUE"
	if strings.TrimSpace(an.Where) != "" {
		if pred, err = e.bindExpr(ctx, an.Where); err != nil {
			return res, err
		}
	}
	// Which files hold affected rows, and how many.
	counts := map[string]int64{}
	q := fmt.Sprintf("SELECT %s, count(*) FROM (%s) AS %s WHERE (%s) GROUP BY 1", quoteIdent(fileCol), scanSQL(plan, plan.Files, fileCol), alias, pred)
	err = e.queryArrow(ctx, q, func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			files, ok := rec.Column(0).(*array.String)
			if !ok {
				return fmt.Errorf("file column has type %s", rec.Column(0).DataType())
			}
			n := rec.Column(1).(*array.Int64)
			for i := 0; i < files.Len(); i++ {
				counts[strings.Clone(files.Value(i))] = n.Value(i)
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("%s on %s: %w", op, res.Table, err)
	}
	var affected []table.DataFile
	var remove []string
	for _, f := range plan.Files {
		if n, ok := counts[localPath(f.Path)]; ok {
			affected = append(affected, f)
			remove = append(remove, f.Path)
			res.Rows += n
		}
	}
	if len(affected) == 0 {
		res.Version = plan.Version
		return res, nil
	}
	var newRows string
	if an.Kind == sqltext.Delete {
		newRows = fmt.Sprintf("SELECT * EXCLUDE (%s) FROM (%s) AS %s WHERE (%s) IS NOT TRUE", quoteIdent(fileCol), scanSQL(plan, affected, fileCol), alias, pred)
	} else {
		set := map[string]string{}
		for _, a := range an.Set {
			f, ok := plan.Schema.FindFieldByNameCaseInsensitive(a.Column)
			if !ok {
				return res, fmt.Errorf("UPDATE %s SET %s: no such column; columns are %s", res.Table, a.Column, table.FormatSchema(plan.Schema))
			}
			expr, err := e.bindExpr(ctx, a.Expr)
			if err != nil {
				return res, err
			}
			set[f.Name] = expr
		}
		cols := make([]string, 0, plan.Schema.NumFields())
		for _, f := range plan.Schema.Fields() {
			if expr, ok := set[f.Name]; ok {
				cols = append(cols, fmt.Sprintf("CASE WHEN (%s) THEN CAST((%s) AS %s) ELSE %s.%s END AS %s", pred, expr, table.SQLType(f.Type), alias, quoteIdent(f.Name), quoteIdent(f.Name)))
			} else {
				cols = append(cols, alias+"."+quoteIdent(f.Name))
			}
		}
		newRows = fmt.Sprintf("SELECT %s FROM (%s) AS %s", strings.Join(cols, ", "), scanSQL(plan, affected, fileCol), alias)
	}
	err = e.queryArrow(ctx, newRows, func(rdr array.RecordReader) error {
		_, info, err := tbl.Rewrite(ctx, plan.Snapshot, remove, []array.RecordReader{rdr}, table.WriteOptions{Operation: op})
		res.Version = info.Version
		return err
	})
	if err != nil {
		return res, err
	}
	return res, nil
}

// bindExpr binds the table references inside an expression (subqueries in
// a WHERE clause, say) and returns it ready for DuckDB.
func (e *Engine) bindExpr(ctx context.Context, expr string) (string, error) {
	// Wrap the expression in a SELECT so references in subqueries are found.
	const pre = "SELECT "
	bound, err := e.bind(ctx, pre+expr)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(bound, pre), nil
}

// Overwrite replaces rows of table id with the rows of query in one commit:
// all rows when where is empty, else the rows matching the where predicate
// (SQL over the table's columns). Files without matching rows stay as they
// are. It fails with table.ErrConflict if another commit lands first.
func (e *Engine) Overwrite(ctx context.Context, id table.Ident, query, where string, merge bool) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	res := Result{Kind: "overwrite", Table: id}
	tbl, err := e.tables.Load(ctx, id)
	if err != nil {
		return res, err
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		return res, err
	}
	var remove []string
	var keep string // query for the kept rows of rewritten files, if any
	if strings.TrimSpace(where) == "" {
		for _, f := range plan.Files {
			remove = append(remove, f.Path)
		}
	} else if len(plan.Files) > 0 {
		pred, err := e.bindExpr(ctx, where)
		if err != nil {
			return res, err
		}
		alias := quoteIdent(id.Name)
		var files []string
		q := fmt.Sprintf("SELECT DISTINCT %s FROM (%s) AS %s WHERE (%s)", quoteIdent(fileCol), scanSQL(plan, plan.Files, fileCol), alias, pred)
		err = e.queryArrow(ctx, q, func(rdr array.RecordReader) error {
			for rdr.Next() {
				col := rdr.RecordBatch().Column(0).(*array.String)
				for i := 0; i < col.Len(); i++ {
					files = append(files, strings.Clone(col.Value(i)))
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("overwrite %s where %s: %w", id, where, err)
		}
		hit := map[string]bool{}
		for _, f := range files {
			hit[f] = true
		}
		var affected []table.DataFile
		for _, f := range plan.Files {
			if hit[localPath(f.Path)] {
				affected = append(affected, f)
				remove = append(remove, f.Path)
			}
		}
		if len(affected) > 0 {
			keep = fmt.Sprintf("SELECT * EXCLUDE (%s) FROM (%s) AS %s WHERE (%s) IS NOT TRUE", quoteIdent(fileCol), scanSQL(plan, affected, fileCol), alias, pred)
		}
	}
	bound, err := e.bind(ctx, query)
	if err != nil {
		return res, err
	}
	commit := func(readers []array.RecordReader) error {
		_, info, err := tbl.Rewrite(ctx, plan.Snapshot, remove, readers, table.WriteOptions{MergeSchema: merge, Operation: "OVERWRITE"})
		res.Version, res.Rows = info.Version, info.RowsWritten
		return err
	}
	if keep == "" {
		err = e.queryArrow(ctx, bound, func(rdr array.RecordReader) error { return commit([]array.RecordReader{rdr}) })
		return res, err
	}
	// Two streams at once need a second DuckDB connection; the views are
	// in the shared in-memory database, so it sees them too.
	conn2, err := e.db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn2.Close()
	err = e.queryArrow(ctx, keep, func(kept array.RecordReader) error {
		return queryArrowOn(ctx, conn2, bound, func(incoming array.RecordReader) error {
			return commit([]array.RecordReader{kept, incoming})
		})
	})
	return res, err
}
