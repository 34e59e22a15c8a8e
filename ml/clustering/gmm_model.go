package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/sluice-dev/sluice/ml"
)

// GaussianMixtureModel is a fitted mixture of k Gaussians. Transform adds
// the most likely component (predictionCol, int32) and the posterior
// probabilities (probabilityCol, a vector of length k). A model is safe
// for concurrent use once fitted or loaded.
type GaussianMixtureModel struct {
	P GaussianMixtureParams
	// Weights are the mixing weights, summing to 1.
	Weights []float64
	// Means holds each component's mean (numFeatures values).
	Means [][]float64
	// Covs holds each component's covariance matrix, numFeatures ×
	// numFeatures, row-major (regCovar included).
	Covs [][]float64
	// LogLikelihood is the total weighted log-likelihood of the training
	// rows at the last EM iteration (measured before its M-step), as
	// Spark's summary.logLikelihood.
	LogLikelihood float64
	// NumIter is the number of EM iterations run (Spark's
	// summary.numIter).
	NumIter int
}

var (
	_ ml.Model       = (*GaussianMixtureModel)(nil)
	_ ml.ModelFrames = (*GaussianMixtureModel)(nil)
)

// Gaussian is one component of a mixture: Spark's MultivariateGaussian
// with its weight.
type Gaussian struct {
	Weight float64
	Mean   []float64
	Cov    *mat.SymDense
}

// StageName returns "GaussianMixtureModel".
func (m *GaussianMixtureModel) StageName() string { return "GaussianMixtureModel" }

// Params returns the params.
func (m *GaussianMixtureModel) Params() any { return &m.P }

// K returns the number of components.
func (m *GaussianMixtureModel) K() int { return len(m.Weights) }

// NumFeatures returns the size of the feature vectors the model takes.
func (m *GaussianMixtureModel) NumFeatures() int {
	if len(m.Means) == 0 {
		return 0
	}
	return len(m.Means[0])
}

// Gaussians returns copies of the components (Spark's gaussians with the
// weights).
func (m *GaussianMixtureModel) Gaussians() []Gaussian {
	d := m.NumFeatures()
	out := make([]Gaussian, len(m.Weights))
	for c := range out {
		out[c] = Gaussian{Weight: m.Weights[c], Mean: append([]float64(nil), m.Means[c]...), Cov: mat.NewSymDense(d, append([]float64(nil), m.Covs[c]...))}
	}
	return out
}

// TransformSchema checks the features column and adds the output columns
// that are set.
func (m *GaussianMixtureModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return gmmSchema(in, m.P)
}

// check verifies the model's shapes (a loaded model may be corrupt).
func (m *GaussianMixtureModel) check() error {
	k, d := len(m.Weights), m.NumFeatures()
	if k == 0 || d == 0 {
		return errors.New("the model has no components; fit GaussianMixture first")
	}
	if len(m.Means) != k || len(m.Covs) != k {
		return fmt.Errorf("the model has %d weights, %d means and %d covariances; refit it", k, len(m.Means), len(m.Covs))
	}
	for c := 0; c < k; c++ {
		if len(m.Means[c]) != d || len(m.Covs[c]) != d*d {
			return fmt.Errorf("component %d has %d mean values and %d covariance values, want %d and %d; refit the model", c, len(m.Means[c]), len(m.Covs[c]), d, d*d)
		}
	}
	return nil
}

// kernel factors the covariances for evaluation.
func (m *GaussianMixtureModel) kernel() (*gmmKernel, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	k, d := len(m.Weights), m.NumFeatures()
	means := make([]float64, 0, k*d)
	covs := make([]float64, 0, k*d*d)
	for c := 0; c < k; c++ {
		means = append(means, m.Means[c]...)
		covs = append(covs, m.Covs[c]...)
	}
	return newGMMKernel(m.Weights, means, covs, k, d)
}

// Transform adds predictionCol (the most likely component, int32; ties
// go to the lower index) and probabilityCol (the posterior probabilities)
// when set. A NULL vector, one of the wrong size or one holding NaN or
// ±Inf is an error naming the row. ctx is checked between blocks of rows.
func (m *GaussianMixtureModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	kern, err := m.kernel()
	if err != nil {
		return nil, err
	}
	k, d := kern.k, kern.d
	n := int(f.NumRows())
	pred := make([]int32, n)
	prob := make([]float64, n*k)
	diff := make([][]float64, runtime.GOMAXPROCS(0))
	err = gmmRows(ctx, f, m.P.FeaturesCol, d, func(w, i int, x []float64) {
		if diff[w] == nil {
			diff[w] = make([]float64, k*d)
		}
		r := prob[i*k : (i+1)*k]
		kern.posterior(x, diff[w], r)
		best := 0
		for c := 1; c < k; c++ {
			if r[c] > r[best] {
				best = c
			}
		}
		pred[i] = int32(best)
	})
	if err != nil {
		return nil, err
	}
	out := f
	if m.P.PredictionCol != "" {
		b := array.NewInt32Builder(memory.DefaultAllocator)
		b.AppendValues(pred, nil)
		a := b.NewArray()
		b.Release()
		col := arrow.NewChunked(arrow.PrimitiveTypes.Int32, []arrow.Array{a})
		a.Release()
		if out, err = out.WithColumn(arrow.Field{Name: m.P.PredictionCol, Type: arrow.PrimitiveTypes.Int32, Nullable: true}, col); err != nil {
			return nil, err
		}
	}
	if m.P.ProbabilityCol != "" {
		if out, err = out.WithColumn(arrow.Field{Name: m.P.ProbabilityCol, Type: ml.VectorType, Nullable: true}, ml.DenseVectors(prob, k)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Score returns the mean log-likelihood per row of featuresCol in f
// under the model, ignoring weights (scikit-learn's
// GaussianMixture.score). Bad rows are errors naming the row; an empty
// frame is an error.
func (m *GaussianMixtureModel) Score(ctx context.Context, f *ml.Frame) (float64, error) {
	if err := ml.CheckVectorCol(f.Schema(), "featuresCol", m.P.FeaturesCol); err != nil {
		return 0, err
	}
	if f.NumRows() == 0 {
		return 0, errors.New("the frame has no rows; there is nothing to score")
	}
	kern, err := m.kernel()
	if err != nil {
		return 0, err
	}
	k, d := kern.k, kern.d
	workers := runtime.GOMAXPROCS(0)
	scratch := make([][]float64, workers)
	sums := make([]float64, workers*8) // padded against false sharing
	err = gmmRows(ctx, f, m.P.FeaturesCol, d, func(w, _ int, x []float64) {
		if scratch[w] == nil {
			scratch[w] = make([]float64, k*d+k)
		}
		sums[w*8] += kern.posterior(x, scratch[w][:k*d], scratch[w][k*d:])
	})
	if err != nil {
		return 0, err
	}
	var tot float64
	for w := 0; w < workers; w++ {
		tot += sums[w*8]
	}
	return tot / float64(f.NumRows()), nil
}

// gmmRows calls fn(worker, row, x) for every row of vector column col in
// parallel over blocks of rows, with x the row's dense values (reused;
// worker < GOMAXPROCS identifies the goroutine). NULL vectors, sizes
// other than d and non-finite values are errors naming the row.
func gmmRows(ctx context.Context, f *ml.Frame, col string, d int, fn func(w, i int, x []float64)) error {
	chunked, err := f.Column(col)
	if err != nil {
		return fmt.Errorf("featuresCol: %w", err)
	}
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return err
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return fmt.Errorf("column %s: %w", col, err)
	}
	bufs := make([][]float64, runtime.GOMAXPROCS(0))
	_, _, err = gmmBlocks(ctx, vc.Len(), 0, nil, func(w, lo, hi int, _ []float64) error {
		for i := lo; i < hi; i++ {
			if vc.IsNull(i) {
				return fmt.Errorf("column %s, row %d: feature vector is NULL; drop or impute the row before this stage", col, i+1)
			}
			v := vc.At(i)
			if err := v.Validate(); err != nil {
				return fmt.Errorf("column %s, row %d: %w", col, i+1, err)
			}
			if v.Size != d {
				return fmt.Errorf("column %s, row %d: vector has %d features, the model was fitted on %d", col, i+1, v.Size, d)
			}
			x := v.Values
			if v.IsSparse() {
				bufs[w] = v.AppendTo(bufs[w][:0])
				x = bufs[w]
			}
			for j, xv := range x {
				if math.IsNaN(xv) || math.IsInf(xv, 0) {
					return fmt.Errorf("column %s, row %d: feature %d is %v; impute it (Imputer) or drop the row", col, i+1, j, xv)
				}
			}
			fn(w, i, x)
		}
		return nil
	})
	return err
}

// FrameNames returns "gaussians".
func (m *GaussianMixtureModel) FrameNames() []string { return []string{"gaussians"} }

// ModelFrame returns "gaussians": one row per component with gaussian
// (int32, the index predictionCol uses), weight (double), mean (vector)
// and cov (list<double>, the numFeatures × numFeatures covariance
// row-major; Spark's gaussiansDF has mean and cov).
func (m *GaussianMixtureModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if name != "gaussians" {
		return nil, fmt.Errorf("GaussianMixtureModel has no frame %q; it has %s", name, strings.Join(m.FrameNames(), ", "))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	k := len(m.Weights)
	idx := array.NewInt32Builder(memory.DefaultAllocator)
	defer idx.Release()
	for c := 0; c < k; c++ {
		idx.Append(int32(c))
	}
	means := make([]ml.Vector, k)
	for c := range means {
		means[c] = ml.Dense(m.Means[c]...)
	}
	cb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	defer cb.Release()
	vb := cb.ValueBuilder().(*array.Float64Builder)
	for _, cv := range m.Covs {
		cb.Append(true)
		vb.AppendValues(cv, nil)
	}
	ia, ca := idx.NewArray(), cb.NewArray()
	defer ia.Release()
	defer ca.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "gaussian", Type: arrow.PrimitiveTypes.Int32},
		{Name: "weight", Type: arrow.PrimitiveTypes.Float64},
		{Name: "mean", Type: ml.VectorType, Nullable: true},
		{Name: "cov", Type: ca.DataType(), Nullable: true},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{
		arrow.NewChunked(ia.DataType(), []arrow.Array{ia}),
		ml.Float64Column(m.Weights),
		ml.VectorsColumn(means),
		arrow.NewChunked(ca.DataType(), []arrow.Array{ca}),
	})
}

// String is a one-line summary.
func (m *GaussianMixtureModel) String() string {
	return fmt.Sprintf("GaussianMixtureModel: k=%d, numFeatures=%d, logLikelihood=%s, numIter=%d",
		len(m.Weights), m.NumFeatures(), strconv.FormatFloat(m.LogLikelihood, 'g', 8, 64), m.NumIter)
}

// DebugString prints the summary and every component: weight, mean and
// covariance (the full matrix up to 8 features, else its diagonal).
func (m *GaussianMixtureModel) DebugString() string {
	var b strings.Builder
	b.WriteString(m.String())
	b.WriteByte('\n')
	fmtVec := func(v []float64) string {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = strconv.FormatFloat(x, 'g', 6, 64)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	d := m.NumFeatures()
	for c := range m.Weights {
		fmt.Fprintf(&b, "  Gaussian %d: weight %s\n", c, strconv.FormatFloat(m.Weights[c], 'g', 6, 64))
		if c >= len(m.Means) || c >= len(m.Covs) || len(m.Covs[c]) != d*d {
			continue
		}
		fmt.Fprintf(&b, "    mean %s\n", fmtVec(m.Means[c]))
		if d <= 8 {
			for j := 0; j < d; j++ {
				lead := "    cov  "
				if j > 0 {
					lead = "         "
				}
				fmt.Fprintf(&b, "%s%s\n", lead, fmtVec(m.Covs[c][j*d:(j+1)*d]))
			}
			continue
		}
		diag := make([]float64, d)
		for j := range diag {
			diag[j] = m.Covs[c][j*d+j]
		}
		fmt.Fprintf(&b, "    variances %s\n", fmtVec(diag))
	}
	return b.String()
}

// gmmSummary is the JSON part of a saved GaussianMixtureModel.
type gmmSummary struct {
	LogLikelihood any `json:"logLikelihood"`
	NumIter       int `json:"numIter"`
}

// SaveData writes the components (data/gaussians.arrow: weight, mean,
// cov) and the training summary (data/summary.json).
func (m *GaussianMixtureModel) SaveData(w *ml.DataWriter) error {
	if err := m.check(); err != nil {
		return err
	}
	cols := new(ml.Columns).AddFloat64("weight", m.Weights).AddFloat64s("mean", m.Means).AddFloat64s("cov", m.Covs)
	if err := w.WriteColumns("gaussians", cols); err != nil {
		return err
	}
	var ll any = m.LogLikelihood
	if math.IsNaN(m.LogLikelihood) || math.IsInf(m.LogLikelihood, 0) {
		ll = strconv.FormatFloat(m.LogLikelihood, 'g', -1, 64)
	}
	return w.WriteJSON("summary", gmmSummary{LogLikelihood: ll, NumIter: m.NumIter})
}

// LoadData reads what SaveData wrote.
func (m *GaussianMixtureModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("gaussians")
	if err != nil {
		return err
	}
	if m.Weights, err = c.Float64("weight"); err != nil {
		return err
	}
	if m.Means, err = c.Float64s("mean"); err != nil {
		return err
	}
	if m.Covs, err = c.Float64s("cov"); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return fmt.Errorf("data/gaussians.arrow: %w", err)
	}
	var s gmmSummary
	if err := r.ReadJSON("summary", &s); err != nil {
		return err
	}
	m.NumIter = s.NumIter
	switch v := s.LogLikelihood.(type) {
	case float64:
		m.LogLikelihood = v
	case string:
		if m.LogLikelihood, err = strconv.ParseFloat(v, 64); err != nil {
			return fmt.Errorf("data/summary.json: logLikelihood %q: %v; re-save the model", v, err)
		}
	default:
		return fmt.Errorf("data/summary.json: logLikelihood is %T; re-save the model", v)
	}
	return nil
}
