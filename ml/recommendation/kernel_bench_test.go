package recommendation

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkKernelGram4(b *testing.B) {
	k := 64
	a := make([]float64, k*k)
	rows := make([][]float64, 4)
	for i := range rows {
		rows[i] = make([]float64, k)
		for j := range rows[i] {
			rows[i][j] = rand.Float64()
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		gramAdd4(a, k, k, rows[0], rows[1], rows[2], rows[3])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4, "ns/rating")
}

func BenchmarkKernelDotAxpy(b *testing.B) {
	k := 64
	y := make([]float32, k)
	p := make([]float32, k)
	out := make([]float32, k)
	for j := range y {
		y[j], p[j] = rand.Float32(), rand.Float32()
	}
	b.ReportAllocs()
	for b.Loop() {
		dotAxpyF32(y, p, out, 0.001)
	}
}

func BenchmarkKernelChol(b *testing.B) {
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
	b.ReportAllocs()
	for b.Loop() {
		copy(a, a0)
		cholSolve(a, rhs, k)
	}
}
