package classification_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
)

func fitNB(t *testing.T, nb *classification.NaiveBayes, f *ml.Frame) *classification.NaiveBayesModel {
	t.Helper()
	m, err := nb.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*classification.NaiveBayesModel)
}

func TestNaiveBayesMatchesScikitLearn(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadReference(t).NaiveBayes {
		t.Run(c.Name, func(t *testing.T) {
			f := frameOf(t, c.X, c.Y, c.W)
			nb := classification.NewNaiveBayes()
			nb.P.ModelType, nb.P.Smoothing = c.ModelType, c.Smoothing
			if c.W != nil {
				nb.P.WeightCol = "weight"
			}
			m := fitNB(t, nb, f)
			nearSlice(t, "pi", m.Pi, c.Pi, 1e-12)
			for k := range c.Theta {
				nearSlice(t, "theta", m.Theta[k], c.Theta[k], 1e-12)
				if c.Sigma != nil {
					nearSlice(t, "sigma", m.Sigma[k], c.Sigma[k], 1e-9)
				}
			}
			out, err := m.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			raw, prob, pred := vectors(t, out, "rawPrediction"), vectors(t, out, "probability"), floats(t, out, "prediction")
			// Spark's gaussian raw score leaves out scikit-learn's −D/2·log 2π.
			shift := 0.0
			if c.ModelType == "gaussian" {
				shift = -0.5 * float64(len(c.X[0])) * math.Log(2*math.Pi)
			}
			for i := range c.Raw {
				for k := range c.Raw[i] {
					raw[i][k] += shift
				}
				nearSlice(t, "rawPrediction", raw[i], c.Raw[i], 1e-9)
				nearSlice(t, "probability", prob[i], c.Probability[i], 1e-9)
			}
			nearSlice(t, "prediction", pred, c.Prediction, 0)
		})
	}
}

func TestNaiveBayesDefaults(t *testing.T) {
	nb := classification.NewNaiveBayes()
	if nb.P.ModelType != "multinomial" || nb.P.Smoothing != 1 || nb.P.ProbabilityCol != "probability" {
		t.Errorf("defaults %+v", nb.P)
	}
}

// TestNaiveBayesHandComputed checks a multinomial model against counts
// worked out by hand.
func TestNaiveBayesHandComputed(t *testing.T) {
	X := [][]float64{{2, 0, 1}, {1, 1, 0}, {0, 3, 1}}
	y := []float64{0, 0, 1}
	m := fitNB(t, classification.NewNaiveBayes(), frameOf(t, X, y, nil))
	// Class 0: counts (3, 1, 1), total 5; class 1: (0, 3, 1), total 4; D = 3.
	want0 := []float64{math.Log(4.0 / 8), math.Log(2.0 / 8), math.Log(2.0 / 8)}
	want1 := []float64{math.Log(1.0 / 7), math.Log(4.0 / 7), math.Log(2.0 / 7)}
	nearSlice(t, "theta 0", m.Theta[0], want0, 1e-14)
	nearSlice(t, "theta 1", m.Theta[1], want1, 1e-14)
	nearSlice(t, "pi", m.Pi, []float64{math.Log(3.0 / 5), math.Log(2.0 / 5)}, 1e-14)
}

// TestNaiveBayesWeights: weight 2 is a duplicated row, weight 0 a dropped
// one, for every model type.
func TestNaiveBayesWeights(t *testing.T) {
	for _, c := range loadReference(t).NaiveBayes {
		t.Run(c.ModelType, func(t *testing.T) {
			w := make([]float64, len(c.Y))
			var dupX [][]float64
			var dupY []float64
			for i := range c.Y {
				w[i] = float64(i % 3)
				for range i % 3 {
					dupX, dupY = append(dupX, c.X[i]), append(dupY, c.Y[i])
				}
			}
			nb := classification.NewNaiveBayes()
			nb.P.ModelType = c.ModelType
			dup := fitNB(t, nb, frameOf(t, dupX, dupY, nil))
			nb.P.WeightCol = "weight"
			weighted := fitNB(t, nb, frameOf(t, c.X, c.Y, w))
			nearSlice(t, "pi", weighted.Pi, dup.Pi, 1e-12)
			for k := range dup.Theta {
				nearSlice(t, "theta", weighted.Theta[k], dup.Theta[k], 1e-9)
				if dup.Sigma != nil {
					nearSlice(t, "sigma", weighted.Sigma[k], dup.Sigma[k], 1e-9)
				}
			}
		})
	}
}

func TestNaiveBayesThresholds(t *testing.T) {
	ctx := context.Background()
	c := loadReference(t).NaiveBayes[0]
	f := frameOf(t, c.X, c.Y, nil)
	nb := classification.NewNaiveBayes()
	nb.P.Thresholds = []float64{0.6, 0.1, 0.3}
	m := fitNB(t, nb, f)
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	prob, pred := vectors(t, out, "probability"), floats(t, out, "prediction")
	changed := 0
	for i := range pred {
		best, bestV := 0, -1.0
		for k, p := range prob[i] {
			if v := p / nb.P.Thresholds[k]; v > bestV {
				best, bestV = k, v
			}
		}
		if pred[i] != float64(best) {
			t.Errorf("row %d: prediction %v, want %d", i, pred[i], best)
		}
		if pred[i] != c.Prediction[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Error("thresholds changed no prediction; the test data is too easy")
	}
}

func TestNaiveBayesSaveLoad(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadReference(t).NaiveBayes {
		t.Run(c.Name, func(t *testing.T) {
			f := frameOf(t, c.X, c.Y, nil)
			nb := classification.NewNaiveBayes()
			nb.P.ModelType = c.ModelType
			m := fitNB(t, nb, f)
			dir := filepath.Join(t.TempDir(), "nb")
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
			g, w := vectors(t, got, "rawPrediction"), vectors(t, want, "rawPrediction")
			for i := range w {
				nearSlice(t, "raw", g[i], w[i], 0)
			}
		})
	}
}

func TestNaiveBayesBadInput(t *testing.T) {
	ctx := context.Background()
	y := []float64{0, 1, 0, 1}
	counts := [][]float64{{1, 2}, {0, 3}, {4, 0}, {1, 1}}
	for _, tt := range []struct {
		name, modelType string
		X               [][]float64
		y               []float64
		smoothing       float64
		want            string
	}{
		{"negative count", "multinomial", [][]float64{{1, 2}, {0, 3}, {4, -1}, {1, 1}}, y, 1, "row 3: feature 1 (feature 1) is -1; multinomial naive Bayes needs non-negative values"},
		{"negative complement", "complement", [][]float64{{1, 2}, {-2, 3}, {4, 1}, {1, 1}}, y, 1, "row 2: feature 0 (feature 0) is -2; complement naive Bayes"},
		{"bernoulli not binary", "bernoulli", [][]float64{{1, 0}, {0, 1}, {1, 1}, {0, 2}}, y, 1, "row 4: feature 1 (feature 1) is 2; bernoulli naive Bayes needs values 0 or 1"},
		{"bad model type", "poisson", counts, y, 1, `modelType "poisson"`},
		{"negative smoothing", "multinomial", counts, y, -1, "smoothing is -1"},
		{"gaussian empty class", "gaussian", counts, []float64{0, 2, 0, 2}, 1, "class 1 has no rows"},
		{"one class", "multinomial", counts, []float64{1, 1, 1, 1}, 1, "one class only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			nb := classification.NewNaiveBayes()
			nb.P.ModelType, nb.P.Smoothing = tt.modelType, tt.smoothing
			_, err := nb.Fit(ctx, frameOf(t, tt.X, tt.y, nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("transform negative", func(t *testing.T) {
		m := fitNB(t, classification.NewNaiveBayes(), frameOf(t, counts, y, nil))
		_, err := m.Transform(ctx, frameOf(t, [][]float64{{1, 1}, {2, -3}}, []float64{0, 0}, nil))
		if err == nil || !strings.Contains(err.Error(), "row 2: feature 1 (feature 1) is -3") {
			t.Errorf("err = %v", err)
		}
	})
}
