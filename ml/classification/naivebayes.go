package classification

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// NaiveBayesParams are NaiveBayes's params, with Spark's names.
type NaiveBayesParams struct {
	ml.ClassifierCols
	Smoothing  float64   `param:"smoothing" doc:"additive (Laplace) smoothing of counts, >= 0; not used by gaussian"`
	ModelType  string    `param:"modelType" doc:"multinomial (counts), bernoulli (0/1 features), gaussian (continuous) or complement"`
	Thresholds []float64 `param:"thresholds" doc:"one threshold per class: the class with the largest probability/threshold wins; empty for none"`
	WeightCol  string    `param:"weightCol" doc:"column of non-negative instance weights; empty gives every row weight 1"`
}

// Validate checks the params.
func (p NaiveBayesParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if !(p.Smoothing >= 0) || math.IsInf(p.Smoothing, 0) {
		return fmt.Errorf("smoothing is %v; use a finite number >= 0 (1 is Laplace smoothing)", p.Smoothing)
	}
	switch p.ModelType {
	case "multinomial", "bernoulli", "gaussian", "complement":
	default:
		return fmt.Errorf("modelType %q: use multinomial, bernoulli, gaussian or complement", p.ModelType)
	}
	return ml.ValidateThresholds(p.Thresholds, len(p.Thresholds))
}

// NaiveBayes fits a naive Bayes classifier as Spark's NaiveBayes does,
// in one pass over the data:
//
//   - multinomial: features are non-negative counts; θ_kj is the log of
//     the smoothed share of feature j in class k's total count;
//   - bernoulli: features are 0 or 1; θ_kj is the log of the smoothed
//     probability that feature j is 1 in class k;
//   - complement: as multinomial, but θ is estimated from the other
//     classes' counts and negated (Rennie et al. 2003);
//   - gaussian: θ and σ are each class's weighted mean and population
//     variance, plus 1e-9 × the largest feature variance (as Spark and
//     scikit-learn do).
//
// Class priors π_k are log((n_k + smoothing) / (n + K·smoothing)) for the
// discrete types and log(n_k / n) for gaussian (n_k: class weight).
type NaiveBayes struct {
	P NaiveBayesParams
}

var _ ml.Estimator = (*NaiveBayes)(nil)

// NewNaiveBayes returns a NaiveBayes with Spark's defaults: modelType
// multinomial, smoothing 1.
func NewNaiveBayes() *NaiveBayes {
	return &NaiveBayes{P: NaiveBayesParams{
		ClassifierCols: ml.DefaultClassifierCols(), Smoothing: 1, ModelType: "multinomial", Thresholds: []float64{},
	}}
}

// StageName returns "NaiveBayes".
func (nb *NaiveBayes) StageName() string { return "NaiveBayes" }

// Params returns the params.
func (nb *NaiveBayes) Params() any { return &nb.P }

// TransformSchema checks the input columns and adds the outputs.
func (nb *NaiveBayes) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return fitSchema(in, nb.P.ClassifierCols, nb.P.WeightCol)
}

// Fit fits the model. Besides the errors every classifier reports
// (params, columns, NULL/NaN, labels), a negative feature (multinomial,
// complement) or one other than 0 and 1 (bernoulli) fails naming the row
// and feature, and gaussian fails when a class has no weight.
func (nb *NaiveBayes) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := nb.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("NaiveBayes: %w", err)
	}
	return m, nil
}

// badValue records the first row (lowest index) holding an invalid
// feature value.
type badValue struct {
	mu       sync.Mutex
	row, col int
	val      float64
}

func (b *badValue) note(row, col int, v float64) {
	b.mu.Lock()
	if b.row < 0 || row < b.row {
		b.row, b.col, b.val = row, col, v
	}
	b.mu.Unlock()
}

// validValue reports whether v is allowed for the model type.
func validValue(modelType string, v float64) bool {
	switch modelType {
	case "multinomial", "complement":
		return v >= 0
	case "bernoulli":
		return v == 0 || v == 1
	}
	return true
}

func (b *badValue) err(modelType, col string, attrs ml.VectorAttrs) error {
	if b.row < 0 {
		return nil
	}
	want := "non-negative values (counts or frequencies)"
	if modelType == "bernoulli" {
		want = "values 0 or 1 (binarize the features first, e.g. with Binarizer)"
	}
	return fmt.Errorf("column %s, row %d: feature %d (%s) is %v; %s naive Bayes needs %s", col, b.row+1, b.col, attrs.Name(b.col), b.val, modelType, want)
}

func (nb *NaiveBayes) fit(ctx context.Context, f *ml.Frame) (*NaiveBayesModel, error) {
	p := nb.P
	p.Thresholds = slices.Clone(p.Thresholds)
	d, K, err := loadTraining(ctx, f, nb, p.ClassifierCols, p.WeightCol)
	if err != nil {
		return nil, err
	}
	if err := ml.ValidateThresholds(p.Thresholds, K); err != nil {
		return nil, err
	}
	D := d.D
	gauss := p.ModelType == "gaussian"
	// Per worker and class: weight, Σw·(x−s) [D], Σw·(x−s)² [D] (gaussian),
	// with s the first row (a shift for accuracy); discrete types use s = 0.
	stride := 1 + D
	if gauss {
		stride += D
	}
	shift := make([]float64, D)
	if gauss {
		copy(shift, d.Row(0))
	}
	pool := newRowPool(d.N)
	defer pool.close()
	acc := make([][]float64, pool.chunks())
	for c := range acc {
		acc[c] = make([]float64, K*stride)
	}
	bad := &badValue{row: -1}
	pool.run(func(ch, _, lo, hi int) {
		a := acc[ch]
		for i := lo; i < hi; i++ {
			c := a[int(d.Y[i])*stride:][:stride]
			wt := d.Weight(i)
			c[0] += wt
			s := c[1 : 1+D]
			row := d.X[i*D : (i+1)*D]
			for j, x := range row {
				if !validValue(p.ModelType, x) {
					bad.note(i, j, x)
					return
				}
				v := x - shift[j]
				s[j] += wt * v
				if gauss {
					c[1+D+j] += wt * v * v
				}
			}
		}
	})
	if err := bad.err(p.ModelType, p.FeaturesCol, d.Attrs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tot := sumChunks(acc)
	m := &NaiveBayesModel{P: p, Pi: make([]float64, K), Theta: make([][]float64, K)}
	var n float64
	for k := range K {
		n += tot[k*stride]
	}
	if n <= 0 {
		return nil, fmt.Errorf("weight column %s: every weight is 0; give some rows positive weight", p.WeightCol)
	}
	lambda := p.Smoothing
	for k := range K {
		c := tot[k*stride:][:stride]
		nk, s := c[0], c[1:1+D]
		m.Theta[k] = make([]float64, D)
		if gauss {
			if nk <= 0 {
				return nil, fmt.Errorf("label column %s: class %d has no rows (or total weight 0); gaussian naive Bayes needs every class", p.LabelCol, k)
			}
			m.Pi[k] = math.Log(nk) - math.Log(n)
			continue
		}
		m.Pi[k] = math.Log(nk+lambda) - math.Log(n+float64(K)*lambda)
		switch p.ModelType {
		case "multinomial":
			var sum float64
			for _, v := range s {
				sum += v
			}
			den := math.Log(sum + float64(D)*lambda)
			for j, v := range s {
				m.Theta[k][j] = math.Log(v+lambda) - den
			}
		case "bernoulli":
			den := math.Log(nk + 2*lambda)
			for j, v := range s {
				m.Theta[k][j] = math.Log(v+lambda) - den
			}
		case "complement":
			comp := make([]float64, D)
			var sum float64
			for j := range comp {
				for k2 := range K {
					if k2 != k {
						comp[j] += tot[k2*stride+1+j]
					}
				}
				sum += comp[j]
			}
			den := math.Log(sum + float64(D)*lambda)
			for j, v := range comp {
				m.Theta[k][j] = -(math.Log(v+lambda) - den)
			}
		}
	}
	if gauss {
		m.Sigma = gaussianVariances(tot, K, D, stride, n, shift)
		for k := range K {
			for j := range D {
				m.Theta[k][j] = shift[j] + tot[k*stride+1+j]/tot[k*stride]
			}
		}
	}
	return m, nil
}

// gaussianVariances returns each class's population variance plus
// 1e-9 × the largest population variance over all the data.
func gaussianVariances(tot []float64, K, D, stride int, n float64, shift []float64) [][]float64 {
	var maxVar float64
	for j := range D {
		var s, q float64
		for k := range K {
			s += tot[k*stride+1+j]
			q += tot[k*stride+1+D+j]
		}
		maxVar = max(maxVar, q/n-(s/n)*(s/n))
	}
	eps := 1e-9 * maxVar
	sigma := make([][]float64, K)
	for k := range K {
		nk := tot[k*stride]
		sigma[k] = make([]float64, D)
		for j := range D {
			mean := tot[k*stride+1+j] / nk
			sigma[k][j] = eps + max(tot[k*stride+1+D+j]/nk-mean*mean, 0)
		}
	}
	return sigma
}

// NaiveBayesModel is a fitted naive Bayes model. rawPrediction is Spark's:
// the log joint likelihood π_k + log P(x | k) for multinomial and
// bernoulli; for gaussian the same without the −D/2·log 2π term (Spark
// omits it; it cancels in probabilities); for complement θ·x normalized by
// its log-sum-exp. probability is the softmax of rawPrediction. Safe for
// concurrent use.
type NaiveBayesModel struct {
	P     NaiveBayesParams
	Pi    []float64   // log class priors
	Theta [][]float64 // K × D: log feature probabilities, or means (gaussian)
	Sigma [][]float64 // K × D variances (gaussian only)
}

var _ ml.Model = (*NaiveBayesModel)(nil)

// nbKernel is a model with the per-class terms prediction uses
// precomputed; Transform builds one per call.
type nbKernel struct {
	*NaiveBayesModel
	negTheta  [][]float64 // bernoulli: log(1 − exp θ)
	logVarSum []float64   // gaussian: Σ_j log σ_kj
}

var _ ml.ClassifierKernel = nbKernel{}

// kernel returns the model's prediction kernel.
func (m *NaiveBayesModel) kernel() nbKernel {
	k := nbKernel{NaiveBayesModel: m}
	switch m.P.ModelType {
	case "bernoulli":
		k.negTheta = make([][]float64, len(m.Theta))
		for c, row := range m.Theta {
			k.negTheta[c] = make([]float64, len(row))
			for j, t := range row {
				k.negTheta[c][j] = math.Log1p(-math.Exp(t))
			}
		}
	case "gaussian":
		k.logVarSum = make([]float64, len(m.Sigma))
		for c, row := range m.Sigma {
			for _, s := range row {
				k.logVarSum[c] += math.Log(s)
			}
		}
	}
	return k
}

// StageName returns "NaiveBayesModel".
func (m *NaiveBayesModel) StageName() string { return "NaiveBayesModel" }

// Params returns the params.
func (m *NaiveBayesModel) Params() any { return &m.P }

// NumClasses returns the number of classes.
func (m *NaiveBayesModel) NumClasses() int { return len(m.Pi) }

// NumFeatures returns the number of features.
func (m *NaiveBayesModel) NumFeatures() int {
	if len(m.Theta) == 0 {
		return 0
	}
	return len(m.Theta[0])
}

// PredictRaw writes the raw scores of x (see NaiveBayesModel). x must be
// valid for the model type (Transform checks).
func (m nbKernel) PredictRaw(x, raw []float64) {
	switch m.P.ModelType {
	case "multinomial":
		for k, th := range m.Theta {
			raw[k] = m.Pi[k] + sparseDot(th, x)
		}
	case "complement":
		mx := math.Inf(-1)
		for k, th := range m.Theta {
			raw[k] = sparseDot(th, x)
			mx = max(mx, raw[k])
		}
		var s float64
		for _, v := range raw {
			s += math.Exp(v - mx)
		}
		lse := mx + math.Log(s)
		for k := range raw {
			raw[k] -= lse
		}
	case "bernoulli":
		for k, th := range m.Theta {
			v := m.Pi[k]
			for j, xj := range x {
				if xj == 1 {
					v += th[j]
				} else {
					v += m.negTheta[k][j]
				}
			}
			raw[k] = v
		}
	case "gaussian":
		for k, th := range m.Theta {
			var s float64
			for j, xj := range x {
				d := xj - th[j]
				s += d * d / m.Sigma[k][j]
			}
			raw[k] = m.Pi[k] - (s+m.logVarSum[k])/2
		}
	}
}

// sparseDot is Σ θ_j·x_j over the non-zero x_j, so a −Inf θ (smoothing 0)
// times a zero count adds nothing instead of NaN.
func sparseDot(theta, x []float64) float64 {
	var s float64
	for j, v := range x {
		if v != 0 {
			s += theta[j] * v
		}
	}
	return s
}

// RawToProbability writes the softmax of raw and reports true.
func (m nbKernel) RawToProbability(raw, prob []float64) bool {
	softmax(raw, prob)
	return true
}

// TransformSchema checks the features column and adds the outputs.
func (m *NaiveBayesModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.ClassifierCols)
}

// Transform adds rawPrediction, probability and prediction. Feature
// values the model type does not allow fail naming row and feature, as in
// Spark.
func (m *NaiveBayesModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := m.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("NaiveBayesModel: %w", err)
	}
	return out, nil
}

func (m *NaiveBayesModel) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := ml.ValidateThresholds(m.P.Thresholds, m.NumClasses()); err != nil {
		return nil, err
	}
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if m.P.ModelType != "gaussian" {
		bad := &badValue{row: -1}
		err := ml.ForEachRow(ctx, f, m.P.FeaturesCol, m.NumFeatures(), func(i int, x []float64) {
			for j, v := range x {
				if !validValue(m.P.ModelType, v) {
					bad.note(i, j, v)
					return
				}
			}
		})
		if err != nil {
			return nil, err
		}
		field, _ := ml.FieldOf(f.Schema(), m.P.FeaturesCol)
		if err := bad.err(m.P.ModelType, m.P.FeaturesCol, ml.VectorAttrsOf(field)); err != nil {
			return nil, err
		}
	}
	return ml.TransformClassifier(ctx, f, m.P.ClassifierCols, m.P.Thresholds, m.kernel())
}

// check verifies the model's shape.
func (m *NaiveBayesModel) check() error {
	K, D := len(m.Pi), m.NumFeatures()
	if K < 2 || len(m.Theta) != K {
		return fmt.Errorf("%d priors and %d theta rows; the model is not fitted or is corrupt", K, len(m.Theta))
	}
	for _, row := range m.Theta {
		if len(row) != D {
			return fmt.Errorf("theta rows of different lengths; the model is corrupt")
		}
	}
	if m.P.ModelType == "gaussian" {
		if len(m.Sigma) != K {
			return fmt.Errorf("gaussian model with %d sigma rows for %d classes; the model is corrupt", len(m.Sigma), K)
		}
		for _, row := range m.Sigma {
			if len(row) != D {
				return fmt.Errorf("sigma rows of the wrong length; the model is corrupt")
			}
			for _, s := range row {
				if !(s > 0) {
					return fmt.Errorf("sigma holds %v; variances must be positive — the model is corrupt", s)
				}
			}
		}
	}
	return nil
}
