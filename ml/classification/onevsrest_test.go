package classification_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
)

func fitOVR(t *testing.T, o *classification.OneVsRest, f *ml.Frame) *classification.OneVsRestModel {
	t.Helper()
	m, err := o.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*classification.OneVsRestModel)
}

// TestOneVsRestMatchesPerClassModels: each per-class model is the
// classifier fitted on "class k or not", and the prediction is the argmax
// of their positive margins.
func TestOneVsRestMatchesPerClassModels(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	f := frameOf(t, X, y, nil)
	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 0.05
	for _, par := range []int{1, 3} {
		o := classification.NewOneVsRest(lr)
		o.P.Parallelism = par
		m := fitOVR(t, o, f)
		if m.NumClasses() != 3 {
			t.Fatalf("%d models, want 3", m.NumClasses())
		}
		if lr.P.LabelCol != "label" || lr.P.RawPredictionCol != "rawPrediction" {
			t.Errorf("OneVsRest changed the caller's classifier: %+v", lr.P)
		}
		out, err := m.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		raw, pred := vectors(t, out, "rawPrediction"), floats(t, out, "prediction")
		for k := range 3 {
			bin := make([]float64, len(y))
			for i := range y {
				if int(y[i]) == k {
					bin[i] = 1
				}
			}
			ref := fitLR(t, lr, frameOf(t, X, bin, nil))
			coef, _ := ref.Coefficients()
			b, _ := ref.Intercept()
			for i, x := range X {
				mg := b
				for j := range x {
					mg += coef[j] * x[j]
				}
				if !closeTo(raw[i][k], mg, 1e-9) {
					t.Errorf("parallelism %d, row %d class %d: score %v, the binary model's margin %v", par, i, k, raw[i][k], mg)
				}
			}
		}
		for i := range pred {
			best := 0
			for k := range raw[i] {
				if raw[i][k] > raw[i][best] {
					best = k
				}
			}
			if pred[i] != float64(best) {
				t.Errorf("row %d: prediction %v, argmax of %v is %d", i, pred[i], raw[i], best)
			}
		}
	}
}

func TestOneVsRestWithLinearSVCAndWeights(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	w := make([]float64, len(y))
	for i := range w {
		w[i] = 1 + float64(i%2)
	}
	o := classification.NewOneVsRest(classification.NewLinearSVC())
	o.P.WeightCol = "weight"
	m := fitOVR(t, o, frameOf(t, X, y, w))
	out, err := m.Transform(ctx, frameOf(t, X, y, w))
	if err != nil {
		t.Fatal(err)
	}
	pred := floats(t, out, "prediction")
	right := 0
	for i := range y {
		if pred[i] == y[i] {
			right++
		}
	}
	if right < len(y)-2 {
		t.Errorf("%d of %d training rows right", right, len(y))
	}
	if _, err := out.Column("probability"); err == nil {
		t.Error("OneVsRest wrote probabilities")
	}
}

func TestOneVsRestSaveLoad(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	f := frameOf(t, X, y, nil)
	nb := classification.NewNaiveBayes()
	nb.P.ModelType = "gaussian"
	o := classification.NewOneVsRest(nb)
	o.P.PredictionCol = "pred"
	m := fitOVR(t, o, f)
	dir := filepath.Join(t.TempDir(), "ovr")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Transform(ctx, f)
	got, err := st.(ml.Model).Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	nearSlice(t, "pred", floats(t, got, "pred"), floats(t, want, "pred"), 0)
	g, wv := vectors(t, got, "rawPrediction"), vectors(t, want, "rawPrediction")
	for i := range wv {
		nearSlice(t, "raw", g[i], wv[i], 0)
	}

	// The estimator round-trips with its classifier.
	edir := filepath.Join(t.TempDir(), "ovr-est")
	if err := ml.Save(edir, o); err != nil {
		t.Fatal(err)
	}
	est, err := ml.Load(edir, registry())
	if err != nil {
		t.Fatal(err)
	}
	lo := est.(*classification.OneVsRest)
	if c, ok := lo.Classifier.(*classification.NaiveBayes); !ok || c.P.ModelType != "gaussian" || lo.P.PredictionCol != "pred" {
		t.Errorf("loaded OneVsRest: %+v with classifier %#v", lo.P, lo.Classifier)
	}
}

func TestOneVsRestBadInput(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	f := frameOf(t, X, y, nil)
	mlp := classification.NewMultilayerPerceptronClassifier()
	mlp.P.Layers = []int{2, 2}
	for _, tt := range []struct {
		name string
		o    *classification.OneVsRest
		want string
	}{
		{"no classifier", classification.NewOneVsRest(nil), "no classifier"},
		{"parallelism", func() *classification.OneVsRest {
			o := classification.NewOneVsRest(classification.NewLogisticRegression())
			o.P.Parallelism = 0
			return o
		}(), "parallelism is 0"},
		{"no weightCol param", func() *classification.OneVsRest {
			o := classification.NewOneVsRest(mlp)
			o.P.WeightCol = "weight"
			return o
		}(), "has no weightCol param"},
		{"child error names class", classification.NewOneVsRest(func() ml.Estimator {
			lr := classification.NewLogisticRegression()
			lr.P.Family = "multinomial"
			lr.P.MaxIter = -1
			return lr
		}()), "class 0: LogisticRegression: maxIter is -1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.o.Fit(ctx, f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := classification.NewOneVsRest(classification.NewLogisticRegression()).Fit(cctx, f)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
