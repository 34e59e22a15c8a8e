package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// gmmDefaultSeed is Spark's default seed for GaussianMixture: the Java
// hashCode of "org.apache.spark.ml.clustering.GaussianMixture".
const gmmDefaultSeed = 538009335

// gmmMaxFeatures is Spark's limit on the number of features
// (GaussianMixture.MAX_NUM_FEATURES = sqrt(Int.MaxValue)): the covariance
// matrices grow with its square.
const gmmMaxFeatures = 46340

// GaussianMixtureParams are GaussianMixture's params, with Spark's names
// and (from NewGaussianMixture) Spark's defaults. RegCovar is a Sluice
// extension (scikit-learn's reg_covar).
type GaussianMixtureParams struct {
	FeaturesCol      string  `param:"featuresCol" doc:"vector column of features"`
	PredictionCol    string  `param:"predictionCol" doc:"int column of the most likely component (0 … k-1); empty to skip"`
	ProbabilityCol   string  `param:"probabilityCol" doc:"vector column of the k posterior probabilities; empty to skip"`
	WeightCol        string  `param:"weightCol" doc:"column of non-negative instance weights; empty gives every row weight 1"`
	K                int     `param:"k" doc:"number of Gaussian components (>= 2)"`
	MaxIter          int     `param:"maxIter" doc:"maximum number of EM iterations (>= 0)"`
	Tol              float64 `param:"tol" doc:"stop when the total (weighted) log-likelihood changes by at most tol between iterations (>= 0); scikit-learn's tol is per row, so its tol·n is this one"`
	Seed             int     `param:"seed" doc:"random seed of the k-means++ initialisation"`
	AggregationDepth int     `param:"aggregationDepth" doc:"accepted for Spark compatibility and ignored (>= 2)"`
	RegCovar         float64 `param:"regCovar" doc:"Sluice extension: added to the diagonal of every covariance so it stays positive definite (>= 0; scikit-learn's reg_covar)"`
}

// Validate checks each param's range, naming the param and the fix.
func (p GaussianMixtureParams) Validate() error {
	switch {
	case p.FeaturesCol == "":
		return errors.New("featuresCol is empty; name the vector column of features")
	case p.K < 2:
		return fmt.Errorf("k is %d; a Gaussian mixture needs at least 2 components (Spark's rule)", p.K)
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; use 0 or more", p.MaxIter)
	case !(p.Tol >= 0) || math.IsInf(p.Tol, 0):
		return fmt.Errorf("tol is %v; use a finite number >= 0 such as 0.01", p.Tol)
	case p.AggregationDepth < 2:
		return fmt.Errorf("aggregationDepth is %d; Spark requires >= 2 (Sluice ignores it)", p.AggregationDepth)
	case !(p.RegCovar >= 0) || math.IsInf(p.RegCovar, 0):
		return fmt.Errorf("regCovar is %v; use a finite number >= 0 such as 1e-6", p.RegCovar)
	case p.PredictionCol != "" && p.PredictionCol == p.ProbabilityCol:
		return fmt.Errorf("predictionCol and probabilityCol are both %q; give them different names", p.PredictionCol)
	}
	return nil
}

// GaussianMixture fits a mixture of k multivariate Gaussians with full
// covariance matrices by expectation–maximisation, as Spark's
// GaussianMixture.
//
// Each iteration computes, for every row, the log-density under each
// component through the Cholesky factor of its covariance and the
// posterior responsibilities with a log-sum-exp (so far-away rows do not
// underflow), then re-estimates weights, means and covariances from the
// weighted sufficient statistics. As in Spark, EM stops after maxIter
// iterations or when the total weighted log-likelihood changes by at most
// tol (Spark's rule; scikit-learn compares the mean per row, so its tol
// times the number of rows is the equivalent here).
//
// Differences from Spark:
//   - Initialisation: Spark draws k groups of random rows and uses their
//     means and diagonal variances; Sluice starts from k-means, as
//     scikit-learn's init_params="kmeans": it runs 8 greedy k-means++
//     seedings (scikit-learn's: 2+⌊ln k⌋ candidates per centre), each
//     refined by Lloyd's iterations, on a uniform sample of 4,096 rows
//     (64 per component if more), keeps the one with the lowest
//     within-cluster sum of squares, refines it with Lloyd's iterations
//     on a sample of 16,384 rows (256 per component if more), and
//     estimates each component from the rows nearest its centre. The
//     restarts make a poor local optimum rarer than scikit-learn's single
//     k-means run; the samples keep the cost to a fraction of one EM
//     iteration. A cluster left empty (fewer distinct rows than k) starts
//     at its centre with the covariance of all the data.
//   - Ridge: regCovar (default 1e-6, scikit-learn's reg_covar) is added to
//     every covariance's diagonal, so a constant feature or a component on
//     fewer distinct points than features keeps a finite density; Spark
//     instead uses a pseudo-inverse. Set regCovar relative to the
//     features' scale (or scale them first).
//   - A component that loses all its rows keeps its mean and covariance
//     with a weight of about 1e-15 instead of failing.
//   - In the M-step a row counts for a component only when its posterior
//     probability there is at least 1e-12: the statistics change by less
//     than 1e-12 per row, and well-separated components skip most rows.
//     The log-likelihood is exact.
//
// NULL, NaN or infinite features and bad weights fail the fit naming the
// row. Each pass runs on GOMAXPROCS goroutines over blocks of rows with
// partial sums per block added in block order, so a fit is reproducible
// for a seed whatever the number of cores, and passes allocate nothing
// per row.
type GaussianMixture struct {
	P GaussianMixtureParams
}

var _ ml.Estimator = (*GaussianMixture)(nil)

// NewGaussianMixture returns a GaussianMixture with Spark's defaults: k 2,
// maxIter 100, tol 0.01, featuresCol features, predictionCol prediction,
// probabilityCol probability, aggregationDepth 2, Spark's default seed;
// plus regCovar 1e-6.
func NewGaussianMixture() *GaussianMixture {
	return &GaussianMixture{P: GaussianMixtureParams{
		FeaturesCol: "features", PredictionCol: "prediction", ProbabilityCol: "probability",
		K: 2, MaxIter: 100, Tol: 0.01, Seed: gmmDefaultSeed, AggregationDepth: 2, RegCovar: 1e-6,
	}}
}

// StageName returns "GaussianMixture".
func (g *GaussianMixture) StageName() string { return "GaussianMixture" }

// Params returns the params.
func (g *GaussianMixture) Params() any { return &g.P }

// TransformSchema checks the features (and weight) column and adds the
// prediction (int32) and probability (vector) columns that are set.
func (g *GaussianMixture) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := g.P.Validate(); err != nil {
		return nil, err
	}
	if g.P.WeightCol != "" {
		if err := ml.CheckNumericCol(in, "weightCol", g.P.WeightCol); err != nil {
			return nil, err
		}
	}
	return gmmSchema(in, g.P)
}

func gmmSchema(in *arrow.Schema, p GaussianMixtureParams) (*arrow.Schema, error) {
	if err := ml.CheckVectorCol(in, "featuresCol", p.FeaturesCol); err != nil {
		return nil, err
	}
	var add []arrow.Field
	if p.PredictionCol != "" {
		add = append(add, arrow.Field{Name: p.PredictionCol, Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	}
	if p.ProbabilityCol != "" {
		add = append(add, arrow.Field{Name: p.ProbabilityCol, Type: ml.VectorType, Nullable: true})
	}
	return ml.AddFields(in, add...)
}

// Fit runs EM on f. It fails on an invalid param, a missing or mistyped
// column, fewer rows than k, bad rows (naming them) and a covariance that
// is not positive definite even with regCovar. ctx is checked between
// passes over the data.
func (g *GaussianMixture) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := g.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	ds, err := ml.LoadDataset(ctx, f, g.P.FeaturesCol, "", g.P.WeightCol)
	if err != nil {
		return nil, err
	}
	k := g.P.K
	switch {
	case ds.D == 0:
		return nil, fmt.Errorf("column %s: the feature vectors are empty; a Gaussian mixture needs at least 1 feature", g.P.FeaturesCol)
	case ds.D > gmmMaxFeatures:
		return nil, fmt.Errorf("column %s has %d features; GaussianMixture handles at most %d (Spark's limit: the covariances grow with its square); reduce them with PCA first", g.P.FeaturesCol, ds.D, gmmMaxFeatures)
	case ds.N < k:
		return nil, fmt.Errorf("the training data has %d rows for k = %d components; give at least k rows or lower k", ds.N, k)
	}
	var totalW float64
	if ds.W != nil {
		positive := 0
		for _, w := range ds.W {
			totalW += w
			if w > 0 {
				positive++
			}
		}
		if positive < k {
			return nil, fmt.Errorf("column %s: only %d of %d rows have a positive weight, fewer than k = %d components; give at least k rows weight > 0", g.P.WeightCol, positive, ds.N, k)
		}
	} else {
		totalW = float64(ds.N)
	}
	data := gmmData{x: ds.X, w: ds.W, n: ds.N, d: ds.D}
	rng := rand.New(rand.NewPCG(uint64(int64(g.P.Seed)), 0x9e3779b97f4a7c15))

	centres, err := gmmKMeansInit(ctx, data, k, rng)
	if err != nil {
		return nil, err
	}
	st := newGMMState(k, ds.D)
	if err := st.initFromCentres(ctx, data, centres, totalW, g.P.RegCovar); err != nil {
		return nil, err
	}
	var pass gmmPass
	ll, llPrev := -math.MaxFloat64, 0.0
	iter := 0
	for iter < g.P.MaxIter && math.Abs(ll-llPrev) > g.P.Tol {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		kern, err := st.kernel(g.P.FeaturesCol)
		if err != nil {
			return nil, err
		}
		acc, err := pass.eStep(ctx, data, kern)
		if err != nil {
			return nil, err
		}
		llPrev, ll = ll, acc.loglik
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			return nil, fmt.Errorf("column %s: the log-likelihood became %v at iteration %d; scale the features (StandardScaler) or raise regCovar", g.P.FeaturesCol, ll, iter+1)
		}
		if err := st.mStep(acc, totalW, g.P.RegCovar, g.P.FeaturesCol); err != nil {
			return nil, err
		}
		iter++
	}
	if iter == 0 {
		ll = math.NaN() // no E-step ran (maxIter 0); computed below
	}
	m := &GaussianMixtureModel{P: g.P, Weights: st.weights, Means: st.meanRows(), Covs: st.covRows(), NumIter: iter, LogLikelihood: ll}
	if iter == 0 {
		kern, err := st.kernel(g.P.FeaturesCol)
		if err != nil {
			return nil, err
		}
		acc, err := pass.eStep(ctx, data, kern)
		if err != nil {
			return nil, err
		}
		m.LogLikelihood = acc.loglik
	}
	return m, nil
}

// gmmData is the training matrix (row-major n×d) and optional weights.
type gmmData struct {
	x    []float64
	w    []float64
	n, d int
}

func (g gmmData) row(i int) []float64 { return g.x[i*g.d : (i+1)*g.d : (i+1)*g.d] }

func (g gmmData) weight(i int) float64 {
	if g.w == nil {
		return 1
	}
	return g.w[i]
}

// gmmState is the mixture being fitted: weights, means (k×d) and full
// covariances (k×d×d, row-major).
type gmmState struct {
	k, d    int
	weights []float64
	means   []float64
	covs    []float64
}

func newGMMState(k, d int) *gmmState {
	return &gmmState{k: k, d: d, weights: make([]float64, k), means: make([]float64, k*d), covs: make([]float64, k*d*d)}
}

func (s *gmmState) meanRows() [][]float64 {
	out := make([][]float64, s.k)
	for c := range out {
		out[c] = append([]float64(nil), s.means[c*s.d:(c+1)*s.d]...)
	}
	return out
}

func (s *gmmState) covRows() [][]float64 {
	dd := s.d * s.d
	out := make([][]float64, s.k)
	for c := range out {
		out[c] = append([]float64(nil), s.covs[c*dd:(c+1)*dd]...)
	}
	return out
}

// kernel factors the covariances for the E-step.
func (s *gmmState) kernel(featuresCol string) (*gmmKernel, error) {
	kern, err := newGMMKernel(s.weights, s.means, s.covs, s.k, s.d)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", featuresCol, err)
	}
	return kern, nil
}

// gmmTinyWeight is what a component that lost all its rows weighs (as
// scikit-learn's 10·eps floor on the component counts).
const gmmTinyWeight = 10 * 2.220446049250313e-16

// mStep re-estimates the mixture from the sufficient statistics of an
// E-step whose differences were taken from the current means. A
// component with (almost) no weight keeps its mean and covariance.
func (s *gmmState) mStep(acc *gmmAcc, totalW, regCovar float64, featuresCol string) error {
	d, tri := s.d, s.d*(s.d+1)/2
	var wsum float64
	for c := 0; c < s.k; c++ {
		nk := acc.nk[c]
		s.weights[c] = max(nk, gmmTinyWeight) / totalW
		wsum += s.weights[c]
		if !(nk > 1e-12*totalW) {
			continue
		}
		sx := acc.sx[c*d : (c+1)*d]
		ss := acc.ss[c*tri : (c+1)*tri]
		mu := s.means[c*d : (c+1)*d]
		cov := s.covs[c*d*d : (c+1)*d*d]
		inv := 1 / nk
		p := 0
		for j := 0; j < d; j++ {
			dj := sx[j] * inv
			for l := 0; l <= j; l++ {
				v := ss[p]*inv - dj*sx[l]*inv
				cov[j*d+l], cov[l*d+j] = v, v
				p++
			}
			cov[j*d+j] += regCovar
		}
		for j := range mu {
			mu[j] += sx[j] * inv
		}
	}
	for c := range s.weights {
		s.weights[c] /= wsum
	}
	return nil
}

// initFromCentres estimates the starting mixture from the k-means
// clusters around centres (every row with its nearest centre): the
// weighted share, mean and covariance of each (scikit-learn's
// init_params="kmeans"). An empty cluster starts at its centre with the
// covariance of the whole data set.
func (s *gmmState) initFromCentres(ctx context.Context, data gmmData, centres []float64, totalW, regCovar float64) error {
	copy(s.means, centres)
	acc, err := gmmNearestStats(ctx, data, centres, s.k)
	if err != nil {
		return err
	}
	empty := false
	for c := 0; c < s.k; c++ {
		if !(acc.nk[c] > 1e-12*totalW) {
			empty = true
		}
	}
	if empty {
		all, err := gmmNearestStats(ctx, data, centres[:data.d], 1)
		if err != nil {
			return err
		}
		one := newGMMState(1, s.d)
		copy(one.means, centres[:data.d])
		if err := one.mStep(all, totalW, regCovar, ""); err != nil {
			return err
		}
		for c := 0; c < s.k; c++ {
			copy(s.covs[c*s.d*s.d:(c+1)*s.d*s.d], one.covs)
		}
	}
	return s.mStep(acc, totalW, regCovar, "")
}
