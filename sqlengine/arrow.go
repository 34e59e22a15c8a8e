package sqlengine

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/table"
)

// ArrowToSchema converts the Arrow schema of a query result into an Iceberg
// schema for a new table, all columns nullable. Columns whose type Iceberg
// lacks (HUGEINT, unsigned BIGINT, INTERVAL, …) are all listed in the
// error with a hint to cast them.
func ArrowToSchema(sc *arrow.Schema) (*iceberg.Schema, error) {
	var bad []string
	fields := make([]arrow.Field, len(sc.Fields()))
	seen := map[string]bool{}
	for i, f := range sc.Fields() {
		if seen[strings.ToLower(f.Name)] {
			bad = append(bad, fmt.Sprintf("%s: duplicate column name; give it an alias", f.Name))
		}
		seen[strings.ToLower(f.Name)] = true
		if _, err := itable.ArrowTypeToIceberg(f.Type, true); err != nil {
			bad = append(bad, fmt.Sprintf("%s: type %s has no Iceberg equivalent; CAST it to BIGINT, DOUBLE, DECIMAL(38,0) or VARCHAR", f.Name, f.Type))
		}
		f.Nullable = true
		fields[i] = f
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%d column(s) cannot be stored:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	out, err := itable.ArrowSchemaToIcebergWithFreshIDs(arrow.NewSchema(fields, nil), true)
	if err != nil {
		return nil, err
	}
	// Timestamps are stored with microsecond precision, as DuckDB and Spark do.
	return out, nil
}

// renamed is a RecordReader that renames columns by position.
type renamed struct {
	refs int64
	in   array.RecordReader
	sc   *arrow.Schema
	cur  arrow.RecordBatch
}

// renamePositional names the columns of rdr after the table's, by position,
// as SQL's INSERT INTO t SELECT … does.
func renamePositional(rdr array.RecordReader, cols []iceberg.NestedField) (array.RecordReader, error) {
	in := rdr.Schema().Fields()
	if len(in) > len(cols) {
		return nil, fmt.Errorf("the query returns %d columns but the table has %d (%s); list the target columns: INSERT INTO t (a, b) SELECT …", len(in), len(cols), table.FormatSchema(iceberg.NewSchema(0, cols...)))
	}
	fields := make([]arrow.Field, len(in))
	for i, f := range in {
		f.Name = cols[i].Name
		fields[i] = f
	}
	rdr.Retain()
	return &renamed{refs: 1, in: rdr, sc: arrow.NewSchema(fields, nil)}, nil
}

func (r *renamed) Retain()                        { atomic.AddInt64(&r.refs, 1) }
func (r *renamed) Schema() *arrow.Schema          { return r.sc }
func (r *renamed) Record() arrow.RecordBatch      { return r.cur }
func (r *renamed) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *renamed) Err() error                     { return r.in.Err() }

func (r *renamed) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.in.Next() {
		return false
	}
	rec := r.in.RecordBatch()
	r.cur = array.NewRecordBatch(r.sc, rec.Columns(), rec.NumRows())
	return true
}

func (r *renamed) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.in.Release()
	}
}
