package classification

import (
	"math"

	"github.com/sluice-dev/sluice/ml"
)

// lossKind selects the per-row loss of a linearProblem.
type lossKind int

const (
	logistic    lossKind = iota // binary log loss, labels 0/1
	multinomial                 // softmax cross-entropy, labels 0…K-1
	hinge                       // max(0, 1 − y′m), y′ = 2y − 1
)

// linearProblem is the objective of a linear classifier in Spark's
// formulation: the weighted mean loss plus an L2 term, optimized over
// coefficients of the standardized features (x−μ)/σ with μ = 0 when there
// is no intercept. Standardizing is done on the fly (the margin uses the
// equivalent original-scale coefficients), so the data is never copied.
// A feature with σ = 0 keeps coefficient 0, as in Spark.
//
// θ holds K·D coefficients (class k at k·D) then, with an intercept, K
// intercepts of the centered problem.
type linearProblem struct {
	d            *ml.Dataset
	kind         lossKind
	K, D         int
	fitIntercept bool
	mean, std    []float64 // mean is all 0 without an intercept
	wsum         float64
	l2           float64   // regParam·(1−elasticNetParam)
	l2w          []float64 // per-feature penalty factor: 1 (standardization), 1/σ² (not), 0 if σ = 0
	pool         *rowPool
	acc          [][]float64 // per chunk: K·D gradient sums, K residual sums, loss
	scratch      [][]float64 // per worker: K margins
	coef, icpt   []float64   // original-scale coefficients and intercepts of the current θ
	pass         func(c, w, lo, hi int)
}

func newLinearProblem(d *ml.Dataset, kind lossKind, k int, fitIntercept, standardization bool, stats featureStats, l2 float64, pool *rowPool) *linearProblem {
	D := d.D
	lp := &linearProblem{
		d: d, kind: kind, K: k, D: D, fitIntercept: fitIntercept,
		mean: make([]float64, D), std: stats.std, wsum: stats.wsum,
		l2: l2, l2w: make([]float64, D), pool: pool,
		coef: make([]float64, k*D), icpt: make([]float64, k),
	}
	if fitIntercept {
		copy(lp.mean, stats.mean)
	}
	for j, s := range stats.std {
		switch {
		case s == 0:
		case standardization:
			lp.l2w[j] = 1
		default:
			lp.l2w[j] = 1 / (s * s)
		}
	}
	lp.acc = make([][]float64, pool.chunks())
	for c := range lp.acc {
		lp.acc[c] = make([]float64, k*D+k+1)
	}
	lp.scratch = make([][]float64, pool.workers())
	for w := range lp.scratch {
		lp.scratch[w] = make([]float64, k)
	}
	switch kind {
	case logistic:
		lp.pass = lp.logisticPass
	case multinomial:
		lp.pass = lp.multinomialPass
	case hinge:
		lp.pass = lp.hingePass
	}
	return lp
}

// numParams is len(θ).
func (lp *linearProblem) numParams() int {
	if lp.fitIntercept {
		return lp.K*lp.D + lp.K
	}
	return lp.K * lp.D
}

// l1Weights returns OWL-QN's per-parameter L1 weights for regParam·α:
// on the standardized coefficients with standardization, on the original
// ones (so divided by σ) without; never on intercepts or σ = 0 features.
func (lp *linearProblem) l1Weights(l1 float64, standardization bool) []float64 {
	out := make([]float64, lp.numParams())
	for k := range lp.K {
		for j, s := range lp.std {
			switch {
			case s == 0:
			case standardization:
				out[k*lp.D+j] = l1
			default:
				out[k*lp.D+j] = l1 / s
			}
		}
	}
	return out
}

// setTheta converts θ to the original-scale coefficients and intercepts
// the passes use (and the model keeps).
func (lp *linearProblem) setTheta(theta []float64) {
	D := lp.D
	for k := range lp.K {
		c := 0.0
		if lp.fitIntercept {
			c = theta[lp.K*D+k]
		}
		for j, s := range lp.std {
			w := 0.0
			if s != 0 {
				w = theta[k*D+j] / s
			}
			lp.coef[k*D+j] = w
			c -= w * lp.mean[j]
		}
		lp.icpt[k] = c
	}
}

// eval is the optim.Func: value and gradient at θ.
func (lp *linearProblem) eval(theta, grad []float64) float64 {
	lp.setTheta(theta)
	for _, a := range lp.acc {
		clear(a)
	}
	lp.pool.run(lp.pass)
	K, D := lp.K, lp.D
	tot := sumChunks(lp.acc)
	G, R := tot[:K*D], tot[K*D:K*D+K]
	loss := tot[K*D+K] / lp.wsum
	for k := range K {
		for j, s := range lp.std {
			i := k*D + j
			if s == 0 {
				grad[i] = 0
				continue
			}
			grad[i] = (G[i] - lp.mean[j]*R[k]) / (s * lp.wsum)
			if lp.l2 != 0 {
				t := theta[i]
				loss += 0.5 * lp.l2 * lp.l2w[j] * t * t
				grad[i] += lp.l2 * lp.l2w[j] * t
			}
		}
		if lp.fitIntercept {
			grad[K*D+k] = R[k] / lp.wsum
		}
	}
	return loss
}

func (lp *linearProblem) logisticPass(c, _, lo, hi int) {
	if lp.d.Sparse != nil {
		lp.logisticPassSparse(c, lo, hi)
		return
	}
	D := lp.D
	a := lp.acc[c]
	g := a[:D]
	var r0, loss float64
	coef, b := lp.coef[:D], lp.icpt[0]
	X, Y, W := lp.d.X, lp.d.Y, lp.d.W
	i := lo
	// Four rows at a time: independent exp/log chains overlap, and the
	// gradient row is loaded and stored once per block.
	for ; i+4 <= hi && W == nil; i += 4 {
		x0 := X[i*D : i*D+D]
		x1 := X[(i+1)*D : (i+1)*D+D]
		x2 := X[(i+2)*D : (i+2)*D+D]
		x3 := X[(i+3)*D : (i+3)*D+D]
		var m0, m1, m2, m3 float64
		for j, cj := range coef {
			m0 += cj * x0[j]
			m1 += cj * x1[j]
			m2 += cj * x2[j]
			m3 += cj * x3[j]
		}
		l0, p0 := logLoss(b+m0, Y[i])
		l1, p1 := logLoss(b+m1, Y[i+1])
		l2, p2 := logLoss(b+m2, Y[i+2])
		l3, p3 := logLoss(b+m3, Y[i+3])
		loss += (l0 + l1) + (l2 + l3)
		r0 += (p0 + p1) + (p2 + p3)
		for j := range g {
			g[j] += p0*x0[j] + p1*x1[j] + p2*x2[j] + p3*x3[j]
		}
	}
	for ; i < hi; i++ {
		row := X[i*D : i*D+D]
		l, r := logLoss(b+dotRow(coef, row), Y[i])
		if W != nil {
			r *= W[i]
			l *= W[i]
		}
		loss += l
		r0 += r
		axpyRow(r, row, g)
	}
	a[D] += r0
	a[D+1] += loss
}

// logLoss returns log(1+eᵐ) − y·m and its derivative σ(m) − y, sharing
// one exp.
func logLoss(m, y float64) (float64, float64) {
	e := expNeg(-math.Abs(m))
	num := e
	if m >= 0 {
		num = 1
	}
	return max(m, 0) + log1pUnit(e) - y*m, num/(1+e) - y
}

func (lp *linearProblem) hingePass(ch, _, lo, hi int) {
	if lp.d.Sparse != nil {
		lp.hingePassSparse(ch, lo, hi)
		return
	}
	D := lp.D
	a := lp.acc[ch]
	g := a[:D]
	var r0, loss float64
	coef, c := lp.coef[:D], lp.icpt[0]
	X, Y, W := lp.d.X, lp.d.Y, lp.d.W
	for i := lo; i < hi; i++ {
		row := X[i*D : i*D+D]
		y := 2*Y[i] - 1
		m := c + dotRow(coef, row)
		if y*m >= 1 {
			continue
		}
		wt := 1.0
		if W != nil {
			wt = W[i]
		}
		loss += wt * (1 - y*m)
		r := -wt * y
		r0 += r
		axpyRow(r, row, g)
	}
	a[D] += r0
	a[D+1] += loss
}

func (lp *linearProblem) multinomialPass(c, w, lo, hi int) {
	if lp.d.Sparse != nil {
		lp.multinomialPassSparse(c, w, lo, hi)
		return
	}
	K, D := lp.K, lp.D
	a := lp.acc[c]
	G, R := a[:K*D], a[K*D:K*D+K]
	marg := lp.scratch[w]
	var loss float64
	X, Y, W := lp.d.X, lp.d.Y, lp.d.W
	for i := lo; i < hi; i++ {
		row := X[i*D : i*D+D]
		mx := math.Inf(-1)
		for k := range K {
			m := lp.icpt[k] + dotRow(lp.coef[k*D:k*D+D], row)
			marg[k] = m
			mx = max(mx, m)
		}
		wt := 1.0
		if W != nil {
			wt = W[i]
		}
		loss += softmaxResiduals(marg[:K], mx, int(Y[i]), wt)
		for k, r := range marg[:K] {
			R[k] += r
			axpyRow(r, row, G[k*D:k*D+D])
		}
	}
	a[K*D+K] += loss
}

// dotRow is Σ a[j]·b[j] for len(a) == len(b), four-way unrolled.
// softmaxResiduals turns the margins m of one row (mx their maximum, y
// its class, wt its weight) into the multinomial gradient's residuals
// wt·(softmax_k − [k = y]), in place, and returns the row's weighted loss
// −wt·log softmax_y = wt·(log Σe^(m−mx) − (m_y − mx)).
func softmaxResiduals(m []float64, mx float64, y int, wt float64) float64 {
	zy := m[y] - mx
	var sum float64
	for k := range m {
		e := expNeg(m[k] - mx)
		m[k] = e
		sum += e
	}
	loss := wt * (math.Log(sum) - zy)
	for k := range m {
		r := m[k] / sum
		if k == y {
			r--
		}
		m[k] = r * wt
	}
	return loss
}

// csrDot is Σ coef[idx[t]]·val[t].
func csrDot(coef []float64, idx []int32, val []float64) float64 {
	var m float64
	for t, j := range idx {
		m += coef[j] * val[t]
	}
	return m
}

// csrAxpy adds r·val[t] to g[idx[t]].
func csrAxpy(r float64, idx []int32, val, g []float64) {
	for t, j := range idx {
		g[j] += r * val[t]
	}
}

func dotRow(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+3 < len(a); j += 4 {
		s0 += a[j] * b[j]
		s1 += a[j+1] * b[j+1]
		s2 += a[j+2] * b[j+2]
		s3 += a[j+3] * b[j+3]
	}
	for ; j < len(a); j++ {
		s0 += a[j] * b[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyRow adds r·x to g (len(g) == len(x)).
func axpyRow(r float64, x, g []float64) {
	g = g[:len(x)]
	for j, v := range x {
		g[j] += r * v
	}
}

// The passes over sparse rows (Dataset.Sparse): margins and gradient sums
// over each row's non-zeros only; eval's centering and scaling are the
// same, since the passes work on original-scale coefficients and
// uncentered sums.

func (lp *linearProblem) logisticPassSparse(c, lo, hi int) {
	D := lp.D
	a := lp.acc[c]
	g := a[:D]
	var r0, loss float64
	coef, b := lp.coef[:D], lp.icpt[0]
	sp, Y, W := lp.d.Sparse, lp.d.Y, lp.d.W
	for i := lo; i < hi; i++ {
		idx, val := sp.Idx[sp.Ptr[i]:sp.Ptr[i+1]], sp.Val[sp.Ptr[i]:sp.Ptr[i+1]]
		l, r := logLoss(b+csrDot(coef, idx, val), Y[i])
		if W != nil {
			r *= W[i]
			l *= W[i]
		}
		loss += l
		r0 += r
		csrAxpy(r, idx, val, g)
	}
	a[D] += r0
	a[D+1] += loss
}

func (lp *linearProblem) hingePassSparse(ch, lo, hi int) {
	D := lp.D
	a := lp.acc[ch]
	g := a[:D]
	var r0, loss float64
	coef, c := lp.coef[:D], lp.icpt[0]
	sp, Y, W := lp.d.Sparse, lp.d.Y, lp.d.W
	for i := lo; i < hi; i++ {
		idx, val := sp.Idx[sp.Ptr[i]:sp.Ptr[i+1]], sp.Val[sp.Ptr[i]:sp.Ptr[i+1]]
		y := 2*Y[i] - 1
		m := c + csrDot(coef, idx, val)
		if y*m >= 1 {
			continue
		}
		wt := 1.0
		if W != nil {
			wt = W[i]
		}
		loss += wt * (1 - y*m)
		r := -wt * y
		r0 += r
		csrAxpy(r, idx, val, g)
	}
	a[D] += r0
	a[D+1] += loss
}

func (lp *linearProblem) multinomialPassSparse(c, w, lo, hi int) {
	K, D := lp.K, lp.D
	a := lp.acc[c]
	G, R := a[:K*D], a[K*D:K*D+K]
	marg := lp.scratch[w]
	var loss float64
	sp, Y, W := lp.d.Sparse, lp.d.Y, lp.d.W
	for i := lo; i < hi; i++ {
		idx, val := sp.Idx[sp.Ptr[i]:sp.Ptr[i+1]], sp.Val[sp.Ptr[i]:sp.Ptr[i+1]]
		mx := math.Inf(-1)
		for k := range K {
			m := lp.icpt[k] + csrDot(lp.coef[k*D:k*D+D], idx, val)
			marg[k] = m
			mx = max(mx, m)
		}
		wt := 1.0
		if W != nil {
			wt = W[i]
		}
		loss += softmaxResiduals(marg[:K], mx, int(Y[i]), wt)
		for k, r := range marg[:K] {
			R[k] += r
			csrAxpy(r, idx, val, G[k*D:k*D+D])
		}
	}
	a[K*D+K] += loss
}
