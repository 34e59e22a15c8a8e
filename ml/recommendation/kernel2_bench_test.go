package recommendation

import (
	"math/rand/v2"
	"testing"
)

func gramAdd8(a []float64, d, k int, r *[8][]float64) {
	r0, r1, r2, r3, r4, r5, r6, r7 := r[0][:k], r[1][:k], r[2][:k], r[3][:k], r[4][:k], r[5][:k], r[6][:k], r[7][:k]
	for i := 0; i < k; i++ {
		a0, a1, a2, a3, a4, a5, a6, a7 := r0[i], r1[i], r2[i], r3[i], r4[i], r5[i], r6[i], r7[i]
		row := a[i*d+i : i*d+k]
		n := len(row)
		b0, b1, b2, b3, b4, b5, b6, b7 := r0[i:i+n], r1[i:i+n], r2[i:i+n], r3[i:i+n], r4[i:i+n], r5[i:i+n], r6[i:i+n], r7[i:i+n]
		for j := range row {
			row[j] += (a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]) + (a4*b4[j] + a5*b5[j] + a6*b6[j] + a7*b7[j])
		}
	}
}

// transposed: yt is k × m (m ratings), compute upper of yt·ytᵀ with 2x2 blocks.
func gramT(a []float64, d, k, m int, yt []float64) {
	for i := 0; i < k; i += 2 {
		x0 := yt[i*m : i*m+m]
		x1 := yt[(i+1)*m : (i+1)*m+m]
		for j := i; j < k; j += 2 {
			y0 := yt[j*m : j*m+m]
			y1 := yt[(j+1)*m : (j+1)*m+m]
			var s00, s01, s10, s11 float64
			for l := range x0 {
				u0, u1, v0, v1 := x0[l], x1[l], y0[l], y1[l]
				s00 += u0 * v0
				s01 += u0 * v1
				s10 += u1 * v0
				s11 += u1 * v1
			}
			a[i*d+j] += s00
			a[i*d+j+1] += s01
			a[(i+1)*d+j] += s10
			a[(i+1)*d+j+1] += s11
		}
	}
}

func dotF32x8(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
		s4 += x[i+4] * y[i+4]
		s5 += x[i+5] * y[i+5]
		s6 += x[i+6] * y[i+6]
		s7 += x[i+7] * y[i+7]
	}
	for ; i < n; i++ {
		s0 += x[i] * y[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

func BenchmarkKernelGram8(b *testing.B) {
	k := 64
	a := make([]float64, k*k)
	var rows [8][]float64
	for i := range rows {
		rows[i] = make([]float64, k)
		for j := range rows[i] {
			rows[i][j] = rand.Float64()
		}
	}
	for b.Loop() {
		gramAdd8(a, k, k, &rows)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/8, "ns/rating")
}

func BenchmarkKernelGramT(b *testing.B) {
	k, m := 64, 256
	a := make([]float64, k*k)
	yt := make([]float64, k*m)
	for j := range yt {
		yt[j] = rand.Float64()
	}
	for b.Loop() {
		gramT(a, k, k, m, yt)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m), "ns/rating")
}

var sink32 float32

func BenchmarkKernelDot8(b *testing.B) {
	k := 64
	y := make([]float32, k)
	p := make([]float32, k)
	for j := range y {
		y[j], p[j] = rand.Float32(), rand.Float32()
	}
	for b.Loop() {
		sink32 += dotF32x8(y, p)
	}
}
func BenchmarkKernelDot4(b *testing.B) {
	k := 64
	y := make([]float32, k)
	p := make([]float32, k)
	for j := range y {
		y[j], p[j] = rand.Float32(), rand.Float32()
	}
	for b.Loop() {
		sink32 += dotF32(y, p)
	}
}
func BenchmarkKernelAxpy(b *testing.B) {
	k := 64
	y := make([]float32, k)
	p := make([]float32, k)
	for j := range y {
		y[j], p[j] = rand.Float32(), rand.Float32()
	}
	for b.Loop() {
		axpyF32(0.001, y, p)
	}
}
