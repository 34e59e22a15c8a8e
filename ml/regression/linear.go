package regression

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// Solvers and losses of LinearRegression (Spark's values).
const (
	SolverAuto   = "auto"
	SolverNormal = "normal"
	SolverLBFGS  = "l-bfgs"

	LossSquaredError = "squaredError"
	LossHuber        = "huber"
)

// LinearRegressionParams are LinearRegression's params, with Spark's
// names and defaults (see NewLinearRegression).
type LinearRegressionParams struct {
	ml.PredictorCols
	MaxIter         int     `param:"maxIter" doc:"maximum iterations of L-BFGS or sweeps of coordinate descent (>= 0)"`
	RegParam        float64 `param:"regParam" doc:"regularization strength λ (>= 0)"`
	ElasticNetParam float64 `param:"elasticNetParam" doc:"elastic-net mix α in [0, 1]: 0 is an L2 (ridge) penalty, 1 an L1 (lasso) penalty"`
	Tol             float64 `param:"tol" doc:"convergence tolerance of the iterative solvers (>= 0)"`
	FitIntercept    bool    `param:"fitIntercept" doc:"fit an intercept term"`
	Standardization bool    `param:"standardization" doc:"penalize the coefficients of features scaled to unit variance (results are always on the original scale)"`
	Solver          string  `param:"solver" doc:"auto (normal up to 4096 features, else l-bfgs), normal or l-bfgs"`
	WeightCol       string  `param:"weightCol" doc:"instance weight column (>= 0); empty for weight 1"`
	Loss            string  `param:"loss" doc:"squaredError or huber (robust; L2 penalty only, l-bfgs solver)"`
	Epsilon         float64 `param:"epsilon" doc:"huber loss: residuals beyond epsilon·scale count linearly (> 1)"`
}

// Validate checks the params, naming the bad one and the fix.
func (p LinearRegressionParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	switch {
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; set it to 0 or more", p.MaxIter)
	case !(p.RegParam >= 0) || math.IsInf(p.RegParam, 0):
		return fmt.Errorf("regParam is %v; set it to a finite value >= 0", p.RegParam)
	case !(p.ElasticNetParam >= 0 && p.ElasticNetParam <= 1):
		return fmt.Errorf("elasticNetParam is %v; set it between 0 (L2) and 1 (L1)", p.ElasticNetParam)
	case !(p.Tol >= 0):
		return fmt.Errorf("tol is %v; set it to 0 or more", p.Tol)
	case p.Solver != SolverAuto && p.Solver != SolverNormal && p.Solver != SolverLBFGS:
		return fmt.Errorf("solver is %q; use auto, normal or l-bfgs", p.Solver)
	case p.Loss != LossSquaredError && p.Loss != LossHuber:
		msg := fmt.Sprintf("loss is %q; use squaredError or huber", p.Loss)
		if near := ml.Nearest(p.Loss, []string{LossSquaredError, LossHuber}); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return errors.New(msg)
	case !(p.Epsilon > 1) || math.IsInf(p.Epsilon, 0):
		return fmt.Errorf("epsilon is %v; set it to a finite value > 1 (Spark's default is 1.35)", p.Epsilon)
	case p.Loss == LossHuber && p.Solver == SolverNormal:
		return errors.New("loss huber does not work with solver normal; set solver to auto or l-bfgs")
	case p.Loss == LossHuber && p.ElasticNetParam != 0:
		return fmt.Errorf("loss huber supports an L2 penalty only, but elasticNetParam is %v; set it to 0", p.ElasticNetParam)
	}
	return nil
}

// LinearRegression fits a linear model y ≈ x·β + b as Spark's
// LinearRegression does. With squared error it minimizes
//
//	1/(2Σw)·Σ w_i (y_i − x_i·β − b)² + λ·(α·Σ s_j|β_j| + (1−α)/(2σ_y)·Σ s_j²β_j²)
//
// where λ is regParam, α elasticNetParam, σ_y the label's standard
// deviation and s_j the standard deviation of feature j with
// standardization (1 without). This is glmnet's objective on features
// scaled to unit variance, except for the 1/σ_y on the L2 part: Spark
// scales the label by σ_y before applying the penalty, and so does this
// package. The normal solver uses population standard deviations (as
// Spark's WeightedLeastSquares), the l-bfgs solver the unbiased weighted
// ones (as Spark's summarizer), so regularized fits of the two differ
// slightly, as in Spark.
//
// Solvers: normal builds the weighted Gram matrix in parallel over row
// blocks and solves it by Cholesky, or by coordinate descent on the Gram
// matrix when there is an L1 part (Spark uses OWL-QN; the optimum is the
// same). l-bfgs minimizes over the data with gonum's L-BFGS (coordinate
// descent on the Gram matrix for an L1 part). auto picks normal up to
// 4096 features.
//
// Huber loss (loss=huber, l-bfgs) fits coefficients and a scale σ jointly,
// minimizing 1/Σw·Σw_i·½(σ + H_ε(r_i/σ)·σ) + λ/2·Σ s_j²β_j² as Spark (and
// scikit-learn's HuberRegressor) do.
//
// Constant features get coefficient 0 (Spark's rule) and are listed in
// the summary's warnings. Collinear features make the normal solver fail
// with an error wrapping ErrSingular that names them.
type LinearRegression struct {
	P LinearRegressionParams
}

var _ ml.Estimator = (*LinearRegression)(nil)

// NewLinearRegression returns a LinearRegression with Spark's defaults:
// maxIter 100, regParam 0, elasticNetParam 0, tol 1e-6, fitIntercept and
// standardization true, solver auto, loss squaredError, epsilon 1.35.
func NewLinearRegression() *LinearRegression {
	return &LinearRegression{P: LinearRegressionParams{
		PredictorCols: ml.DefaultPredictorCols(),
		MaxIter:       100, Tol: 1e-6, FitIntercept: true, Standardization: true,
		Solver: SolverAuto, Loss: LossSquaredError, Epsilon: 1.35,
	}}
}

// StageName returns "LinearRegression".
func (e *LinearRegression) StageName() string { return "LinearRegression" }

// Params returns the params.
func (e *LinearRegression) Params() any { return &e.P }

// TransformSchema checks the features column and adds the prediction.
func (e *LinearRegression) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.RegressorSchema(in, e.P.PredictorCols)
}

// Fit fits the model and its training summary. Errors name the column
// and row of bad data (NULL or NaN labels or features, negative weights),
// constant labels that cannot be regularized, and collinear features
// (wrapping ErrSingular). ctx cancels between passes over the data and
// between iterations.
func (e *LinearRegression) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if err := ml.CheckNumericCol(f.Schema(), "labelCol", e.P.LabelCol); err != nil {
		return nil, err
	}
	ds, err := ml.LoadDataset(ctx, f, e.P.FeaturesCol, e.P.LabelCol, e.P.WeightCol)
	if err != nil {
		return nil, err
	}
	return e.fitDataset(ctx, ds)
}

func (e *LinearRegression) fitDataset(ctx context.Context, ds *ml.Dataset) (*LinearRegressionModel, error) {
	p := e.P
	solver := SolverNormal
	switch {
	case p.Loss == LossHuber:
		solver = SolverLBFGS
	case p.Solver == SolverLBFGS || (p.Solver == SolverAuto && ds.D > maxNormalFeatures):
		solver = SolverLBFGS
	case ds.D > maxNormalFeatures:
		return nil, fmt.Errorf("solver normal handles at most %d features, the data has %d; set solver to l-bfgs or auto", maxNormalFeatures, ds.D)
	}
	l1 := p.RegParam > 0 && p.ElasticNetParam > 0
	mo, err := computeMoments(ctx, momentsJob{x: ds.X, y: ds.Y, w: ds.W, n: ds.N, d: ds.D, full: solver == SolverNormal || (l1 && p.Loss == LossSquaredError)})
	if err != nil {
		return nil, err
	}
	if mo.wSum <= 0 {
		return nil, fmt.Errorf("weightCol %s: every weight is 0; give some rows a positive weight", p.WeightCol)
	}
	cfg := wlsConfig{
		fitIntercept: p.FitIntercept, regParam: p.RegParam, elasticNet: p.ElasticNetParam,
		standardizeFeatures: p.Standardization, standardizeLabel: true,
		sampleStd: solver == SolverLBFGS, maxIter: p.MaxIter, tol: p.Tol, name: ds.Attrs.Name,
	}
	var sol *wlsSolution
	scale := 1.0
	switch {
	case solver == SolverNormal || l1:
		sol, err = solveWLS(ctx, mo, cfg)
		if err != nil {
			return nil, fmt.Errorf("LinearRegression: %w", err)
		}
		if solver == SolverLBFGS {
			sol.diagInv = nil // Spark has no standard errors off the normal solver
		}
	case p.Loss == LossSquaredError:
		sol, err = fitLBFGSSquared(ctx, ds, mo, cfg)
	default:
		if mo.constY && mo.yMean != 0 && !p.FitIntercept && p.RegParam > 0 {
			return nil, errors.New("LinearRegression: the label is constant, so the model cannot be regularized; set fitIntercept=true or regParam=0")
		}
		cfg.standardizeLabel = false // Huber penalizes on the label's own scale
		sol, scale, err = fitHuber(ctx, ds, mo, cfg, p.Epsilon)
	}
	if err != nil {
		return nil, fmt.Errorf("LinearRegression: %w", err)
	}
	m := &LinearRegressionModel{P: p, Coefficients: sol.coef, Intercept: sol.intercept, Scale: scale, diagInv: sol.diagInv}
	sum, err := m.summarize(ds, true)
	if err != nil {
		return nil, err
	}
	ts := &LinearRegressionTrainingSummary{
		LinearRegressionSummary: *sum,
		ObjectiveHistory:        sol.objective,
		TotalIterations:         max(0, len(sol.objective)-1),
		Converged:               sol.converged,
		Solver:                  solver,
	}
	for _, j := range sol.zeroVar {
		ts.ConstantFeatures = append(ts.ConstantFeatures, j)
		ts.Warnings = append(ts.Warnings, fmt.Sprintf("%s is constant on the training rows; its coefficient is 0 (drop it, or it carries no information)", ds.Attrs.Name(j)))
	}
	if sol.constLabel {
		ts.Warnings = append(ts.Warnings, "the label is constant on the training rows; every coefficient is 0 and the intercept is the label's value")
	}
	if !sol.converged {
		ts.Warnings = append(ts.Warnings, fmt.Sprintf("the %s solver stopped at maxIter=%d before reaching tol=%v; raise maxIter", solver, p.MaxIter, p.Tol))
	}
	m.Summary = ts
	return m, nil
}

// fitLBFGSSquared minimizes the squared loss over the data in Spark's
// scaled space.
func fitLBFGSSquared(ctx context.Context, ds *ml.Dataset, mo *moments, cfg wlsConfig) (*wlsSolution, error) {
	sp, sol, err := newScaledProblem(mo, cfg)
	if err != nil || sp == nil {
		return sol, err
	}
	res, err := minimize(ctx, leastSquaresLoss(ds.X, ds.Y, ds.W, ds.N, ds.D, mo, sp, cfg.fitIntercept), make([]float64, sp.p()), cfg.maxIter, cfg.tol)
	if err != nil {
		return nil, err
	}
	sp.toOriginal(mo, cfg.fitIntercept, res.x, sol)
	sol.objective, sol.iterations, sol.converged = res.history, res.iterations, res.converged
	return sol, nil
}

// fitHuber minimizes the Huber loss jointly over coefficients, intercept
// and scale; it returns the solution and the scale.
func fitHuber(ctx context.Context, ds *ml.Dataset, mo *moments, cfg wlsConfig, eps float64) (*wlsSolution, float64, error) {
	sp, sol, err := newScaledProblem(mo, cfg)
	if err != nil {
		return nil, 0, err
	}
	if sp == nil {
		return sol, 1, nil
	}
	p := sp.p()
	dim := p + 1
	if cfg.fitIntercept {
		dim++
	}
	x0 := make([]float64, dim)
	_, ySample := mo.stds(true)
	if cfg.fitIntercept {
		x0[p] = mo.yMean
	}
	if ySample > 0 {
		x0[dim-1] = math.Log(ySample)
	}
	res, err := minimize(ctx, huberLoss(ds.X, ds.Y, ds.W, ds.N, ds.D, mo, sp, cfg.fitIntercept, eps), x0, cfg.maxIter, cfg.tol)
	if err != nil {
		return nil, 0, err
	}
	for a, j := range sp.active {
		sol.coef[j] = res.x[a] / sp.xStd[j]
	}
	if cfg.fitIntercept {
		sol.intercept = res.x[p]
	}
	sol.objective, sol.iterations, sol.converged = res.history, res.iterations, res.converged
	return sol, math.Exp(res.x[dim-1]), nil
}

// LinearRegressionModel is a fitted linear model: prediction = x·β + b.
type LinearRegressionModel struct {
	P            LinearRegressionParams
	Coefficients []float64
	Intercept    float64
	// Scale is the Huber scale σ (1 for squared error).
	Scale float64
	// Summary describes the training run; nil for a loaded model (Spark's
	// hasSummary false).
	Summary *LinearRegressionTrainingSummary
	diagInv []float64
}

var _ ml.Model = (*LinearRegressionModel)(nil)

// StageName returns "LinearRegressionModel".
func (m *LinearRegressionModel) StageName() string { return "LinearRegressionModel" }

// Params returns the params.
func (m *LinearRegressionModel) Params() any { return &m.P }

// NumFeatures returns the number of features the model was fitted on.
func (m *LinearRegressionModel) NumFeatures() int { return len(m.Coefficients) }

// Predict returns x·β + b. It is safe for concurrent use.
func (m *LinearRegressionModel) Predict(x []float64) float64 {
	s := m.Intercept
	for j, c := range m.Coefficients {
		s += c * x[j]
	}
	return s
}

// TransformSchema checks the features column and adds the prediction.
func (m *LinearRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.PredictorCols.Validate(); err != nil {
		return nil, err
	}
	return ml.RegressorSchema(in, m.P.PredictorCols)
}

// Transform adds predictionCol. A NULL vector or one of the wrong size is
// an error naming the row.
func (m *LinearRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	return ml.TransformRegressor(ctx, f, m.P.PredictorCols, m.NumFeatures(), m.Predict)
}

// Evaluate computes the summary metrics of the model on f (Spark's
// LinearRegressionModel.evaluate), using labelCol and weightCol. As in
// Spark the result has no standard errors, t or p values: those describe
// the training fit (see Summary).
func (m *LinearRegressionModel) Evaluate(ctx context.Context, f *ml.Frame) (*LinearRegressionSummary, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	ds, err := ml.LoadDataset(ctx, f, m.P.FeaturesCol, m.P.LabelCol, m.P.WeightCol)
	if err != nil {
		return nil, err
	}
	if ds.D != m.NumFeatures() {
		return nil, fmt.Errorf("column %s: vectors have %d features, the model was fitted on %d", m.P.FeaturesCol, ds.D, m.NumFeatures())
	}
	return m.summarize(ds, false)
}
