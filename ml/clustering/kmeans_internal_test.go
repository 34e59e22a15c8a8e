package clustering

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestKMNearestKernels checks the SIMD and portable kernels against a
// brute-force search, for shapes that exercise every remainder path.
func TestKMNearestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var pool kmPool
	for _, d := range []int{1, 2, 3, 7, 20, 33} {
		for _, k := range []int{1, 2, 3, 4, 5, 15, 16, 17, 33} {
			for _, rows := range []int{1, 2, 5, 256} {
				x := make([]float64, rows*d)
				for i := range x {
					x[i] = rng.NormFloat64() * 3
				}
				cent := make([][]float64, k)
				for j := range cent {
					cent[j] = make([]float64, d)
					for t := range cent[j] {
						cent[j][t] = rng.NormFloat64() * 3
					}
				}
				p := &kmData{n: rows, d: d, x: x}
				cs := newKMCenters(cent, d)
				sc := pool.get()
				cs.nearest(p, 0, rows, sc)
				lab := make([]int32, rows)
				score := make([]float64, rows)
				cs.nearestDense(x, lab, score)
				for i := range rows {
					best, bd := 0, math.Inf(1)
					for j := range k {
						if dd := kmSqDist(x[i*d:(i+1)*d], cent[j]); dd < bd {
							best, bd = j, dd
						}
					}
					xx := kmDot(x[i*d:(i+1)*d], x[i*d:(i+1)*d])
					for _, got := range []struct {
						name  string
						lab   int32
						score float64
					}{{"nearest", sc.lab[i], sc.score[i]}, {"portable", lab[i], score[i]}} {
						// A near tie may go either way in floating point.
						if int(got.lab) != best && kmSqDist(x[i*d:(i+1)*d], cent[got.lab])-bd > 1e-9*(1+bd) {
							t.Fatalf("d=%d k=%d rows=%d row %d: %s picked centre %d, want %d", d, k, rows, i, got.name, got.lab, best)
						}
						if math.Abs(got.score+xx-bd) > 1e-9*(1+xx+bd) {
							t.Fatalf("d=%d k=%d rows=%d row %d: %s score %v + ‖x‖² = %v, want %v", d, k, rows, i, got.name, got.score, got.score+xx, bd)
						}
					}
				}
				pool.put(sc)
			}
		}
	}
}

// TestKMNearestSparse checks the sparse kernel against the dense one.
func TestKMNearestSparse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, d, k := 50, 12, 5
	dense := &kmData{n: n, d: d, x: make([]float64, n*d)}
	sparse := &kmData{n: n, d: d, ptr: []int{0}}
	for i := range n {
		for j := range d {
			if rng.Float64() < 0.3 {
				v := rng.NormFloat64()
				dense.x[i*d+j] = v
				sparse.idx = append(sparse.idx, int32(j))
				sparse.val = append(sparse.val, v)
			}
		}
		sparse.ptr = append(sparse.ptr, len(sparse.val))
	}
	cent := make([][]float64, k)
	for j := range cent {
		cent[j] = dense.dense(rng.IntN(n))
	}
	cs := newKMCenters(cent, d)
	var pool kmPool
	a, b := pool.get(), pool.get()
	cs.nearest(dense, 0, n, a)
	cs.nearest(sparse, 0, n, b)
	for i := range n {
		if a.lab[i] != b.lab[i] || math.Abs(a.score[i]-b.score[i]) > 1e-12 {
			t.Fatalf("row %d: dense (%d, %v), sparse (%d, %v)", i, a.lab[i], a.score[i], b.lab[i], b.score[i])
		}
		if got, want := sparse.sqDistTo(i, cs.row(int(a.lab[i])), cs.n2[a.lab[i]]), dense.sqDistTo(i, cs.row(int(a.lab[i])), cs.n2[a.lab[i]]); math.Abs(got-want) > 1e-9 {
			t.Fatalf("row %d: sparse distance %v, dense %v", i, got, want)
		}
	}
}

// kmReference is testdata/kmeans_reference.json (kmeans_gen_reference.py).
type kmReference struct {
	Lloyd []struct {
		Name       string      `json:"name"`
		X          [][]float64 `json:"X"`
		W          []float64   `json:"w"`
		Init       [][]float64 `json:"init"`
		MaxIter    int         `json:"maxIter"`
		Tol        float64     `json:"tol"`
		Measure    string      `json:"measure"`
		Centers    [][]float64 `json:"centers"`
		Cost       float64     `json:"cost"`
		Iterations int         `json:"iterations"`
	} `json:"lloyd"`
}

// TestKMLloydReference runs Lloyd's iterations from the reference's
// initial centres and compares centres, cost and iteration count with
// numpy (Spark's rules) and, for euclidean, scikit-learn.
func TestKMLloydReference(t *testing.T) {
	b, err := os.ReadFile("testdata/kmeans_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref kmReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Lloyd {
		for _, sparse := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sparse=%v", c.Name, sparse), func(t *testing.T) {
				d := len(c.X[0])
				p := &kmData{n: len(c.X), d: d, w: c.W}
				if sparse {
					p.ptr = []int{0}
					for _, r := range c.X {
						for j, v := range r {
							p.idx, p.val = append(p.idx, int32(j)), append(p.val, v)
						}
						p.ptr = append(p.ptr, len(p.val))
					}
				} else {
					for _, r := range c.X {
						p.x = append(p.x, r...)
					}
				}
				cosine := c.Measure == "cosine"
				if cosine {
					if err := p.computeInv(context.Background(), "features"); err != nil {
						t.Fatal(err)
					}
				}
				kf, err := newKMFit(context.Background(), p, cosine)
				if err != nil {
					t.Fatal(err)
				}
				cs := newKMCenters(c.Init, d)
				cost, iters, _, err := kf.lloyd(context.Background(), cs, c.MaxIter, c.Tol)
				if err != nil {
					t.Fatal(err)
				}
				if iters != c.Iterations {
					t.Errorf("iterations %d, want %d", iters, c.Iterations)
				}
				if math.Abs(cost-c.Cost) > 1e-9*c.Cost {
					t.Errorf("cost %.12g, want %.12g", cost, c.Cost)
				}
				for j, want := range c.Centers {
					for q, v := range want {
						if got := cs.row(j)[q]; math.Abs(got-v) > 1e-9*(1+math.Abs(v)) {
							t.Fatalf("centre %d[%d] = %.12g, want %.12g", j, q, got, v)
						}
					}
				}
			})
		}
	}
}

// TestKMSplitIndependentOfCores checks that row ranges depend on the
// data size only.
func TestKMSplit(t *testing.T) {
	for _, tc := range []struct{ n, acc, want int }{
		{0, 0, 1}, {10, 0, 1}, {4096 * 3, 0, 3}, {1 << 30, 0, kmMaxRanges}, {1 << 20, 1 << 20, 8}, {1 << 20, 1 << 24, 4},
	} {
		if got := kmSplit(tc.n, tc.acc).nr; got != tc.want {
			t.Errorf("kmSplit(%d, %d) = %d ranges, want %d", tc.n, tc.acc, got, tc.want)
		}
		rs := kmSplit(tc.n, tc.acc)
		prev := 0
		for r := range rs.nr {
			lo, hi := rs.bounds(r)
			if lo != prev || hi < lo {
				t.Fatalf("kmSplit(%d): range %d is [%d, %d)", tc.n, r, lo, hi)
			}
			prev = hi
		}
		if prev != tc.n {
			t.Fatalf("kmSplit(%d): ranges end at %d", tc.n, prev)
		}
	}
}

// TestKMNearestTies checks that exact ties go to the lowest centre index
// in every kernel, across groups of 16 and 4 centres.
func TestKMNearestTies(t *testing.T) {
	d := 3
	for _, k := range []int{5, 16, 21, 37} {
		cent := make([][]float64, k)
		for j := range cent {
			cent[j] = []float64{float64(100 + j), 50, -7}
		}
		for _, dup := range [][2]int{{1, k - 1}, {k / 2, k - 2}, {0, k - 1}} {
			lo, hi := dup[0], dup[1]
			cent[lo] = []float64{1, 2, 3}
			cent[hi] = []float64{1, 2, 3}
			x := []float64{1, 2, 3.5, 1, 2, 2.5, 0.9, 2, 3}
			p := &kmData{n: 3, d: d, x: x}
			cs := newKMCenters(cent, d)
			var pool kmPool
			sc := pool.get()
			cs.nearest(p, 0, 3, sc)
			lab, score := make([]int32, 3), make([]float64, 3)
			cs.nearestDense(x, lab, score)
			for i := range 3 {
				if sc.lab[i] != int32(lo) || lab[i] != int32(lo) {
					t.Fatalf("k=%d, centres %d and %d equal: row %d went to %d (kernel) and %d (portable), want %d", k, lo, hi, i, sc.lab[i], lab[i], lo)
				}
			}
			cent[lo] = []float64{float64(100 + lo), 50, -7}
			cent[hi] = []float64{float64(100 + hi), 50, -7}
		}
	}
}
