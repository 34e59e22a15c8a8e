package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// IDFParams are the params of IDF and its model (Spark's names and
// defaults).
type IDFParams struct {
	InputCol   string `param:"inputCol" doc:"vector column of term frequencies (HashingTF or CountVectorizer output)"`
	OutputCol  string `param:"outputCol" doc:"vector column of TF-IDF values"`
	MinDocFreq int    `param:"minDocFreq" doc:"terms in fewer documents than this get IDF 0 (and so TF-IDF 0), >= 0"`
}

// Validate checks the params.
func (p IDFParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if p.MinDocFreq < 0 {
		return fmt.Errorf("minDocFreq is %d; use 0 or more", p.MinDocFreq)
	}
	return nil
}

// IDF fits inverse document frequencies to term-frequency vectors, as
// Spark's IDF: with m documents and a term in df of them (counting the
// documents where its value is > 0), idf = ln((m + 1) / (df + 1)), and 0
// for terms in fewer than minDocFreq documents. scikit-learn's
// TfidfTransformer (smooth_idf) adds 1 to this. The model multiplies each
// vector by the IDFs.
//
// NULL vectors, malformed ones and vectors whose size differs from the
// first row's are errors naming the row. Fit counts on GOMAXPROCS
// goroutines over ranges of rows.
type IDF struct {
	P IDFParams
}

var _ ml.Estimator = (*IDF)(nil)

// NewIDF returns an IDF with Spark's default minDocFreq 0.
func NewIDF() *IDF { return &IDF{} }

// StageName returns "IDF".
func (e *IDF) StageName() string { return "IDF" }

// Params returns the params.
func (e *IDF) Params() any { return &e.P }

// TransformSchema checks that inputCol holds vectors and adds outputCol.
func (e *IDF) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return idfSchema(e.P, in, ml.VectorAttrs{})
}

func idfSchema(p IDFParams, in *arrow.Schema, va ml.VectorAttrs) (*arrow.Schema, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkVectorInput(in, "inputCol", p.InputCol); err != nil {
		return nil, err
	}
	if err := checkOutputs(in, []string{p.OutputCol}); err != nil {
		return nil, err
	}
	return ml.AddFields(in, vectorField(p.OutputCol, va))
}

// Fit counts document frequencies. ctx is checked every 4096 rows.
func (e *IDF) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := e.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("IDF: %w", err)
	}
	return m, nil
}

func (e *IDF) fit(ctx context.Context, f *ml.Frame) (*IDFModel, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	in, err := openVectors(f, e.P.InputCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	n := in.vc.Len()
	if n == 0 {
		return nil, fmt.Errorf("column %s: no rows to fit on; check the input table or the filter", e.P.InputCol)
	}
	size := in.firstSize()
	if size < 0 {
		return nil, fmt.Errorf("column %s, row 1: NULL vector; drop NULL rows before fitting", e.P.InputCol)
	}
	ranges := rowRanges(n, 1024)
	counts := make([][]int64, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, r := range ranges {
		g.Go(func() error {
			df := make([]int64, size)
			for i := r[0]; i < r[1]; i++ {
				if (i-r[0])%4096 == 0 {
					if err := gctx.Err(); err != nil {
						return err
					}
				}
				if in.vc.IsNull(i) {
					return fmt.Errorf("column %s, row %d: NULL vector; drop NULL rows before fitting", e.P.InputCol, i+1)
				}
				v := in.vc.At(i)
				if err := v.Validate(); err != nil {
					return fmt.Errorf("column %s, row %d: malformed vector: %v", e.P.InputCol, i+1, err)
				}
				if v.Size != size {
					return fmt.Errorf("column %s, row %d: vector of size %d, the first row has %d; term-frequency vectors must all have one size", e.P.InputCol, i+1, v.Size, size)
				}
				if v.IsSparse() {
					for k, j := range v.Indices {
						if v.Values[k] > 0 {
							df[j]++
						}
					}
				} else {
					for j, x := range v.Values {
						if x > 0 {
							df[j]++
						}
					}
				}
			}
			counts[k] = df
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	df := counts[0]
	for _, c := range counts[1:] {
		for j, x := range c {
			df[j] += x
		}
	}
	m := int64(n)
	idf := make([]float64, size)
	for j, d := range df {
		if d >= int64(e.P.MinDocFreq) {
			idf[j] = math.Log((float64(m) + 1) / (float64(d) + 1))
		}
	}
	return &IDFModel{P: e.P, Idf: idf, DocFreq: df, NumDocs: m}, nil
}

// IDFModel scales term-frequency vectors by fitted inverse document
// frequencies: sparse vectors stay sparse (with the same indices, zeros
// kept, as Spark), dense ones stay dense. NULL vectors stay NULL; vectors
// of another size than the model's are errors naming the row.
type IDFModel struct {
	P IDFParams
	// Idf holds each feature's inverse document frequency.
	Idf []float64
	// DocFreq holds the number of documents each feature is positive in.
	DocFreq []int64
	// NumDocs is the number of documents fitted on.
	NumDocs int64
}

var (
	_ ml.Model       = (*IDFModel)(nil)
	_ ml.ModelFrames = (*IDFModel)(nil)
)

// StageName returns "IDFModel".
func (m *IDFModel) StageName() string { return "IDFModel" }

// Params returns the params.
func (m *IDFModel) Params() any { return &m.P }

// TransformSchema checks that inputCol holds vectors and adds outputCol.
func (m *IDFModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return idfSchema(m.P, in, ml.VectorAttrs{NumAttrs: len(m.Idf)})
}

// Transform adds the TF-IDF column. ctx is checked every 4096 rows.
func (m *IDFModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := m.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("IDFModel: %w", err)
	}
	return out, nil
}

func (m *IDFModel) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	in, err := openVectors(f, m.P.InputCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	idf := m.Idf
	col, err := mapVectors(ctx, in, func(row int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		if v.Size != len(idf) {
			return ml.Vector{}, fmt.Errorf("column %s, row %d: vector of size %d, the model was fitted on size %d", m.P.InputCol, row+1, v.Size, len(idf))
		}
		vals := grow(sc.a, len(v.Values))
		sc.a = vals
		if v.IsSparse() {
			for k, j := range v.Indices {
				vals[k] = v.Values[k] * idf[j]
			}
			return ml.Sparse(v.Size, v.Indices, vals), nil
		}
		for j, x := range v.Values {
			vals[j] = x * idf[j]
		}
		return ml.Dense(vals...), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(m.P.OutputCol, ml.VectorAttrs{NumAttrs: len(idf)}), col)
}

// DebugString summarizes the model.
func (m *IDFModel) DebugString() string {
	zero := 0
	for _, x := range m.Idf {
		if x == 0 {
			zero++
		}
	}
	return fmt.Sprintf("IDFModel: %d features fitted on %d documents; %d have IDF 0 (in every document, or in fewer than minDocFreq)", len(m.Idf), m.NumDocs, zero)
}

// FrameNames returns ["idf"].
func (m *IDFModel) FrameNames() []string { return []string{"idf"} }

// ModelFrame returns the fitted values as a table: index (int32),
// docFreq (int64) and idf (double), one row per feature.
func (m *IDFModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if name != "idf" {
		return nil, fmt.Errorf("IDFModel has no frame %q; it has: idf", name)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ib := array.NewInt32Builder(memory.DefaultAllocator)
	defer ib.Release()
	for j := range m.Idf {
		ib.Append(int32(j))
	}
	db := array.NewInt64Builder(memory.DefaultAllocator)
	defer db.Release()
	db.AppendValues(m.DocFreq, nil)
	fb := array.NewFloat64Builder(memory.DefaultAllocator)
	defer fb.Release()
	fb.AppendValues(m.Idf, nil)
	arrs := []arrow.Array{ib.NewArray(), db.NewArray(), fb.NewArray()}
	cols := make([]*arrow.Chunked, len(arrs))
	for k, a := range arrs {
		cols[k] = arrow.NewChunked(a.DataType(), []arrow.Array{a})
		a.Release()
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "index", Type: arrow.PrimitiveTypes.Int32},
		{Name: "docFreq", Type: arrow.PrimitiveTypes.Int64},
		{Name: "idf", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	return ml.NewFrame(schema, cols)
}

// SaveData writes idf and docFreq per feature, and numDocs.
func (m *IDFModel) SaveData(w *ml.DataWriter) error {
	if err := w.WriteColumns("idf", new(ml.Columns).AddFloat64("idf", m.Idf).AddInt64("docFreq", m.DocFreq)); err != nil {
		return err
	}
	return w.WriteJSON("numDocs", map[string]int64{"numDocs": m.NumDocs})
}

// LoadData reads what SaveData wrote.
func (m *IDFModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("idf")
	if err != nil {
		return err
	}
	if m.Idf, err = c.Float64("idf"); err != nil {
		return err
	}
	if m.DocFreq, err = c.Int64("docFreq"); err != nil {
		return err
	}
	var nd map[string]int64
	if err := r.ReadJSON("numDocs", &nd); err != nil {
		return err
	}
	m.NumDocs = nd["numDocs"]
	return nil
}
