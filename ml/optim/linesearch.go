package optim

import "math"

const (
	c1          = 1e-4 // sufficient decrease (Armijo)
	c2          = 0.9  // curvature, the usual value for quasi-Newton
	maxBracket  = 25   // trial steps while bracketing
	maxZoom     = 25   // trial steps while zooming into a bracket
	maxBacktrak = 40   // halvings in the OWL-QN backtracking search
)

// phi evaluates the objective at x + alpha·d into xt, gt and returns the
// value and the directional derivative.
func (st *state) phi(alpha float64) (float64, float64) {
	for i, xi := range st.x {
		st.xt[i] = xi + alpha*st.d[i]
	}
	f := st.eval(st.xt, st.gt)
	return f, dot(st.gt, st.d)
}

// strongWolfe finds a step satisfying the strong Wolfe conditions
// (Nocedal & Wright, algorithms 3.5 and 3.6). On success the accepted
// point is in xt and gt and its value is returned. f0 and dg0 are the
// value and directional derivative at step 0 (dg0 < 0).
func (st *state) strongWolfe(f0, dg0, alpha float64) (float64, bool) {
	aPrev, fPrev, dPrev := 0.0, f0, dg0
	for i := 0; i < maxBracket; i++ {
		f, dg := st.phi(alpha)
		if !finite(f) || !finite(dg) { // overshot into overflow: shorten
			alpha = aPrev + 0.25*(alpha-aPrev)
			continue
		}
		if f > f0+c1*alpha*dg0 || (i > 0 && f >= fPrev) {
			return st.zoom(f0, dg0, aPrev, fPrev, dPrev, alpha, f, dg)
		}
		if math.Abs(dg) <= -c2*dg0 {
			return f, true
		}
		if dg >= 0 {
			return st.zoom(f0, dg0, alpha, f, dg, aPrev, fPrev, dPrev)
		}
		aPrev, fPrev, dPrev = alpha, f, dg
		alpha *= 2
	}
	return st.settle(aPrev, fPrev < f0)
}

// zoom narrows the bracket between lo (sufficient decrease, lowest value
// so far) and hi until a step satisfies the strong Wolfe conditions.
func (st *state) zoom(f0, dg0, lo, fLo, dLo, hi, fHi, dHi float64) (float64, bool) {
	for j := 0; j < maxZoom; j++ {
		alpha := cubicMin(lo, fLo, dLo, hi, fHi, dHi)
		f, dg := st.phi(alpha)
		switch {
		case !finite(f) || !finite(dg):
			hi, fHi, dHi = alpha, math.Inf(1), math.NaN()
		case f > f0+c1*alpha*dg0 || f >= fLo:
			hi, fHi, dHi = alpha, f, dg
		default:
			if math.Abs(dg) <= -c2*dg0 {
				return f, true
			}
			if dg*(hi-lo) >= 0 {
				hi, fHi, dHi = lo, fLo, dLo
			}
			lo, fLo, dLo = alpha, f, dg
		}
		if math.Abs(hi-lo) <= 1e-14*max(1, math.Abs(lo)) {
			break
		}
	}
	return st.settle(lo, lo > 0 && fLo < f0)
}

// settle accepts step alpha, which satisfies sufficient decrease but not
// the curvature condition, when ok (re-evaluating it into xt, gt).
func (st *state) settle(alpha float64, ok bool) (float64, bool) {
	if !ok || alpha <= 0 {
		return 0, false
	}
	f, _ := st.phi(alpha)
	return f, finite(f)
}

// cubicMin returns the minimizer of the cubic interpolating two points
// with their derivatives, safeguarded to the middle 80% of the interval;
// it bisects when the cubic is unusable.
func cubicMin(a, fa, da, b, fb, db float64) float64 {
	lo, hi := min(a, b), max(a, b)
	w := hi - lo
	mid := lo + w/2
	if !finite(fa) || !finite(fb) || !finite(da) || !finite(db) {
		return mid
	}
	d1 := da + db - 3*(fa-fb)/(a-b)
	disc := d1*d1 - da*db
	if disc < 0 {
		return mid
	}
	d2 := math.Copysign(math.Sqrt(disc), b-a)
	t := b - (b-a)*(db+d2-d1)/(db-da+2*d2)
	if !finite(t) || t < lo+0.1*w || t > hi-0.1*w {
		return mid
	}
	return t
}

// backtrack is OWL-QN's line search: halve the step along the path
// projected onto the orthant of the current point until the objective
// decreases sufficiently relative to the pseudo-gradient. The accepted
// point is left in xt and gt.
func (st *state) backtrack(f0, alpha float64) (float64, bool) {
	for i, xi := range st.x {
		switch {
		case xi > 0:
			st.orth[i] = 1
		case xi < 0:
			st.orth[i] = -1
		default:
			st.orth[i] = -sign(st.pg[i])
		}
	}
	for k := 0; k < maxBacktrak; k++ {
		var decrease float64
		for i, xi := range st.x {
			v := xi + alpha*st.d[i]
			if v*st.orth[i] <= 0 {
				v = 0
			}
			st.xt[i] = v
			decrease += st.pg[i] * (v - xi)
		}
		f := st.eval(st.xt, st.gt)
		if finite(f) && allFinite(st.gt) && f <= f0+c1*decrease {
			return f, true
		}
		alpha *= 0.5
	}
	return 0, false
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// boxBacktrack is Bounded's line search: halve the step along the path
// projected onto the box until the objective decreases sufficiently
// (Armijo with the projected gradient). The accepted point is left in xt
// and gt.
func (st *state) boxBacktrack(f0, alpha float64) (float64, bool) {
	for k := 0; k < maxBacktrak; k++ {
		var decrease float64
		for i, xi := range st.x {
			v := min(max(xi+alpha*st.d[i], st.lower[i]), st.upper[i])
			st.xt[i] = v
			decrease += st.pg[i] * (v - xi)
		}
		f := st.eval(st.xt, st.gt)
		if finite(f) && allFinite(st.gt) && f <= f0+c1*decrease {
			return f, true
		}
		alpha *= 0.5
	}
	return 0, false
}
