package regression

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// GeneralizedLinearRegressionParams are GeneralizedLinearRegression's
// params, with Spark's names and defaults (see
// NewGeneralizedLinearRegression).
type GeneralizedLinearRegressionParams struct {
	ml.PredictorCols
	Family string `param:"family" doc:"error distribution: gaussian, binomial, poisson, gamma or tweedie"`
	Link   string `param:"link" doc:"link function: identity, log, logit, probit, cloglog, inverse or sqrt; empty for the family's canonical link (not for tweedie, which uses linkPower)"`
	// VariancePower and LinkPower configure the Tweedie family.
	VariancePower float64 `param:"variancePower" doc:"tweedie: variance ∝ μ^p, p = 0 or >= 1 (0 gaussian, 1 poisson, 2 gamma)"`
	LinkPower     float64 `param:"linkPower" doc:"tweedie: link η = μ^q (0 is log); NaN (unset) for 1 - variancePower"`
	FitIntercept  bool    `param:"fitIntercept" doc:"fit an intercept term"`
	MaxIter       int     `param:"maxIter" doc:"maximum IRLS iterations (>= 0)"`
	Tol           float64 `param:"tol" doc:"IRLS stops when no coefficient moves by tol or more (>= 0)"`
	RegParam      float64 `param:"regParam" doc:"L2 penalty λ/2·‖β‖² (>= 0)"`
	WeightCol     string  `param:"weightCol" doc:"instance weight column (>= 0); empty for weight 1"`
	OffsetCol     string  `param:"offsetCol" doc:"offset column added to the linear predictor (e.g. log exposure); empty for none"`
	Solver        string  `param:"solver" doc:"irls (the only solver)"`
	// LinkPredictionCol, when set, receives the linear predictor η.
	LinkPredictionCol string `param:"linkPredictionCol" doc:"column for the linear predictor η (with offset); empty to skip"`
}

// Validate checks the params, naming the bad one and the fix; a family
// and link Spark does not pair is an error listing the allowed links.
func (p GeneralizedLinearRegressionParams) Validate() error {
	if p.FeaturesCol == "" || p.LabelCol == "" {
		return p.PredictorCols.Validate()
	}
	if p.PredictionCol == "" && p.LinkPredictionCol == "" {
		return errors.New("predictionCol and linkPredictionCol are both empty; set at least one")
	}
	switch {
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; set it to 0 or more", p.MaxIter)
	case !(p.Tol >= 0):
		return fmt.Errorf("tol is %v; set it to 0 or more", p.Tol)
	case !(p.RegParam >= 0) || math.IsInf(p.RegParam, 0):
		return fmt.Errorf("regParam is %v; set it to a finite value >= 0", p.RegParam)
	case strings.ToLower(p.Solver) != "irls":
		return fmt.Errorf("solver is %q; GeneralizedLinearRegression supports irls only", p.Solver)
	}
	_, _, err := p.familyAndLink()
	return err
}

// GeneralizedLinearRegression fits a generalized linear model E[y] =
// g⁻¹(x·β + b + offset) by iteratively reweighted least squares, as
// Spark's GeneralizedLinearRegression: each iteration solves a weighted
// least squares problem with working label η − offset + (y − μ)·g'(μ) and
// working weight w/(g'(μ)²·V(μ)), plus the L2 penalty λ/2·‖β‖² relative
// to the working-weight sum, on the parallel Gram matrix. It stops when
// no coefficient (nor the intercept) moves by tol, or after maxIter
// iterations. The gaussian family with the identity link is solved in
// closed form, with Spark's standardized ridge penalty (as
// LinearRegression's normal solver).
//
// Families and their links (canonical first): gaussian identity, log,
// inverse; binomial logit, probit, cloglog; poisson log, identity, sqrt;
// gamma inverse, identity, log; tweedie any power link set by linkPower
// (default 1 − variancePower). Labels must fit the family (binomial in
// [0, 1], poisson ≥ 0, gamma > 0).
type GeneralizedLinearRegression struct {
	P GeneralizedLinearRegressionParams
}

var _ ml.Estimator = (*GeneralizedLinearRegression)(nil)

// NewGeneralizedLinearRegression returns a GeneralizedLinearRegression
// with Spark's defaults: family gaussian, canonical link, variancePower
// 0, linkPower unset (NaN), fitIntercept true, maxIter 25, tol 1e-6,
// regParam 0, solver irls.
func NewGeneralizedLinearRegression() *GeneralizedLinearRegression {
	return &GeneralizedLinearRegression{P: GeneralizedLinearRegressionParams{
		PredictorCols: ml.DefaultPredictorCols(),
		Family:        FamilyGaussian, LinkPower: math.NaN(), FitIntercept: true,
		MaxIter: 25, Tol: 1e-6, Solver: "irls",
	}}
}

// StageName returns "GeneralizedLinearRegression".
func (e *GeneralizedLinearRegression) StageName() string { return "GeneralizedLinearRegression" }

// Params returns the params.
func (e *GeneralizedLinearRegression) Params() any { return &e.P }

// TransformSchema checks the features and offset columns and adds the
// prediction and link prediction columns.
func (e *GeneralizedLinearRegression) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return glmSchema(in, e.P)
}

func glmSchema(in *arrow.Schema, p GeneralizedLinearRegressionParams) (*arrow.Schema, error) {
	if err := ml.CheckVectorCol(in, "featuresCol", p.FeaturesCol); err != nil {
		return nil, err
	}
	if p.OffsetCol != "" {
		if err := ml.CheckNumericCol(in, "offsetCol", p.OffsetCol); err != nil {
			return nil, err
		}
	}
	var add []arrow.Field
	if p.PredictionCol != "" {
		add = append(add, arrow.Field{Name: p.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	if p.LinkPredictionCol != "" {
		add = append(add, arrow.Field{Name: p.LinkPredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	return ml.AddFields(in, add...)
}

// glmFit is the outcome of IRLS.
type glmFit struct {
	coef       []float64
	intercept  float64
	diagInv    []float64
	iterations int
	converged  bool
	zeroVar    []int
}

// glmProblem is one GLM to fit.
type glmProblem struct {
	ds     *ml.Dataset
	offset []float64 // nil for none
	fam    glmFamily
	link   glmLink
	p      GeneralizedLinearRegressionParams
}

func (g *glmProblem) off(i int) float64 {
	if g.offset == nil {
		return 0
	}
	return g.offset[i]
}

// Fit fits the model by IRLS and computes the training summary. Labels
// outside the family's range, NULL/NaN values, negative weights, collinear
// features (ErrSingular) and a diverging IRLS are errors naming the row,
// column or feature. ctx cancels between passes over the data.
func (e *GeneralizedLinearRegression) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	fam, link, _ := e.P.familyAndLink()
	if err := ml.CheckNumericCol(f.Schema(), "labelCol", e.P.LabelCol); err != nil {
		return nil, err
	}
	ds, err := ml.LoadDataset(ctx, f, e.P.FeaturesCol, e.P.LabelCol, e.P.WeightCol)
	if err != nil {
		return nil, err
	}
	if ds.D == 0 && !e.P.FitIntercept {
		return nil, fmt.Errorf("column %s: vectors have 0 features and fitIntercept is false, so there is nothing to fit; set fitIntercept=true", e.P.FeaturesCol)
	}
	if ds.D > maxNormalFeatures {
		return nil, fmt.Errorf("GeneralizedLinearRegression (irls) handles at most %d features, the data has %d; reduce them (e.g. PCA, feature selection)", maxNormalFeatures, ds.D)
	}
	var offset []float64
	if e.P.OffsetCol != "" {
		if offset, err = ml.NumericColumn(f, "offsetCol", e.P.OffsetCol); err != nil {
			return nil, err
		}
	}
	for i, y := range ds.Y {
		if ok, want := fam.checkLabel(y); !ok {
			return nil, fmt.Errorf("column %s, row %d: label %v is out of range for family %s, which needs labels %s; filter those rows or choose another family", e.P.LabelCol, i+1, y, e.P.Family, want)
		}
	}
	prob := &glmProblem{ds: ds, offset: offset, fam: fam, link: link, p: e.P}
	fit, err := prob.fit(ctx)
	if err != nil {
		return nil, fmt.Errorf("GeneralizedLinearRegression (family %s, link %s): %w", fam.name, link, err)
	}
	m := &GeneralizedLinearRegressionModel{P: e.P, Coefficients: fit.coef, Intercept: fit.intercept}
	sum, err := m.summarize(ctx, prob, fit)
	if err != nil {
		return nil, err
	}
	m.Summary = sum
	return m, nil
}

// fit runs IRLS (or the closed form for gaussian/identity).
func (g *glmProblem) fit(ctx context.Context) (*glmFit, error) {
	ds, p := g.ds, g.p
	n, d := ds.N, ds.D
	std := wlsConfig{fitIntercept: p.FitIntercept, regParam: p.RegParam, standardizeFeatures: true, standardizeLabel: true, name: ds.Attrs.Name}
	w := ds.W
	if w == nil {
		w = make([]float64, n)
		for i := range w {
			w[i] = 1
		}
	}
	z := make([]float64, n)
	if g.fam.name == FamilyGaussian && g.link.name == LinkIdentity {
		for i, y := range ds.Y {
			z[i] = y - g.off(i)
		}
		mo, err := computeMoments(ctx, momentsJob{x: ds.X, y: z, w: w, n: n, d: d, full: true})
		if err != nil {
			return nil, err
		}
		if mo.wSum <= 0 {
			return nil, errors.New("every instance weight is 0; give some rows a positive weight")
		}
		sol, err := solveWLS(ctx, mo, std)
		if err != nil {
			return nil, err
		}
		return &glmFit{coef: sol.coef, intercept: sol.intercept, diagInv: sol.diagInv, iterations: 1, converged: true, zeroVar: sol.zeroVar}, nil
	}
	// Initial model: weighted least squares of g(μ₀) − offset.
	for i, y := range ds.Y {
		mu := g.fam.initialize(y, w[i])
		z[i] = g.link.link(mu) - g.off(i)
		if math.IsNaN(z[i]) || math.IsInf(z[i], 0) {
			return nil, fmt.Errorf("row %d: label %v has no value under link %s, so IRLS cannot start; use a link defined there (the family's canonical link %s) or filter the row", i+1, y, g.link, g.fam.defaultLink())
		}
	}
	mo, err := computeMoments(ctx, momentsJob{x: ds.X, y: z, w: w, n: n, d: d, full: true})
	if err != nil {
		return nil, err
	}
	if mo.wSum <= 0 {
		return nil, errors.New("every instance weight is 0; give some rows a positive weight")
	}
	sol, err := solveWLS(ctx, mo, std)
	if err != nil {
		return nil, err
	}
	irls := wlsConfig{fitIntercept: p.FitIntercept, regParam: p.RegParam, name: ds.Attrs.Name}
	wt := make([]float64, n)
	fit := &glmFit{coef: sol.coef, intercept: sol.intercept, diagInv: sol.diagInv, zeroVar: sol.zeroVar}
	for fit.iterations < p.MaxIter {
		if err := g.working(ctx, fit.coef, fit.intercept, w, z, wt); err != nil {
			return nil, fmt.Errorf("iteration %d: %w", fit.iterations+1, err)
		}
		mo, err := computeMoments(ctx, momentsJob{x: ds.X, y: z, w: wt, n: n, d: d, full: true})
		if err != nil {
			return nil, err
		}
		if !(mo.wSum > 0) {
			return nil, fmt.Errorf("iteration %d: every working weight is 0; the fitted means reached the edge of the family's range (perfect separation?); set regParam > 0 or check the features", fit.iterations+1)
		}
		sol, err := solveWLS(ctx, mo, irls)
		if err != nil {
			return nil, fmt.Errorf("iteration %d: %w", fit.iterations+1, err)
		}
		delta := math.Abs(sol.intercept - fit.intercept)
		for j, c := range sol.coef {
			delta = max(delta, math.Abs(c-fit.coef[j]))
		}
		fit.coef, fit.intercept, fit.diagInv, fit.zeroVar = sol.coef, sol.intercept, sol.diagInv, sol.zeroVar
		fit.iterations++
		if math.IsNaN(delta) {
			return nil, fmt.Errorf("iteration %d: the coefficients became NaN; the model diverged, try another link or set regParam > 0", fit.iterations)
		}
		if delta < p.Tol {
			fit.converged = true
			break
		}
	}
	return fit, nil
}

// working computes the working labels z and weights wt of one IRLS step
// in parallel over row ranges.
func (g *glmProblem) working(ctx context.Context, coef []float64, intercept float64, w, z, wt []float64) error {
	ds := g.ds
	gr, gctx := errgroup.WithContext(ctx)
	for _, r := range rowRanges(ds.N, 8192) {
		gr.Go(func() error {
			for i := r[0]; i < r[1]; i++ {
				if (i-r[0])%8192 == 0 {
					if err := gctx.Err(); err != nil {
						return err
					}
				}
				eta := intercept + g.off(i)
				row := ds.Row(i)
				for j, c := range coef {
					eta += c * row[j]
				}
				mu := g.fam.project(g.link.unlink(eta))
				dd := g.link.deriv(mu)
				z[i] = eta - g.off(i) + (ds.Y[i]-mu)*dd
				wt[i] = w[i] / (dd * dd * g.fam.variance(mu))
				if w[i] == 0 {
					z[i], wt[i] = 0, 0
				}
				if math.IsNaN(z[i]) || math.IsInf(z[i], 0) || math.IsNaN(wt[i]) || math.IsInf(wt[i], 0) {
					return fmt.Errorf("row %d: the fitted mean %v is outside what link %s and family %s allow (linear predictor %v); the model diverged, try another link, better starting features or regParam > 0", i+1, mu, g.link, g.fam.name, eta)
				}
			}
			return nil
		})
	}
	return gr.Wait()
}

// GeneralizedLinearRegressionModel is a fitted GLM: prediction =
// g⁻¹(x·β + b + offset).
type GeneralizedLinearRegressionModel struct {
	P            GeneralizedLinearRegressionParams
	Coefficients []float64
	Intercept    float64
	// Summary describes the training run; nil for a loaded model.
	Summary *GeneralizedLinearRegressionTrainingSummary
}

var _ ml.Model = (*GeneralizedLinearRegressionModel)(nil)

// StageName returns "GeneralizedLinearRegressionModel".
func (m *GeneralizedLinearRegressionModel) StageName() string {
	return "GeneralizedLinearRegressionModel"
}

// Params returns the params.
func (m *GeneralizedLinearRegressionModel) Params() any { return &m.P }

// NumFeatures returns the number of features the model was fitted on.
func (m *GeneralizedLinearRegressionModel) NumFeatures() int { return len(m.Coefficients) }

// PredictLink returns the linear predictor x·β + b + offset.
func (m *GeneralizedLinearRegressionModel) PredictLink(x []float64, offset float64) float64 {
	s := m.Intercept + offset
	for j, c := range m.Coefficients {
		s += c * x[j]
	}
	return s
}

// Predict returns the fitted mean g⁻¹(x·β + b + offset), kept inside the
// family's range as Spark does. It is safe for concurrent use; invalid
// params (which Fit and Load reject) give NaN.
func (m *GeneralizedLinearRegressionModel) Predict(x []float64, offset float64) float64 {
	fam, link, err := m.P.familyAndLink()
	if err != nil {
		return math.NaN()
	}
	return fam.project(link.unlink(m.PredictLink(x, offset)))
}

// TransformSchema checks the features and offset columns and adds the
// prediction and link prediction columns that are set.
func (m *GeneralizedLinearRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return glmSchema(in, m.P)
}

// Transform adds predictionCol and linkPredictionCol (those set), using
// offsetCol when set. A NULL vector or offset, or a vector of the wrong
// size, is an error naming the row.
func (m *GeneralizedLinearRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	fam, link, _ := m.P.familyAndLink()
	var offset []float64
	if m.P.OffsetCol != "" {
		var err error
		if offset, err = ml.NumericColumn(f, "offsetCol", m.P.OffsetCol); err != nil {
			return nil, err
		}
	}
	n := int(f.NumRows())
	pred, eta := make([]float64, n), make([]float64, n)
	err := ml.ForEachRow(ctx, f, m.P.FeaturesCol, m.NumFeatures(), func(i int, x []float64) {
		o := 0.0
		if offset != nil {
			o = offset[i]
		}
		eta[i] = m.PredictLink(x, o)
		pred[i] = fam.project(link.unlink(eta[i]))
	})
	if err != nil {
		return nil, err
	}
	out := f
	if m.P.PredictionCol != "" {
		if out, err = out.WithColumn(arrow.Field{Name: m.P.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column(pred)); err != nil {
			return nil, err
		}
	}
	if m.P.LinkPredictionCol != "" {
		if out, err = out.WithColumn(arrow.Field{Name: m.P.LinkPredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column(eta)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
