package recommendation

import "math"

// Dense kernels of the solver. Factors are stored as float32 (as Spark
// does); normal equations are accumulated and factored in float64, CG
// runs in float32 with float64 scalars. The loops are unrolled by hand
// because the Go compiler does not vectorize; explicit float32(…)
// conversions keep the compiler from fusing a*b+c into one rounding, so
// every kernel that computes a score sums in exactly the same order and
// gives the same bits (the top-k tests rely on that).

// dot32 returns Σ x[i]·y[i] summed left to right in float32. Scores use
// it; the 4-row kernel in recommend.go sums in the same order.
func dot32(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += float32(v * y[i])
	}
	return s
}

// dotF32 returns Σ x[i]·y[i] with four partial sums (faster than dot32,
// used inside the solver where the order does not matter for results
// across kernels).
func dotF32(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	for len(x) >= 4 && len(y) >= 4 {
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		x, y = x[4:], y[4:]
	}
	for i, v := range x {
		s0 += v * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyF32 sets y += a·x.
func axpyF32(a float32, x, y []float32) {
	y = y[:len(x)]
	for len(x) >= 4 && len(y) >= 4 {
		y[0] += a * x[0]
		y[1] += a * x[1]
		y[2] += a * x[2]
		y[3] += a * x[3]
		x, y = x[4:], y[4:]
	}
	for i, v := range x {
		y[i] += a * v
	}
}

// gramAdd1 adds w·r·rᵀ (r of length k) to the upper triangle of the d×d
// row-major matrix a (only a[i*d+j] with i <= j < k are touched).
func gramAdd1(a []float64, d, k int, w float64, r []float64) {
	r = r[:k]
	for i := 0; i < k; i++ {
		ai := w * r[i]
		row := a[i*d+i : i*d+k]
		b := r[i:]
		b = b[:len(row)]
		for j := range row {
			row[j] += ai * b[j]
		}
	}
}

// mirrorUpper copies the upper triangle of the d×d matrix a into its
// lower triangle.
func mirrorUpper(a []float64, d int) {
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			a[j*d+i] = a[i*d+j]
		}
	}
}

// cholSolve solves a·x = b for a symmetric positive definite d×d matrix
// given by its upper triangle (row-major; overwritten by the factor U with
// a = UᵀU), writing x into b. It returns false, with b untouched, when a
// is not positive definite. The factorization is right-looking, so its
// inner loop runs along contiguous rows.
func cholSolve(a []float64, b []float64, d int) bool {
	for i := 0; i < d; i++ {
		ri := a[i*d : i*d+d]
		s := ri[i]
		if !(s > 0) || math.IsInf(s, 0) {
			return false
		}
		piv := math.Sqrt(s)
		ri[i] = piv
		inv := 1 / piv
		for j := i + 1; j < d; j++ {
			ri[j] *= inv
		}
		// Rows below: a[r][r:] -= U[i][r]·U[i][r:].
		for r := i + 1; r < d; r++ {
			f := ri[r]
			if f == 0 {
				continue
			}
			rr := a[r*d+r : r*d+d]
			src := ri[r:d]
			src = src[:len(rr)]
			for j := range rr {
				rr[j] -= f * src[j]
			}
		}
	}
	// Uᵀ·y = b (forward), then U·x = y (backward).
	for i := 0; i < d; i++ {
		ri := a[i*d : i*d+d]
		b[i] /= ri[i]
		bi := b[i]
		for j := i + 1; j < d; j++ {
			b[j] -= ri[j] * bi
		}
	}
	for i := d - 1; i >= 0; i-- {
		ri := a[i*d : i*d+d]
		s := b[i]
		for j := i + 1; j < d; j++ {
			s -= ri[j] * b[j]
		}
		b[i] = s / ri[i]
	}
	return true
}

// nnlsCD minimizes ½xᵀAx − bᵀx subject to x[j] >= 0 for j < nonneg
// (coordinates from nonneg on are free: the bias term), by cyclic
// coordinate descent from the start x (clamped), until no coordinate
// moves by more than tol·(1+|x|max) or maxSweeps is reached. A is the
// full symmetric d×d matrix (row-major) with a positive diagonal.
func nnlsCD(a, b, x []float64, d, nonneg int, tol float64, maxSweeps int) {
	for j := 0; j < nonneg; j++ {
		if x[j] < 0 {
			x[j] = 0
		}
	}
	for sweep := 0; sweep < maxSweeps; sweep++ {
		maxMove, maxX := 0.0, 0.0
		for j := 0; j < d; j++ {
			row := a[j*d : j*d+d]
			g := -b[j]
			for p, v := range row {
				g += v * x[p]
			}
			nx := x[j] - g/row[j]
			if j < nonneg && nx < 0 {
				nx = 0
			}
			if m := math.Abs(nx - x[j]); m > maxMove {
				maxMove = m
			}
			x[j] = nx
			if ax := math.Abs(nx); ax > maxX {
				maxX = ax
			}
		}
		if maxMove <= tol*(1+maxX) {
			return
		}
	}
}
