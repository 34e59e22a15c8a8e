package feature

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

// statsRef is the part of testdata/feature_reference.json with test
// statistics (scipy's chi2_contingency, sklearn's f_classif and
// f_regression).
type statsRef struct {
	Chi2 struct {
		X    [][]float64
		Y    []float64
		Stat []float64
		P    []float64
		DOF  []float64
	}
	Anova struct {
		X    [][]float64
		Y    []float64
		F, P []float64
	}
	FRegression struct {
		X    [][]float64
		Y    []float64
		F, P []float64
	}
}

func dataset(x [][]float64, y []float64) *ml.Dataset {
	d := &ml.Dataset{N: len(x), D: len(x[0]), Y: y}
	for _, row := range x {
		d.X = append(d.X, row...)
	}
	return d
}

func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func TestStatisticsReference(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "feature_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref statsRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(name string, res []testResult, stat, p []float64) {
		t.Helper()
		for j := range stat {
			if !closeTo(res[j].Statistic, stat[j], 1e-10) {
				t.Errorf("%s feature %d: statistic %v, want %v", name, j, res[j].Statistic, stat[j])
			}
			// 1 - CDF loses relative precision for tiny p; compare absolutely.
			if math.Abs(res[j].PValue-p[j]) > 1e-9 {
				t.Errorf("%s feature %d: p-value %v, want %v", name, j, res[j].PValue, p[j])
			}
		}
	}
	res, err := chiSquareTest(ctx, dataset(ref.Chi2.X, ref.Chi2.Y))
	if err != nil {
		t.Fatal(err)
	}
	check("chi2", res, ref.Chi2.Stat, ref.Chi2.P)
	for j, r := range res {
		if r.DegreesOfFreedom != ref.Chi2.DOF[j] {
			t.Errorf("chi2 feature %d: dof %v, want %v", j, r.DegreesOfFreedom, ref.Chi2.DOF[j])
		}
	}
	if res, err = anovaTest(ctx, dataset(ref.Anova.X, ref.Anova.Y)); err != nil {
		t.Fatal(err)
	}
	check("f_classif", res, ref.Anova.F, ref.Anova.P)
	if res, err = fValueTest(ctx, dataset(ref.FRegression.X, ref.FRegression.Y)); err != nil {
		t.Fatal(err)
	}
	check("f_regression", res, ref.FRegression.F, ref.FRegression.P)
}

func TestChiSquareDegenerate(t *testing.T) {
	// One feature value: independent of anything, statistic 0, p 1.
	res, err := chiSquareTest(context.Background(), dataset([][]float64{{1}, {1}, {1}}, []float64{0, 1, 0}))
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Statistic != 0 || res[0].PValue != 1 {
		t.Errorf("constant feature: %+v", res[0])
	}
}

func TestSelectByPValue(t *testing.T) {
	p := []float64{0.04, math.NaN(), 0.001, 0.04, 0.5}
	for _, tt := range []struct {
		mode string
		th   float64
		want string
	}{
		{"numTopFeatures", 3, "[0 2 3]"}, // ties by index
		{"numTopFeatures", 10, "[0 1 2 3 4]"},
		{"percentile", 0.4, "[0 2]"},
		{"fpr", 0.04, "[2]"}, // strictly below
		{"fwe", 0.05, "[2]"},
		// BH at 0.1: sorted 0.001 0.04 0.04 0.5 NaN vs 0.02 0.04 0.06 0.08 0.1.
		{"fdr", 0.1, "[0 2 3]"},
		{"fdr", 0.001, "[]"},
	} {
		if got := fmt.Sprint(selectByPValue(p, tt.mode, tt.th)); got != tt.want {
			t.Errorf("%s %v: %s, want %s", tt.mode, tt.th, got, tt.want)
		}
	}
}

func FuzzParseScalarAttr(f *testing.F) {
	f.Add(`{"ml_attr":{"type":"nominal","name":"c","vals":["a","b"]}}`)
	f.Add(`{"ml_attr":{"type":"nominal","num_vals":3}}`)
	f.Add(`{"ml_attr":{"type":"binary"}}`)
	f.Add(`{"ml_attr":{"type":"numeric","name":"x"}}`)
	f.Add(`{"ml_attr":{"num_attrs":2,"attrs":{"numeric":[{"idx":0}]}}}`)
	f.Add(`{`)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<12 {
			return
		}
		a := parseScalarAttr(s)
		if a.n < 0 {
			t.Fatalf("negative category count %d", a.n)
		}
		names := a.names()
		if len(names) != a.n {
			t.Fatalf("%d names for %d categories", len(names), a.n)
		}
	})
}
