package feature_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// fittedStages fits every estimator of the package on a small frame with
// a vector column x, a numeric column c (categories 0-2) and a label y,
// and returns the fitted models and the plain transformers.
func fittedStages(t *testing.T) (*ml.Frame, []ml.Transformer) {
	t.Helper()
	f := mkFrame(t,
		vcol("x", ml.Dense(1, 4, 0), ml.Dense(2, 3, 1), ml.Dense(5, 1, 0), ml.Dense(3, 3, 1), ml.Dense(4, 0, 2)),
		fcol("c", []float64{0, 1, 2, 1, 0}),
		fcol("y", []float64{0, 1, 1, 0, 1}),
	)
	oh := feature.NewOneHotEncoder()
	oh.P.InputCol, oh.P.OutputCol = "c", "o"
	mm := feature.NewMinMaxScaler()
	mm.P.InputCol, mm.P.OutputCol = "x", "o"
	ma := feature.NewMaxAbsScaler()
	ma.P.InputCol, ma.P.OutputCol = "x", "o"
	rs := feature.NewRobustScaler()
	rs.P.InputCol, rs.P.OutputCol = "x", "o"
	im := feature.NewImputer()
	im.P.InputCol, im.P.OutputCol = "c", "o"
	qd := feature.NewQuantileDiscretizer()
	qd.P.InputCol, qd.P.OutputCol = "c", "o"
	vt := feature.NewVarianceThresholdSelector()
	vt.P.FeaturesCol, vt.P.OutputCol = "x", "o"
	us := feature.NewUnivariateFeatureSelector()
	us.P.FeaturesCol, us.P.LabelCol, us.P.OutputCol = "x", "y", "o"
	us.P.FeatureType, us.P.LabelType = "continuous", "categorical"
	pca := feature.NewPCA()
	pca.P.InputCol, pca.P.OutputCol, pca.P.K = "x", "o", 2
	var out []ml.Transformer
	for _, e := range []ml.Estimator{oh, mm, ma, rs, im, qd, vt, us, pca} {
		out = append(out, mustFit(t, e, f))
	}
	its := feature.NewIndexToString()
	its.P.InputCol, its.P.OutputCol, its.P.Labels = "c", "o", []string{"a", "b", "c"}
	nm := feature.NewNormalizer()
	nm.P.InputCol, nm.P.OutputCol = "x", "o"
	bz := feature.NewBinarizer()
	bz.P.InputCol, bz.P.OutputCol = "x", "o"
	bk := feature.NewBucketizer()
	bk.P.InputCol, bk.P.OutputCol, bk.P.Splits = "c", "o", []float64{0, 1, 2}
	pe := feature.NewPolynomialExpansion()
	pe.P.InputCol, pe.P.OutputCol = "x", "o"
	in := feature.NewInteraction()
	in.P.InputCols, in.P.OutputCol = []string{"c", "x"}, "o"
	vs := feature.NewVectorSlicer()
	vs.P.InputCol, vs.P.OutputCol, vs.P.Indices = "x", "o", []int{2, 0}
	out = append(out, its, nm, bz, bk, pe, in, vs)
	return f, out
}

func TestEmptyFrames(t *testing.T) {
	ctx := context.Background()
	_, stages := fittedStages(t)
	empty := mkFrame(t, vcol("x"), fcol("c", nil), fcol("y", nil))
	for _, s := range stages {
		out, err := s.Transform(ctx, empty)
		if err != nil {
			t.Errorf("%s on an empty frame: %v", s.StageName(), err)
			continue
		}
		if out.NumRows() != 0 || len(out.Schema().FieldIndices("o")) != 1 {
			t.Errorf("%s on an empty frame: %d rows, schema %v", s.StageName(), out.NumRows(), out.Schema())
		}
	}
	// Fitting on no rows is an error that says so.
	for _, e := range []ml.Estimator{
		func() ml.Estimator { e := feature.NewMinMaxScaler(); e.P.InputCol, e.P.OutputCol = "x", "o"; return e }(),
		func() ml.Estimator { e := feature.NewRobustScaler(); e.P.InputCol, e.P.OutputCol = "x", "o"; return e }(),
		func() ml.Estimator { e := feature.NewImputer(); e.P.InputCol, e.P.OutputCol = "c", "o"; return e }(),
		func() ml.Estimator {
			e := feature.NewQuantileDiscretizer()
			e.P.InputCol, e.P.OutputCol = "c", "o"
			return e
		}(),
		func() ml.Estimator { e := feature.NewOneHotEncoder(); e.P.InputCol, e.P.OutputCol = "c", "o"; return e }(),
		func() ml.Estimator { e := feature.NewPCA(); e.P.InputCol, e.P.OutputCol, e.P.K = "x", "o", 1; return e }(),
	} {
		_, err := e.Fit(ctx, empty)
		wantErr(t, err, "no rows")
	}
}

func TestSchemaMatchesTransform(t *testing.T) {
	// TransformSchema's output field equals the field Transform writes
	// (type, and metadata where the schema can know it).
	f, stages := fittedStages(t)
	for _, s := range stages {
		sc, err := s.TransformSchema(f.Schema())
		if err != nil {
			t.Errorf("%s: %v", s.StageName(), err)
			continue
		}
		out := mustTransform(t, s, f)
		want, _ := ml.FieldOf(out.Schema(), "o")
		got, _ := ml.FieldOf(sc, "o")
		if !arrow.TypeEqual(got.Type, want.Type) {
			t.Errorf("%s: schema says %s, transform writes %s", s.StageName(), got.Type, want.Type)
		}
		if got.HasMetadata() && !got.Equal(want) {
			t.Errorf("%s: schema field %v, transform field %v", s.StageName(), got, want)
		}
		// An existing output column is refused.
		clash := mkFrame(t, vcol("x", ml.Dense(1, 2, 3)), fcol("c", []float64{0}), fcol("y", []float64{0}), fcol("o", []float64{0}))
		if _, err := s.TransformSchema(clash.Schema()); err == nil {
			t.Errorf("%s: no error for an existing output column", s.StageName())
		}
	}
}

func TestMalformedVectors(t *testing.T) {
	ctx := context.Background()
	bad := mkFrame(t, vcol("x", ml.Dense(1, 2, 3), ml.Sparse(3, []int32{5}, []float64{1})), fcol("c", []float64{0, 1}), fcol("y", []float64{0, 1}))
	_, stages := fittedStages(t)
	for _, s := range stages {
		field, _ := ml.FieldOf(bad.Schema(), "x")
		uses := false
		for _, p := range ml.ParamList(s) {
			if v, ok := p.Value.(string); ok && v == field.Name {
				uses = true
			}
			if v, ok := p.Value.([]string); ok {
				for _, c := range v {
					uses = uses || c == "x"
				}
			}
		}
		if !uses {
			continue
		}
		_, err := s.Transform(ctx, bad)
		wantErr(t, err, "row 2: malformed vector")
	}
	mm := feature.NewMinMaxScaler()
	mm.P.InputCol, mm.P.OutputCol = "x", "o"
	pca := feature.NewPCA()
	pca.P.InputCol, pca.P.OutputCol, pca.P.K = "x", "o", 1
	vt := feature.NewVarianceThresholdSelector()
	vt.P.FeaturesCol, vt.P.OutputCol = "x", "o"
	for _, e := range []ml.Estimator{mm, pca, vt} {
		_, err := e.Fit(ctx, bad)
		wantErr(t, err, "row 2: malformed vector")
	}
}

// Property: one-hot encoding without dropLast, then argmax, gives the
// index back, for random categories.
func TestOneHotArgmaxProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 2000
	idx := make([]float64, n)
	for i := range idx {
		idx[i] = float64(r.IntN(37))
	}
	f := mkFrame(t, fcol("c", idx))
	e := feature.NewOneHotEncoder()
	e.P.InputCol, e.P.OutputCol, e.P.DropLast = "c", "v", false
	out := mustTransform(t, mustFit(t, e, f), f)
	for i, v := range rawVecs(t, out, "v") {
		if len(v.Indices) != 1 || float64(v.Indices[0]) != idx[i] || v.Values[0] != 1 {
			t.Fatalf("row %d: encoding %+v of %v", i+1, v, idx[i])
		}
	}
}
