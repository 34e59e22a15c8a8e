package evaluation

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

var benchSink float64

func benchFrame(b *testing.B, n int) *ml.Frame {
	b.Helper()
	rng := ml.NewRand(1)
	vecs := make([]ml.Vector, n)
	labels, preds := make([]float64, n), make([]float64, n)
	for i := range vecs {
		s := rng.NormFloat64()
		vecs[i] = ml.Dense(-s, s)
		if rng.Float64() < 1/(1+math.Exp(-s)) {
			labels[i] = 1
		}
		if s > 0 {
			preds[i] = 1
		}
	}
	return MustFrame(b, col{name: "rawPrediction", vals: vecs}, col{name: "label", vals: labels}, col{name: "prediction", vals: preds})
}

func BenchmarkBinaryClassificationEvaluator(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		f := benchFrame(b, n)
		for _, bins := range []int{0, DefaultNumBins} {
			e := NewBinaryClassificationEvaluator()
			e.P.NumBins = bins
			b.Run("n="+strconv.Itoa(n)+"/numBins="+strconv.Itoa(bins), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					v, err := e.Evaluate(context.Background(), f)
					if err != nil {
						b.Fatal(err)
					}
					benchSink = v
				}
			})
		}
	}
}

func BenchmarkMulticlassClassificationEvaluator(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		f := benchFrame(b, n)
		e := NewMulticlassClassificationEvaluator()
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := e.Evaluate(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = v
			}
		})
	}
}
