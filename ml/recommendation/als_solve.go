package recommendation

import (
	"context"
	"math"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// factors is one side's state during a fit: n rows of k float32 factors
// (row-major) and, with bias terms, one float32 bias per row.
type factors struct {
	n, k int
	x    []float32
	bias []float32 // nil without per-row biases
}

func newFactors(n, k int, bias bool) *factors {
	f := &factors{n: n, k: k, x: make([]float32, n*k)}
	if bias {
		f.bias = make([]float32, n)
	}
	return f
}

func (f *factors) row(i int) []float32 { return f.x[i*f.k : (i+1)*f.k : (i+1)*f.k] }

// randomize sets every row to a random unit vector (Gaussian entries,
// normalized), as Spark initializes; biases start at 0.
func (f *factors) randomize(seed int64) {
	rng := ml.NewRand(seed)
	for i := 0; i < f.n; i++ {
		r := f.row(i)
		var s float64
		for j := range r {
			v := rng.NormFloat64()
			r[j] = float32(v)
			s += float64(r[j]) * float64(r[j])
		}
		if s == 0 {
			r[0], s = 1, 1
		}
		inv := float32(1 / math.Sqrt(s))
		for j := range r {
			r[j] *= inv
		}
	}
}

// solveConfig is what a half-step needs from the params.
type solveConfig struct {
	k        int
	reg      float64 // regParam, scaled by each row's count
	biasReg  float64 // biasRegParam, not scaled
	implicit bool
	alpha    float64
	nonneg   bool
	cg       bool
	cgSteps  int
	bias     bool    // learn per-row biases (biasMode user+item)
	mu       float64 // global offset subtracted from ratings (0 for biasMode none)
	workers  int
}

// rowsPerChunk is how many rows a worker takes at a time; small enough to
// balance power-law row lengths across workers.
const rowsPerChunk = 32

// solver runs half-steps: it solves every row of one side given the
// other, in parallel, with per-worker scratch allocated once per fit.
type solver struct {
	cfg     solveConfig
	d       int // unknowns per row: k, plus 1 with bias
	scratch []*scratch
	yty     []float64 // implicit: Σ yyᵀ of the source side (k×k, full)
	yty32   []float32
}

type scratch struct {
	a, a2, b, x64 []float64 // d×d normal equations, copy, rhs, solution
	rows          [8][]float64
	w             [8]float64
	xr, r, p, ap  []float32 // CG vectors (d)
	g             []float32 // CG: the row's source factors, gathered
	c             []float32 // CG: per-rating confidence − 1 (implicit)
}

func newSolver(cfg solveConfig, maxRows int) *solver {
	d := cfg.k
	if cfg.bias {
		d++
	}
	s := &solver{cfg: cfg, d: d}
	w := max(1, min(cfg.workers, (maxRows+rowsPerChunk-1)/rowsPerChunk))
	for range w {
		sc := &scratch{
			a: make([]float64, d*d), a2: make([]float64, d*d), b: make([]float64, d), x64: make([]float64, d),
			xr: make([]float32, d), r: make([]float32, d), p: make([]float32, d), ap: make([]float32, d),
		}
		for l := range sc.rows {
			sc.rows[l] = make([]float64, cfg.k)
		}
		s.scratch = append(s.scratch, sc)
	}
	if cfg.implicit {
		s.yty = make([]float64, cfg.k*cfg.k)
		s.yty32 = make([]float32, cfg.k*cfg.k)
	}
	return s
}

// parallelRows calls fn(scratch, lo, hi) for consecutive chunks of
// [0, n) on len(s.scratch) goroutines, stopping at the first error or
// when ctx is done (checked between chunks).
func (s *solver) parallelRows(ctx context.Context, n, chunk int, fn func(sc *scratch, lo, hi int)) error {
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	workers := max(1, min(len(s.scratch), (n+chunk-1)/chunk))
	for w := range workers {
		sc := s.scratch[w]
		g.Go(func() error {
			for {
				if err := gctx.Err(); err != nil {
					return err
				}
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return nil
				}
				fn(sc, lo, min(lo+chunk, n))
			}
		})
	}
	return g.Wait()
}

// computeYtY sets s.yty to Σ_i y_i y_iᵀ over the rows of src. Partial sums
// are taken over fixed row ranges and added in order, so the result does
// not depend on scheduling.
func (s *solver) computeYtY(ctx context.Context, src *factors) error {
	k := s.cfg.k
	const part = 4096
	nParts := (src.n + part - 1) / part
	partials := make([][]float64, nParts)
	err := s.parallelRows(ctx, nParts, 1, func(sc *scratch, lo, hi int) {
		for pi := lo; pi < hi; pi++ {
			acc := make([]float64, k*k)
			r0, r1 := pi*part, min((pi+1)*part, src.n)
			var w [8]float64
			for l := range w {
				w[l] = 1
			}
			for i := r0; i < r1; i += 8 {
				m := min(8, r1-i)
				for l := range m {
					toF64(sc.rows[l], src.row(i+l))
				}
				gramAdd(acc, k, k, &sc.rows, &w, m)
			}
			partials[pi] = acc
		}
	})
	if err != nil {
		return err
	}
	clear(s.yty)
	for _, p := range partials {
		for j, v := range p {
			s.yty[j] += v
		}
	}
	mirrorUpper(s.yty, k)
	for j, v := range s.yty {
		s.yty32[j] = float32(v)
	}
	return nil
}

func toF64(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// gramAdd adds Σ_{l<m} w[l]·rows[l]·rows[l]ᵀ (rows of length k) to the
// upper triangle of the d×d matrix a, eight rows at a time.
func gramAdd(a []float64, d, k int, rows *[8][]float64, w *[8]float64, m int) {
	if m < 8 {
		for l := range m {
			gramAdd1(a, d, k, w[l], rows[l])
		}
		return
	}
	r0, r1, r2, r3 := rows[0][:k], rows[1][:k], rows[2][:k], rows[3][:k]
	r4, r5, r6, r7 := rows[4][:k], rows[5][:k], rows[6][:k], rows[7][:k]
	for i := 0; i < k; i++ {
		a0, a1, a2, a3 := w[0]*r0[i], w[1]*r1[i], w[2]*r2[i], w[3]*r3[i]
		a4, a5, a6, a7 := w[4]*r4[i], w[5]*r5[i], w[6]*r6[i], w[7]*r7[i]
		row := a[i*d+i : i*d+k]
		n := len(row)
		b0, b1, b2, b3 := r0[i:i+n], r1[i:i+n], r2[i:i+n], r3[i:i+n]
		b4, b5, b6, b7 := r4[i:i+n], r5[i:i+n], r6[i:i+n], r7[i:i+n]
		for j := range row {
			row[j] += (a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]) + (a4*b4[j] + a5*b5[j] + a6*b6[j] + a7*b7[j])
		}
	}
}

// halfStep solves every row of dst given src and the ratings of dst's
// rows (r, indexed by dst row, holding src indices).
func (s *solver) halfStep(ctx context.Context, dst, src *factors, r *csr) error {
	if s.cfg.implicit {
		if err := s.computeYtY(ctx, src); err != nil {
			return err
		}
	}
	return s.parallelRows(ctx, dst.n, rowsPerChunk, func(sc *scratch, lo, hi int) {
		for u := lo; u < hi; u++ {
			if s.cfg.cg {
				s.solveCG(sc, dst, src, r, u)
			} else {
				s.solveNormal(sc, dst, src, r, u)
			}
		}
	})
}

// target is the rating minus the offsets the row's factors do not
// explain: the global mean and the source row's bias.
func (s *solver) target(src *factors, j int32, v float32) float64 {
	t := float64(v) - s.cfg.mu
	if src.bias != nil {
		t -= float64(src.bias[j])
	}
	return t
}

// solveNormal builds row u's normal equations in float64 and solves them
// by Cholesky, or by nonnegative coordinate descent.
func (s *solver) solveNormal(sc *scratch, dst, src *factors, r *csr, u int) {
	cfg := &s.cfg
	k, d := cfg.k, s.d
	a, b := sc.a, sc.b
	if cfg.implicit {
		copy(a, s.yty)
	} else {
		clear(a)
	}
	clear(b)
	lo, hi := r.ptr[u], r.ptr[u+1]
	idx, val := r.idx[lo:hi], r.val[lo:hi]
	n := 0 // ratings that count for regularization (Spark's numExplicits)
	m := 0 // rows buffered for gramAdd
	var sumY []float64
	if cfg.bias {
		sumY = sc.x64 // reused: Σ y, the bias column of the Gram matrix
		clear(sumY)
	}
	var biasRHS, count float64
	for e, j := range idx {
		y := src.row(int(j))
		row := sc.rows[m]
		toF64(row, y)
		var w, coef float64 // Gram weight, right-hand-side weight
		if cfg.implicit {
			v := float64(val[e])
			c1 := cfg.alpha * math.Abs(v)
			w = c1
			if v > 0 {
				coef = 1 + c1
				n++
			}
		} else {
			w, coef = 1, s.target(src, j, val[e])
			n++
			if cfg.bias {
				for i, yi := range row {
					sumY[i] += yi
				}
				biasRHS += coef
				count++
			}
		}
		if coef != 0 {
			for i, yi := range row {
				b[i] += coef * yi
			}
		}
		sc.w[m] = w
		m++
		if m == 8 {
			gramAdd(a, d, k, &sc.rows, &sc.w, 8)
			m = 0
		}
	}
	if m > 0 {
		gramAdd(a, d, k, &sc.rows, &sc.w, m)
	}
	lambda := cfg.reg * float64(n)
	for i := range k {
		a[i*d+i] += lambda
	}
	if cfg.bias {
		for i := range k {
			a[i*d+k] = sumY[i]
		}
		a[k*d+k] = count + cfg.biasReg
		b[k] = biasRHS
	}
	x := dst.row(u)
	if cfg.nonneg {
		mirrorUpper(a, d)
		for i := range k {
			if !(a[i*d+i] > 0) {
				a[i*d+i] = 1e-12
			}
		}
		if cfg.bias && !(a[k*d+k] > 0) {
			a[k*d+k] = 1e-12
		}
		x64 := sc.x64
		toF64(x64[:k], x)
		if cfg.bias {
			x64[k] = float64(dst.bias[u])
		}
		nnlsCD(a, b, x64, d, k, 1e-7, 200)
		for i := range k {
			x[i] = float32(x64[i])
		}
		if cfg.bias {
			dst.bias[u] = float32(x64[k])
		}
		return
	}
	copy(sc.a2, a)
	if !cholSolve(a, b, d) {
		// Singular normal equations (regParam 0 with fewer ratings than
		// factors, or implicit feedback with no positive rating): add a
		// tiny ridge and retry. A failed factorization leaves b as it was.
		copy(a, sc.a2)
		tr := 0.0
		for i := range d {
			tr += a[i*d+i]
		}
		eps := 1e-9 * (1 + tr/float64(d))
		for i := range d {
			a[i*d+i] += eps
		}
		if !cholSolve(a, b, d) {
			clear(b)
		}
	}
	for i := range k {
		x[i] = float32(b[i])
	}
	if cfg.bias {
		dst.bias[u] = float32(b[k])
	}
}

// gatherCap bounds the rows solveCG copies into its scratch buffer (16 MB
// of float32 at rank 64); longer rows read the source factors in place.
const gatherCap = 1 << 16

// solveCG improves row u's factors by cfg.cgSteps conjugate-gradient
// steps on its normal equations, starting from the current factors,
// without forming the k×k matrix: the product A·p costs O(ratings·k)
// (plus O(k²) for implicit feedback's YᵀY). The row's source factors are
// first copied into a contiguous buffer, so the cgSteps+1 passes over
// them read memory in order instead of jumping around the source matrix.
func (s *solver) solveCG(sc *scratch, dst, src *factors, r *csr, u int) {
	cfg := &s.cfg
	k := cfg.k
	bias := cfg.bias
	x, res, p, ap := sc.xr, sc.r, sc.p, sc.ap
	copy(x, dst.row(u))
	if bias {
		x[k] = dst.bias[u]
	}
	lo, hi := r.ptr[u], r.ptr[u+1]
	idx, val := r.idx[lo:hi], r.val[lo:hi]
	nr := len(idx)
	gathered := nr <= gatherCap
	if gathered {
		if cap(sc.g) < nr*k {
			sc.g = make([]float32, nr*k)
		}
		g := sc.g[:nr*k]
		for e, j := range idx {
			copy(g[e*k:(e+1)*k], src.row(int(j)))
		}
	}
	rowAt := func(e int) []float32 {
		if gathered {
			return sc.g[e*k : (e+1)*k : (e+1)*k]
		}
		return src.row(int(idx[e]))
	}
	// conf[e] = alpha·|r| (implicit: confidence − 1), or the target (explicit).
	if cap(sc.c) < nr {
		sc.c = make([]float32, nr)
	}
	conf := sc.c[:nr]
	// res = b − A·x, accumulated per rating.
	clear(res)
	n := 0
	xk := x[:k]
	for e := range nr {
		y := rowAt(e)
		var coef float32
		if cfg.implicit {
			v := float64(val[e])
			c1 := cfg.alpha * math.Abs(v)
			conf[e] = float32(c1)
			pref := 0.0
			if v > 0 {
				pref = 1 + c1
				n++
			}
			coef = float32(pref - c1*float64(dotF32(y, xk)))
		} else {
			n++
			pred := dotF32(y, xk)
			if bias {
				pred += x[k]
			}
			coef = float32(s.target(src, idx[e], val[e])) - pred
			if bias {
				res[k] += coef
			}
		}
		axpyF32(coef, y, res[:k])
	}
	lambda := float32(cfg.reg * float64(n))
	axpyF32(-lambda, xk, res[:k])
	if bias {
		res[k] -= float32(cfg.biasReg) * x[k]
	}
	if cfg.implicit {
		for i := range k {
			res[i] -= dotF32(s.yty32[i*k:(i+1)*k], xk)
		}
	}
	copy(p, res)
	rs := float64(dotF32(res, res))
	for step := 0; step < cfg.cgSteps; step++ {
		if rs < 1e-20 {
			break
		}
		// ap = A·p
		pk := p[:k]
		clear(ap)
		apk := ap[:k]
		for e := range nr {
			y := rowAt(e)
			if cfg.implicit {
				if c1 := conf[e]; c1 != 0 {
					axpyF32(c1*dotF32(y, pk), y, apk)
				}
			} else {
				q := dotF32(y, pk)
				if bias {
					q += p[k]
					ap[k] += q
				}
				axpyF32(q, y, apk)
			}
		}
		axpyF32(lambda, pk, apk)
		if bias {
			ap[k] += float32(cfg.biasReg) * p[k]
		}
		if cfg.implicit {
			for i := range k {
				ap[i] += dotF32(s.yty32[i*k:(i+1)*k], pk)
			}
		}
		pap := float64(dotF32(p, ap))
		if !(pap > 0) {
			break
		}
		alpha := float32(rs / pap)
		axpyF32(alpha, p, x)
		axpyF32(-alpha, ap, res)
		rsNew := float64(dotF32(res, res))
		beta := float32(rsNew / rs)
		for i := range p {
			p[i] = res[i] + beta*p[i]
		}
		rs = rsNew
	}
	copy(dst.row(u), xk)
	if bias {
		dst.bias[u] = x[k]
	}
}

// rmse returns the root mean squared error of m's predictions on the
// training ratings (grouped by user). It sums the dot products with four
// partial sums (faster than Predict's left-to-right sum; the difference is
// far below what an RMSE reports).
func (s *solver) rmse(ctx context.Context, m *ALSModel, byUser *csr) (float64, error) {
	n := byUser.rows()
	parts := make([]float64, (n+rowsPerChunk*8-1)/(rowsPerChunk*8))
	chunk := rowsPerChunk * 8
	err := s.parallelRows(ctx, n, chunk, func(_ *scratch, lo, hi int) {
		sum := 0.0
		for u := lo; u < hi; u++ {
			for e := byUser.ptr[u]; e < byUser.ptr[u+1]; e++ {
				i := byUser.idx[e]
				d := m.finish(dotF32(m.users.row(int32(u), m.rank), m.items.row(i, m.rank)), int32(u), i) - float64(byUser.val[e])
				sum += d * d
			}
		}
		parts[lo/chunk] = sum
	})
	if err != nil {
		return 0, err
	}
	total := 0.0
	for _, v := range parts {
		total += v
	}
	return math.Sqrt(total / float64(len(byUser.idx))), nil
}
