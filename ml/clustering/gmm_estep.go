package clustering

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// gmmBlockRows is the number of rows per block of a parallel pass: each
// block gets its own partial sums, added in block order afterwards, so
// results do not depend on how many goroutines ran or in which order.
const gmmBlockRows = 2048

// gmmBlocks runs fn over the blocks of n rows on up to GOMAXPROCS
// goroutines. fn(worker, lo, hi, part) handles rows [lo, hi) and adds
// into part, the block's zeroed slice of partial (accLen values per
// block), which is grown as needed and returned. ctx is checked between
// blocks.
func gmmBlocks(ctx context.Context, n, accLen int, partial []float64, fn func(worker, lo, hi int, part []float64) error) ([]float64, int, error) {
	blocks := (n + gmmBlockRows - 1) / gmmBlockRows
	if cap(partial) < blocks*accLen {
		partial = make([]float64, blocks*accLen)
	}
	partial = partial[:blocks*accLen]
	clear(partial)
	workers := min(runtime.GOMAXPROCS(0), blocks)
	var next atomic.Int64
	work := func(ctx context.Context, w int) error {
		for {
			b := int(next.Add(1) - 1)
			if b >= blocks {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(w, b*gmmBlockRows, min(n, (b+1)*gmmBlockRows), partial[b*accLen:(b+1)*accLen]); err != nil {
				return err
			}
		}
	}
	if workers <= 1 {
		return partial, blocks, work(ctx, 0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for w := range workers {
		g.Go(func() error { return work(gctx, w) })
	}
	return partial, blocks, g.Wait()
}

// gmmSumBlocks adds the blocks' partial sums, in block order, into dst.
func gmmSumBlocks(dst, partial []float64, blocks int) {
	accLen := len(dst)
	clear(dst)
	for b := 0; b < blocks; b++ {
		part := partial[b*accLen : (b+1)*accLen]
		for i, v := range part {
			dst[i] += v
		}
	}
}

// gmmKernel evaluates the mixture's log-densities: per component c the
// mean, the inverse of the Cholesky factor of the covariance (lower
// triangular, packed by rows) and log w_c − ½(d·ln 2π + ln|Σ_c|).
type gmmKernel struct {
	k, d, tri int
	means     []float64
	linv      []float64
	logNorm   []float64
}

// newGMMKernel factors the covariances. A covariance that is not
// positive definite is an error naming the component.
func newGMMKernel(weights, means, covs []float64, k, d int) (*gmmKernel, error) {
	tri := d * (d + 1) / 2
	g := &gmmKernel{k: k, d: d, tri: tri, means: append([]float64(nil), means...), linv: make([]float64, k*tri), logNorm: make([]float64, k)}
	l := make([]float64, d*d)
	col := make([]float64, d)
	for c := 0; c < k; c++ {
		logdet, ok := gmmCholesky(covs[c*d*d:(c+1)*d*d], d, l)
		if !ok {
			return nil, fmt.Errorf("the covariance of component %d is not positive definite; scale the features (StandardScaler), drop constant or duplicated features, or raise regCovar", c)
		}
		gmmInvLower(l, d, g.linv[c*tri:(c+1)*tri], col)
		g.logNorm[c] = math.Log(weights[c]) - 0.5*(float64(d)*math.Log(2*math.Pi)+logdet)
	}
	return g, nil
}

// gmmCholesky writes the lower Cholesky factor of the d×d symmetric
// matrix a into l (d×d, row-major; the upper part is zeroed) and returns
// ln|a|, or false when a is not (numerically) positive definite.
func gmmCholesky(a []float64, d int, l []float64) (float64, bool) {
	clear(l)
	var logdet float64
	for j := 0; j < d; j++ {
		lj := l[j*d : j*d+j]
		s := a[j*d+j]
		for _, v := range lj {
			s -= v * v
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return 0, false
		}
		ljj := math.Sqrt(s)
		l[j*d+j] = ljj
		logdet += 2 * math.Log(ljj)
		inv := 1 / ljj
		for i := j + 1; i < d; i++ {
			li := l[i*d : i*d+j]
			t := a[i*d+j]
			for m, v := range li {
				t -= v * lj[m]
			}
			l[i*d+j] = t * inv
		}
	}
	return logdet, true
}

// gmmInvLower writes the inverse of the lower triangular d×d matrix l
// into out, packed by rows (row i holds columns 0 … i). col is scratch of
// length d.
func gmmInvLower(l []float64, d int, out, col []float64) {
	for c := 0; c < d; c++ {
		// Solve L y = e_c; y_i = 0 for i < c.
		for i := c; i < d; i++ {
			s := 0.0
			if i == c {
				s = 1
			}
			for m := c; m < i; m++ {
				s -= l[i*d+m] * col[m]
			}
			col[i] = s / l[i*d+i]
		}
		for i := c; i < d; i++ {
			out[i*(i+1)/2+c] = col[i]
		}
	}
}

// posterior writes x's posterior probabilities over the components into
// resp (length k) and x minus each mean into diff (k×d), and returns
// ln p(x). It does not allocate.
func (g *gmmKernel) posterior(x, diff, resp []float64) float64 {
	k, d, tri := g.k, g.d, g.tri
	x = x[:d]
	maxv := math.Inf(-1)
	for c := 0; c < k; c++ {
		mu := g.means[c*d : (c+1)*d]
		df := diff[c*d : (c+1)*d]
		for j := range df {
			df[j] = x[j] - mu[j]
		}
		lc := g.linv[c*tri : (c+1)*tri]
		q := 0.0
		p := 0
		for j := 0; j < d; j++ {
			row := lc[p : p+j+1]
			dj := df[:len(row)]
			s := 0.0
			for l, v := range row {
				s += v * dj[l]
			}
			q += s * s
			p += j + 1
		}
		lp := g.logNorm[c] - 0.5*q
		resp[c] = lp
		if lp > maxv {
			maxv = lp
		}
	}
	var sum float64
	for c := 0; c < k; c++ {
		e := math.Exp(resp[c] - maxv)
		resp[c] = e
		sum += e
	}
	inv := 1 / sum
	for c := 0; c < k; c++ {
		resp[c] *= inv
	}
	return maxv + math.Log(sum)
}

// posterior4 is posterior for four rows at once: the four dot products
// that share each entry of the Cholesky inverse run as independent
// chains, which keeps the floating-point units busy. diff holds 4×k×d
// values (row r's at r·k·d), resp 4×k; the log-densities go to lse.
func (g *gmmKernel) posterior4(x0, x1, x2, x3, diff, resp []float64, lse *[4]float64) {
	k, d, tri := g.k, g.d, g.tri
	x0, x1, x2, x3 = x0[:d], x1[:d], x2[:d], x3[:d]
	kd := k * d
	for c := 0; c < k; c++ {
		mu := g.means[c*d : (c+1)*d]
		d0 := diff[c*d : (c+1)*d]
		d1 := diff[kd+c*d : kd+(c+1)*d]
		d2 := diff[2*kd+c*d : 2*kd+(c+1)*d]
		d3 := diff[3*kd+c*d : 3*kd+(c+1)*d]
		for j, m := range mu {
			d0[j] = x0[j] - m
			d1[j] = x1[j] - m
			d2[j] = x2[j] - m
			d3[j] = x3[j] - m
		}
		lc := g.linv[c*tri : (c+1)*tri]
		var q0, q1, q2, q3 float64
		p := 0
		for j := 0; j < d; j++ {
			row := lc[p : p+j+1]
			a0, a1, a2, a3 := d0[:len(row)], d1[:len(row)], d2[:len(row)], d3[:len(row)]
			var s0, s1, s2, s3 float64
			for l, v := range row {
				s0 += v * a0[l]
				s1 += v * a1[l]
				s2 += v * a2[l]
				s3 += v * a3[l]
			}
			q0 += s0 * s0
			q1 += s1 * s1
			q2 += s2 * s2
			q3 += s3 * s3
			p += j + 1
		}
		ln := g.logNorm[c]
		resp[c] = ln - 0.5*q0
		resp[k+c] = ln - 0.5*q1
		resp[2*k+c] = ln - 0.5*q2
		resp[3*k+c] = ln - 0.5*q3
	}
	for r := 0; r < 4; r++ {
		rr := resp[r*k : (r+1)*k]
		maxv := math.Inf(-1)
		for _, v := range rr {
			if v > maxv {
				maxv = v
			}
		}
		var sum float64
		for c, v := range rr {
			e := math.Exp(v - maxv)
			rr[c] = e
			sum += e
		}
		inv := 1 / sum
		for c := range rr {
			rr[c] *= inv
		}
		lse[r] = maxv + math.Log(sum)
	}
}

// gmmAcc holds the sufficient statistics of a pass: the total weighted
// log-likelihood, and per component the weighted responsibility sum nk,
// Σ r·(x−m) (sx, k×d) and Σ r·(x−m)(x−m)ᵀ (ss, k×tri, lower triangle
// packed by rows), where m is the mean the pass measured from.
type gmmAcc struct {
	buf    []float64
	loglik float64
	nk     []float64
	sx     []float64
	ss     []float64
}

func gmmAccLen(k, d int) int { return 1 + k + k*d + k*d*(d+1)/2 }

// view points the named fields into buf (laid out as gmmAccLen).
func (a *gmmAcc) view(k, d int) {
	tri := d * (d + 1) / 2
	a.loglik = a.buf[0]
	a.nk = a.buf[1 : 1+k]
	a.sx = a.buf[1+k : 1+k+k*d]
	a.ss = a.buf[1+k+k*d : 1+k+k*d+k*tri]
}

// gmmAddStats adds r·df and r·df·dfᵀ for component c into part (laid out
// as gmmAccLen).
func gmmAddStats(part []float64, k, d, c int, r float64, df []float64) {
	tri := d * (d + 1) / 2
	part[1+c] += r
	sx := part[1+k+c*d : 1+k+(c+1)*d]
	ss := part[1+k+k*d+c*tri : 1+k+k*d+(c+1)*tri]
	df = df[:d]
	p := 0
	for j := 0; j < d; j++ {
		a := r * df[j]
		sx[j] += a
		row := ss[p : p+j+1]
		dj := df[:len(row)]
		for l := range row {
			row[l] += a * dj[l]
		}
		p += j + 1
	}
}

// gmmMinResp is the smallest posterior probability that counts in the
// M-step: a row adds r·(x−m) and r·(x−m)(x−m)ᵀ to a component only when
// r >= 1e-12. Skipping the rest changes a component's statistics by less
// than 1e-12 per row of their total, and saves most of the M-step's work
// when components are well apart (their far rows have r near 1e-20 or
// less). The log-likelihood is computed exactly.
const gmmMinResp = 1e-12

// gmmPass holds the buffers one fit reuses across its E-steps.
type gmmPass struct {
	partial []float64
	scratch [][]float64
}

// eStep computes responsibilities under kern for every row and returns
// the sufficient statistics, measured from kern's means.
func (ps *gmmPass) eStep(ctx context.Context, data gmmData, kern *gmmKernel) (*gmmAcc, error) {
	k, d := kern.k, kern.d
	accLen := gmmAccLen(k, d)
	workers := runtime.GOMAXPROCS(0)
	for len(ps.scratch) < workers {
		ps.scratch = append(ps.scratch, make([]float64, 4*(k*d+k)))
	}
	partial, blocks, err := gmmBlocks(ctx, data.n, accLen, ps.partial, func(w, lo, hi int, part []float64) error {
		sc := ps.scratch[w]
		diff, resp := sc[:4*k*d], sc[4*k*d:4*(k*d+k)]
		var lse [4]float64
		ll := 0.0
		// add puts row i's share (its responsibilities in resp[r·k:],
		// its differences in diff[r·k·d:]) into the block's sums.
		add := func(i, r int) {
			wt := data.weight(i)
			if wt == 0 {
				return
			}
			ll += wt * lse[r]
			rr := resp[r*k : (r+1)*k]
			for c, v := range rr {
				if v < gmmMinResp {
					continue
				}
				gmmAddStats(part, k, d, c, wt*v, diff[r*k*d+c*d:r*k*d+(c+1)*d])
			}
		}
		i := lo
		for ; i+4 <= hi; i += 4 {
			kern.posterior4(data.row(i), data.row(i+1), data.row(i+2), data.row(i+3), diff, resp, &lse)
			for r := 0; r < 4; r++ {
				add(i+r, r)
			}
		}
		for ; i < hi; i++ {
			lse[0] = kern.posterior(data.row(i), diff, resp)
			add(i, 0)
		}
		part[0] += ll
		return nil
	})
	ps.partial = partial
	if err != nil {
		return nil, err
	}
	acc := &gmmAcc{buf: make([]float64, accLen)}
	gmmSumBlocks(acc.buf, partial, blocks)
	acc.view(k, d)
	return acc, nil
}

// gmmNearestStats computes the sufficient statistics of hard
// assignments: row i belongs, with its weight, to the nearest of the k
// centres (k×d), and differences are measured from that centre.
func gmmNearestStats(ctx context.Context, data gmmData, centres []float64, k int) (*gmmAcc, error) {
	d := data.d
	accLen := gmmAccLen(k, d)
	diff := make([][]float64, runtime.GOMAXPROCS(0))
	for w := range diff {
		diff[w] = make([]float64, d)
	}
	partial, blocks, err := gmmBlocks(ctx, data.n, accLen, nil, func(w, lo, hi int, part []float64) error {
		df := diff[w]
		for i := lo; i < hi; i++ {
			wt := data.weight(i)
			if wt == 0 {
				continue
			}
			x := data.row(i)
			best, bestD := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				if dd := gmmDist2(x, centres[c*d:(c+1)*d]); dd < bestD {
					best, bestD = c, dd
				}
			}
			mu := centres[best*d : (best+1)*d]
			for j := range df {
				df[j] = x[j] - mu[j]
			}
			gmmAddStats(part, k, d, best, wt, df)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	acc := &gmmAcc{buf: make([]float64, accLen)}
	gmmSumBlocks(acc.buf, partial, blocks)
	acc.view(k, d)
	return acc, nil
}
