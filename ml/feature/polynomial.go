package feature

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// PolynomialExpansionParams are PolynomialExpansion's params (Spark's
// names).
type PolynomialExpansionParams struct {
	InputCol  string `param:"inputCol" doc:"vector column to expand"`
	OutputCol string `param:"outputCol" doc:"expanded vector column"`
	Degree    int    `param:"degree" doc:"largest total degree of the monomials (>= 1; 1 copies the input)"`
}

// Validate checks the params.
func (p PolynomialExpansionParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if p.Degree < 1 {
		return fmt.Errorf("degree %d: want at least 1", p.Degree)
	}
	return nil
}

// PolynomialExpansion expands a vector into all monomials of its features
// up to the given degree, without the constant term: C(n+degree, degree)-1
// values for n features. The order is Spark's, built recursively as
// f([a, b, c], d) = f([a, b], d) ++ f([a, b], d-1)·c ++ … ++ c^d, so
// (x, y) with degree 2 gives (x, x², y, x·y, y²). scikit-learn's
// PolynomialFeatures orders by degree instead. Sparse vectors give sparse
// output (monomials of zeros are skipped), dense give dense; NaN
// propagates; NULL stays NULL.
type PolynomialExpansion struct {
	P PolynomialExpansionParams
}

var _ ml.Transformer = (*PolynomialExpansion)(nil)

// NewPolynomialExpansion returns a PolynomialExpansion with Spark's
// default degree 2.
func NewPolynomialExpansion() *PolynomialExpansion {
	return &PolynomialExpansion{P: PolynomialExpansionParams{Degree: 2}}
}

// StageName returns "PolynomialExpansion".
func (e *PolynomialExpansion) StageName() string { return "PolynomialExpansion" }

// Params returns the params.
func (e *PolynomialExpansion) Params() any { return &e.P }

// TransformSchema checks the input vector column and adds the output.
func (e *PolynomialExpansion) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(e.P.Validate(), e.P.InputCol, e.P.OutputCol, in)
}

// maxPolySize bounds the output size (Spark's limit is the largest int32).
const maxPolySize = math.MaxInt32

// polySizes tabulates C(k+d, d) for k ≤ n features and d ≤ degree, the
// number of monomials (with the constant) of k features up to degree d.
// It fails when the full size passes maxPolySize.
func polySizes(n, degree int) ([][]int, error) {
	t := make([][]int, n+1)
	for k := range t {
		t[k] = make([]int, degree+1)
		for d := range t[k] {
			switch {
			case k == 0 || d == 0:
				t[k][d] = 1
			default:
				// C(k+d, d) = C(k-1+d, d) + C(k+d-1, d-1)
				t[k][d] = t[k-1][d] + t[k][d-1]
			}
			if t[k][d] > maxPolySize {
				return nil, fmt.Errorf("expanding %d features to degree %d gives more than %d values; lower degree or select fewer features first", n, degree, maxPolySize)
			}
		}
	}
	return t, nil
}

type polyExpander struct {
	sizes [][]int
}

// dense writes the monomials of vals[0..last] up to degree, times mult,
// into out from position cur (cur -1 skips the constant), returning the
// position after them.
func (p *polyExpander) dense(vals []float64, last, degree int, mult float64, out []float64, cur int) int {
	if mult != 0 {
		if degree == 0 || last < 0 {
			if cur >= 0 {
				out[cur] = mult
			}
		} else {
			v, alpha, start := vals[last], mult, cur
			for i := 0; i <= degree && alpha != 0; i++ {
				start = p.dense(vals, last-1, degree-i, alpha, out, start)
				alpha *= v
			}
		}
	}
	return cur + p.sizes[last+1][degree]
}

// sparse is dense for a sparse vector: k indexes its non-zeros, feature
// the highest feature the call covers.
func (p *polyExpander) sparse(idx []int32, vals []float64, k, feature, degree int, mult float64, oi *[]int32, ov *[]float64, cur int) int {
	if mult != 0 {
		if degree == 0 || k < 0 {
			if cur >= 0 {
				*oi = append(*oi, int32(cur))
				*ov = append(*ov, mult)
			}
		} else {
			v, alpha, start := vals[k], mult, cur
			for i := 0; i <= degree && alpha != 0; i++ {
				start = p.sparse(idx, vals, k-1, int(idx[k])-1, degree-i, alpha, oi, ov, start)
				alpha *= v
			}
		}
	}
	return cur + p.sizes[feature+1][degree]
}

// Transform expands every vector. All vectors must have the size of the
// first non-NULL one.
func (e *PolynomialExpansion) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	in, err := openVectors(f, e.P.InputCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	n := max(0, in.firstSize())
	sizes, err := polySizes(n, e.P.Degree)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", e.P.InputCol, err)
	}
	pe := &polyExpander{sizes: sizes}
	outSize := sizes[n][e.P.Degree] - 1
	col, err := mapVectors(ctx, in, func(row int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		if v.Size != n {
			return ml.Vector{}, fmt.Errorf("column %s, row %d: vector of size %d, the first row has %d", e.P.InputCol, row+1, v.Size, n)
		}
		if v.IsSparse() {
			oi, ov := sc.idx[:0], sc.a[:0]
			pe.sparse(v.Indices, v.Values, len(v.Values)-1, n-1, e.P.Degree, 1, &oi, &ov, -1)
			sc.idx, sc.a = oi, ov
			return ml.Sparse(outSize, oi, ov), nil
		}
		out := grow(sc.a, outSize)
		sc.a = out
		clear(out)
		pe.dense(v.Values, n-1, e.P.Degree, 1, out, -1)
		return ml.Dense(out...), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(e.P.OutputCol, ml.VectorAttrs{}), col)
}
