package clustering

import (
	"math"
	"slices"
)

// kmCenters is a set of centres in the form the nearest-centre kernel
// reads: row-major k×d values and their squared norms.
type kmCenters struct {
	k, d int
	c    []float64 // k×d
	n2   []float64 // ‖c_j‖²
	// For the SIMD kernel: kp is k rounded up to a multiple of 4, ct the
	// centres transposed (d×kp) and scaled by -2, n2p n2 padded with +Inf
	// so the padding centres never win. Nil without SIMD support.
	kp  int
	ct  []float64
	n2p []float64
}

func newKMCenters(rows [][]float64, d int) *kmCenters {
	cs := &kmCenters{d: d}
	cs.set(rows)
	return cs
}

// set replaces the centres (copying them).
func (cs *kmCenters) set(rows [][]float64) {
	cs.k = len(rows)
	cs.c = cs.c[:0]
	cs.n2 = cs.n2[:0]
	for _, r := range rows {
		cs.c = append(cs.c, r...)
		cs.n2 = append(cs.n2, kmDot(r, r))
	}
	cs.prepareSIMD()
}

// prepareSIMD fills kp, ct and n2p from c and n2 (a no-op without SIMD).
func (cs *kmCenters) prepareSIMD() {
	if !kmHasSIMD || cs.k == 0 {
		return
	}
	cs.kp = (cs.k + 3) &^ 3
	cs.ct = slices.Grow(cs.ct[:0], cs.d*cs.kp)[:cs.d*cs.kp]
	clear(cs.ct)
	cs.n2p = slices.Grow(cs.n2p[:0], cs.kp)[:cs.kp]
	for j := range cs.kp {
		if j >= cs.k {
			cs.n2p[j] = math.Inf(1)
			continue
		}
		cs.n2p[j] = cs.n2[j]
		for t, v := range cs.row(j) {
			cs.ct[t*cs.kp+j] = -2 * v
		}
	}
}

func (cs *kmCenters) row(j int) []float64 { return cs.c[j*cs.d : (j+1)*cs.d : (j+1)*cs.d] }

// nearest finds, for rows lo … hi-1 of p (at most kmBlock of them), the
// nearest centre j and the score ‖c_j‖² − 2x·c_j it minimizes, which is
// the squared euclidean distance minus ‖x‖². For unit-norm centres the
// same j maximizes the cosine similarity. Ties go to the lower index.
//
// The results go to sc.lab and sc.score (indexed from 0 for row lo).
func (cs *kmCenters) nearest(p *kmData, lo, hi int, sc *kmScratch) {
	lab, score := sc.lab[:hi-lo], sc.score[:hi-lo]
	switch {
	case p.sparse():
		cs.nearestSparse(p, lo, hi, lab, score)
	case cs.ct != nil:
		cs.nearestSIMD(p.x[lo*p.d:hi*p.d], lab, score)
	default:
		cs.nearestDense(p.x[lo*p.d:hi*p.d], lab, score)
	}
}

// nearestSIMD is nearest for contiguous dense rows x with the assembly
// kernel, which handles pairs of rows; an odd last row goes to the
// portable kernel.
func (cs *kmCenters) nearestSIMD(x []float64, lab []int32, score []float64) {
	d := cs.d
	even := len(lab) &^ 1
	if even > 0 {
		kmNearestAVX2(&x[0], even, d, &cs.ct[0], cs.kp, &cs.n2p[0], &lab[0], &score[0])
	}
	if even < len(lab) {
		cs.nearestDense(x[even*d:], lab[even:], score[even:])
	}
}

// nearestDense is nearest for len(lab) contiguous dense rows x in
// portable Go. It works on two rows and four centres at a time, so eight
// dot products share each load.
func (cs *kmCenters) nearestDense(x []float64, lab []int32, score []float64) {
	d, k := cs.d, cs.k
	r := len(lab)
	inf := math.Inf(1)
	i := 0
	for ; i+1 < r; i += 2 {
		xa := x[i*d : (i+1)*d : (i+1)*d]
		xb := x[(i+1)*d : (i+2)*d : (i+2)*d]
		ba, bb := inf, inf
		la, lb := 0, 0
		j := 0
		for ; j+3 < k; j += 4 {
			a0, a1, a2, a3, b0, b1, b2, b3 := kmDots2x4(xa, xb, cs.row(j), cs.row(j+1), cs.row(j+2), cs.row(j+3))
			n := cs.n2[j : j+4 : j+4]
			if s := n[0] - 2*a0; s < ba {
				ba, la = s, j
			}
			if s := n[1] - 2*a1; s < ba {
				ba, la = s, j+1
			}
			if s := n[2] - 2*a2; s < ba {
				ba, la = s, j+2
			}
			if s := n[3] - 2*a3; s < ba {
				ba, la = s, j+3
			}
			if s := n[0] - 2*b0; s < bb {
				bb, lb = s, j
			}
			if s := n[1] - 2*b1; s < bb {
				bb, lb = s, j+1
			}
			if s := n[2] - 2*b2; s < bb {
				bb, lb = s, j+2
			}
			if s := n[3] - 2*b3; s < bb {
				bb, lb = s, j+3
			}
		}
		for ; j < k; j++ {
			a0, b0 := kmDots2x1(xa, xb, cs.row(j))
			if s := cs.n2[j] - 2*a0; s < ba {
				ba, la = s, j
			}
			if s := cs.n2[j] - 2*b0; s < bb {
				bb, lb = s, j
			}
		}
		lab[i], score[i] = int32(la), ba
		lab[i+1], score[i+1] = int32(lb), bb
	}
	if i < r {
		xa := x[i*d : (i+1)*d : (i+1)*d]
		ba, la := inf, 0
		for j := range k {
			if s := cs.n2[j] - 2*kmDot(xa, cs.row(j)); s < ba {
				ba, la = s, j
			}
		}
		lab[i], score[i] = int32(la), ba
	}
}

// nearestSparse is nearest for sparse rows.
func (cs *kmCenters) nearestSparse(p *kmData, lo, hi int, lab []int32, score []float64) {
	inf := math.Inf(1)
	for i := lo; i < hi; i++ {
		idx, val := p.sparseRow(i)
		b, l := inf, 0
		for j := range cs.k {
			c := cs.row(j)
			var dot float64
			for t, ix := range idx {
				dot += val[t] * c[ix]
			}
			if s := cs.n2[j] - 2*dot; s < b {
				b, l = s, j
			}
		}
		lab[i-lo], score[i-lo] = int32(l), b
	}
}

// kmDots2x4 returns the dot products of rows a and b with c0 … c3.
func kmDots2x4(a, b, c0, c1, c2, c3 []float64) (a0, a1, a2, a3, b0, b1, b2, b3 float64) {
	n := len(a)
	b, c0, c1, c2, c3 = b[:n], c0[:n], c1[:n], c2[:n], c3[:n]
	for j := range n {
		x, y := a[j], b[j]
		v := c0[j]
		a0 += x * v
		b0 += y * v
		v = c1[j]
		a1 += x * v
		b1 += y * v
		v = c2[j]
		a2 += x * v
		b2 += y * v
		v = c3[j]
		a3 += x * v
		b3 += y * v
	}
	return
}

// kmDots2x1 returns the dot products of rows a and b with c.
func kmDots2x1(a, b, c []float64) (s, t float64) {
	n := len(a)
	b, c = b[:n], c[:n]
	for j := range n {
		s += a[j] * c[j]
		t += b[j] * c[j]
	}
	return
}

// kmDot returns a·b (len(b) >= len(a)).
func kmDot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	j := 0
	for ; j+1 < len(a); j += 2 {
		s0 += a[j] * b[j]
		s1 += a[j+1] * b[j+1]
	}
	if j < len(a) {
		s0 += a[j] * b[j]
	}
	return s0 + s1
}

// kmSqDist returns ‖a − b‖² computed directly (no cancellation).
func kmSqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	j := 0
	for ; j+1 < len(a); j += 2 {
		u, v := a[j]-b[j], a[j+1]-b[j+1]
		s0 += u * u
		s1 += v * v
	}
	if j < len(a) {
		u := a[j] - b[j]
		s0 += u * u
	}
	return s0 + s1
}

// sqDistTo returns ‖x_i − c‖² for row i of p: exact for dense rows;
// ‖x‖² + ‖c‖² − 2x·c (clamped at 0) for sparse ones, given cn2 = ‖c‖².
func (p *kmData) sqDistTo(i int, c []float64, cn2 float64) float64 {
	if !p.sparse() {
		return kmSqDist(p.row(i), c)
	}
	idx, val := p.sparseRow(i)
	var xx, dot float64
	for t, j := range idx {
		xx += val[t] * val[t]
		dot += val[t] * c[j]
	}
	return max(0, xx+cn2-2*dot)
}

// dotWith returns x_i·c.
func (p *kmData) dotWith(i int, c []float64) float64 {
	if !p.sparse() {
		return kmDot(p.row(i), c)
	}
	idx, val := p.sparseRow(i)
	var dot float64
	for t, j := range idx {
		dot += val[t] * c[j]
	}
	return dot
}

// addTo adds f·x_i to sum.
func (p *kmData) addTo(i int, f float64, sum []float64) {
	if p.sparse() {
		idx, val := p.sparseRow(i)
		for t, j := range idx {
			sum[j] += f * val[t]
		}
		return
	}
	x := p.row(i)
	sum = sum[:len(x)]
	if f == 1 {
		for j, v := range x {
			sum[j] += v
		}
		return
	}
	for j, v := range x {
		sum[j] += f * v
	}
}
