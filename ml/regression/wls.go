package regression

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ErrSingular is wrapped by fitting errors caused by collinear features:
// the normal equations have no unique solution.
var ErrSingular = errors.New("singular normal equations")

// maxNormalFeatures is Spark's WeightedLeastSquares.MAX_NUM_FEATURES: the
// normal solver (and IRLS) refuse wider data, solver auto switches to
// L-BFGS above it.
const maxNormalFeatures = 4096

// collinearTol is the smallest pivot, relative to the diagonal entry, the
// Cholesky factorization accepts: a feature whose variance left after
// regressing it on the earlier features is below this fraction (R² above
// 1 − 1e-12) is treated as a linear combination of them.
const collinearTol = 1e-12

// wlsConfig mirrors Spark's WeightedLeastSquares options.
type wlsConfig struct {
	fitIntercept bool
	regParam     float64
	elasticNet   float64
	// standardizeFeatures puts the penalty on coefficients of features
	// scaled to unit variance; standardizeLabel divides the penalty by the
	// label's standard deviation (Spark's effectiveRegParam = regParam/σy).
	standardizeFeatures, standardizeLabel bool
	// sampleStd uses Spark's unbiased weighted standard deviations (its
	// L-BFGS path) instead of the population ones (its normal solver).
	sampleStd bool
	maxIter   int
	tol       float64
	// name returns the user-facing name of feature j for errors.
	name func(j int) string
}

// wlsSolution is a fitted weighted least squares problem on the original
// scale.
type wlsSolution struct {
	coef      []float64
	intercept float64
	// diagInv is Spark's diagInvAtWA: the diagonal of (XᵀWX)⁻¹ (with the
	// intercept column last when fitted), nil when the problem was not
	// solved through a Cholesky factorization (L1 penalty, constant label).
	// Entries of constant features are NaN.
	diagInv []float64
	// objective is the objective in Spark's scaled space (label divided
	// by its standard deviation) at the start and after each iteration;
	// one value for the closed-form solution.
	objective  []float64
	iterations int
	converged  bool
	// zeroVar lists the constant features, whose coefficients are 0.
	zeroVar    []int
	constLabel bool
}

// scaledProblem is a least squares problem in Spark's standardized space:
// minimize ½γᵀHγ − bᵀγ + ½yy + l1·Σ pen_a|γ_a| over the active
// (non-constant) features, where γ_a = β_j·σ_j/t, t the label scale.
type scaledProblem struct {
	active []int     // feature index of each active coordinate
	xStd   []float64 // per feature (0 for constant ones)
	t      float64   // label scale
	h      []float64 // p×p, L2 penalty already on the diagonal
	b      []float64
	yy     float64
	l1     float64
	pen    []float64 // L1 weight per active coordinate
	l2     float64
	q      []float64 // L2 weight per active coordinate
}

func (sp *scaledProblem) p() int { return len(sp.active) }

// newScaledProblem standardizes m as Spark's WeightedLeastSquares does. It
// returns nil and a solution when the label is constant and no fitting is
// needed.
func newScaledProblem(m *moments, cfg wlsConfig) (*scaledProblem, *wlsSolution, error) {
	if m.wSum <= 0 {
		return nil, nil, errors.New("every instance weight is 0; give some rows a positive weight")
	}
	xStd, yStd := m.stds(cfg.sampleStd)
	sol := &wlsSolution{coef: make([]float64, m.d)}
	var active []int
	for j, s := range xStd {
		if s == 0 {
			sol.zeroVar = append(sol.zeroVar, j)
		} else {
			active = append(active, j)
		}
	}
	t := yStd
	if yStd == 0 {
		if cfg.fitIntercept || m.yMean == 0 {
			// Spark: coefficients 0, intercept the label mean, no training.
			sol.constLabel = true
			if cfg.fitIntercept {
				sol.intercept = m.yMean
			}
			sol.objective = []float64{0}
			sol.converged = true
			return nil, sol, nil
		}
		if cfg.regParam > 0 && cfg.standardizeLabel {
			return nil, nil, errors.New("the label is constant, so it cannot be standardized for the penalty; set fitIntercept=true or regParam=0")
		}
		t = math.Abs(m.yMean)
	}
	p := len(active)
	sp := &scaledProblem{active: active, xStd: xStd, t: t, h: make([]float64, p*p), b: make([]float64, p), pen: make([]float64, p), q: make([]float64, p)}
	W := m.wSum
	d := m.d
	for a, ja := range active {
		sa := xStd[ja]
		// With diagonal moments only, h stays empty: the caller minimizes
		// over the data instead.
		for c, jc := range active {
			if m.xx == nil {
				break
			}
			v := m.xx[ja*d+jc] / W
			if !cfg.fitIntercept {
				v += m.xMean[ja] * m.xMean[jc]
			}
			sp.h[a*p+c] = v / (sa * xStd[jc])
		}
		v := m.xy[ja] / W
		if !cfg.fitIntercept {
			v += m.xMean[ja] * m.yMean
		}
		sp.b[a] = v / (sa * t)
	}
	sp.yy = m.yy / W
	if !cfg.fitIntercept {
		sp.yy += m.yMean * m.yMean
	}
	sp.yy /= t * t
	reg := cfg.regParam / t
	sp.l1 = cfg.elasticNet * reg
	sp.l2 = (1 - cfg.elasticNet) * reg
	if !cfg.standardizeLabel {
		sp.l2 *= t
	}
	for a, ja := range active {
		sp.q[a], sp.pen[a] = 1, 1
		if !cfg.standardizeFeatures {
			sp.q[a] = 1 / (xStd[ja] * xStd[ja])
			sp.pen[a] = 1 / xStd[ja]
		}
		if m.xx != nil {
			sp.h[a*p+a] += sp.l2 * sp.q[a]
		}
	}
	return sp, sol, nil
}

// toOriginal writes the scaled solution gamma into sol on the original
// scale.
func (sp *scaledProblem) toOriginal(m *moments, fitIntercept bool, gamma []float64, sol *wlsSolution) {
	for a, ja := range sp.active {
		sol.coef[ja] = gamma[a] * sp.t / sp.xStd[ja]
	}
	sol.intercept = 0
	if fitIntercept {
		sol.intercept = m.yMean
		for j, c := range sol.coef {
			sol.intercept -= c * m.xMean[j]
		}
	}
}

// objective returns ½γᵀHγ − bᵀγ + ½yy + l1·Σpen|γ| given hg = Hγ.
func (sp *scaledProblem) objective(gamma, hg []float64) float64 {
	f := 0.5 * sp.yy
	for a, g := range gamma {
		f += 0.5*g*hg[a] - sp.b[a]*g + sp.l1*sp.pen[a]*math.Abs(g)
	}
	return f
}

// solveWLS fits weighted least squares with an elastic-net penalty on the
// moments m, as Spark's WeightedLeastSquares: Cholesky when there is no L1
// part, coordinate descent on the scaled Gram matrix otherwise (Spark
// uses OWL-QN there; both minimize the same convex objective). Constant
// features get coefficient 0. Collinear features are an error wrapping
// ErrSingular that names them.
func solveWLS(ctx context.Context, m *moments, cfg wlsConfig) (*wlsSolution, error) {
	sp, sol, err := newScaledProblem(m, cfg)
	if err != nil || sp == nil {
		return sol, err
	}
	p := sp.p()
	if sp.l1 == 0 {
		gamma, hinv, err := sp.cholesky(cfg)
		if err != nil {
			return nil, err
		}
		sp.toOriginal(m, cfg.fitIntercept, gamma, sol)
		hg := make([]float64, p)
		for a := range p {
			for c := range p {
				hg[a] += sp.h[a*p+c] * gamma[c]
			}
		}
		sol.objective = []float64{sp.objective(gamma, hg)}
		sol.converged = true
		sol.diagInv = sp.diagInv(m, cfg.fitIntercept, hinv)
		return sol, nil
	}
	gamma, hist, iters, conv, err := sp.coordinateDescent(ctx, cfg.maxIter, cfg.tol)
	if err != nil {
		return nil, err
	}
	sp.toOriginal(m, cfg.fitIntercept, gamma, sol)
	sol.objective, sol.iterations, sol.converged = hist, iters, conv
	return sol, nil
}

// cholesky solves Hγ = b and returns γ and H⁻¹ (p×p row-major).
func (sp *scaledProblem) cholesky(cfg wlsConfig) (gamma, hinv []float64, err error) {
	p := sp.p()
	if p == 0 {
		return nil, nil, nil
	}
	sym := mat.NewSymDense(p, append([]float64(nil), sp.h...))
	var chol mat.Cholesky
	ok := chol.Factorize(sym)
	bad := -1
	if ok {
		var u mat.TriDense
		chol.UTo(&u)
		for a := range p {
			if piv := u.At(a, a) * u.At(a, a); !(piv > collinearTol*sp.h[a*p+a]) {
				bad = a
				break
			}
		}
	} else {
		bad = firstDependent(sp.h, p)
	}
	if bad >= 0 {
		return nil, nil, sp.collinearError(bad, cfg)
	}
	var x mat.VecDense
	if err := chol.SolveVecTo(&x, mat.NewVecDense(p, append([]float64(nil), sp.b...))); err != nil {
		return nil, nil, fmt.Errorf("%w: %v; drop collinear features or set regParam > 0", ErrSingular, err)
	}
	gamma = make([]float64, p)
	for a := range p {
		gamma[a] = x.AtVec(a)
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, nil, fmt.Errorf("%w: %v; drop collinear features or set regParam > 0", ErrSingular, err)
	}
	hinv = make([]float64, p*p)
	for a := range p {
		for c := range p {
			hinv[a*p+c] = inv.At(a, c)
		}
	}
	return gamma, hinv, nil
}

// firstDependent runs an unblocked Cholesky factorization of the p×p
// matrix h and returns the first column whose pivot is not safely
// positive, or -1.
func firstDependent(h []float64, p int) int {
	l := make([]float64, p*p)
	for j := range p {
		s := h[j*p+j]
		for k := range j {
			s -= l[j*p+k] * l[j*p+k]
		}
		if !(s > collinearTol*h[j*p+j]) {
			return j
		}
		l[j*p+j] = math.Sqrt(s)
		for i := j + 1; i < p; i++ {
			v := h[i*p+j]
			for k := range j {
				v -= l[i*p+k] * l[j*p+k]
			}
			l[i*p+j] = v / l[j*p+j]
		}
	}
	return -1
}

// collinearError explains which feature is a linear combination of which
// earlier ones.
func (sp *scaledProblem) collinearError(bad int, cfg wlsConfig) error {
	p := sp.p()
	name := func(a int) string {
		j := sp.active[a]
		if cfg.name != nil {
			return cfg.name(j)
		}
		return fmt.Sprintf("feature %d", j)
	}
	var with []string
	if bad > 0 {
		sub := mat.NewSymDense(bad, nil)
		rhs := mat.NewVecDense(bad, nil)
		for a := range bad {
			for c := range bad {
				sub.SetSym(a, c, sp.h[a*p+c])
			}
			rhs.SetVec(a, sp.h[a*p+bad])
		}
		var chol mat.Cholesky
		var coef mat.VecDense
		if chol.Factorize(sub) && chol.SolveVecTo(&coef, rhs) == nil {
			big := 0.0
			for a := range bad {
				big = max(big, math.Abs(coef.AtVec(a)))
			}
			for a := range bad {
				if math.Abs(coef.AtVec(a)) > 1e-4*big {
					with = append(with, name(a))
				}
			}
		}
	}
	what := fmt.Sprintf("%s is (almost) a linear combination of %s", name(bad), strings.Join(with, ", "))
	if len(with) == 0 {
		what = fmt.Sprintf("%s is (almost) a linear combination of the other features", name(bad))
	}
	if !cfg.fitIntercept {
		what += " (there is no intercept)"
	}
	return fmt.Errorf("%w: %s; drop %s or one of the features it depends on, or set regParam > 0 to fit a ridge regression", ErrSingular, what, name(bad))
}

// diagInv computes Spark's diagInvAtWA from H⁻¹: coefficients, then the
// intercept when fitted.
func (sp *scaledProblem) diagInv(m *moments, fitIntercept bool, hinv []float64) []float64 {
	p := sp.p()
	k := m.d
	if fitIntercept {
		k++
	}
	out := make([]float64, k)
	for j := range m.d {
		out[j] = math.NaN()
	}
	for a, ja := range sp.active {
		out[ja] = hinv[a*p+a] / (m.wSum * sp.xStd[ja] * sp.xStd[ja])
	}
	if fitIntercept {
		// (2,2) entry of the inverse of [[H + uuᵀ, u], [uᵀ, 1]]: 1 + uᵀH⁻¹u.
		u := make([]float64, p)
		for a, ja := range sp.active {
			u[a] = m.xMean[ja] / sp.xStd[ja]
		}
		v := 1.0
		for a := range p {
			for c := range p {
				v += u[a] * hinv[a*p+c] * u[c]
			}
		}
		out[m.d] = v / m.wSum
	}
	return out
}

// coordinateDescent minimizes the scaled elastic-net objective by cyclic
// coordinate descent from γ = 0, for at most maxIter sweeps, stopping when
// no coordinate moved by tol or more in a sweep. It returns the objective
// before the first sweep and after each one.
func (sp *scaledProblem) coordinateDescent(ctx context.Context, maxIter int, tol float64) (gamma, hist []float64, iters int, converged bool, err error) {
	p := sp.p()
	gamma = make([]float64, p)
	hg := make([]float64, p)
	hist = []float64{sp.objective(gamma, hg)}
	if p == 0 {
		return gamma, hist, 0, true, nil
	}
	for iters < maxIter {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, false, err
		}
		iters++
		maxDelta := 0.0
		for a := range p {
			haa := sp.h[a*p+a]
			r := sp.b[a] - hg[a] + haa*gamma[a]
			nv := softThreshold(r, sp.l1*sp.pen[a]) / haa
			delta := nv - gamma[a]
			if delta == 0 {
				continue
			}
			gamma[a] = nv
			row := sp.h[a*p : (a+1)*p]
			for c, v := range row {
				hg[c] += v * delta
			}
			maxDelta = max(maxDelta, math.Abs(delta))
		}
		hist = append(hist, sp.objective(gamma, hg))
		if maxDelta < tol {
			converged = true
			break
		}
	}
	return gamma, hist, iters, converged, nil
}

func softThreshold(x, t float64) float64 {
	switch {
	case x > t:
		return x - t
	case x < -t:
		return x + t
	}
	return 0
}
