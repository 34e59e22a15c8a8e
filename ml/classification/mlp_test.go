package classification_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
)

func fitMLP(t *testing.T, e *classification.MultilayerPerceptronClassifier, f *ml.Frame) *classification.MultilayerPerceptronClassificationModel {
	t.Helper()
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*classification.MultilayerPerceptronClassificationModel)
}

func mlpReference(t *testing.T) (layers []int, X [][]float64, y, weights []float64, prob [][]float64, loss float64) {
	t.Helper()
	var r struct {
		MLP struct {
			Layers      []int       `json:"layers"`
			X           [][]float64 `json:"X"`
			Y           []float64   `json:"y"`
			Weights     []float64   `json:"weights"`
			Probability [][]float64 `json:"probability"`
			Loss        float64     `json:"loss"`
		} `json:"mlp"`
	}
	b := readFile(t, "testdata/reference.json")
	if err := jsonUnmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	m := r.MLP
	return m.Layers, m.X, m.Y, m.Weights, m.Probability, m.Loss
}

// TestMLPForwardMatchesScikitLearn: with fixed weights in Spark's layout
// (maxIter 0 keeps initialWeights), probabilities and the initial loss
// match scikit-learn's MLPClassifier holding the same weights.
func TestMLPForwardMatchesScikitLearn(t *testing.T) {
	layers, X, y, weights, prob, loss := mlpReference(t)
	e := classification.NewMultilayerPerceptronClassifier()
	e.P.Layers, e.P.InitialWeights, e.P.MaxIter = layers, weights, 0
	f := frameOf(t, X, y, nil)
	m := fitMLP(t, e, f)
	if !closeTo(m.ObjectiveHistory[0], loss, 1e-12) {
		t.Errorf("loss at the initial weights %.12g, scikit-learn %.12g", m.ObjectiveHistory[0], loss)
	}
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	got := vectors(t, out, "probability")
	for i := range prob {
		nearSlice(t, "probability", got[i], prob[i], 1e-12)
	}
}

func xorData() ([][]float64, []float64) {
	var X [][]float64
	var y []float64
	for i := range 40 {
		a, b := float64(i%2), float64((i/2)%2)
		X = append(X, []float64{a + 0.05*float64(i%5), b - 0.04*float64(i%3)})
		y = append(y, float64(int(a)^int(b)))
	}
	return X, y
}

func TestMLPLearnsXOR(t *testing.T) {
	ctx := context.Background()
	X, y := xorData()
	f := frameOf(t, X, y, nil)
	for _, solver := range []string{"l-bfgs", "gd"} {
		e := classification.NewMultilayerPerceptronClassifier()
		e.P.Layers, e.P.Solver, e.P.Seed = []int{2, 6, 2}, solver, 7
		if solver == "gd" {
			e.P.StepSize, e.P.MaxIter = 5, 3000
		}
		m := fitMLP(t, e, f)
		out, err := m.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		pred := floats(t, out, "prediction")
		wrong := 0
		for i := range y {
			if pred[i] != y[i] {
				wrong++
			}
		}
		h := m.ObjectiveHistory
		t.Logf("%s: %d iterations, loss %.4g → %.4g, %d wrong", solver, m.TotalIterations, h[0], h[len(h)-1], wrong)
		if wrong > 0 {
			t.Errorf("%s: %d of %d XOR rows wrong", solver, wrong, len(y))
		}
		if h[len(h)-1] >= h[0] {
			t.Errorf("%s: loss did not fall: %v → %v", solver, h[0], h[len(h)-1])
		}
	}
}

func TestMLPSeedAndSaveLoad(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	f := frameOf(t, X, y, nil)
	e := classification.NewMultilayerPerceptronClassifier()
	e.P.Layers, e.P.MaxIter = []int{2, 4, 3}, 30
	a, b := fitMLP(t, e, f), fitMLP(t, e, f)
	nearSlice(t, "weights with the same seed", a.Weights, b.Weights, 0)
	e.P.Seed++
	if c := fitMLP(t, e, f); c.Weights[0] == a.Weights[0] {
		t.Error("another seed gave the same weights")
	}
	dir := filepath.Join(t.TempDir(), "mlp")
	if err := ml.Save(dir, a); err != nil {
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := a.Transform(ctx, f)
	got, err := st.(ml.Model).Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	g, w := vectors(t, got, "rawPrediction"), vectors(t, want, "rawPrediction")
	for i := range w {
		nearSlice(t, "raw", g[i], w[i], 0)
	}
}

func TestMLPBadInput(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	for _, tt := range []struct {
		name string
		set  func(p *classification.MultilayerPerceptronParams)
		want string
	}{
		{"no layers", func(p *classification.MultilayerPerceptronParams) { p.Layers = nil }, "give at least the input and output sizes"},
		{"zero layer", func(p *classification.MultilayerPerceptronParams) { p.Layers = []int{2, 0, 3} }, "layers[1] is 0"},
		{"input size", func(p *classification.MultilayerPerceptronParams) { p.Layers = []int{3, 3} }, "layers[0] is 3 but the features have 2 values"},
		{"output size", func(p *classification.MultilayerPerceptronParams) { p.Layers = []int{2, 2} }, "3 classes but the output layer has 2 units"},
		{"solver", func(p *classification.MultilayerPerceptronParams) { p.Solver = "adam" }, `solver "adam"`},
		{"stepSize", func(p *classification.MultilayerPerceptronParams) { p.StepSize = 0 }, "stepSize is 0"},
		{"initialWeights", func(p *classification.MultilayerPerceptronParams) { p.InitialWeights = []float64{1, 2} }, "initialWeights has 2 values; layers [2 3] need 9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := classification.NewMultilayerPerceptronClassifier()
			e.P.Layers = []int{2, 3}
			tt.set(&e.P)
			_, err := e.Fit(ctx, frameOf(t, X, y, nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
