package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"gonum.org/v1/gonum/mat"

	"github.com/sluice-dev/sluice/ml"
)

// PCAParams are PCA's params (Spark's names).
type PCAParams struct {
	InputCol  string `param:"inputCol" doc:"vector column to project"`
	OutputCol string `param:"outputCol" doc:"vector column of the k principal component scores"`
	K         int    `param:"k" doc:"number of principal components (1 … number of features)"`
}

// Validate checks the params.
func (p PCAParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if p.K < 1 {
		return fmt.Errorf("k %d: want at least 1 principal component", p.K)
	}
	return nil
}

// PCA finds the k principal components of a vector column: the
// eigenvectors of its sample covariance matrix (n-1 denominator) with the
// largest eigenvalues. explainedVariance is each component's eigenvalue
// over the sum of all eigenvalues (scikit-learn's
// explained_variance_ratio_).
//
// As in Spark, PCAModel projects the vectors as they are, without
// subtracting the mean, so its scores differ from scikit-learn's
// transform by a constant per component. Each component's sign is chosen
// so that its entry of largest magnitude is positive (Spark leaves the
// sign to LAPACK). NULL or NaN vectors fail the fit naming the row.
type PCA struct {
	P PCAParams
}

var _ ml.Estimator = (*PCA)(nil)

// NewPCA returns a PCA; set k and the columns (Spark has no default k).
func NewPCA() *PCA { return &PCA{} }

// StageName returns "PCA".
func (p *PCA) StageName() string { return "PCA" }

// Params returns the params.
func (p *PCA) Params() any { return &p.P }

// TransformSchema checks the input vector column and adds the output.
func (p *PCA) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(p.P.Validate(), p.P.InputCol, p.P.OutputCol, in)
}

// Fit computes the covariance matrix and its eigen decomposition.
func (p *PCA) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := p.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	d, err := loadDataset(ctx, f, p.P.InputCol, "")
	if err != nil {
		return nil, err
	}
	if d.N < 2 {
		return nil, fmt.Errorf("column %s has %d row; the covariance needs at least 2", p.P.InputCol, d.N)
	}
	if p.P.K > d.D {
		return nil, fmt.Errorf("k %d is more than the %d features of column %s; lower k", p.P.K, d.D, p.P.InputCol)
	}
	mean := make([]float64, d.D)
	for i := 0; i < d.N; i++ {
		for j, x := range d.Row(i) {
			mean[j] += x
		}
	}
	for j := range mean {
		mean[j] /= float64(d.N)
	}
	centered := mat.NewDense(d.N, d.D, nil)
	for i := 0; i < d.N; i++ {
		for j, x := range d.Row(i) {
			centered.Set(i, j, x-mean[j])
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(d.N-1), centered.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, fmt.Errorf("column %s: the eigen decomposition of the covariance did not converge; check for extreme values", p.P.InputCol)
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order := make([]int, len(vals))
	var total float64
	for i := range order {
		order[i] = i
		vals[i] = math.Abs(vals[i]) // as Spark's SVD of the covariance
		total += vals[i]
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	m := &PCAModel{P: p.P, Components: make([][]float64, p.P.K), ExplainedVariance: make([]float64, p.P.K)}
	for c := 0; c < p.P.K; c++ {
		col := mat.Col(nil, order[c], &vecs)
		big := 0
		for j := range col {
			if math.Abs(col[j]) > math.Abs(col[big]) {
				big = j
			}
		}
		if col[big] < 0 {
			for j := range col {
				col[j] = -col[j]
			}
		}
		m.Components[c] = col
		if total > 0 {
			m.ExplainedVariance[c] = vals[order[c]] / total
		}
	}
	return m, nil
}

// PCAModel holds the principal components.
type PCAModel struct {
	P PCAParams
	// Components are the k principal components, each of length
	// numFeatures (the columns of Spark's pc matrix).
	Components [][]float64
	// ExplainedVariance is each component's share of the total variance.
	ExplainedVariance []float64
}

var _ ml.Model = (*PCAModel)(nil)

// StageName returns "PCAModel".
func (m *PCAModel) StageName() string { return "PCAModel" }

// Params returns the params.
func (m *PCAModel) Params() any { return &m.P }

// TransformSchema checks the input vector column and adds the output.
func (m *PCAModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(m.P.Validate(), m.P.InputCol, m.P.OutputCol, in)
}

// Transform projects every vector onto the components (dense output of
// size k). NULL stays NULL; NaN propagates.
func (m *PCAModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if len(m.Components) == 0 {
		return nil, errors.New("the model has no components; fit PCA first")
	}
	d := len(m.Components[0])
	for c, pc := range m.Components {
		if len(pc) != d {
			return nil, fmt.Errorf("component %d has %d entries, component 0 has %d; refit the model", c, len(pc), d)
		}
	}
	in, err := openVectors(f, m.P.InputCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	col, err := mapVectors(ctx, in, func(row int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		if v.Size != d {
			return ml.Vector{}, sizeErr(m.P.InputCol, row, v.Size, d)
		}
		out := grow(sc.a, len(m.Components))
		sc.a = out
		for c, pc := range m.Components {
			var s float64
			if v.IsSparse() {
				for k, i := range v.Indices {
					s += pc[i] * v.Values[k]
				}
			} else {
				for j, x := range v.Values {
					s += pc[j] * x
				}
			}
			out[c] = s
		}
		return ml.Dense(out...), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(m.P.OutputCol, ml.VectorAttrs{}), col)
}
