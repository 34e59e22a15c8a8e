package table

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"
)

// conformer turns incoming record batches into batches of exactly the
// table's Arrow schema (with field ids): columns matched by name
// (case-insensitively), promoted where needed, and missing optional
// columns filled with NULLs. It counts rows and checks NOT NULL columns.
type conformer struct {
	ctx    context.Context
	id     Ident
	out    *arrow.Schema
	src    []int // per output column: index in the incoming batch, or -1
	fields []iceberg.NestedField
	rows   atomic.Int64
	mem    memory.Allocator
}

func newConformer(ctx context.Context, id Ident, sc *iceberg.Schema, in *arrow.Schema, byName map[string]string) (*conformer, error) {
	out, err := itable.SchemaToArrowSchema(sc, nil, true, false)
	if err != nil {
		return nil, fmt.Errorf("table %s: arrow schema: %w", id, err)
	}
	idx := map[string]int{}
	for i, f := range in.Fields() {
		name := f.Name
		if n, ok := byName[f.Name]; ok {
			name = n
		}
		idx[strings.ToLower(name)] = i
	}
	c := &conformer{ctx: ctx, id: id, out: out, fields: sc.Fields(), mem: memory.DefaultAllocator}
	for _, f := range out.Fields() {
		i, ok := idx[strings.ToLower(f.Name)]
		if !ok {
			i = -1
		}
		c.src = append(c.src, i)
	}
	return c, nil
}

// conform builds the output batch. The caller releases both batches.
func (c *conformer) conform(rec arrow.RecordBatch, rowBase int64) (arrow.RecordBatch, error) {
	n := rec.NumRows()
	cols := make([]arrow.Array, len(c.src))
	defer func() {
		for _, col := range cols {
			if col != nil {
				col.Release()
			}
		}
	}()
	for i, s := range c.src {
		want := c.out.Field(i).Type
		if s < 0 {
			cols[i] = array.MakeArrayOfNull(c.mem, want, int(n))
		} else {
			col := rec.Column(s)
			if arrow.TypeEqual(col.DataType(), want) {
				col.Retain()
				cols[i] = col
			} else {
				cast, err := compute.CastArray(c.ctx, col, compute.SafeCastOptions(want))
				if err != nil {
					return nil, fmt.Errorf("table %s: column %s: convert %s to %s: %w", c.id, c.fields[i].Name, col.DataType(), want, err)
				}
				cols[i] = cast
			}
		}
		if c.fields[i].Required && cols[i].NullN() > 0 {
			row := int64(0)
			for r := 0; r < cols[i].Len(); r++ {
				if cols[i].IsNull(r) {
					row = int64(r)
					break
				}
			}
			return nil, fmt.Errorf("table %s: column %s is NOT NULL but incoming row %d is NULL; filter or fill it (e.g. COALESCE) first", c.id, c.fields[i].Name, rowBase+row+1)
		}
	}
	return array.NewRecordBatch(c.out, cols, n), nil
}

// reader adapts an incoming RecordReader to the table schema. Errors stop
// the stream and are reported by Err.
type conformReader struct {
	refs int64
	c    *conformer
	in   array.RecordReader
	cur  arrow.RecordBatch
	err  error
}

func (c *conformer) reader(in array.RecordReader) *conformReader {
	return &conformReader{refs: 1, c: c, in: in}
}

func (r *conformReader) Retain()                        { atomic.AddInt64(&r.refs, 1) }
func (r *conformReader) Schema() *arrow.Schema          { return r.c.out }
func (r *conformReader) Record() arrow.RecordBatch      { return r.cur }
func (r *conformReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *conformReader) Err() error                     { return r.err }

func (r *conformReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
	}
}

func (r *conformReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	if err := r.c.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	for r.in.Next() {
		rec := r.in.RecordBatch()
		if rec.NumRows() == 0 {
			continue
		}
		out, err := r.c.conform(rec, r.c.rows.Load())
		if err != nil {
			r.err = err
			return false
		}
		r.c.rows.Add(rec.NumRows())
		r.cur = out
		return true
	}
	r.err = r.in.Err()
	return false
}
