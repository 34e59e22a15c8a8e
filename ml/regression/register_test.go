package regression_test

import (
	"math"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/regression"
)

func TestRegister(t *testing.T) {
	r := registry()
	want := []string{
		"GeneralizedLinearRegression", "GeneralizedLinearRegressionModel",
		"IsotonicRegression", "IsotonicRegressionModel",
		"LinearRegression", "LinearRegressionModel",
	}
	for _, name := range want {
		if !slices.Contains(r.Names(), name) {
			t.Errorf("registry lacks %s (has %v)", name, r.Names())
			continue
		}
		s, err := r.New(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.StageName() != name {
			t.Errorf("New(%q).StageName() = %q", name, s.StageName())
		}
		if _, ok := s.(ml.Stage); !ok {
			t.Errorf("%s is not a pipeline stage", name)
		}
		if v, ok := s.Params().(ml.Validator); !ok || v.Validate() != nil {
			t.Errorf("%s: default params do not validate: %v", name, v.Validate())
		}
	}
	// Spark's defaults, by Spark's param names.
	defaults := map[string]map[string]any{
		"LinearRegression": {"maxIter": 100, "regParam": 0.0, "elasticNetParam": 0.0, "tol": 1e-6, "fitIntercept": true,
			"standardization": true, "solver": "auto", "loss": "squaredError", "epsilon": 1.35, "weightCol": "",
			"featuresCol": "features", "labelCol": "label", "predictionCol": "prediction"},
		"GeneralizedLinearRegression": {"family": "gaussian", "link": "", "variancePower": 0.0, "fitIntercept": true,
			"maxIter": 25, "tol": 1e-6, "regParam": 0.0, "solver": "irls", "offsetCol": "", "linkPredictionCol": ""},
		"IsotonicRegression": {"isotonic": true, "featureIndex": 0, "weightCol": ""},
	}
	for name, params := range defaults {
		s, _ := r.New(name)
		got := map[string]any{}
		for _, p := range ml.ParamList(s) {
			got[p.Name] = p.Value
		}
		for k, v := range params {
			if got[k] != v {
				t.Errorf("%s.%s = %v, want Spark's default %v", name, k, got[k], v)
			}
		}
		if name == "GeneralizedLinearRegression" && !math.IsNaN(got["linkPower"].(float64)) {
			t.Errorf("linkPower default %v, want NaN (unset)", got["linkPower"])
		}
	}
	// Each model's zero state transforms nothing but validates.
	if _, err := (&regression.LinearRegressionModel{P: regression.NewLinearRegression().P}).TransformSchema(mustFrame(t, column(1), []float64{1}, nil).Schema()); err != nil {
		t.Errorf("LinearRegressionModel schema: %v", err)
	}
}
