package classification_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
)

// reference is testdata/reference.json, written by gen_reference.py.
type reference struct {
	Logistic []struct {
		Name         string         `json:"name"`
		X            [][]float64    `json:"X"`
		Y            []float64      `json:"y"`
		W            []float64      `json:"w"`
		Params       map[string]any `json:"params"`
		Coefficients [][]float64    `json:"coefficients"`
		Intercepts   []float64      `json:"intercepts"`
		Probability  [][]float64    `json:"probability"`
	} `json:"logistic"`
	SVC []struct {
		Name         string         `json:"name"`
		X            [][]float64    `json:"X"`
		Y            []float64      `json:"y"`
		W            []float64      `json:"w"`
		Params       map[string]any `json:"params"`
		Coefficients [][]float64    `json:"coefficients"`
		Intercepts   []float64      `json:"intercepts"`
		Objective    float64        `json:"objective"`
		Margin       []float64      `json:"margin"`
	} `json:"svc"`
	NaiveBayes []struct {
		Name        string      `json:"name"`
		ModelType   string      `json:"modelType"`
		X           [][]float64 `json:"X"`
		Y           []float64   `json:"y"`
		W           []float64   `json:"w"`
		Smoothing   float64     `json:"smoothing"`
		Pi          []float64   `json:"pi"`
		Theta       [][]float64 `json:"theta"`
		Sigma       [][]float64 `json:"sigma"`
		Raw         [][]float64 `json:"raw"`
		Probability [][]float64 `json:"probability"`
		Prediction  []float64   `json:"prediction"`
	} `json:"naiveBayes"`
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func loadReference(t *testing.T) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func setParams(t *testing.T, s ml.HasParams, params map[string]any) {
	t.Helper()
	for k, v := range params {
		if err := ml.SetParam(s, k, v); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLogisticRegressionMatchesScikitLearn(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadReference(t).Logistic {
		t.Run(c.Name, func(t *testing.T) {
			f := frameOf(t, c.X, c.Y, c.W)
			lr := classification.NewLogisticRegression()
			setParams(t, lr, c.Params)
			if c.W != nil {
				lr.P.WeightCol = "weight"
			}
			m, err := lr.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			lm := m.(*classification.LogisticRegressionModel)
			s, _ := lm.Summary()
			t.Logf("%d iterations, objective %.10g", s.TotalIterations, s.ObjectiveHistory[len(s.ObjectiveHistory)-1])
			if len(lm.CoefficientMatrix) != len(c.Coefficients) {
				t.Fatalf("%d coefficient rows, want %d", len(lm.CoefficientMatrix), len(c.Coefficients))
			}
			tol := 1e-5
			if v, _ := c.Params["elasticNetParam"].(float64); v > 0 {
				tol = 1e-4 // saga is less exact than lbfgs
			}
			for k := range c.Coefficients {
				nearSlice(t, "coefficients", lm.CoefficientMatrix[k], c.Coefficients[k], tol)
			}
			nearSlice(t, "intercepts", lm.InterceptVector, c.Intercepts, tol)
			for j, w := range c.Coefficients[0] {
				if w == 0 && lm.CoefficientMatrix[0][j] != 0 {
					t.Errorf("coefficient %d = %g, want exactly 0 (L1)", j, lm.CoefficientMatrix[0][j])
				}
			}
			out, err := lm.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			prob := vectors(t, out, "probability")
			for i := range c.Probability {
				nearSlice(t, "probability", prob[i], c.Probability[i], tol)
			}
		})
	}
}

func TestLinearSVCMatchesScikitLearn(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadReference(t).SVC {
		t.Run(c.Name, func(t *testing.T) {
			f := frameOf(t, c.X, c.Y, c.W)
			svc := classification.NewLinearSVC()
			setParams(t, svc, c.Params)
			if c.W != nil {
				svc.P.WeightCol = "weight"
			}
			m, err := svc.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			sm := m.(*classification.LinearSVCModel)
			// Hinge loss is not smooth, so L-BFGS ends near, not at, the
			// optimum (as in Spark, whose line search stalls on the kinks
			// the same way): compare objectives and the predictions of rows
			// not close to the margin, not coefficients.
			reg := c.Params["regParam"].(float64)
			obj := svcObjective(c.X, c.Y, c.W, sm.Coefficients, sm.Intercept, reg, c.Params["standardization"].(bool))
			t.Logf("objective %.8g, scikit-learn %.8g", obj, c.Objective)
			if obj > c.Objective*(1+2e-3) {
				t.Errorf("objective %.8g, scikit-learn reaches %.8g", obj, c.Objective)
			}
			out, err := sm.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			raw := vectors(t, out, "rawPrediction")
			pred := floats(t, out, "prediction")
			for i, mg := range c.Margin {
				if raw[i][0] != -raw[i][1] {
					t.Fatalf("row %d: raw %v is not [-m, m]", i, raw[i])
				}
				if math.Abs(mg) > 0.25 && (mg > 0) != (pred[i] == 1) {
					t.Errorf("row %d: prediction %v, scikit-learn's margin is %.3f", i, pred[i], mg)
				}
			}
		})
	}
}

// svcObjective is Spark's LinearSVC objective on the original scale.
func svcObjective(X [][]float64, y, w, coef []float64, icpt, reg float64, standardization bool) float64 {
	n := len(X)
	std := make([]float64, len(coef))
	for j := range std {
		std[j] = 1
	}
	if standardization {
		var W, W2 float64
		mean := make([]float64, len(coef))
		for i := range X {
			wi := weightAt(w, i)
			W += wi
			W2 += wi * wi
			for j := range mean {
				mean[j] += wi * X[i][j]
			}
		}
		for j := range std {
			mean[j] /= W
			var m2 float64
			for i := range X {
				d := X[i][j] - mean[j]
				m2 += weightAt(w, i) * d * d
			}
			std[j] = math.Sqrt(m2 / (W - W2/W))
		}
	}
	var loss, W float64
	for i := 0; i < n; i++ {
		m := icpt
		for j, v := range X[i] {
			m += coef[j] * v
		}
		wi := weightAt(w, i)
		W += wi
		loss += wi * max(0, 1-(2*y[i]-1)*m)
	}
	var pen float64
	for j, c := range coef {
		pen += c * std[j] * c * std[j]
	}
	return loss/W + reg/2*pen
}

func weightAt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}
