package recommendation

import (
	"math/rand/v2"
	"testing"
)

// transposed 4x2 blocks
func gramT42(a []float64, d, k, m int, yt []float64) {
	for i := 0; i < k; i += 4 {
		x0 := yt[i*m : i*m+m]
		x1 := yt[(i+1)*m : (i+1)*m+m]
		x2 := yt[(i+2)*m : (i+2)*m+m]
		x3 := yt[(i+3)*m : (i+3)*m+m]
		for j := i; j < k; j += 2 {
			y0 := yt[j*m : j*m+m]
			y1 := yt[(j+1)*m : (j+1)*m+m]
			y0, y1 = y0[:len(x0)], y1[:len(x0)]
			x1, x2, x3 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
			var s00, s01, s10, s11, s20, s21, s30, s31 float64
			for l := range x0 {
				v0, v1 := y0[l], y1[l]
				u := x0[l]
				s00 += u * v0
				s01 += u * v1
				u = x1[l]
				s10 += u * v0
				s11 += u * v1
				u = x2[l]
				s20 += u * v0
				s21 += u * v1
				u = x3[l]
				s30 += u * v0
				s31 += u * v1
			}
			a[i*d+j] += s00
			a[i*d+j+1] += s01
			a[(i+1)*d+j] += s10
			a[(i+1)*d+j+1] += s11
			a[(i+2)*d+j] += s20
			a[(i+2)*d+j+1] += s21
			a[(i+3)*d+j] += s30
			a[(i+3)*d+j+1] += s31
		}
	}
}

func BenchmarkKernelGramT42(b *testing.B) {
	k, m := 64, 256
	a := make([]float64, k*k)
	yt := make([]float64, k*m)
	for j := range yt {
		yt[j] = rand.Float64()
	}
	for b.Loop() {
		gramT42(a, k, k, m, yt)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m), "ns/rating")
}

// cholesky right-looking with contiguous row updates
func cholSolve2(a []float64, b []float64, d int) bool {
	for i := 0; i < d; i++ {
		ri := a[i*d : i*d+d]
		s := ri[i]
		if !(s > 0) {
			return false
		}
		piv := sqrt(s)
		ri[i] = piv
		inv := 1 / piv
		for j := i + 1; j < d; j++ {
			ri[j] *= inv
		}
		for r := i + 1; r < d; r++ {
			f := ri[r]
			if f == 0 {
				continue
			}
			rr := a[r*d+r : r*d+d]
			src := ri[r:d]
			src = src[:len(rr)]
			for j := range rr {
				rr[j] -= f * src[j]
			}
		}
	}
	for i := 0; i < d; i++ {
		b[i] /= a[i*d+i]
		bi := b[i]
		ri := a[i*d : i*d+d]
		for j := i + 1; j < d; j++ {
			b[j] -= ri[j] * bi
		}
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

func BenchmarkKernelChol2(b *testing.B) {
	k := 64
	a0 := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			a0[i*k+j] = 0.01 * rand.Float64()
		}
		a0[i*k+i] += 10
	}
	a := make([]float64, k*k)
	rhs := make([]float64, k)
	for b.Loop() {
		copy(a, a0)
		cholSolve2(a, rhs, k)
	}
}
