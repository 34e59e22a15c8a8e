package tree_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tree"
)

func persistFrame(t *testing.T, regression bool) *ml.Frame {
	rng := ml.NewRand(11)
	var x [][]float64
	var y []float64
	for range 400 {
		r := []float64{rng.NormFloat64(), rng.NormFloat64(), float64(rng.IntN(4)), rng.Float64()}
		x = append(x, r)
		s := r[0] - r[1] + 0.5*float64(int(r[2])%2) + 0.3*rng.NormFloat64()
		if regression {
			y = append(y, s)
		} else if s > 0 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	return MustFrame(t, x, y, nil, map[int]int{2: 4})
}

func TestSaveLoadPredictsIdentically(t *testing.T) {
	ctx := context.Background()
	cls, reg := persistFrame(t, false), persistFrame(t, true)
	rf := tree.NewRandomForestClassifier()
	rf.P.NumTrees = 5
	rfr := tree.NewRandomForestRegressor()
	rfr.P.NumTrees = 5
	gb := tree.NewGBTClassifier()
	gb.P.MaxIter = 5
	gbr := tree.NewGBTRegressor()
	gbr.P.MaxIter, gbr.P.LossType = 5, "absolute"
	tests := []struct {
		est  ml.Estimator
		data *ml.Frame
		cols []string
	}{
		{tree.NewDecisionTreeClassifier(), cls, []string{"rawPrediction", "probability", "prediction"}},
		{tree.NewDecisionTreeRegressor(), reg, []string{"prediction"}},
		{rf, cls, []string{"rawPrediction", "probability", "prediction"}},
		{rfr, reg, []string{"prediction"}},
		{gb, cls, []string{"rawPrediction", "probability", "prediction"}},
		{gbr, reg, []string{"prediction"}},
	}
	for _, tt := range tests {
		t.Run(tt.est.StageName(), func(t *testing.T) {
			m, err := tt.est.Fit(ctx, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "model")
			if err := ml.Save(dir, m); err != nil {
				t.Fatal(err)
			}
			loaded, err := ml.Load(dir, registry())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(loaded, m) {
				t.Errorf("loaded model differs from the saved one")
			}
			want, err := m.Transform(ctx, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := loaded.(ml.Transformer).Transform(ctx, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.cols {
				if c == "prediction" {
					if g, w := column(t, got, c), column(t, want, c); !reflect.DeepEqual(g, w) {
						t.Errorf("%s differs after loading", c)
					}
					continue
				}
				if g, w := vectors(t, got, c), vectors(t, want, c); !reflect.DeepEqual(g, w) {
					t.Errorf("%s differs after loading", c)
				}
			}
			type debugger interface{ DebugString() string }
			if a, b := loaded.(debugger).DebugString(), m.(debugger).DebugString(); a != b {
				t.Errorf("DebugString differs after loading:\n%s\nwant\n%s", a, b)
			}
		})
	}
}

func TestLoadRejectsCorruptTrees(t *testing.T) {
	m := fitDT(t, persistFrame(t, false), nil)
	dir := filepath.Join(t.TempDir(), "model")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	// A model.json claiming fewer features than the splits use.
	p := filepath.Join(dir, "data", "model.json")
	b, _ := os.ReadFile(p)
	bad := strings.Replace(string(b), `"numFeatures":4`, `"numFeatures":1`, 1)
	if bad == string(b) {
		t.Fatalf("model.json lacks numFeatures 4: %s", b)
	}
	os.WriteFile(p, []byte(bad), 0o644)
	if _, err := ml.Load(dir, registry()); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("err = %v, want a checksum error", err)
	}
}

func TestRegisterKnowsEveryStage(t *testing.T) {
	r := registry()
	for _, name := range []string{
		"DecisionTreeClassifier", "DecisionTreeClassificationModel", "DecisionTreeRegressor", "DecisionTreeRegressionModel",
		"RandomForestClassifier", "RandomForestClassificationModel", "RandomForestRegressor", "RandomForestRegressionModel",
		"GBTClassifier", "GBTClassificationModel", "GBTRegressor", "GBTRegressionModel",
	} {
		s, err := r.New(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(ml.ParamList(s)) == 0 {
			t.Errorf("%s has no params", name)
		}
	}
	// Spark names and defaults.
	e, _ := r.New("RandomForestClassifier")
	want := map[string]any{"numTrees": 20, "maxDepth": 5, "maxBins": 32, "featureSubsetStrategy": "auto", "subsamplingRate": 1.0,
		"bootstrap": true, "impurity": "gini", "minInstancesPerNode": 1, "minInfoGain": 0.0, "seed": 207336481}
	for _, p := range ml.ParamList(e) {
		if w, ok := want[p.Name]; ok && !reflect.DeepEqual(p.Value, w) {
			t.Errorf("RandomForestClassifier %s = %v, want %v", p.Name, p.Value, w)
		}
	}
	g, _ := r.New("GBTClassifier")
	if err := ml.SetParam(g, "maxIter", 100.0); err != nil {
		t.Fatal(err)
	}
	if got := g.(*tree.GBTClassifier).P.MaxIter; got != 100 {
		t.Errorf("maxIter = %d after SetParam", got)
	}
}

// TestTransformMatchesPredict checks that Transform (compiled trees)
// gives exactly what the models' own per-row methods give on the node
// tables.
func TestTransformMatchesPredict(t *testing.T) {
	ctx := context.Background()
	cls, reg := persistFrame(t, false), persistFrame(t, true)
	x := vectors(t, cls, "features")
	x = append(x, []float64{0, 0, 9, 0}, []float64{0, 0, 1.5, 0}, []float64{0, 0, -1, 0}) // unseen categories
	probe := MustFrame(t, x, nil, nil, map[int]int{2: 4})
	type rawer interface {
		PredictRaw(x, raw []float64)
		RawToProbability(raw, prob []float64) bool
	}
	type predictor interface{ Predict(x []float64) float64 }
	rf := tree.NewRandomForestClassifier()
	rf.P.NumTrees = 7
	rfr := tree.NewRandomForestRegressor()
	rfr.P.NumTrees = 7
	gb := tree.NewGBTClassifier()
	gb.P.MaxIter = 7
	gbr := tree.NewGBTRegressor()
	gbr.P.MaxIter = 7
	for _, tt := range []struct {
		est  ml.Estimator
		data *ml.Frame
	}{{tree.NewDecisionTreeClassifier(), cls}, {rf, cls}, {gb, cls}, {tree.NewDecisionTreeRegressor(), reg}, {rfr, reg}, {gbr, reg}} {
		m, err := tt.est.Fit(ctx, tt.data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Transform(ctx, probe)
		if err != nil {
			t.Fatal(err)
		}
		pred := column(t, out, "prediction")
		if r, ok := m.(rawer); ok {
			raws, probs := vectors(t, out, "rawPrediction"), vectors(t, out, "probability")
			for i, row := range x {
				raw := make([]float64, len(raws[i]))
				prob := make([]float64, len(raw))
				r.PredictRaw(row, raw)
				r.RawToProbability(raw, prob)
				if !reflect.DeepEqual(raw, raws[i]) || !reflect.DeepEqual(prob, probs[i]) {
					t.Fatalf("%s row %d: Transform raw %v prob %v, PredictRaw %v %v", m.StageName(), i, raws[i], probs[i], raw, prob)
				}
			}
			continue
		}
		p := m.(predictor)
		for i, row := range x {
			if got := p.Predict(row); got != pred[i] {
				t.Fatalf("%s row %d: Transform %v, Predict %v", m.StageName(), i, pred[i], got)
			}
		}
	}
}
