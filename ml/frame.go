package ml

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Frame is an immutable in-memory table of Arrow columns.
type Frame struct {
	schema *arrow.Schema
	cols   []*arrow.Chunked
	rows   int64
}

// NewFrame builds a frame from a schema and one chunked column per field.
// It fails if a column's type or length does not match.
func NewFrame(schema *arrow.Schema, cols []*arrow.Chunked) (*Frame, error) {
	if len(cols) != schema.NumFields() {
		return nil, fmt.Errorf("frame: %d columns for %d fields", len(cols), schema.NumFields())
	}
	var rows int64 = -1
	for i, c := range cols {
		f := schema.Field(i)
		if !arrow.TypeEqual(c.DataType(), f.Type) {
			return nil, fmt.Errorf("frame: column %s has type %s, its field says %s", f.Name, c.DataType(), f.Type)
		}
		if rows >= 0 && int64(c.Len()) != rows {
			return nil, fmt.Errorf("frame: column %s has %d rows, the others %d", f.Name, c.Len(), rows)
		}
		rows = int64(c.Len())
	}
	if rows < 0 {
		rows = 0
	}
	return &Frame{schema: schema, cols: cols, rows: rows}, nil
}

// FrameFromTable wraps an Arrow table.
func FrameFromTable(tbl arrow.Table) *Frame {
	cols := make([]*arrow.Chunked, tbl.NumCols())
	for i := range cols {
		cols[i] = tbl.Column(i).Data()
	}
	return &Frame{schema: tbl.Schema(), cols: cols, rows: tbl.NumRows()}
}

// FrameFromRecords builds a frame from record batches of one schema, for
// example all the batches of a SQL result. The batches are retained.
func FrameFromRecords(schema *arrow.Schema, recs []arrow.RecordBatch) (*Frame, error) {
	for i, r := range recs {
		if !r.Schema().Equal(schema) {
			return nil, fmt.Errorf("frame: batch %d has schema %s, want %s", i, r.Schema(), schema)
		}
	}
	tbl := array.NewTableFromRecords(schema, recs)
	return FrameFromTable(tbl), nil
}

// FrameFromReader reads every batch of rdr into a frame.
func FrameFromReader(rdr array.RecordReader) (*Frame, error) {
	var recs []arrow.RecordBatch
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := rdr.Err(); err != nil {
		return nil, err
	}
	return FrameFromRecords(rdr.Schema(), recs)
}

// Schema returns the frame's schema.
func (f *Frame) Schema() *arrow.Schema { return f.schema }

// NumRows returns the number of rows.
func (f *Frame) NumRows() int64 { return f.rows }

// Column returns the named column. The error lists the columns there are.
func (f *Frame) Column(name string) (*arrow.Chunked, error) {
	i, err := f.index(name)
	if err != nil {
		return nil, err
	}
	return f.cols[i], nil
}

func (f *Frame) index(name string) (int, error) {
	idx := f.schema.FieldIndices(name)
	if len(idx) == 0 {
		return -1, fmt.Errorf("no column %q; columns are %s", name, strings.Join(ColumnNames(f.schema), ", "))
	}
	return idx[0], nil
}

// ColumnNames lists a schema's field names.
func ColumnNames(sc *arrow.Schema) []string {
	names := make([]string, sc.NumFields())
	for i, fl := range sc.Fields() {
		names[i] = fl.Name
	}
	return names
}

// WithColumn returns a frame with the column added, or replacing the
// column of the same name. The receiver is not changed.
func (f *Frame) WithColumn(field arrow.Field, col *arrow.Chunked) (*Frame, error) {
	if int64(col.Len()) != f.rows && len(f.cols) > 0 {
		return nil, fmt.Errorf("frame: new column %s has %d rows, the frame %d", field.Name, col.Len(), f.rows)
	}
	if !arrow.TypeEqual(col.DataType(), field.Type) {
		return nil, fmt.Errorf("frame: new column %s has type %s, its field says %s", field.Name, col.DataType(), field.Type)
	}
	fields := slices.Clone(f.schema.Fields())
	cols := slices.Clone(f.cols)
	if i := f.schema.FieldIndices(field.Name); len(i) > 0 {
		fields[i[0]], cols[i[0]] = field, col
	} else {
		fields, cols = append(fields, field), append(cols, col)
	}
	md := f.schema.Metadata()
	return &Frame{schema: arrow.NewSchema(fields, &md), cols: cols, rows: int64(col.Len())}, nil
}

// Select returns a frame with just the named columns, in that order.
func (f *Frame) Select(names ...string) (*Frame, error) {
	fields := make([]arrow.Field, len(names))
	cols := make([]*arrow.Chunked, len(names))
	for j, n := range names {
		i, err := f.index(n)
		if err != nil {
			return nil, err
		}
		fields[j], cols[j] = f.schema.Field(i), f.cols[i]
	}
	return &Frame{schema: arrow.NewSchema(fields, nil), cols: cols, rows: f.rows}, nil
}

// Table returns the frame as an Arrow table (sharing its columns).
func (f *Frame) Table() arrow.Table {
	cols := make([]arrow.Column, len(f.cols))
	for i, c := range f.cols {
		cols[i] = *arrow.NewColumn(f.schema.Field(i), c)
	}
	return array.NewTable(f.schema, cols, f.rows)
}

// StorableColumns returns f with every vector column replaced by a
// list<double> column of its dense values (NULL stays NULL), the form
// tables and files store: Iceberg has no 8-bit integers for the vector
// struct, and arrays read naturally in SQL (probability[2]).
func (f *Frame) StorableColumns() (*Frame, error) {
	out := f
	for _, fl := range f.schema.Fields() {
		if !IsVector(fl.Type) {
			continue
		}
		col, _ := f.Column(fl.Name)
		arr, err := Flatten(col)
		if err != nil {
			return nil, err
		}
		vc, err := NewVectorColumn(arr)
		if err != nil {
			arr.Release()
			return nil, err
		}
		lb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
		vb := lb.ValueBuilder().(*array.Float64Builder)
		var buf []float64
		for i := 0; i < vc.Len(); i++ {
			if vc.IsNull(i) {
				lb.AppendNull()
				continue
			}
			lb.Append(true)
			buf = vc.At(i).AppendTo(buf[:0])
			vb.AppendValues(buf, nil)
		}
		list := lb.NewArray()
		lb.Release()
		arr.Release()
		nf := arrow.Field{Name: fl.Name, Type: list.DataType(), Nullable: true}
		if out, err = out.WithColumn(nf, arrow.NewChunked(list.DataType(), []arrow.Array{list})); err != nil {
			return nil, err
		}
		list.Release()
	}
	return out, nil
}
