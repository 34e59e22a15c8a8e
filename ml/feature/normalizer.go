package feature

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// NormalizerParams are Normalizer's params (Spark's names).
type NormalizerParams struct {
	InputCol  string  `param:"inputCol" doc:"vector column to normalize"`
	OutputCol string  `param:"outputCol" doc:"normalized vector column"`
	P         float64 `param:"p" doc:"the p of the p-norm: >= 1, or Infinity for the largest absolute value"`
}

// Validate checks the params.
func (p NormalizerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if !(p.P >= 1) {
		return fmt.Errorf("p %v: want p >= 1 (1 for the sum of absolute values, 2 for the Euclidean norm, Infinity for the largest absolute value)", p.P)
	}
	return nil
}

// Normalizer scales each vector to unit p-norm. A vector of norm 0 is
// left as is (as in Spark); NaN makes the norm NaN and so the whole
// vector NaN; NULL stays NULL. Sparse vectors stay sparse.
type Normalizer struct {
	P NormalizerParams
}

var _ ml.Transformer = (*Normalizer)(nil)

// NewNormalizer returns a Normalizer with Spark's default p = 2.
func NewNormalizer() *Normalizer { return &Normalizer{P: NormalizerParams{P: 2}} }

// StageName returns "Normalizer".
func (n *Normalizer) StageName() string { return "Normalizer" }

// Params returns the params.
func (n *Normalizer) Params() any { return &n.P }

// TransformSchema checks the input vector column and adds the output.
func (n *Normalizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(n.P.Validate(), n.P.InputCol, n.P.OutputCol, in)
}

// pNorm is the p-norm of vals (the non-zero values of a vector suffice).
func pNorm(vals []float64, p float64) float64 {
	var s float64
	switch {
	case p == 1:
		for _, x := range vals {
			s += math.Abs(x)
		}
		return s
	case p == 2:
		for _, x := range vals {
			s += x * x
		}
		return math.Sqrt(s)
	case math.IsInf(p, 1):
		for _, x := range vals {
			if a := math.Abs(x); a > s || math.IsNaN(a) {
				s = a
			}
		}
		return s
	}
	for _, x := range vals {
		s += math.Pow(math.Abs(x), p)
	}
	return math.Pow(s, 1/p)
}

// Transform normalizes every vector.
func (n *Normalizer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := n.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	in, err := openVectors(f, n.P.InputCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	col, err := mapVectors(ctx, in, func(_ int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		norm := pNorm(v.Values, n.P.P)
		vals := grow(sc.a, len(v.Values))
		sc.a = vals
		for k, x := range v.Values {
			if norm != 0 {
				x /= norm
			}
			vals[k] = x
		}
		if v.IsSparse() {
			return ml.Sparse(v.Size, v.Indices, vals), nil
		}
		return ml.Dense(vals...), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(n.P.OutputCol, ml.VectorAttrs{}), col)
}

// BinarizerParams are Binarizer's params (Spark's names). Use
// inputCol/outputCol/threshold for one column, or
// inputCols/outputCols/thresholds for several.
type BinarizerParams struct {
	Threshold  float64   `param:"threshold" doc:"values above it become 1.0, the rest 0.0"`
	InputCol   string    `param:"inputCol" doc:"numeric or vector column"`
	OutputCol  string    `param:"outputCol" doc:"binarized column (double, or vector for vector input)"`
	Thresholds []float64 `param:"thresholds" doc:"one threshold per inputCols entry; empty: threshold for all"`
	InputCols  []string  `param:"inputCols" doc:"several input columns, instead of inputCol"`
	OutputCols []string  `param:"outputCols" doc:"one output per inputCols entry"`
}

// Validate checks the params.
func (p BinarizerParams) Validate() error {
	ins, _, err := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols)
	if err != nil {
		return err
	}
	if len(p.Thresholds) > 0 && len(p.Thresholds) != len(ins) {
		return fmt.Errorf("thresholds has %d values for %d input columns; give one per column or leave it empty to use threshold", len(p.Thresholds), len(ins))
	}
	if p.InputCol != "" && len(p.Thresholds) > 0 {
		return errors.New("thresholds goes with inputCols; with inputCol set threshold")
	}
	return nil
}

func (p BinarizerParams) threshold(k int) float64 {
	if len(p.Thresholds) > 0 {
		return p.Thresholds[k]
	}
	return p.Threshold
}

// Binarizer maps values above the threshold to 1.0 and the others to
// 0.0, for numeric columns (output double) and vector columns (output
// vector). As in Spark, NaN is not above any threshold: it gives 0.0 in
// numeric columns and in vectors when threshold >= 0 (the sparse case),
// but 1.0 in vectors when threshold < 0, where only values at most the
// threshold become 0. NULL stays NULL.
type Binarizer struct {
	P BinarizerParams
}

var _ ml.Transformer = (*Binarizer)(nil)

// NewBinarizer returns a Binarizer with Spark's default threshold 0.
func NewBinarizer() *Binarizer {
	return &Binarizer{P: BinarizerParams{Thresholds: []float64{}, InputCols: []string{}, OutputCols: []string{}}}
}

// StageName returns "Binarizer".
func (b *Binarizer) StageName() string { return "Binarizer" }

// Params returns the params.
func (b *Binarizer) Params() any { return &b.P }

// TransformSchema checks the inputs (numeric or vector) and adds the
// outputs.
func (b *Binarizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := b.P.Validate(); err != nil {
		return nil, err
	}
	ins, outs, _ := ioCols(b.P.InputCol, b.P.OutputCol, b.P.InputCols, b.P.OutputCols)
	if err := checkOutputs(in, outs); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(ins))
	for k, c := range ins {
		field, err := ml.FieldOf(in, c)
		if err != nil {
			return nil, fmt.Errorf("input column: %w", err)
		}
		switch {
		case ml.IsVector(field.Type):
			fields[k] = vectorField(outs[k], ml.VectorAttrs{})
		case ml.IsNumeric(field.Type):
			fields[k] = arrow.Field{Name: outs[k], Type: arrow.PrimitiveTypes.Float64, Nullable: true}
		default:
			return nil, fmt.Errorf("input column %q has type %s; want a number or a vector", c, field.Type)
		}
	}
	return ml.AddFields(in, fields...)
}

// Transform adds the binarized columns.
func (b *Binarizer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := b.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	ins, outs, _ := ioCols(b.P.InputCol, b.P.OutputCol, b.P.InputCols, b.P.OutputCols)
	out := f
	for k, c := range ins {
		field, _ := ml.FieldOf(sc, outs[k])
		t := b.P.threshold(k)
		var col *arrow.Chunked
		if field.Type.ID() == arrow.FLOAT64 {
			vals, valid, err := scalarColumn(f, c)
			if err != nil {
				return nil, err
			}
			res := make([]float64, len(vals))
			for i, x := range vals {
				if x > t {
					res[i] = 1
				}
			}
			col = float64Column(res, valid)
		} else {
			in, err := openVectors(f, c)
			if err != nil {
				return nil, err
			}
			col, err = mapVectors(ctx, in, func(_ int, v ml.Vector, sc *scratch) (ml.Vector, error) { return binarizeVector(v, t, sc), nil })
			in.Release()
			if err != nil {
				return nil, err
			}
		}
		if out, err = out.WithColumn(field, col); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func binarizeVector(v ml.Vector, t float64, sc *scratch) ml.Vector {
	if t >= 0 {
		idx, vals := sc.idx[:0], sc.a[:0]
		for k, x := range v.Values {
			if x > t {
				i := int32(k)
				if v.IsSparse() {
					i = v.Indices[k]
				}
				idx, vals = append(idx, i), append(vals, 1)
			}
		}
		sc.idx, sc.a = idx, vals
		out := ml.Sparse(v.Size, idx, vals)
		if 1.5*(float64(len(idx))+1) < float64(v.Size) {
			return out
		}
		sc.b = out.AppendTo(sc.b[:0])
		return ml.Dense(sc.b...)
	}
	out := grow(sc.a, v.Size)
	sc.a = out
	for j := range out {
		out[j] = 1
	}
	for k, x := range v.Values {
		j := k
		if v.IsSparse() {
			j = int(v.Indices[k])
		}
		if x <= t {
			out[j] = 0
		}
	}
	return compressed(ml.Dense(out...), sc)
}
