package clustering

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLDATrigamma(t *testing.T) {
	for _, tt := range []struct{ x, want float64 }{
		{1, math.Pi * math.Pi / 6},
		{0.5, math.Pi * math.Pi / 2},
		{2, math.Pi*math.Pi/6 - 1},
		{0.1, 101.43329915079276},
		{10, 0.10516633568168575},
		{1000, 0.0010005001666666333},
	} {
		if got := ldaTrigamma(tt.x); math.Abs(got-tt.want) > 1e-12*max(1, tt.want) {
			t.Errorf("trigamma(%v) = %.17g, want %.17g", tt.x, got, tt.want)
		}
	}
	if !math.IsNaN(ldaTrigamma(0)) || !math.IsNaN(ldaTrigamma(-1)) {
		t.Error("trigamma of x <= 0 is not NaN")
	}
}

func TestLDAGammaDraws(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range []float64{100, 2, 0.5} {
		const n = 200000
		var s, s2 float64
		for range n {
			x := ldaGamma(rng, shape)
			if !(x > 0) {
				t.Fatalf("Gamma(%v) draw %v", shape, x)
			}
			s += x
			s2 += x * x
		}
		mean, variance := s/n, s2/n-(s/n)*(s/n)
		// Gamma(shape, 1/shape): mean 1, variance 1/shape.
		if math.Abs(mean-1) > 0.01 || math.Abs(variance-1/shape) > 0.03/shape+0.002 {
			t.Errorf("Gamma(%v, 1/%v): mean %.4f, variance %.4f; want 1 and %.4f", shape, shape, mean, variance, 1/shape)
		}
	}
}

func TestLDAUpdateAlphaMovesTowardMLE(t *testing.T) {
	// Documents whose mean E[ln θ] is that of Dirichlet(2, 0.5): repeated
	// damped Newton steps reach α = (2, 0.5).
	want := []float64{2, 0.5}
	logphat := make([]float64, 2)
	ldaDirichletExpectation(want, logphat)
	alpha := []float64{1.5, 0.7}
	for range 200 {
		ldaUpdateAlpha(alpha, logphat, 100, 0.5)
	}
	for t2 := range want {
		if math.Abs(alpha[t2]-want[t2]) > 1e-9 {
			t.Errorf("alpha = %v, want %v", alpha, want)
			break
		}
	}
	// A step that would make an entry non-positive is skipped.
	alpha = []float64{1e-3, 1}
	ldaDirichletExpectation([]float64{50, 1}, logphat)
	before := append([]float64(nil), alpha...)
	ldaUpdateAlpha(alpha, logphat, 100, 1)
	if alpha[0] <= 0 || alpha[1] <= 0 {
		t.Errorf("alpha went non-positive: %v (from %v)", alpha, before)
	}
}
