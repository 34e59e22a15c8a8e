package feature_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

var inf = math.Inf(1)

func TestBucketizer(t *testing.T) {
	ctx := context.Background()
	b := feature.NewBucketizer()
	b.P.InputCol, b.P.OutputCol = "x", "b"
	b.P.Splits = []float64{-inf, 0, 10, 20}
	f := mkFrame(t, fcol("x", []float64{-5, 0, 9.99, 10, 20, math.Copysign(0, -1)}))
	out := mustTransform(t, b, f)
	// A split value opens its bucket; the last split closes the last one.
	if got := fmt.Sprint(floats(t, out, "b")); got != "[0 1 1 2 2 1]" {
		t.Errorf("buckets %s", got)
	}
	field, _ := ml.FieldOf(out.Schema(), "b")
	if got := fmt.Sprint(ml.NominalValues(field)); got != "[-Infinity, 0.0 0.0, 10.0 10.0, 20.0]" {
		t.Errorf("bucket names %s", got)
	}

	// 25 lies above the last split 20: an error naming the row.
	_, err := b.Transform(ctx, mkFrame(t, fcol("x", []float64{1, 25})))
	wantErr(t, err, "column x, row 2: 25 is outside the splits [-Inf, 20]", "handleInvalid")

	invalid := mkFrame(t, fcol("x", []float64{5, math.NaN(), 15, 0, 25, -1}, 3), fcol("id", []float64{1, 2, 3, 4, 5, 6}))
	b.P.Splits = []float64{0, 10, 20}
	_, err = b.Transform(ctx, invalid)
	wantErr(t, err, "column x, row 2: NaN")

	b.P.HandleInvalid = "keep"
	out = mustTransform(t, b, invalid)
	if got := fmt.Sprint(floats(t, out, "b")); got != "[0 2 1 2 2 2]" {
		t.Errorf("keep: %s", got)
	}
	field, _ = ml.FieldOf(out.Schema(), "b")
	if got := ml.NominalValues(field); len(got) != 3 || got[2] != "invalid" {
		t.Errorf("keep metadata %v", got)
	}
	roundTrip(t, b, invalid, "b")

	b.P.HandleInvalid = "skip"
	out = mustTransform(t, b, invalid)
	if got := fmt.Sprint(floats(t, out, "b"), floats(t, out, "id")); got != "[0 1] [1 3]" {
		t.Errorf("skip: %s", got)
	}
}

func TestBucketizerMultiColumn(t *testing.T) {
	b := feature.NewBucketizer()
	b.P.InputCols, b.P.OutputCols = []string{"x", "y"}, []string{"bx", "by"}
	b.P.SplitsArray = [][]float64{{-inf, 0, inf}, {0, 1, 2, 3}}
	b.P.HandleInvalid = "skip"
	f := mkFrame(t, fcol("x", []float64{-1, 1, math.NaN(), 2}), icol("y", []int64{0, 3, 1, 7}))
	out := mustTransform(t, b, f)
	// Row 3 (x NaN) and row 4 (y 7 beyond 3) are dropped.
	if got := fmt.Sprint(floats(t, out, "bx"), floats(t, out, "by")); got != "[0 1] [0 2]" {
		t.Errorf("multi: %s", got)
	}
	roundTrip(t, b, f, "bx", "by")

	for _, tt := range []struct {
		edit func(p *feature.BucketizerParams)
		want string
	}{
		{func(p *feature.BucketizerParams) { p.SplitsArray = p.SplitsArray[:1] }, "splitsArray has 1 entries for 2 input columns"},
		{func(p *feature.BucketizerParams) { p.SplitsArray[1] = []float64{0, 2, 1} }, "splitsArray[1] must be strictly increasing, but 1 follows 2"},
		{func(p *feature.BucketizerParams) { p.SplitsArray[0] = []float64{0, 1} }, "splitsArray[0] has 2 values; give at least 3"},
		{func(p *feature.BucketizerParams) { p.SplitsArray[0] = []float64{0, math.NaN(), 1} }, "splitsArray[0][1] is NaN"},
		{func(p *feature.BucketizerParams) { p.Splits = []float64{1, 2, 3} }, "splits goes with inputCol"},
		{func(p *feature.BucketizerParams) { p.HandleInvalid = "drop" }, `handleInvalid "drop"`},
		{func(p *feature.BucketizerParams) { p.OutputCols = []string{"bx", "x"} }, `output column "x" already exists`},
	} {
		c := *b
		c.P.SplitsArray = [][]float64{{-inf, 0, inf}, {0, 1, 2, 3}}
		tt.edit(&c.P)
		_, err := c.TransformSchema(f.Schema())
		wantErr(t, err, tt.want)
	}
	_, err := b.TransformSchema(mkFrame(t, scol("x", "a"), fcol("y", []float64{1})).Schema())
	wantErr(t, err, `"x" has type utf8`)
}

func TestQuantileDiscretizerReference(t *testing.T) {
	ref := loadReference(t).QuantileDiscretizer
	f := mkFrame(t, fcol("x", ref.X))
	for _, c := range ref.Cases {
		q := feature.NewQuantileDiscretizer()
		q.P.InputCol, q.P.OutputCol, q.P.NumBuckets = "x", "b", c.NumBuckets
		m := mustFit(t, q, f).(*feature.Bucketizer)
		want := append(append([]float64{-inf}, c.InnerSplits...), inf)
		checkVec(t, fmt.Sprintf("%d buckets: splits", c.NumBuckets), m.P.Splits, want, 0)
		checkVec(t, fmt.Sprintf("%d buckets", c.NumBuckets), floats(t, mustTransform(t, m, f), "b"), c.SparkBuckets, 0)
		roundTrip(t, m, f, "b")
	}
}

func TestQuantileDiscretizerEdgeCases(t *testing.T) {
	ctx := context.Background()
	// Few distinct values: repeated quantiles merge, giving fewer buckets.
	// NULL and NaN are ignored when fitting; handleInvalid goes to the
	// Bucketizer. A -0 quantile becomes 0.
	negZero := math.Copysign(0, -1)
	f := mkFrame(t, fcol("x", []float64{1, 1, 1, 1, 2, 2, math.NaN(), 0}, 7), fcol("y", []float64{negZero, negZero, negZero, 5, 6, 7, 8, 9}))
	q := feature.NewQuantileDiscretizer()
	q.P.InputCols, q.P.OutputCols = []string{"x", "y"}, []string{"bx", "by"}
	q.P.NumBucketsArray = []int{4, 4}
	q.P.HandleInvalid = "keep"
	m := mustFit(t, q, f).(*feature.Bucketizer)
	if got := fmt.Sprint(m.P.SplitsArray); got != "[[-Inf 1 2 +Inf] [-Inf 0 5 7 +Inf]]" {
		t.Errorf("splits %s", got)
	}
	out := mustTransform(t, m, f)
	if got := fmt.Sprint(floats(t, out, "bx")); got != "[1 1 1 1 2 2 3 3]" {
		t.Errorf("bx %s", got)
	}
	roundTrip(t, m, f, "bx", "by")

	q = feature.NewQuantileDiscretizer()
	q.P.InputCol, q.P.OutputCol = "x", "b"
	_, err := q.Fit(ctx, mkFrame(t, fcol("x", []float64{math.NaN(), 0}, 1)))
	wantErr(t, err, "column x has no values other than NULL and NaN")
	q.P.NumBuckets = 1
	_, err = q.TransformSchema(f.Schema())
	wantErr(t, err, "numBuckets 1: want at least 2")
}

func TestBinarizer(t *testing.T) {
	f := mkFrame(t,
		fcol("x", []float64{-1, 0, 0.5, math.NaN(), 3}, 3),
		vcol("v", ml.Dense(-1, 0, 0.5, math.NaN()), ml.Sparse(4, []int32{2}, []float64{-2}), null, ml.Dense(1, 1, 1, 1), ml.Dense(0, 0, 0, 0)),
	)
	b := feature.NewBinarizer()
	b.P.InputCols, b.P.OutputCols = []string{"x", "v"}, []string{"bx", "bv"}
	out := mustTransform(t, b, f)
	if got := colString(t, out, "bx"); got != "[0 0 1 (null) 1]" {
		t.Errorf("scalar: %s", got)
	}
	// threshold >= 0: NaN and implicit zeros give 0.
	if got := fmt.Sprint(vecs(t, out, "bv")); got != "[[0 0 1 0] [0 0 0 0] [] [1 1 1 1] [0 0 0 0]]" {
		t.Errorf("vector, threshold 0: %s", got)
	}
	roundTrip(t, b, f, "bx", "bv")

	// threshold < 0: only values <= threshold become 0; NaN and implicit
	// zeros become 1 (as in Spark).
	b.P.Thresholds = []float64{-0.5, -0.5}
	out = mustTransform(t, b, f)
	if got := fmt.Sprint(vecs(t, out, "bv")); got != "[[0 1 1 1] [1 1 0 1] [] [1 1 1 1] [1 1 1 1]]" {
		t.Errorf("vector, threshold -0.5: %s", got)
	}
	if got := colString(t, out, "bx"); got != "[0 1 1 (null) 1]" {
		t.Errorf("scalar, threshold -0.5: %s", got)
	}

	b.P.Thresholds = []float64{1}
	_, err := b.TransformSchema(f.Schema())
	wantErr(t, err, "thresholds has 1 values for 2 input columns")
	b.P.Thresholds = nil
	_, err = b.TransformSchema(mkFrame(t, scol("x", "a"), fcol("v", []float64{1})).Schema())
	wantErr(t, err, "want a number or a vector")
}
