package clustering

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestGMMCholeskyInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{1, 2, 5, 9} {
		// a = B·Bᵀ + I is positive definite.
		b := make([]float64, d*d)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		a := make([]float64, d*d)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				for m := 0; m < d; m++ {
					a[i*d+j] += b[i*d+m] * b[j*d+m]
				}
			}
			a[i*d+i]++
		}
		l := make([]float64, d*d)
		logdet, ok := gmmCholesky(a, d, l)
		if !ok {
			t.Fatalf("d=%d: not positive definite", d)
		}
		// L·Lᵀ = a.
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				var s float64
				for m := 0; m < d; m++ {
					s += l[i*d+m] * l[j*d+m]
				}
				if math.Abs(s-a[i*d+j]) > 1e-10 {
					t.Fatalf("d=%d: (L·Lᵀ)[%d,%d] = %v, want %v", d, i, j, s, a[i*d+j])
				}
			}
		}
		// L⁻¹·L = I, with L⁻¹ packed by rows.
		inv := make([]float64, d*(d+1)/2)
		gmmInvLower(l, d, inv, make([]float64, d))
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				var s float64
				for m := j; m <= i; m++ {
					s += inv[i*(i+1)/2+m] * l[m*d+j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(s-want) > 1e-10 {
					t.Fatalf("d=%d: (L⁻¹L)[%d,%d] = %v", d, i, j, s)
				}
			}
		}
		var ld float64
		for i := 0; i < d; i++ {
			ld += 2 * math.Log(l[i*d+i])
		}
		if math.Abs(ld-logdet) > 1e-12 {
			t.Errorf("d=%d: logdet %v, want %v", d, logdet, ld)
		}
	}
	if _, ok := gmmCholesky([]float64{1, 2, 2, 1}, 2, make([]float64, 4)); ok {
		t.Error("an indefinite matrix factored")
	}
}

func TestGMMPosterior4MatchesPosterior(t *testing.T) {
	k, d := 3, 4
	weights := []float64{0.2, 0.5, 0.3}
	means := make([]float64, k*d)
	covs := make([]float64, k*d*d)
	rng := rand.New(rand.NewPCG(5, 6))
	for c := 0; c < k; c++ {
		for j := 0; j < d; j++ {
			means[c*d+j] = rng.NormFloat64() * 3
			covs[c*d*d+j*d+j] = 1 + float64(c)
		}
		covs[c*d*d+1] = 0.3
		covs[c*d*d+d] = 0.3
	}
	kern, err := newGMMKernel(weights, means, covs, k, d)
	if err != nil {
		t.Fatal(err)
	}
	xs := make([][]float64, 4)
	for r := range xs {
		xs[r] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64() * 4, rng.NormFloat64()}
	}
	diff4, resp4 := make([]float64, 4*k*d), make([]float64, 4*k)
	var lse [4]float64
	kern.posterior4(xs[0], xs[1], xs[2], xs[3], diff4, resp4, &lse)
	diff, resp := make([]float64, k*d), make([]float64, k)
	for r, x := range xs {
		l := kern.posterior(x, diff, resp)
		if math.Abs(l-lse[r]) > 1e-12*math.Abs(l) {
			t.Errorf("row %d: log-density %v, 4-row kernel %v", r, l, lse[r])
		}
		for c := 0; c < k; c++ {
			if math.Abs(resp[c]-resp4[r*k+c]) > 1e-14 {
				t.Errorf("row %d: responsibilities %v, 4-row kernel %v", r, resp, resp4[r*k:(r+1)*k])
			}
		}
		for j := range diff {
			if diff[j] != diff4[r*k*d+j] {
				t.Fatalf("row %d: differences differ", r)
			}
		}
	}
}

func TestGMMSampleRows(t *testing.T) {
	x := make([]float64, 100)
	for i := range x {
		x[i] = float64(i)
	}
	w := make([]float64, 100)
	for i := range w {
		if i%2 == 0 {
			w[i] = 1
		}
	}
	data := gmmData{x: x, w: w, n: 100, d: 1}
	s := gmmSampleRows(data, 10, rand.New(rand.NewPCG(1, 1)))
	if s.n != 10 || len(s.w) != 10 {
		t.Fatalf("sample of %d rows", s.n)
	}
	prev := -1.0
	for i := 0; i < s.n; i++ {
		v := s.row(i)[0]
		if int(v)%2 != 0 || v <= prev {
			t.Fatalf("sample %v: want distinct even (positive-weight) rows in order", s.x)
		}
		prev = v
	}
	if all := gmmSampleRows(data, 200, nil); all.n != 100 {
		t.Errorf("sample larger than the data has %d rows", all.n)
	}
	if few := gmmSampleRows(data, 70, rand.New(rand.NewPCG(1, 1))); few.n != 50 {
		t.Errorf("sample of 70 from 50 positive-weight rows has %d", few.n)
	}
}
