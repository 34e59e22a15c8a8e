package clustering_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
)

var ldaSink any

// ldaBenchCorpus is n documents of about 100 tokens over a vocabulary of
// v terms drawn from k planted topics (each a random block of terms).
func ldaBenchCorpus(b *testing.B, n, v, k int) *ml.Frame {
	rng := rand.New(rand.NewPCG(9, 9))
	docs := make([][][2]float64, n)
	block := v / k
	for d := range docs {
		counts := map[int]float64{}
		t1, t2 := rng.IntN(k), rng.IntN(k)
		for range 100 {
			t := t1
			if rng.Float64() < 0.3 {
				t = t2
			}
			counts[t*block+rng.IntN(block)]++
		}
		for w := 0; w < v; w++ {
			if c, ok := counts[w]; ok {
				docs[d] = append(docs[d], [2]float64{float64(w), c})
			}
		}
	}
	return ldaFrame(b, docs, v)
}

func BenchmarkLDAFit(b *testing.B) {
	for _, sz := range []struct{ n, v, k int }{{2000, 1000, 10}, {5000, 5000, 20}} {
		b.Run(fmt.Sprintf("docs=%d,vocab=%d,k=%d", sz.n, sz.v, sz.k), func(b *testing.B) {
			f := ldaBenchCorpus(b, sz.n, sz.v, sz.k)
			l := clustering.NewLDA()
			l.P.K, l.P.MaxIter = sz.k, 20 // Spark's defaults otherwise: one pass over the corpus
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m, err := l.Fit(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				ldaSink = m
			}
		})
	}
}

func BenchmarkLDATransform(b *testing.B) {
	f := ldaBenchCorpus(b, 2000, 1000, 10)
	l := clustering.NewLDA()
	l.P.K = 10
	m, err := l.Fit(context.Background(), f)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := m.Transform(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		ldaSink = out
	}
}
