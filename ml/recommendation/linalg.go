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

// dotAxpyF32 returns d = y·p and then sets out += c(d)·y, reading y once
// from memory: the inner step of CG's matrix-vector product Σ c·(y·p)·y.
// coef is applied as out += (c·d)·y.
func dotAxpyF32(y, p, out []float32, c float32) {
	axpyF32(c*dotF32(y, p), y, out)
}

// gramAdd adds Σ_l w[l]·rows[l]·rows[l]ᵀ for len(rows) <= 4 rows of
// length k (already float64) to the upper triangle of the d×d row-major
// matrix a (d >= k; only a[i*d+j] with i <= j < k are touched).
func gramAdd4(a []float64, d, k int, r0, r1, r2, r3 []float64) {
	r0, r1, r2, r3 = r0[:k], r1[:k], r2[:k], r3[:k]
	for i := 0; i < k; i++ {
		a0, a1, a2, a3 := r0[i], r1[i], r2[i], r3[i]
		row := a[i*d+i : i*d+k]
		b0, b1, b2, b3 := r0[i:], r1[i:], r2[i:], r3[i:]
		b0, b1, b2, b3 = b0[:len(row)], b1[:len(row)], b2[:len(row)], b3[:len(row)]
		for j := range row {
			row[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
}

// gramAdd1 adds w·r·rᵀ to the upper triangle of a (see gramAdd4).
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
// given by its upper triangle (row-major, overwritten by the factor),
// writing x into b. It returns false when a is not positive definite.
func cholSolve(a []float64, b []float64, d int) bool {
	// Factor a = Uᵀ·U in place (U upper triangular, stored in a's upper
	// triangle), row by row.
	for i := 0; i < d; i++ {
		ri := a[i*d : i*d+d]
		s := ri[i]
		for p := 0; p < i; p++ {
			u := a[p*d+i]
			s -= u * u
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return false
		}
		piv := math.Sqrt(s)
		ri[i] = piv
		inv := 1 / piv
		for j := i + 1; j < d; j++ {
			s := ri[j]
			for p := 0; p < i; p++ {
				s -= a[p*d+i] * a[p*d+j]
			}
			ri[j] = s * inv
		}
	}
	// Uᵀ·y = b (forward), then U·x = y (backward).
	for i := 0; i < d; i++ {
		s := b[i]
		for p := 0; p < i; p++ {
			s -= a[p*d+i] * b[p]
		}
		b[i] = s / a[i*d+i]
	}
	for i := d - 1; i >= 0; i-- {
		s := b[i]
		ri := a[i*d : i*d+d]
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
