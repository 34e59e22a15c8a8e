package clustering

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Random streams (the second PCG word) of the initialization, so each
// use of the seed draws independent numbers.
const (
	kmStreamInit   = 0x6b6d65616e73 // "kmeans": first row, random init, local k-means++
	kmStreamSample = 0x6b6d73616d70 // "kmsamp" (+ step and range): k-means|| sampling
)

// kmLocalIter is the number of Lloyd iterations of the local k-means++
// on the k-means|| candidates (Spark's 30).
const kmLocalIter = 30

// center returns row i as a centre: a dense copy, normalized for the
// cosine measure.
func (kf *kmFit) center(i int) []float64 {
	c := kf.p.dense(i)
	if kf.cosine {
		inv := kf.p.inv[i]
		for t := range c {
			c[t] *= inv
		}
	}
	return c
}

// randomRow returns a uniformly random row with a positive weight.
func (kf *kmFit) randomRow(rng *rand.Rand) int {
	p := kf.p
	for range 64 {
		if i := rng.IntN(p.n); p.weight(i) > 0 {
			return i
		}
	}
	var pos []int
	for i := range p.n {
		if p.weight(i) > 0 {
			pos = append(pos, i)
		}
	}
	return pos[rng.IntN(len(pos))]
}

// initRandom picks k distinct rows with positive weight at random (all of
// them when there are fewer) and returns their distinct values.
func (kf *kmFit) initRandom(k int, seed int64) [][]float64 {
	p := kf.p
	rng := rand.New(rand.NewPCG(uint64(seed), kmStreamInit))
	var rows []int
	if k*4 >= p.n {
		perm := rng.Perm(p.n)
		for _, i := range perm {
			if len(rows) == k {
				break
			}
			if p.weight(i) > 0 {
				rows = append(rows, i)
			}
		}
	} else {
		seen := make(map[int]bool, k)
		for tries := 0; len(rows) < k && tries < 64*k; tries++ {
			i := rng.IntN(p.n)
			if !seen[i] && p.weight(i) > 0 {
				seen[i] = true
				rows = append(rows, i)
			}
		}
		for i := 0; len(rows) < k && i < p.n; i++ { // mostly zero weights
			if !seen[i] && p.weight(i) > 0 {
				seen[i] = true
				rows = append(rows, i)
			}
		}
	}
	cands := make([][]float64, len(rows))
	for t, i := range rows {
		cands[t] = kf.center(i)
	}
	distinct, _ := kmDistinct(cands)
	out := make([][]float64, len(distinct))
	for t, c := range distinct {
		out[t] = cands[c]
	}
	return out
}

// initParallel is k-means|| (see KMeans).
func (kf *kmFit) initParallel(ctx context.Context, k, steps int, seed int64) ([][]float64, error) {
	p := kf.p
	rng := rand.New(rand.NewPCG(uint64(seed), kmStreamInit))
	cands := [][]float64{kf.center(kf.randomRow(rng))}
	costs := make([]float64, p.n)
	for i := range costs {
		costs[i] = math.Inf(1)
	}
	near := make([]int32, p.n)
	done := 0 // candidates already folded into costs and near
	for step := range steps {
		total, err := kf.updateCosts(ctx, cands, done, costs, near)
		if err != nil {
			return nil, err
		}
		done = len(cands)
		if !(total > 0) {
			break // every row sits on a candidate
		}
		chosen, err := kf.sample(ctx, costs, 2*float64(k)/total, seed, step)
		if err != nil {
			return nil, err
		}
		for _, i := range chosen {
			cands = append(cands, kf.center(i))
		}
	}
	if _, err := kf.updateCosts(ctx, cands, done, costs, near); err != nil {
		return nil, err
	}
	distinct, of := kmDistinct(cands)
	if len(distinct) <= k {
		out := make([][]float64, len(distinct))
		for t, c := range distinct {
			out[t] = cands[c]
		}
		return out, nil
	}
	// Weight each distinct candidate by the rows nearest to it.
	rs := kf.rs
	part := make([][]float64, rs.nr)
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		ws := make([]float64, len(distinct))
		lo, hi := rs.bounds(r)
		for i := lo; i < hi; i++ {
			ws[of[near[i]]] += p.weight(i)
		}
		part[r] = ws
		return nil
	})
	if err != nil {
		return nil, err
	}
	pts := make([][]float64, len(distinct))
	weights := make([]float64, len(distinct))
	for t, c := range distinct {
		pts[t] = cands[c]
	}
	for _, ws := range part {
		for t, w := range ws {
			weights[t] += w
		}
	}
	return kmLocalPlusPlus(ctx, rng, pts, weights, k, kmLocalIter, kf.cosine)
}

// updateCosts lowers costs[i] to row i's distance to the nearest of
// cands[from:] (recording its index in near) and returns Σ w·costs.
func (kf *kmFit) updateCosts(ctx context.Context, cands [][]float64, from int, costs []float64, near []int32) (float64, error) {
	p := kf.p
	rs := kf.rs
	totals := make([]float64, rs.nr)
	var cs *kmCenters
	if from < len(cands) {
		cs = newKMCenters(cands[from:], p.d)
	}
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		sc := kf.pool.get()
		defer kf.pool.put(sc)
		lo, hi := rs.bounds(r)
		var total float64
		for b := lo; b < hi; b += kmBlock {
			if err := ctx.Err(); err != nil {
				return err
			}
			e := min(b+kmBlock, hi)
			if cs != nil {
				cs.nearest(p, b, e, sc)
			}
			for i := b; i < e; i++ {
				if cs != nil {
					j := sc.lab[i-b]
					if c := kf.cost(i, cs, j, sc.score[i-b]); c < costs[i] {
						costs[i], near[i] = c, int32(from)+j
					}
				}
				total += p.weight(i) * costs[i]
			}
		}
		totals[r] = total
		return nil
	})
	var total float64
	for _, t := range totals {
		total += t
	}
	return total, err
}

// sample returns the rows chosen with probability min(1, scale·w·cost),
// in row order. Each range draws from its own stream of the seed, so the
// choice does not depend on the number of cores.
func (kf *kmFit) sample(ctx context.Context, costs []float64, scale float64, seed int64, step int) ([]int, error) {
	p := kf.p
	rs := kf.rs
	part := make([][]int, rs.nr)
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		rng := rand.New(rand.NewPCG(uint64(seed)^uint64(step+1)<<40^uint64(r), kmStreamSample))
		lo, hi := rs.bounds(r)
		var out []int
		for i := lo; i < hi; i++ {
			if rng.Float64() < scale*p.weight(i)*costs[i] {
				out = append(out, i)
			}
		}
		part[r] = out
		return nil
	})
	var all []int
	for _, rows := range part {
		all = append(all, rows...)
	}
	return all, err
}

// kmDistinct returns the indices of the first occurrence of each distinct
// vector in cands and, for every candidate, the position of its value in
// that list.
func kmDistinct(cands [][]float64) (distinct []int, of []int) {
	seen := make(map[string]int, len(cands))
	of = make([]int, len(cands))
	var buf []byte
	for t, c := range cands {
		buf = buf[:0]
		for _, v := range c {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
		key := string(buf)
		if u, ok := seen[key]; ok {
			of[t] = u
			continue
		}
		seen[key] = len(distinct)
		of[t] = len(distinct)
		distinct = append(distinct, t)
	}
	return distinct, of
}

// kmLocalPlusPlus chooses k centres among weighted points with greedy
// k-means++ seeding followed by up to maxIter weighted Lloyd iterations,
// as Spark's LocalKMeans. Greedy seeding (Arthur and Vassilvitskii's
// variant, which scikit-learn uses) draws 2 + ⌊ln k⌋ candidates for each
// next centre, each with probability proportional to weight × distance
// to the nearest centre so far, and keeps the one that lowers the
// weighted cost most; Spark draws one, which on well-separated data
// often puts two centres in one cluster and none in another. A centre
// left without points jumps to a random point. len(pts) must exceed 0.
// ctx is checked once per centre and per iteration.
func kmLocalPlusPlus(ctx context.Context, rng *rand.Rand, pts [][]float64, w []float64, k, maxIter int, cosine bool) ([][]float64, error) {
	dist := func(a, b []float64) float64 {
		if cosine {
			return max(0, 1-kmDot(a, b))
		}
		return kmSqDist(a, b)
	}
	n, d := len(pts), len(pts[0])
	trials := 2 + int(math.Log(float64(k)))
	centers := make([][]float64, k)
	centers[0] = append([]float64(nil), pts[kmPickWeighted(rng, w)]...)
	costs := make([]float64, n)
	for i, x := range pts {
		costs[i] = dist(x, centers[0])
	}
	trial := make([]float64, n)
	bestCosts := make([]float64, n)
	for c := 1; c < k; c++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var sum float64
		for i := range pts {
			sum += w[i] * costs[i]
		}
		bestPot, pick := math.Inf(1), 0
		for range trials {
			r := rng.Float64() * sum
			var cum float64
			j := 0
			for j < n && cum < r {
				cum += w[j] * costs[j]
				j++
			}
			cand := max(j-1, 0)
			var pot float64
			for i, x := range pts {
				trial[i] = min(costs[i], dist(x, pts[cand]))
				pot += w[i] * trial[i]
			}
			if pot < bestPot {
				bestPot, pick = pot, cand
				copy(bestCosts, trial)
			}
		}
		centers[c] = append([]float64(nil), pts[pick]...)
		copy(costs, bestCosts)
	}
	closest := make([]int, n)
	for i := range closest {
		closest[i] = -1
	}
	sums := make([][]float64, k)
	for c := range sums {
		sums[c] = make([]float64, d)
	}
	counts := make([]float64, k)
	// The nearest centres come from the blocked kernel: for unit centres
	// (cosine) its argmin is the largest cosine similarity.
	flat := make([]float64, 0, n*d)
	for _, x := range pts {
		flat = append(flat, x...)
	}
	pd := &kmData{n: n, d: d, x: flat}
	cs := &kmCenters{d: d}
	var pool kmPool
	sc := pool.get()
	for it, moved := 0, true; moved && it < maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		moved = false
		for c := range k {
			clear(sums[c])
			counts[c] = 0
		}
		cs.set(centers)
		for i, x := range pts {
			if i%kmBlock == 0 {
				cs.nearest(pd, i, min(i+kmBlock, n), sc)
			}
			best := int(sc.lab[i%kmBlock])
			for t, v := range x {
				sums[best][t] += w[i] * v
			}
			counts[best] += w[i]
			if best != closest[i] {
				moved = true
				closest[i] = best
			}
		}
		for c := range k {
			if counts[c] == 0 {
				centers[c] = append(centers[c][:0], pts[rng.IntN(n)]...)
				continue
			}
			for t := range d {
				centers[c][t] = sums[c][t] / counts[c]
			}
			if cosine {
				if nn := math.Sqrt(kmDot(centers[c], centers[c])); nn > 0 {
					for t := range d {
						centers[c][t] /= nn
					}
				}
			}
		}
	}
	return centers, nil
}

// kmPickWeighted returns an index drawn with probability proportional to
// w (the last positive one if rounding runs past the end).
func kmPickWeighted(rng *rand.Rand, w []float64) int {
	var sum float64
	for _, v := range w {
		sum += v
	}
	r := rng.Float64() * sum
	last := 0
	var cum float64
	for i, v := range w {
		if v <= 0 {
			continue
		}
		last = i
		cum += v
		if cum >= r {
			return i
		}
	}
	return last
}
