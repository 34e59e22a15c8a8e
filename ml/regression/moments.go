package regression

import (
	"context"
	"math"
	"runtime"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// moments are the weighted first and second moments of the features and
// the label that the normal-equation solvers work from. The second moments
// are centered on the weighted means (two passes over the data), which
// keeps them accurate when features have large means, unlike the one-pass
// raw sums Spark aggregates.
type moments struct {
	n, d  int
	wSum  float64   // Σw
	w2Sum float64   // Σw², for Spark's unbiased weighted variance
	xMean []float64 // Σw·x / Σw
	yMean float64
	// constX[j] is true when feature j takes one value on the rows of
	// positive weight (its variance is exactly 0, whatever rounding says).
	constX []bool
	constY bool
	// xx is Σw(x-x̄)(x-x̄)ᵀ, row-major d×d, both triangles filled (nil
	// when only the diagonal was asked for; xxDiag holds it always).
	xx     []float64
	xxDiag []float64
	xy     []float64 // Σw(x-x̄)(y-ȳ)
	yy     float64   // Σw(y-ȳ)²
}

// momentsJob describes one moments computation: X is n×d row-major, y
// has n labels, w n weights or nil for all 1.
type momentsJob struct {
	x    []float64
	y    []float64
	w    []float64
	n, d int
	// full asks for the whole cross-product matrix; otherwise only the
	// diagonal (variances), which costs O(n·d) instead of O(n·d²).
	full bool
}

// rowRanges splits n rows into at most GOMAXPROCS contiguous ranges of at
// least minRows rows. The split depends only on n and GOMAXPROCS, so sums
// merged in range order are reproducible on a given machine.
func rowRanges(n, minRows int) [][2]int {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/max(minRows, 1)))
	per := (n + workers - 1) / workers
	out := make([][2]int, 0, workers)
	for lo := 0; lo < n; lo += per {
		out = append(out, [2]int{lo, min(n, lo+per)})
	}
	if len(out) == 0 {
		out = append(out, [2]int{0, 0})
	}
	return out
}

// computeMoments runs two parallel passes over the rows (means and
// ranges, then centered cross-products), at most GOMAXPROCS goroutines,
// checking ctx between blocks of rows.
func computeMoments(ctx context.Context, job momentsJob) (*moments, error) {
	n, d := job.n, job.d
	ranges := rowRanges(n, 4096)
	type pass1 struct {
		wSum, w2Sum, ySum float64
		xSum              []float64
		xMin, xMax        []float64
		yMin, yMax        float64
	}
	p1 := make([]pass1, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	for k, r := range ranges {
		g.Go(func() error {
			acc := pass1{xSum: make([]float64, d), xMin: make([]float64, d), xMax: make([]float64, d), yMin: math.Inf(1), yMax: math.Inf(-1)}
			for j := range d {
				acc.xMin[j], acc.xMax[j] = math.Inf(1), math.Inf(-1)
			}
			for i := r[0]; i < r[1]; i++ {
				if (i-r[0])%8192 == 0 {
					if err := gctx.Err(); err != nil {
						return err
					}
				}
				w := 1.0
				if job.w != nil {
					w = job.w[i]
				}
				if w == 0 {
					continue
				}
				acc.wSum += w
				acc.w2Sum += w * w
				y := job.y[i]
				acc.ySum += w * y
				acc.yMin, acc.yMax = min(acc.yMin, y), max(acc.yMax, y)
				row := job.x[i*d : (i+1)*d]
				for j, v := range row {
					acc.xSum[j] += w * v
					if v < acc.xMin[j] {
						acc.xMin[j] = v
					}
					if v > acc.xMax[j] {
						acc.xMax[j] = v
					}
				}
			}
			p1[k] = acc
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := &moments{n: n, d: d, xMean: make([]float64, d), constX: make([]bool, d), xxDiag: make([]float64, d), xy: make([]float64, d)}
	xMin, xMax := make([]float64, d), make([]float64, d)
	for j := range d {
		xMin[j], xMax[j] = math.Inf(1), math.Inf(-1)
	}
	yMin, yMax := math.Inf(1), math.Inf(-1)
	var ySum float64
	for _, a := range p1 {
		m.wSum += a.wSum
		m.w2Sum += a.w2Sum
		ySum += a.ySum
		yMin, yMax = min(yMin, a.yMin), max(yMax, a.yMax)
		for j := range d {
			m.xMean[j] += a.xSum[j]
			xMin[j], xMax[j] = min(xMin[j], a.xMin[j]), max(xMax[j], a.xMax[j])
		}
	}
	if m.wSum == 0 {
		return m, nil
	}
	m.yMean = ySum / m.wSum
	m.constY = yMin == yMax
	for j := range d {
		m.xMean[j] /= m.wSum
		m.constX[j] = xMin[j] == xMax[j]
		if m.constX[j] {
			m.xMean[j] = xMin[j] // exact, whatever the rounding of Σw·x/Σw
		}
	}
	if m.constY {
		m.yMean = yMin
	}

	// Pass 2: centered cross-products of [x, y], one (d+1)×(d+1)
	// accumulator per range, blocks of rows through BLAS syrk.
	k := d + 1
	type pass2 struct {
		c        []float64 // k×k upper triangle (full) or diag+xy+yy
		xxd, xyv []float64
		yy       float64
	}
	p2 := make([]pass2, len(ranges))
	blockRows := max(64, min(1024, (1<<20)/k))
	g, gctx = errgroup.WithContext(ctx)
	for ri, r := range ranges {
		g.Go(func() error {
			acc := pass2{}
			if job.full {
				acc.c = make([]float64, k*k)
			} else {
				acc.xxd, acc.xyv = make([]float64, d), make([]float64, d)
			}
			var buf []float64
			if job.full {
				buf = make([]float64, blockRows*k)
			}
			for lo := r[0]; lo < r[1]; lo += blockRows {
				if err := gctx.Err(); err != nil {
					return err
				}
				hi := min(r[1], lo+blockRows)
				if !job.full {
					for i := lo; i < hi; i++ {
						w := 1.0
						if job.w != nil {
							w = job.w[i]
						}
						if w == 0 {
							continue
						}
						dy := job.y[i] - m.yMean
						acc.yy += w * dy * dy
						row := job.x[i*d : (i+1)*d]
						for j, v := range row {
							dx := v - m.xMean[j]
							acc.xxd[j] += w * dx * dx
							acc.xyv[j] += w * dx * dy
						}
					}
					continue
				}
				// The block is stored transposed (one row per variable), so
				// syrk computes each entry as a dot product of two long rows.
				rows := 0
				for i := lo; i < hi; i++ {
					w := 1.0
					if job.w != nil {
						w = job.w[i]
					}
					if w == 0 {
						continue
					}
					sw := math.Sqrt(w)
					row := job.x[i*d : (i+1)*d]
					for j, v := range row {
						buf[j*blockRows+rows] = sw * (v - m.xMean[j])
					}
					buf[d*blockRows+rows] = sw * (job.y[i] - m.yMean)
					rows++
				}
				if rows == 0 {
					continue
				}
				blas64.Syrk(blas.NoTrans, 1,
					blas64.General{Rows: k, Cols: rows, Stride: blockRows, Data: buf[:(k-1)*blockRows+rows]},
					1, blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: acc.c})
			}
			p2[ri] = acc
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if job.full {
		m.xx = make([]float64, d*d)
		for _, a := range p2 {
			for i := range d {
				for j := i; j < d; j++ {
					m.xx[i*d+j] += a.c[i*k+j]
				}
				m.xy[i] += a.c[i*k+d]
			}
			m.yy += a.c[d*k+d]
		}
		for i := range d {
			for j := range i {
				m.xx[i*d+j] = m.xx[j*d+i]
			}
			m.xxDiag[i] = m.xx[i*d+i]
		}
	} else {
		for _, a := range p2 {
			for j := range d {
				m.xxDiag[j] += a.xxd[j]
				m.xy[j] += a.xyv[j]
			}
			m.yy += a.yy
		}
	}
	// Constant columns are exactly constant: no rounding residue.
	for j := range d {
		if m.constX[j] {
			m.xxDiag[j], m.xy[j] = 0, 0
			if m.xx != nil {
				for i := range d {
					m.xx[i*d+j], m.xx[j*d+i] = 0, 0
				}
			}
		}
	}
	if m.constY {
		m.yy = 0
		for j := range m.xy {
			m.xy[j] = 0
		}
	}
	return m, nil
}

// stds returns the weighted standard deviations of the features and the
// label: Spark's population form √(Σw(x-x̄)²/Σw) when sample is false
// (what WeightedLeastSquares, the normal solver, uses), or its unbiased
// weighted form √(Σw(x-x̄)²/(Σw - Σw²/Σw)) when true (the summarizer the
// L-BFGS solver uses). Constant columns get exactly 0.
func (m *moments) stds(sample bool) (xStd []float64, yStd float64) {
	denom := m.wSum
	if sample {
		denom = m.wSum - m.w2Sum/m.wSum
	}
	xStd = make([]float64, m.d)
	if denom <= 0 {
		return xStd, 0
	}
	for j := range xStd {
		if !m.constX[j] {
			xStd[j] = math.Sqrt(max(m.xxDiag[j]/denom, 0))
		}
	}
	if !m.constY {
		yStd = math.Sqrt(max(m.yy/denom, 0))
	}
	return xStd, yStd
}
