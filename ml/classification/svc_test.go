package classification_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
)

func fitSVC(t *testing.T, s *classification.LinearSVC, f *ml.Frame) *classification.LinearSVCModel {
	t.Helper()
	m, err := s.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*classification.LinearSVCModel)
}

func TestLinearSVCDefaults(t *testing.T) {
	want := map[string]any{
		"maxIter": 100, "regParam": 0.0, "tol": 1e-6, "fitIntercept": true, "standardization": true,
		"threshold": 0.0, "aggregationDepth": 2, "weightCol": "", "rawPredictionCol": "rawPrediction",
	}
	got := map[string]any{}
	for _, p := range ml.ParamList(classification.NewLinearSVC()) {
		got[p.Name] = p.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["probabilityCol"]; ok {
		t.Error("LinearSVC has a probabilityCol param; Spark's has none")
	}
}

// TestLinearSVCSeparable: on separable data with a small penalty every
// training row ends on the right side of the margin.
func TestLinearSVCSeparable(t *testing.T) {
	X := [][]float64{{2, 1}, {3, 2}, {2.5, 0}, {4, 1}, {-1, 0}, {-2, 1}, {0, -1}, {-1.5, -2}}
	y := []float64{1, 1, 1, 1, 0, 0, 0, 0}
	s := classification.NewLinearSVC()
	s.P.RegParam = 0.01
	m := fitSVC(t, s, frameOf(t, X, y, nil))
	for i, x := range X {
		mg := m.Intercept + m.Coefficients[0]*x[0] + m.Coefficients[1]*x[1]
		if (2*y[i]-1)*mg < 0.9 {
			t.Errorf("row %d: margin %.3f for label %v", i, mg, y[i])
		}
	}
}

func TestLinearSVCThresholdAndOutputs(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	f := frameOf(t, X, y, nil)
	m := fitSVC(t, classification.NewLinearSVC(), f)
	for _, th := range []float64{0, 0.5, -0.7} {
		m.P.Threshold = th
		out, err := m.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := out.Column("probability"); err == nil {
			t.Error("LinearSVC wrote a probability column")
		}
		raw, pred := vectors(t, out, "rawPrediction"), floats(t, out, "prediction")
		for i := range pred {
			want := 0.0
			if raw[i][1] > th {
				want = 1
			}
			if pred[i] != want || raw[i][0] != -raw[i][1] {
				t.Errorf("threshold %v row %d: raw %v prediction %v", th, i, raw[i], pred[i])
			}
		}
	}
}

func TestLinearSVCSaveLoad(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	f := frameOf(t, X, y, nil)
	s := classification.NewLinearSVC()
	s.P.Threshold = 0.2
	m := fitSVC(t, s, f)
	dir := filepath.Join(t.TempDir(), "svc")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	lm := st.(*classification.LinearSVCModel)
	want, _ := m.Transform(ctx, f)
	got, err := lm.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	nearSlice(t, "prediction", floats(t, got, "prediction"), floats(t, want, "prediction"), 0)
	g, w := vectors(t, got, "rawPrediction"), vectors(t, want, "rawPrediction")
	for i := range w {
		if g[i][1] != w[i][1] {
			t.Fatalf("row %d: loaded raw %v, fitted %v", i, g[i], w[i])
		}
	}
}

func TestLinearSVCBadInput(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	X3, y3 := multiToy()
	for _, tt := range []struct {
		name string
		set  func(p *classification.LinearSVCParams)
		f    *ml.Frame
		want string
	}{
		{"regParam", func(p *classification.LinearSVCParams) { p.RegParam = -1 }, frameOf(t, X, y, nil), "regParam is -1"},
		{"maxIter", func(p *classification.LinearSVCParams) { p.MaxIter = -2 }, frameOf(t, X, y, nil), "maxIter is -2"},
		{"three classes", nil, frameOf(t, X3, y3, nil), "has 3 classes; LinearSVC is binary"},
		{"one class", nil, frameOf(t, X, make([]float64, len(y)), nil), "one class only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := classification.NewLinearSVC()
			if tt.set != nil {
				tt.set(&s.P)
			}
			_, err := s.Fit(ctx, tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
