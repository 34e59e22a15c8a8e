package tree_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tree"
)

// TestChurnReference compares test AUCs on the churn split with
// scikit-learn's on the same features (testdata/gen_reference.py): no
// more than 0.01 below.
func TestChurnReference(t *testing.T) {
	train, test := churnFrames(t)
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]any
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	dt := tree.NewDecisionTreeClassifier() // maxDepth 5
	rf := tree.NewRandomForestClassifier()
	rf.P.NumTrees = 100
	gbt := tree.NewGBTClassifier()
	gbt.P.MaxIter, gbt.P.MaxDepth = 100, 3
	for _, tt := range []struct {
		name string
		est  ml.Estimator
		ref  string
	}{
		{"DecisionTree depth 5", dt, "dt_depth5"},
		{"RandomForest 100 trees", rf, "rf_100"},
		{"GBT 100 rounds depth 3", gbt, "gbt_100_depth3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.est.Fit(t.Context(), train)
			if err != nil {
				t.Fatal(err)
			}
			got, want := auc(t, m, test), ref[tt.ref].(float64)
			t.Logf("AUC %.4f, scikit-learn %.4f", got, want)
			if got < want-0.01 {
				t.Errorf("AUC %.4f, want at least scikit-learn's %.4f - 0.01", got, want)
			}
		})
	}
}
