package tree_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/ml/tree"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n%s", name, p, got)
	}
}

func TestDebugStringGolden(t *testing.T) {
	// Feature 0 continuous, feature 1 categorical (3 values), feature 2
	// tiny-scaled continuous (thresholds in Java's E notation).
	x := [][]float64{
		{1, 0, 1e-5}, {2, 1, 2e-5}, {3, 2, 3e-5}, {4, 0, 4e-5}, {5, 1, 5e-5}, {6, 2, 6e-5},
		{7, 0, 7e-5}, {8, 1, 8e-5}, {9, 2, 9e-5}, {10, 0, 1e-4}, {11, 1, 1.1e-4}, {12, 2, 1.2e-4},
	}
	y := []float64{0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1}
	f := MustFrame(t, x, y, nil, map[int]int{1: 3})
	dt := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth = 3 })
	dt.UID = "DecisionTreeClassifier_000000000001"
	golden(t, "dt_debug.txt", dt.DebugString())

	rf := tree.NewRandomForestClassifier()
	rf.P.NumTrees, rf.P.MaxDepth = 2, 2
	m, err := rf.Fit(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	rm := m.(*tree.RandomForestClassificationModel)
	rm.UID = "RandomForestClassifier_000000000002"
	golden(t, "rf_debug.txt", rm.DebugString())

	g := tree.NewGBTClassifier()
	g.P.MaxIter, g.P.MaxDepth = 2, 1
	m, err = g.Fit(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	gm := m.(*tree.GBTClassificationModel)
	gm.UID = "GBTClassifier_000000000003"
	golden(t, "gbt_debug.txt", gm.DebugString())
}
