package clustering

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
)

// gmmLloydIters caps the Lloyd iterations of GaussianMixture's k-means
// initialisation; EM refines the result anyway.
const gmmLloydIters = 20

// gmmLloydTol stops Lloyd's iterations once the centres move by less
// than this share of the mean feature variance (scikit-learn's KMeans
// tol).
const gmmLloydTol = 1e-4

// gmmDist2 returns the squared euclidean distance of a and b (len(a)).
func gmmDist2(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for j, v := range a {
		t := v - b[j]
		s += t * t
	}
	return s
}

// The k-means initialisation runs gmmInitRestarts greedy k-means++
// seedings, each refined by Lloyd's iterations, on a small sample
// (gmmInitSmall rows, or 64 per component if more), keeps the one with
// the lowest within-cluster sum of squares and refines it with Lloyd's
// iterations on a larger sample (gmmInitLarge rows, or 256 per
// component if more).
const (
	gmmInitRestarts = 8
	gmmInitSmall    = 4096
	gmmInitLarge    = 16384
)

// gmmKMeansInit finds k starting centres (k×d) as described above;
// samples are uniform over the rows with positive weight (all of them
// when there are few).
func gmmKMeansInit(ctx context.Context, data gmmData, k int, rng *rand.Rand) ([]float64, error) {
	small := gmmSampleRows(data, max(gmmInitSmall, 64*k), rng)
	large := gmmSampleRows(data, max(gmmInitLarge, 256*k), rng)
	tol := gmmLloydTol * gmmMeanVariance(large)
	var best []float64
	bestCost := math.Inf(1)
	for r := 0; r < gmmInitRestarts; r++ {
		centres, err := gmmKMeansPP(ctx, small, k, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
		if err != nil {
			return nil, err
		}
		cost, err := gmmLloyd(ctx, small, k, centres, tol)
		if err != nil {
			return nil, err
		}
		if cost < bestCost || best == nil {
			best, bestCost = centres, cost
		}
	}
	if large.n > small.n {
		if _, err := gmmLloyd(ctx, large, k, best, tol); err != nil {
			return nil, err
		}
	}
	return best, nil
}

// gmmMeanVariance returns the mean over features of their weighted
// variance.
func gmmMeanVariance(data gmmData) float64 {
	d := data.d
	sum := make([]float64, d)
	sq := make([]float64, d)
	var tw float64
	for i := 0; i < data.n; i++ {
		w := data.weight(i)
		tw += w
		for j, v := range data.row(i) {
			sum[j] += w * v
			sq[j] += w * v * v
		}
	}
	if !(tw > 0) {
		return 0
	}
	var mv float64
	for j := range sum {
		m := sum[j] / tw
		mv += max(0, sq[j]/tw-m*m)
	}
	return mv / float64(d)
}

// gmmSampleRows returns up to m rows of data with positive weight,
// chosen uniformly without replacement and kept in their order, with
// their weights; data itself when it has at most m rows.
func gmmSampleRows(data gmmData, m int, rng *rand.Rand) gmmData {
	if data.n <= m {
		return data
	}
	// Selection sampling (Knuth's algorithm S) over the rows of positive
	// weight.
	eligible := data.n
	if data.w != nil {
		eligible = 0
		for _, w := range data.w {
			if w > 0 {
				eligible++
			}
		}
		if eligible <= m {
			m = eligible
		}
	}
	out := gmmData{x: make([]float64, 0, m*data.d), n: 0, d: data.d}
	if data.w != nil {
		out.w = make([]float64, 0, m)
	}
	seen := 0
	for i := 0; i < data.n && out.n < m; i++ {
		if data.w != nil && !(data.w[i] > 0) {
			continue
		}
		if float64(eligible-seen)*rng.Float64() < float64(m-out.n) {
			out.x = append(out.x, data.row(i)...)
			if data.w != nil {
				out.w = append(out.w, data.w[i])
			}
			out.n++
		}
		seen++
	}
	return out
}

// gmmKMeansPP seeds k centres with greedy k-means++ (scikit-learn's:
// 2+⌊ln k⌋ candidates per centre, drawn with probability ∝ weight ×
// squared distance to the nearest centre so far; the one lowering the
// potential most wins). Rows of weight 0 never become centres; when every
// row already sits on a centre (fewer distinct rows than k) candidates
// are drawn ∝ weight.
func gmmKMeansPP(ctx context.Context, data gmmData, k int, rng *rand.Rand) ([]float64, error) {
	n, d := data.n, data.d
	centres := make([]float64, k*d)
	closest := make([]float64, n)
	cum := make([]float64, n)

	// pick draws a row with probability ∝ weight·score (score nil: ∝
	// weight), by a binary search of the cumulative sums.
	pick := func(score []float64) int {
		var tot float64
		for i := 0; i < n; i++ {
			v := data.weight(i)
			if score != nil {
				v *= score[i]
			}
			tot += v
			cum[i] = tot
		}
		if !(tot > 0) {
			return -1
		}
		u := rng.Float64() * tot
		i := sort.SearchFloat64s(cum, u)
		for i < n-1 && (cum[i] <= u || data.weight(i) == 0) { // skip zero-mass rows at the boundary
			i++
		}
		return min(i, n-1)
	}
	first := pick(nil)
	copy(centres[:d], data.row(first))
	if _, _, err := gmmBlocks(ctx, n, 0, nil, func(_, lo, hi int, _ []float64) error {
		for i := lo; i < hi; i++ {
			closest[i] = gmmDist2(data.row(i), centres[:d])
		}
		return nil
	}); err != nil {
		return nil, err
	}
	trials := 2 + int(math.Log(float64(k)))
	cand := make([]int, trials)
	pots := make([]float64, trials)
	var partial []float64
	for c := 1; c < k; c++ {
		for t := range cand {
			cand[t] = pick(closest)
		}
		if cand[0] < 0 {
			for t := range cand {
				cand[t] = pick(nil)
			}
		}
		var blocks int
		var err error
		partial, blocks, err = gmmBlocks(ctx, n, trials, partial, func(_, lo, hi int, part []float64) error {
			for i := lo; i < hi; i++ {
				x, w := data.row(i), data.weight(i)
				for t, ci := range cand {
					part[t] += w * min(closest[i], gmmDist2(x, data.row(ci)))
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		gmmSumBlocks(pots, partial, blocks)
		best := 0
		for t := range pots {
			if pots[t] < pots[best] {
				best = t
			}
		}
		cen := centres[c*d : (c+1)*d]
		copy(cen, data.row(cand[best]))
		if _, _, err := gmmBlocks(ctx, n, 0, nil, func(_, lo, hi int, _ []float64) error {
			for i := lo; i < hi; i++ {
				closest[i] = min(closest[i], gmmDist2(data.row(i), cen))
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return centres, nil
}

// gmmLloyd runs Lloyd's k-means iterations from centres (updated in
// place) until no row changes cluster, the centres move by at most tol
// (sum of squares) or gmmLloydIters, and returns the weighted sum of
// squared distances of the rows to their centre at the last assignment.
// An empty cluster keeps its centre.
func gmmLloyd(ctx context.Context, data gmmData, k int, centres []float64, tol float64) (float64, error) {
	n, d := data.n, data.d
	labels := make([]int32, n)
	accLen := 2 + k + k*d // changed rows, cost, Σw and Σw·x per cluster
	var partial []float64
	sums := make([]float64, accLen)
	norms := make([]float64, k)
	for it := 0; it < gmmLloydIters; it++ {
		for c := range norms {
			cen := centres[c*d : (c+1)*d]
			norms[c] = gmmDot(cen, cen)
		}
		var blocks int
		var err error
		partial, blocks, err = gmmBlocks(ctx, n, accLen, partial, func(_, lo, hi int, part []float64) error {
			for i := lo; i < hi; i++ {
				x := data.row(i)
				// argmin ‖c‖² − 2x·c, the squared distance less ‖x‖².
				best, bestD := 0, math.Inf(1)
				for c := 0; c < k; c++ {
					if dd := norms[c] - 2*gmmDot(x, centres[c*d:(c+1)*d]); dd < bestD {
						best, bestD = c, dd
					}
				}
				if it == 0 || labels[i] != int32(best) {
					part[0]++
					labels[i] = int32(best)
				}
				w := data.weight(i)
				part[1] += w * gmmDist2(x, centres[best*d:(best+1)*d])
				part[2+best] += w
				s := part[2+k+best*d : 2+k+(best+1)*d]
				for j, v := range x {
					s[j] += w * v
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		gmmSumBlocks(sums, partial, blocks)
		if it > 0 && sums[0] == 0 {
			break
		}
		shift := 0.0
		for c := 0; c < k; c++ {
			wc := sums[2+c]
			if !(wc > 0) {
				continue
			}
			cen := centres[c*d : (c+1)*d]
			for j := range cen {
				v := sums[2+k+c*d+j] / wc
				shift += (v - cen[j]) * (v - cen[j])
				cen[j] = v
			}
		}
		if shift <= tol {
			break
		}
	}
	return sums[1], nil
}

// gmmDot returns a·b over len(a).
func gmmDot(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for j, v := range a {
		s += v * b[j]
	}
	return s
}
