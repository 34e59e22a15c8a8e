// Package sqlstage holds SQLTransformer, Spark's SQL stage, which runs
// its statement on the embedded DuckDB. It reaches DuckDB through the
// small Querier interface (implemented by *sqlengine.Engine), so the ML
// packages do not link DuckDB themselves.
package sqlstage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// Querier runs a SQL query with Arrow data visible as named views.
// *sqlengine.Engine implements it.
type Querier interface {
	QueryArrowViews(ctx context.Context, query string, views map[string]array.RecordReader, fn func(array.RecordReader) error) error
}

// SQLTransformerParams are SQLTransformer's params.
type SQLTransformerParams struct {
	Statement string `param:"statement" doc:"SQL statement over __THIS__, the input frame, e.g. SELECT *, a * b AS ab FROM __THIS__"`
}

var thisRef = regexp.MustCompile(`(?i)\b__THIS__\b`)

// Validate checks that the statement reads __THIS__.
func (p SQLTransformerParams) Validate() error {
	if strings.TrimSpace(p.Statement) == "" {
		return errors.New("statement is empty; write e.g. SELECT *, a * b AS ab FROM __THIS__")
	}
	if !thisRef.MatchString(p.Statement) {
		return errors.New("statement does not read __THIS__ (the input frame); write e.g. SELECT *, a * b AS ab FROM __THIS__")
	}
	return nil
}

// SQLTransformer runs a SQL statement over its input frame, named
// __THIS__ in the statement (Spark's SQLTransformer). Catalog tables can
// be joined in. Columns that pass through unchanged keep their metadata
// (StringIndexer labels, vector attributes).
type SQLTransformer struct {
	P SQLTransformerParams
	Q Querier
}

var _ ml.Transformer = (*SQLTransformer)(nil)

// New returns a SQLTransformer running on q.
func New(q Querier) *SQLTransformer { return &SQLTransformer{Q: q} }

// Register adds SQLTransformer, bound to q, to r.
func Register(r *ml.Registry, q Querier) {
	r.Register(func() ml.HasParams { return New(q) })
}

// StageName returns "SQLTransformer".
func (s *SQLTransformer) StageName() string { return "SQLTransformer" }

// Params returns the params.
func (s *SQLTransformer) Params() any { return &s.P }

// TransformSchema runs the statement on an empty frame of schema in (as
// Spark does) and returns the result's schema.
func (s *SQLTransformer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	empty, err := ml.NewFrame(in, emptyCols(in))
	if err != nil {
		return nil, err
	}
	out, err := s.Transform(context.Background(), empty)
	if err != nil {
		return nil, err
	}
	return out.Schema(), nil
}

func emptyCols(sc *arrow.Schema) []*arrow.Chunked {
	cols := make([]*arrow.Chunked, sc.NumFields())
	for i, f := range sc.Fields() {
		a := array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
		cols[i] = arrow.NewChunked(f.Type, []arrow.Array{a})
		a.Release()
	}
	return cols
}

// Transform runs the statement.
func (s *SQLTransformer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := s.P.Validate(); err != nil {
		return nil, err
	}
	if s.Q == nil {
		return nil, errors.New("SQLTransformer has no SQL engine; create it through a registry built with the workspace's engine (sluice ml …) or sqlstage.New(engine)")
	}
	view := "__this__"
	query := thisRef.ReplaceAllString(s.P.Statement, view)
	tbl := f.Table()
	defer tbl.Release()
	rdr := array.NewTableReader(tbl, 64*1024)
	defer rdr.Release()
	var out *ml.Frame
	err := s.Q.QueryArrowViews(ctx, query, map[string]array.RecordReader{view: rdr}, func(res array.RecordReader) error {
		fr, err := ml.FrameFromReader(res)
		if err != nil {
			return err
		}
		out, err = restore(fr, f.Schema())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("statement %q: %w", s.P.Statement, err)
	}
	return out, nil
}

// restore gives vector-shaped struct columns ml.VectorType again (DuckDB
// may rename list children) and passes metadata through for columns that
// keep their input name and type.
func restore(f *ml.Frame, in *arrow.Schema) (*ml.Frame, error) {
	sc := f.Schema()
	fields := make([]arrow.Field, sc.NumFields())
	cols := make([]*arrow.Chunked, sc.NumFields())
	for i, fl := range sc.Fields() {
		col, _ := f.Column(fl.Name)
		if looksLikeVector(fl.Type) && !ml.IsVector(fl.Type) {
			c, err := toVector(col)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", fl.Name, err)
			}
			col = c
			fl.Type = ml.VectorType
		}
		fl.Nullable = true
		if idx := in.FieldIndices(fl.Name); len(idx) > 0 && arrow.TypeEqual(in.Field(idx[0]).Type, fl.Type) {
			fl.Metadata = in.Field(idx[0]).Metadata
		}
		fields[i], cols[i] = fl, col
	}
	return ml.NewFrame(arrow.NewSchema(fields, nil), cols)
}

func looksLikeVector(t arrow.DataType) bool {
	st, ok := t.(*arrow.StructType)
	if !ok || st.NumFields() != 4 {
		return false
	}
	for i, n := range []string{"type", "size", "indices", "values"} {
		if st.Field(i).Name != n {
			return false
		}
	}
	return true
}

func toVector(col *arrow.Chunked) (*arrow.Chunked, error) {
	arr, err := ml.Flatten(col)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	s := arr.(*array.Struct)
	typ, ok1 := s.Field(0).(*array.Int8)
	size, ok2 := s.Field(1).(*array.Int32)
	ind, ok3 := s.Field(2).(*array.List)
	val, ok4 := s.Field(3).(*array.List)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("struct of type %s is not a vector (type tinyint, size int, indices int[], values double[])", arr.DataType())
	}
	iv, ok5 := ind.ListValues().(*array.Int32)
	vv, ok6 := val.ListValues().(*array.Float64)
	if !ok5 || !ok6 {
		return nil, fmt.Errorf("struct of type %s is not a vector (indices int[], values double[])", arr.DataType())
	}
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	for i := 0; i < s.Len(); i++ {
		if s.IsNull(i) {
			vb.AppendNull()
			continue
		}
		vs, ve := val.ValueOffsets(i)
		v := ml.Vector{Size: int(size.Value(i)), Values: vv.Float64Values()[vs:ve]}
		if typ.Value(i) == 0 {
			is, ie := ind.ValueOffsets(i)
			v = ml.Sparse(v.Size, iv.Int32Values()[is:ie], v.Values)
		}
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		vb.Append(v)
	}
	out := vb.NewArray()
	defer out.Release()
	return arrow.NewChunked(ml.VectorType, []arrow.Array{out}), nil
}
