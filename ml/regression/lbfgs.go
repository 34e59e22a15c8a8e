package regression

import (
	"context"
	"errors"
	"math"
	"slices"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/optimize"
)

// lossFunc evaluates an objective and writes its gradient into grad.
type lossFunc func(ctx context.Context, x, grad []float64) (float64, error)

// lbfgsResult is the outcome of minimize.
type lbfgsResult struct {
	x          []float64
	history    []float64 // objective at the start and after each iteration
	iterations int
	converged  bool
}

// historyRecorder collects the objective at every major iteration.
type historyRecorder struct{ f []float64 }

func (r *historyRecorder) Init() error { return nil }
func (r *historyRecorder) Record(loc *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	if op == optimize.MajorIteration {
		r.f = append(r.f, loc.F)
	}
	return nil
}

// minimize runs gonum's L-BFGS on f from x0 for at most maxIter
// iterations, stopping when the gradient's largest entry is below tol or
// the objective stops decreasing. ctx cancels between evaluations.
func minimize(ctx context.Context, f lossFunc, x0 []float64, maxIter int, tol float64) (*lbfgsResult, error) {
	if maxIter == 0 || len(x0) == 0 {
		g := make([]float64, len(x0))
		v, err := f(ctx, x0, g)
		if err != nil {
			return nil, err
		}
		return &lbfgsResult{x: slices.Clone(x0), history: []float64{v}, converged: len(x0) == 0}, nil
	}
	// Func and Grad are asked for the same x in turn; one data pass
	// computes both.
	var (
		cacheX    []float64
		cacheF    float64
		cacheG    []float64
		evalErr   error
		evaluated bool
	)
	eval := func(x []float64) {
		if evaluated && slices.Equal(x, cacheX) {
			return
		}
		cacheX = append(cacheX[:0], x...)
		if cacheG == nil {
			cacheG = make([]float64, len(x))
		}
		v, err := f(ctx, x, cacheG)
		if err != nil && evalErr == nil {
			evalErr = err
		}
		if err != nil {
			v = math.Inf(1)
		}
		cacheF, evaluated = v, true
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { eval(x); return cacheF },
		Grad: func(grad, x []float64) { eval(x); copy(grad, cacheG) },
		Status: func() (optimize.Status, error) {
			if evalErr != nil {
				return optimize.Failure, evalErr
			}
			return optimize.NotTerminated, nil
		},
	}
	g0 := make([]float64, len(x0))
	f0, err := f(ctx, x0, g0)
	if err != nil {
		return nil, err
	}
	// gonum reports the starting point as the first major iteration.
	rec := &historyRecorder{}
	settings := &optimize.Settings{
		InitValues:        &optimize.Location{F: f0, Gradient: g0},
		GradientThreshold: tol,
		MajorIterations:   maxIter + 1,
		Converger:         &optimize.FunctionConverge{Relative: 1e-15, Iterations: 20},
		Recorder:          rec,
	}
	res, err := optimize.Minimize(prob, x0, settings, &optimize.LBFGS{Store: 10})
	if evalErr != nil {
		return nil, evalErr
	}
	if err != nil && (res == nil || math.IsNaN(res.F) || math.IsInf(res.F, 0)) {
		return nil, err
	}
	// A line search that can make no more progress ends at the optimum to
	// machine precision; other errors are reported.
	if err != nil && !errors.Is(err, optimize.ErrLinesearcherFailure) && !errors.Is(err, optimize.ErrNoProgress) {
		return nil, err
	}
	out := &lbfgsResult{x: slices.Clone(res.X), history: rec.f, iterations: max(0, len(rec.f)-1)}
	switch res.Status {
	case optimize.GradientThreshold, optimize.FunctionConvergence:
		out.converged = true
	}
	if err != nil {
		out.converged = true
	}
	return out, nil
}

// parallelSum evaluates per-range partial objectives and gradients of
// length dim over n rows (at most GOMAXPROCS goroutines) and adds them up
// in range order. part must check nothing itself; ctx is checked here
// between blocks of rows.
func parallelSum(ctx context.Context, n, dim int, grad []float64, part func(lo, hi int, grad []float64) float64) (float64, error) {
	ranges := rowRanges(n, 8192)
	fs := make([]float64, len(ranges))
	gs := make([][]float64, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	for k, r := range ranges {
		g.Go(func() error {
			gs[k] = make([]float64, dim)
			for lo := r[0]; lo < r[1]; lo += 8192 {
				if err := gctx.Err(); err != nil {
					return err
				}
				fs[k] += part(lo, min(r[1], lo+8192), gs[k])
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	for i := range grad {
		grad[i] = 0
	}
	f := 0.0
	for k := range ranges {
		f += fs[k]
		for i, v := range gs[k] {
			grad[i] += v
		}
	}
	return f, nil
}

// leastSquaresLoss is Spark's LeastSquaresAggregator objective over the
// active features in the scaled space: 1/(2Σw)·Σw(x'γ − y')² +
// l2/2·Σq·γ², x' = (x − x̄)/σ and y' = (y − ȳ)/t when fitting an
// intercept, x/σ and y/t otherwise.
func leastSquaresLoss(x, y, w []float64, n, d int, mo *moments, sp *scaledProblem, fitIntercept bool) lossFunc {
	p := sp.p()
	scale := make([]float64, p)
	shift := make([]float64, p)
	for a, j := range sp.active {
		scale[a] = 1 / sp.xStd[j]
		if fitIntercept {
			shift[a] = mo.xMean[j]
		}
	}
	yShift := 0.0
	if fitIntercept {
		yShift = mo.yMean
	}
	return func(ctx context.Context, gamma, grad []float64) (float64, error) {
		// Spark's trick: the margin is Σγ_a x_j/σ_j − offset, so each row
		// costs one pass over its active features.
		coef := make([]float64, p)
		offset := 0.0
		for a := range p {
			coef[a] = gamma[a] * scale[a]
			offset += coef[a] * shift[a]
		}
		// buf[p] accumulates Σw·diff, which centres the gradient:
		// Σw·diff·(x − x̄) = Σw·diff·x − x̄·Σw·diff.
		buf := make([]float64, p+1)
		f, err := parallelSum(ctx, n, p+1, buf, func(lo, hi int, g []float64) float64 {
			s := 0.0
			for i := lo; i < hi; i++ {
				wi := 1.0
				if w != nil {
					wi = w[i]
				}
				if wi == 0 {
					continue
				}
				row := x[i*d : (i+1)*d]
				m := -offset
				for a, j := range sp.active {
					m += coef[a] * row[j]
				}
				diff := m - (y[i]-yShift)/sp.t
				s += wi * diff * diff
				wd := wi * diff
				for a, j := range sp.active {
					g[a] += wd * row[j]
				}
				g[p] += wd
			}
			return s
		})
		if err != nil {
			return 0, err
		}
		wdiff := buf[p]
		W := mo.wSum
		f /= 2 * W
		for a := range p {
			grad[a] = (buf[a] - wdiff*shift[a]) * scale[a] / W
			f += 0.5 * sp.l2 * sp.q[a] * gamma[a] * gamma[a]
			grad[a] += sp.l2 * sp.q[a] * gamma[a]
		}
		return f, nil
	}
}

// huberLoss is Spark's HuberAggregator objective: with features scaled by
// σ (not centred) and the label as is, over [γ, intercept?, log σ_scale]:
// 1/Σw·Σw·½(σ + H_ε(r/σ)·σ) + l2/2·Σq·γ², r = y − x'γ − b, where
// H_ε(z) = z² for |z| ≤ ε and 2ε|z| − ε² beyond. The scale is optimized
// as its logarithm, which keeps it positive without bounds.
func huberLoss(x, y, w []float64, n, d int, mo *moments, sp *scaledProblem, fitIntercept bool, eps float64) lossFunc {
	p := sp.p()
	dim := p + 1
	if fitIntercept {
		dim++
	}
	scale := make([]float64, p)
	for a, j := range sp.active {
		scale[a] = 1 / sp.xStd[j]
	}
	return func(ctx context.Context, v, grad []float64) (float64, error) {
		coef := make([]float64, p)
		for a := range p {
			coef[a] = v[a] * scale[a]
		}
		b := 0.0
		if fitIntercept {
			b = v[p]
		}
		sigma := math.Exp(v[dim-1])
		f, err := parallelSum(ctx, n, dim, grad, func(lo, hi int, g []float64) float64 {
			s := 0.0
			for i := lo; i < hi; i++ {
				wi := 1.0
				if w != nil {
					wi = w[i]
				}
				if wi == 0 {
					continue
				}
				row := x[i*d : (i+1)*d]
				m := b
				for a, j := range sp.active {
					m += coef[a] * row[j]
				}
				r := y[i] - m
				var dr, ds float64 // ∂ℓ/∂r, ∂ℓ/∂σ
				if math.Abs(r) <= eps*sigma {
					s += 0.5 * wi * (sigma + r*r/sigma)
					dr = r / sigma
					ds = 0.5 * (1 - r*r/(sigma*sigma))
				} else {
					s += 0.5 * wi * (sigma + 2*eps*math.Abs(r) - sigma*eps*eps)
					dr = eps
					if r < 0 {
						dr = -eps
					}
					ds = 0.5 * (1 - eps*eps)
				}
				for a, j := range sp.active {
					g[a] -= wi * dr * row[j]
				}
				if fitIntercept {
					g[p] -= wi * dr
				}
				g[dim-1] += wi * ds
			}
			return s
		})
		if err != nil {
			return 0, err
		}
		W := mo.wSum
		f /= W
		for a := range p {
			grad[a] = grad[a] * scale[a] / W
			f += 0.5 * sp.l2 * sp.q[a] * v[a] * v[a]
			grad[a] += sp.l2 * sp.q[a] * v[a]
		}
		if fitIntercept {
			grad[p] /= W
		}
		grad[dim-1] *= sigma / W
		return f, nil
	}
}
