package classification

import (
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

func ulps(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
}

func TestFastMath(t *testing.T) {
	r := ml.NewRand(11)
	var worstExp, worstLog float64
	xs := []float64{0, -1e-300, -1e-17, -1e-9, -math.Ln2 / 128, -0.5, -1, -math.Ln2, -20, -700, -708, -708.5, -745, -746, -1e4}
	for range 300_000 {
		xs = append(xs, -r.Float64()*40, -r.Float64()*708, -math.Pow(10, -20*r.Float64()))
	}
	for _, x := range xs {
		got, want := expNeg(x), math.Exp(x)
		if want > 1e-300 { // normal range: count ulps
			worstExp = max(worstExp, ulps(got, want))
		} else if math.Abs(got-want) > 1e-300 {
			t.Errorf("expNeg(%v) = %v, want %v", x, got, want)
		}
	}
	ys := []float64{0, 1, 1e-300, 5e-324, 1e-17, 1e-16, 1.0 / 128, 1.0 / 64, 0.5 - 1e-17, 0.5, 0.999999, math.Nextafter(1, 0)}
	for range 300_000 {
		ys = append(ys, r.Float64(), math.Pow(10, -30*r.Float64()), math.Exp(-40*r.Float64()))
	}
	for _, y := range ys {
		if u := ulps(log1pUnit(y), math.Log1p(y)); u > worstLog {
			worstLog = u
			t.Logf("log1pUnit(%v) = %v, math %v: %.1f ulp", y, log1pUnit(y), math.Log1p(y), u)
		}
	}
	t.Logf("worst error: expNeg %.2f ulp, log1pUnit %.2f ulp", worstExp, worstLog)
	if worstExp > 2 || worstLog > 2 {
		t.Errorf("worst error: expNeg %.2f ulp, log1pUnit %.2f ulp; want <= 2", worstExp, worstLog)
	}
}

var sinkF float64

func BenchmarkFastMath(b *testing.B) {
	xs := make([]float64, 4096)
	for i := range xs {
		xs[i] = -float64(i%1000) / 100
	}
	b.Run("math.Exp+Log1p", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				e := math.Exp(x)
				s += math.Log1p(e)
			}
		}
		sinkF = s
	})
	b.Run("expNeg+log1pUnit", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				e := expNeg(x)
				s += log1pUnit(e)
			}
		}
		sinkF = s
	})
}
