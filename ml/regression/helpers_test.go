package regression_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/mltest"
	"github.com/sluice-dev/sluice/ml/regression"
)

// withColumn adds a float64 column.
func withColumn(tb testing.TB, f *ml.Frame, name string, v []float64) *ml.Frame {
	tb.Helper()
	out, err := f.WithColumn(arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column(v))
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func registry() *ml.Registry {
	r := ml.NewRegistry()
	regression.Register(r)
	return r
}

// close reports whether got is within rel relative (or abs absolute)
// tolerance of want; NaN equals NaN.
func close(got, want, rel, abs float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

func checkSlice(t *testing.T, what string, got, want []float64, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
		return
	}
	for i := range want {
		if !close(got[i], want[i], rel, abs) {
			t.Errorf("%s[%d] = %.10g, want %.10g (all: got %v, want %v)", what, i, got[i], want[i], got, want)
			return
		}
	}
}

func checkValue(t *testing.T, what string, got, want, rel, abs float64) {
	t.Helper()
	if !close(got, want, rel, abs) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

type reference struct {
	Linear struct {
		X      [][]float64
		Y      []float64
		YHuber []float64 `json:"y_huber"`
		W      []float64
		Cases  []linearCase
	}
	GLM      []glmCase
	Isotonic []isotonicCase
	Churn    *churnReference
}

type linearCase struct {
	Name         string
	Params       map[string]any
	Weighted     bool
	Coefficients []float64
	Intercept    float64
	Scale        *float64
	StdErrors    []float64 `json:"std_errors"`
	TValues      []float64 `json:"t_values"`
	PValues      []float64 `json:"p_values"`
	Metrics      struct {
		MSE, RMSE, MAE, R2 float64
		R2Adj              float64 `json:"r2adj"`
		ExplainedVariance  float64 `json:"explained_variance"`
	}
}

type glmCase struct {
	Name         string
	Params       map[string]any
	X            [][]float64
	Y, W         []float64
	Offset       []float64
	Coefficients []float64
	Intercept    float64
	Dispersion   float64
	Deviance     float64
	NullDeviance float64 `json:"null_deviance"`
	AIC          *float64
	ResidualDOF  int       `json:"residual_dof"`
	StdErrors    []float64 `json:"std_errors"`
	TValues      []float64 `json:"t_values"`
	PValues      []float64 `json:"p_values"`
}

type isotonicCase struct {
	Name            string
	X, Y, W         []float64
	Isotonic        bool
	Boundaries      []float64
	Predictions     []float64
	Test            []float64
	TestPredictions []float64 `json:"test_predictions"`
}

func loadReference(tb testing.TB) *reference {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatal(err)
	}
	return &r
}

// setParams applies Spark-named params.
func setParams(tb testing.TB, s ml.HasParams, params map[string]any) {
	tb.Helper()
	for k, v := range params {
		if err := ml.SetParam(s, k, v); err != nil {
			tb.Fatal(err)
		}
	}
}

type churnReference struct {
	LinearColumns []string `json:"linear_columns"`
	OLS           struct {
		Coefficients []float64
		Intercept    float64
		StdErrors    []float64 `json:"std_errors"`
	}
	ElasticNet struct {
		RegParam        float64
		ElasticNetParam float64
		Coefficients    []float64
		Intercept       float64
	} `json:"elastic_net"`
	Binomial glmCase
	Poisson  glmCase
}

// Shared helpers (package mltest).
var floats = mltest.Floats

// mustFrame builds a frame with "features", "label" (always, even when
// empty) and, when w is not nil, "weight" columns.
func mustFrame(tb testing.TB, x [][]float64, y, w []float64) *ml.Frame {
	tb.Helper()
	if y == nil {
		y = []float64{}
	}
	return mltest.Frame(tb, x, y, w, nil)
}
