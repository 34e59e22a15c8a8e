package stat

import (
	"context"
	"strconv"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

var (
	benchSummary *Summary
	benchAny     any
)

func benchRows(n, d int) ([][]float64, []float64) {
	rng := ml.NewRand(1)
	rows := make([][]float64, n)
	label := make([]float64, n)
	for i := range rows {
		rows[i] = make([]float64, d)
		for j := range rows[i] {
			if rng.Float64() < 0.7 {
				rows[i][j] = float64(rng.IntN(5))
			}
		}
		label[i] = float64(rng.IntN(3))
	}
	return rows, label
}

func BenchmarkSummarize(b *testing.B) {
	for _, n := range []int{10_000, 200_000} {
		rows, _ := benchRows(n, 20)
		f := MustFrame(b, rows, nil, nil)
		b.Run("n="+strconv.Itoa(n)+"/d=20", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := Summarize(context.Background(), f, "features", "")
				if err != nil {
					b.Fatal(err)
				}
				benchSummary = s
			}
		})
	}
}

func BenchmarkCorrelation(b *testing.B) {
	rows, _ := benchRows(100_000, 20)
	f := MustFrame(b, rows, nil, nil)
	for _, m := range []string{Pearson, Spearman} {
		b.Run("n=100000/d=20/"+m, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, err := Correlation(context.Background(), f, "features", m)
				if err != nil {
					b.Fatal(err)
				}
				benchAny = c
			}
		})
	}
}

func BenchmarkChiSquareTest(b *testing.B) {
	rows, label := benchRows(100_000, 20)
	f := MustFrame(b, rows, label, nil)
	b.Run("n=100000/d=20", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := ChiSquareTest(context.Background(), f, "features", "label")
			if err != nil {
				b.Fatal(err)
			}
			benchAny = r
		}
	})
}
