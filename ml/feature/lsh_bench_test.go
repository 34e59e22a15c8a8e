package feature_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

var sinkLSH *ml.Frame

func BenchmarkLSH(b *testing.B) {
	ctx := context.Background()
	pts := randomPoints(20_000, 32, 9)
	f := mkFrame(b, vcol("features", pts...))
	brp := feature.NewBucketedRandomProjectionLSH()
	brp.P.InputCol, brp.P.OutputCol, brp.P.BucketLength, brp.P.NumHashTables = "features", "hashes", 2, 4
	model, err := brp.Fit(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	m := model.(*feature.BucketedRandomProjectionLSHModel)
	b.Run(fmt.Sprintf("Transform/n=%d/d=32/tables=4", len(pts)), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sinkLSH, err = m.Transform(ctx, f); err != nil {
				b.Fatal(err)
			}
		}
	})
	hashed, _ := m.Transform(ctx, f)
	b.Run("ApproxNearestNeighbors/k=10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sinkLSH, err = m.ApproxNearestNeighbors(ctx, hashed, pts[0], 10, "distCol"); err != nil {
				b.Fatal(err)
			}
		}
	})
	small, _ := hashed.Take(ctx, seq(0, 5000))
	b.Run("ApproxSimilarityJoin/5000x5000/threshold=1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sinkLSH, err = m.ApproxSimilarityJoin(ctx, small, small, 1, "distCol"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(sinkLSH.NumRows()), "pairs")
	})
}
