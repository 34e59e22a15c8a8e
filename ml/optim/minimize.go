package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Func is an objective: it writes the gradient at x into grad (len(x)
// values) and returns the value at x. It must not keep x or grad after it
// returns. Minimizers call it from one goroutine at a time.
type Func func(x, grad []float64) float64

// Config controls a minimization. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// MaxIter is the most iterations (line searches) to run; default 100.
	// 0 evaluates the starting point only.
	MaxIter int
	// Tol is the convergence tolerance (see the package doc); default
	// 1e-6, Spark's default for tol.
	Tol float64
	// M is the number of correction pairs kept (L-BFGS history size);
	// default 10, as Spark uses.
	M int
}

// DefaultConfig returns MaxIter 100, Tol 1e-6, M 10.
func DefaultConfig() Config { return Config{MaxIter: 100, Tol: 1e-6, M: 10} }

// Validate names the first bad field.
func (c Config) Validate() error {
	switch {
	case c.MaxIter < 0:
		return fmt.Errorf("optim: MaxIter is %d; use 0 or more", c.MaxIter)
	case c.Tol < 0 || math.IsNaN(c.Tol):
		return fmt.Errorf("optim: Tol is %v; use 0 or more", c.Tol)
	case c.M < 1:
		return fmt.Errorf("optim: M is %d; keep at least 1 correction pair", c.M)
	}
	return nil
}

// Reason says why a minimization stopped.
type Reason int

// Stop reasons; see the package doc.
const (
	MaxIterations Reason = iota + 1
	FunctionValuesConverged
	GradientConverged
	SearchFailed
)

func (r Reason) String() string {
	switch r {
	case MaxIterations:
		return "max iterations reached"
	case FunctionValuesConverged:
		return "function values converged"
	case GradientConverged:
		return "gradient converged"
	case SearchFailed:
		return "line search failed"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Result is the outcome of a minimization.
type Result struct {
	X []float64 // the minimizer found (newly allocated)
	F float64   // objective at X (with the L1 term for OWL-QN)
	// History is the objective at the starting point and after each
	// iteration (Spark's objectiveHistory); len(History) == Iterations+1.
	History     []float64
	Iterations  int
	Evaluations int // calls of the Func, line searches included
	Reason      Reason
}

// ErrNotFinite is returned (wrapped) when the objective or its gradient is
// NaN or infinite at the starting point.
var ErrNotFinite = errors.New("objective is not finite")

// LBFGS minimizes f from x0 (not modified) with limited-memory BFGS and a
// strong-Wolfe line search (c1 = 1e-4, c2 = 0.9, cubic interpolation).
//
// Errors: an invalid cfg, a non-finite value or gradient at x0
// (ErrNotFinite), or ctx's error when ctx is done; ctx is checked before
// every iteration. Stopping on a failed line search is not an error (see
// Result.Reason).
func LBFGS(ctx context.Context, f Func, x0 []float64, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newState(f, x0, nil, cfg.M).run(ctx, cfg)
}

// OWLQN minimizes f(x) + Σ l1[i]·|x[i]| from x0 (not modified) with the
// orthant-wise limited-memory quasi-Newton method of Andrew and Gao
// (2007): L-BFGS directions computed from the pseudo-gradient, confined to
// the current orthant, and a backtracking line search along the projected
// path. f is the smooth part only. l1 holds one non-negative weight per
// coordinate (0 leaves it unpenalized, as for an intercept); a nil l1 is
// all zeros. Errors are as for LBFGS, plus a bad l1.
func OWLQN(ctx context.Context, f Func, x0, l1 []float64, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if l1 == nil {
		l1 = make([]float64, len(x0))
	}
	if len(l1) != len(x0) {
		return nil, fmt.Errorf("optim: %d L1 weights for %d coordinates", len(l1), len(x0))
	}
	for i, v := range l1 {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("optim: L1 weight %d is %v; weights must be finite and >= 0", i, v)
		}
	}
	return newState(f, x0, l1, cfg.M).run(ctx, cfg)
}

// Bounded minimizes f subject to lower[i] ≤ x[i] ≤ upper[i] with a
// projected L-BFGS: coordinates at a bound whose gradient pushes outward
// are held fixed, L-BFGS directions are computed over the free ones, and
// a backtracking search runs along the path projected onto the box. (A
// simpler relative of L-BFGS-B, Spark's choice for bounded logistic
// regression.) x0 is first clipped into the box. ±Inf bounds leave a side
// open. Convergence uses the projected gradient. Errors are as for LBFGS,
// plus bounds of the wrong length or with lower > upper.
func Bounded(ctx context.Context, f Func, x0, lower, upper []float64, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(lower) != len(x0) || len(upper) != len(x0) {
		return nil, fmt.Errorf("optim: %d lower and %d upper bounds for %d coordinates", len(lower), len(upper), len(x0))
	}
	for i := range lower {
		if !(lower[i] <= upper[i]) {
			return nil, fmt.Errorf("optim: bound %d is [%v, %v]; lower must be <= upper", i, lower[i], upper[i])
		}
	}
	st := newState(f, x0, nil, cfg.M)
	st.lower, st.upper = lower, upper
	st.pg = make([]float64, len(x0))
	for i, v := range st.x {
		st.x[i] = min(max(v, lower[i]), upper[i])
	}
	return st.run(ctx, cfg)
}

// state is one minimization's working memory.
type state struct {
	fn     Func
	l1     []float64 // OWL-QN's L1 weights; nil otherwise
	lower  []float64 // Bounded's box; nil otherwise
	upper  []float64
	x, g   []float64 // current point and smooth gradient
	pg     []float64 // pseudo-gradient (aliases g for L-BFGS)
	d      []float64 // search direction
	xt, gt []float64 // trial point and its smooth gradient
	orth   []float64 // OWL-QN orthant of the current step
	s, y   [][]float64
	rho    []float64
	alpha  []float64
	head   int // index of the next pair to write
	count  int // pairs stored
	evals  int
}

func newState(fn Func, x0, l1 []float64, m int) *state {
	n := len(x0)
	st := &state{
		fn: fn, l1: l1,
		x: append([]float64(nil), x0...), g: make([]float64, n),
		d: make([]float64, n), xt: make([]float64, n), gt: make([]float64, n),
		s: make([][]float64, m), y: make([][]float64, m),
		rho: make([]float64, m), alpha: make([]float64, m),
	}
	for i := range st.s {
		st.s[i] = make([]float64, n)
		st.y[i] = make([]float64, n)
	}
	if l1 != nil {
		st.pg = make([]float64, n)
		st.orth = make([]float64, n)
	} else {
		st.pg = st.g
	}
	return st
}

// eval computes the objective (with the L1 term) and smooth gradient at x.
func (st *state) eval(x, g []float64) float64 {
	st.evals++
	v := st.fn(x, g)
	for i, l := range st.l1 {
		v += l * math.Abs(x[i])
	}
	return v
}

// projected reports whether the minimization needs a pseudo-gradient
// and a projected line search (OWL-QN, Bounded).
func (st *state) projected() bool { return st.l1 != nil || st.lower != nil }

// pseudo computes the OWL-QN pseudo-gradient, or Bounded's projected
// gradient, at st.x (no-op for L-BFGS).
func (st *state) pseudo() {
	if st.lower != nil {
		for i, gi := range st.g {
			xi := st.x[i]
			if (xi <= st.lower[i] && gi > 0) || (xi >= st.upper[i] && gi < 0) {
				gi = 0
			}
			st.pg[i] = gi
		}
		return
	}
	if st.l1 == nil {
		return
	}
	for i, l := range st.l1 {
		gi, xi := st.g[i], st.x[i]
		switch {
		case l == 0:
			st.pg[i] = gi
		case xi > 0:
			st.pg[i] = gi + l
		case xi < 0:
			st.pg[i] = gi - l
		case gi+l < 0:
			st.pg[i] = gi + l
		case gi-l > 0:
			st.pg[i] = gi - l
		default:
			st.pg[i] = 0
		}
	}
}

func (st *state) run(ctx context.Context, cfg Config) (*Result, error) {
	f := st.eval(st.x, st.g)
	if !finite(f) || !allFinite(st.g) {
		return nil, fmt.Errorf("optim: value %v at the starting point: %w", f, ErrNotFinite)
	}
	st.pseudo()
	f0 := f
	hist := make([]float64, 1, min(cfg.MaxIter, 1000)+1)
	hist[0] = f
	reason := Reason(0)
	if norm(st.pg) <= max(cfg.Tol*math.Abs(f), 1e-8) {
		reason = GradientConverged
	}
	failed := false
	iter := 0
	for reason == 0 {
		if iter >= cfg.MaxIter {
			reason = MaxIterations
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("optim: stopped after %d iterations: %w", iter, err)
		}
		st.direction()
		dg := dot(st.d, st.pg)
		if !(dg < 0) || !finite(dg) { // not a descent direction: restart
			st.count = 0
			st.direction()
			dg = dot(st.d, st.pg)
			if !(dg < 0) {
				reason = GradientConverged
				break
			}
		}
		step := 1.0
		if st.count == 0 {
			step = min(1, 1/norm(st.d))
		}
		var fNew float64
		var ok bool
		switch {
		case st.lower != nil:
			fNew, ok = st.boxBacktrack(f, step)
		case st.l1 != nil:
			fNew, ok = st.backtrack(f, step)
		default:
			fNew, ok = st.strongWolfe(f, dg, step)
		}
		if !ok {
			if failed || st.count == 0 {
				reason = SearchFailed
				break
			}
			failed = true
			st.count = 0 // drop the curvature history, retry steepest descent
			continue
		}
		failed = false
		st.remember()
		st.x, st.xt = st.xt, st.x
		st.g, st.gt = st.gt, st.g
		if !st.projected() {
			st.pg = st.g
		}
		st.pseudo()
		fPrev := f
		f = fNew
		iter++
		hist = append(hist, f)
		switch {
		case math.Abs(fPrev-f) <= cfg.Tol*max(math.Abs(fPrev), math.Abs(f), 1e-6*math.Abs(f0)):
			reason = FunctionValuesConverged
		case norm(st.pg) <= max(cfg.Tol*math.Abs(f), 1e-8):
			reason = GradientConverged
		}
	}
	return &Result{
		X: append([]float64(nil), st.x...), F: f, History: hist,
		Iterations: iter, Evaluations: st.evals, Reason: reason,
	}, nil
}

// direction sets d = -H·pg by the two-loop recursion; for OWL-QN it then
// zeroes the components whose sign disagrees with -pg.
func (st *state) direction() {
	q := st.d
	copy(q, st.pg)
	m := len(st.s)
	for k := 1; k <= st.count; k++ { // newest to oldest
		i := (st.head - k + m) % m
		a := st.rho[i] * dot(st.s[i], q)
		st.alpha[i] = a
		axpy(-a, st.y[i], q)
	}
	if st.count > 0 {
		i := (st.head - 1 + m) % m
		yy := dot(st.y[i], st.y[i])
		scal(1/(st.rho[i]*yy), q) // γ = s·y / y·y
	}
	for k := st.count; k >= 1; k-- { // oldest to newest
		i := (st.head - k + m) % m
		b := st.rho[i] * dot(st.y[i], q)
		axpy(st.alpha[i]-b, st.s[i], q)
	}
	for i := range q {
		q[i] = -q[i]
	}
	switch {
	case st.lower != nil: // hold the coordinates pinned at a bound
		for i := range q {
			if st.pg[i] == 0 && (st.x[i] <= st.lower[i] || st.x[i] >= st.upper[i]) {
				q[i] = 0
			}
		}
	case st.l1 != nil: // stay in the orthant: move only against the pseudo-gradient
		for i := range q {
			if q[i]*st.pg[i] >= 0 {
				q[i] = 0
			}
		}
	}
}

// remember stores the pair s = xt - x, y = gt - g when its curvature is
// positive.
func (st *state) remember() {
	m := len(st.s)
	s, y := st.s[st.head], st.y[st.head]
	var sy, yy float64
	for i := range s {
		s[i] = st.xt[i] - st.x[i]
		y[i] = st.gt[i] - st.g[i]
		sy += s[i] * y[i]
		yy += y[i] * y[i]
	}
	if !(sy > 1e-10*yy) || !finite(sy) || yy == 0 {
		return
	}
	st.rho[st.head] = 1 / sy
	st.head = (st.head + 1) % m
	st.count = min(st.count+1, m)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func allFinite(v []float64) bool {
	for _, x := range v {
		if !finite(x) {
			return false
		}
	}
	return true
}

func dot(a, b []float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+1 < len(a); i += 2 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
	}
	if i < len(a) {
		s0 += a[i] * b[i]
	}
	return s0 + s1
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

func axpy(alpha float64, x, y []float64) {
	for i, v := range x {
		y[i] += alpha * v
	}
}

func scal(alpha float64, x []float64) {
	for i := range x {
		x[i] *= alpha
	}
}
