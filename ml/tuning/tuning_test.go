package tuning

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/mltest"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func TestParamGridBuilderOrder(t *testing.T) {
	a, b := newRidge(), newScale("x", "y")
	maps := NewParamGridBuilder().
		AddGrid(a, "regParam", []any{1.0, 2.0}).
		AddGrid(b, "factor", []any{"x", "y", "z"}).
		Build()
	var got []string
	for _, m := range maps {
		got = append(got, m.String())
	}
	// Spark's build: the first param added varies fastest.
	want := []string{
		"{TestRidge.regParam: 1, TestScale.factor: x}",
		"{TestRidge.regParam: 2, TestScale.factor: x}",
		"{TestRidge.regParam: 1, TestScale.factor: y}",
		"{TestRidge.regParam: 2, TestScale.factor: y}",
		"{TestRidge.regParam: 1, TestScale.factor: z}",
		"{TestRidge.regParam: 2, TestScale.factor: z}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if maps[0][0].Ref.Stage != a {
		t.Error("ref does not hold the stage object")
	}

	// Re-adding a param replaces its values in place; BaseOn fixes values.
	g := NewParamGridBuilder().AddGrid(a, "regParam", []any{1.0, 2.0}).AddGrid(nil, "maxIter", []any{5}).
		AddGrid(a, "regParam", []any{3.0}).BaseOn(ParamPair{Ref: ParamRef{Name: "TestRidge", Param: "labelCol"}, Value: "y"}).Build()
	if len(g) != 1 || g[0].String() != "{TestRidge.regParam: 3, maxIter: 5, TestRidge.labelCol: y}" {
		t.Errorf("replace + baseOn: got %v", g)
	}
	if got := NewParamGridBuilder().Build(); len(got) != 1 || len(got[0]) != 0 {
		t.Errorf("empty builder: got %v, want one empty map", got)
	}
	if got := NewParamGridBuilder().AddGrid(a, "regParam", nil).Build(); len(got) != 0 {
		t.Errorf("empty value list: got %d maps, want 0 (as Spark)", len(got))
	}
	// The builder's maps do not share storage.
	g2 := NewParamGridBuilder().AddGrid(0, "factor", []any{1, 2}).AddGrid(1, "factor", []any{3, 4}).Build()
	g2[0][0].Value = 99
	if g2[2][0].Value != 1 {
		t.Errorf("maps share storage: %v", g2)
	}
	defer func() {
		if recover() == nil {
			t.Error("AddGrid with a float stage did not panic")
		}
	}()
	NewParamGridBuilder().AddGrid(1.5, "x", nil)
}

func TestParseParamRef(t *testing.T) {
	tests := []struct {
		in   string
		want ParamRef
		err  string
	}{
		{in: "maxDepth", want: ParamRef{Param: "maxDepth"}},
		{in: "DecisionTreeClassifier.maxDepth", want: ParamRef{Name: "DecisionTreeClassifier", Param: "maxDepth"}},
		{in: "2.maxDepth", want: ParamRef{Path: []int{2}, Param: "maxDepth"}},
		{in: "1.0.maxDepth", want: ParamRef{Path: []int{1, 0}, Param: "maxDepth"}},
		{in: " 3.regParam ", want: ParamRef{Path: []int{3}, Param: "regParam"}},
		{in: "", err: "want PARAM, STAGE.PARAM"},
		{in: "a.", err: "want PARAM"},
		{in: "a.b.c", err: `"a" is neither`},
		{in: "-1.x", err: `"-1" is neither`},
		{in: "a b.c", err: `"a b" is neither`},
	}
	for _, tt := range tests {
		got, err := ParseParamRef(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if back, _ := ParseParamRef(got.String()); !reflect.DeepEqual(back, got) {
			t.Errorf("%q: String() %q parses to %+v", tt.in, got.String(), back)
		}
	}
}

func FuzzParseParamRef(f *testing.F) {
	for _, s := range []string{"maxDepth", "A.b", "1.2.c", "", "..", "1.", "x.y.z", "00.a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2*maxParamRefLen {
			return
		}
		r, err := ParseParamRef(s)
		if err != nil {
			return
		}
		back, err := ParseParamRef(r.String())
		if err != nil || !back.same(r) {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, r, r.String(), back, err)
		}
	})
}

func testPipeline() (*ml.Pipeline, *scale, *scale, *ridge) {
	s0, s1 := newScale("features", "f1"), newScale("f1", "f2")
	r := newRidge()
	r.P.FeaturesCol = "f2"
	return &ml.Pipeline{Stages: []ml.Stage{s0, s1, r}}, s0, s1, r
}

func TestApplyCopies(t *testing.T) {
	p, s0, s1, r := testPipeline()
	pm := ParamMap{
		{Ref: ParamRef{Stage: s1, Param: "factor"}, Value: 2},
		{Ref: ParamRef{Path: []int{0}, Param: "factor"}, Value: 3.0},
		{Ref: ParamRef{Name: "TestRidge", Param: "regParam"}, Value: 4.0},
		{Ref: ParamRef{Param: "maxIter"}, Value: 7.0},             // YAML-style whole float → int
		{Ref: ParamRef{Name: "2", Param: "labelCol"}, Value: "y"}, // digits: an index
	}
	est, err := pm.Apply(p)
	if err != nil {
		t.Fatal(err)
	}
	cp := est.(*ml.Pipeline)
	if cp == p || cp.Stages[0] == s0 || cp.Stages[1] == s1 || cp.Stages[2] == r {
		t.Fatal("Apply shares stages with the original")
	}
	if f := cp.Stages[0].(*scale).P.Factor; f != 3 {
		t.Errorf("stage 0 factor %v, want 3", f)
	}
	if f := cp.Stages[1].(*scale).P.Factor; f != 2 {
		t.Errorf("stage 1 factor %v, want 2", f)
	}
	if rp := cp.Stages[2].(*ridge).P; rp.RegParam != 4 || rp.MaxIter != 7 || rp.FeaturesCol != "f2" || rp.LabelCol != "y" {
		t.Errorf("ridge params %+v", rp)
	}
	if s0.P.Factor != 1 || s1.P.Factor != 1 || r.P.RegParam != 0 || r.P.MaxIter != 100 {
		t.Errorf("original changed: %+v %+v %+v", s0.P, s1.P, r.P)
	}

	// Slices in params are deep-copied: changing the copy's leaves the original.
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"a", "b"}
	va.P.OutputCol = "features"
	pipe := &ml.Pipeline{Stages: []ml.Stage{va, newRidge()}}
	est, err = ParamMap{{Ref: ParamRef{Param: "regParam"}, Value: 1.0}}.Apply(pipe)
	if err != nil {
		t.Fatal(err)
	}
	est.(*ml.Pipeline).Stages[0].(*feature.VectorAssembler).P.InputCols[0] = "changed"
	if va.P.InputCols[0] != "a" {
		t.Error("the copy shares inputCols with the original")
	}
	// A value shared by several maps is not shared by the copies.
	cols := []any{"x", "y"}
	e1, err := ParamMap{{Ref: ParamRef{Name: "VectorAssembler", Param: "inputCols"}, Value: cols}}.Apply(pipe)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := ParamMap{{Ref: ParamRef{Name: "VectorAssembler", Param: "inputCols"}, Value: cols}}.Apply(pipe)
	e1.(*ml.Pipeline).Stages[0].(*feature.VectorAssembler).P.InputCols[0] = "z"
	if got := e2.(*ml.Pipeline).Stages[0].(*feature.VectorAssembler).P.InputCols; !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("second copy's inputCols %v", got)
	}

	// A single estimator (no pipeline) is addressed by object, name or param.
	one := newRidge()
	for _, ref := range []ParamRef{{Stage: one, Param: "regParam"}, {Name: "TestRidge", Param: "regParam"}, {Param: "regParam"}} {
		est, err := ParamMap{{Ref: ref, Value: 9.0}}.Apply(one)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if est.(*ridge).P.RegParam != 9 || one.P.RegParam != 0 {
			t.Errorf("%s: copy %v, original %v", ref, est.(*ridge).P.RegParam, one.P.RegParam)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	p, _, _, _ := testPipeline()
	tests := []struct {
		name string
		ref  ParamRef
		val  any
		want string
	}{
		{"unknown stage", ParamRef{Name: "TestRidg", Param: "regParam"}, 1.0, `no stage is called "TestRidg"; did you mean "TestRidge"? (stages: Pipeline, TestScale, TestRidge)`},
		{"unknown param", ParamRef{Name: "TestRidge", Param: "regParm"}, 1.0, `TestRidge has no param "regParm"; did you mean "regParam"?`},
		{"unknown unqualified param", ParamRef{Param: "regParm"}, 1.0, `no stage of Pipeline has a param "regParm"; did you mean "regParam"?`},
		{"ambiguous class", ParamRef{Name: "TestScale", Param: "factor"}, 1.0, `2 stages are called TestScale (TestScale at index 0, TestScale at index 1); address one by its stage index, e.g. "0.factor" or "1.factor"`},
		{"ambiguous param", ParamRef{Param: "factor"}, 1.0, `2 stages have a param factor`},
		{"index out of range", ParamRef{Path: []int{5}, Param: "factor"}, 1.0, "stage index 5 is out of range; the pipeline at the top has 3 stages (0-2)"},
		{"nested index into a non-pipeline", ParamRef{Path: []int{2, 0}, Param: "regParam"}, 1.0, "stage 2 is a TestRidge, not a Pipeline"},
		{"foreign stage", ParamRef{Stage: newRidge(), Param: "regParam"}, 1.0, `is not part of the estimator (Pipeline); pass the stage object the pipeline holds, or address it by name ("TestRidge.regParam")`},
		{"wrong type", ParamRef{Name: "TestRidge", Param: "regParam"}, "high", "TestRidge.regParam: got high (string), want a number"},
		{"invalid value", ParamRef{Name: "TestRidge", Param: "regParam"}, -1.0, "TestRidge with {TestRidge.regParam: -1}: regParam = -1; want >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParamMap{{Ref: tt.ref, Value: tt.val}}.Apply(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func newCV(maps []ParamMap) *CrossValidator {
	cv := NewCrossValidator()
	cv.Estimator = newRidge()
	cv.Evaluator = evaluation.NewRegressionEvaluator()
	cv.EstimatorParamMaps = maps
	cv.P.Seed = 42
	return cv
}

func regGrid() []ParamMap {
	return NewParamGridBuilder().AddGrid("TestRidge", "regParam", []any{0.0, 100.0, 1e4}).Build()
}

func TestCrossValidatorOneGridPointIsPlainFit(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 90, 1)
	m, err := newCV(NewParamGridBuilder().Build()).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := newRidge().Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	cvm := m.(*CrossValidatorModel)
	if got, want := cvm.BestModel.(*ridgeModel).Beta, plain.(*ridgeModel).Beta; got != want {
		t.Errorf("best model beta %v, plain fit %v", got, want)
	}
	if cvm.BestIndex != 0 || len(cvm.AvgMetrics) != 1 || len(cvm.FoldMetrics) != 3 {
		t.Errorf("best %d, avg %v, folds %d", cvm.BestIndex, cvm.AvgMetrics, len(cvm.FoldMetrics))
	}
	got, err := cvm.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := plain.Transform(ctx, f)
	if g, w := column(t, got, "prediction"), column(t, want, "prediction"); !slices.Equal(g, w) {
		t.Error("CrossValidatorModel.Transform differs from the plain model's")
	}
}

func TestFoldIDs(t *testing.T) {
	a, b := FoldIDs(3000, 3, 7), FoldIDs(3000, 3, 7)
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different folds")
	}
	if slices.Equal(a, FoldIDs(3000, 3, 8)) {
		t.Error("another seed gave the same folds")
	}
	counts := make([]int, 3)
	for _, id := range a {
		counts[id]++
	}
	// Random, unstratified sizes (Spark's Bernoulli cells): near n/k, not exact.
	exact := true
	for _, c := range counts {
		if c < 900 || c > 1100 {
			t.Errorf("fold sizes %v, want about 1000 each", counts)
		}
		exact = exact && c == 1000
	}
	if exact {
		t.Errorf("fold sizes %v are exactly equal; want Spark's random sizes", counts)
	}
	// A prefix of the rows gets the same folds: ids depend on row order and
	// seed only, not on data (no stratification).
	if !slices.Equal(FoldIDs(100, 3, 7), a[:100]) {
		t.Error("fold ids of the first 100 rows depend on the row count")
	}
}

func TestCrossValidatorMetrics(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 120, 2)
	maps := regGrid()
	m, err := newCV(maps).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	cvm := m.(*CrossValidatorModel)
	ids := FoldIDs(120, 3, 42)
	regs := []float64{0, 100, 1e4}
	for j, reg := range regs {
		var fold []float64
		for k := range 3 {
			train := make([]bool, len(ids))
			for i, id := range ids {
				train[i] = id != k
			}
			fold = append(fold, manualRMSE(t, f, train, reg))
		}
		mean := (fold[0] + fold[1] + fold[2]) / 3
		var ss float64
		for _, v := range fold {
			ss += (v - mean) * (v - mean)
		}
		std := math.Sqrt(ss / 3)
		for k := range 3 {
			if !near(cvm.FoldMetrics[k][j], fold[k]) {
				t.Errorf("map %d fold %d: got %v, want %v", j, k, cvm.FoldMetrics[k][j], fold[k])
			}
		}
		if !near(cvm.AvgMetrics[j], mean) || !near(cvm.StdMetrics[j], std) {
			t.Errorf("map %d: avg %v std %v, want %v %v", j, cvm.AvgMetrics[j], cvm.StdMetrics[j], mean, std)
		}
	}
	// rmse: smaller is better; the unpenalized fit wins on y = 2x + noise.
	if cvm.BestIndex != 0 || cvm.AvgMetrics[0] >= cvm.AvgMetrics[2] {
		t.Errorf("best %d with avg %v", cvm.BestIndex, cvm.AvgMetrics)
	}
	// r2: larger is better picks the same.
	cv := newCV(maps)
	cv.Evaluator.(*evaluation.RegressionEvaluator).P.MetricName = "r2"
	m2, err := cv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if bi := m2.(*CrossValidatorModel).BestIndex; bi != 0 {
		t.Errorf("r2: best %d, want 0", bi)
	}
}

func TestCrossValidatorFoldCol(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 60, 3)
	cv := newCV(regGrid())
	cv.P.FoldCol = "fold"
	m, err := cv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	cvm := m.(*CrossValidatorModel)
	for k := range 3 {
		train := make([]bool, 60)
		for i := range train {
			train[i] = i%3 != k // the fold column is row % 3
		}
		if want := manualRMSE(t, f, train, 100); !near(cvm.FoldMetrics[k][1], want) {
			t.Errorf("fold %d: got %v, want %v", k, cvm.FoldMetrics[k][1], want)
		}
	}
	// The fold column is dropped from the fold frames, as in Spark.
	seen := &schemaSpy{sawFoldless: new(atomic.Bool)}
	cv.Estimator = &ml.Pipeline{Stages: []ml.Stage{seen, newRidge()}}
	if _, err := cv.Fit(ctx, f); err != nil {
		t.Fatal(err)
	}
	if !seen.sawFoldless.Load() {
		t.Error("no fold frame without the fold column was seen")
	}

	bad := []struct {
		name   string
		modify func(cv *CrossValidator)
		want   string
	}{
		{"out of range", func(cv *CrossValidator) { cv.P.NumFolds = 2 }, "column fold, row 3: fold id 2 is outside [0, 2); numFolds is 2"},
		{"empty fold", func(cv *CrossValidator) { cv.P.NumFolds = 4 }, "fold 3 of 4 has no rows (60 rows in all); give column fold ids 0 … 3, each on some rows"},
		{"not an integer", func(cv *CrossValidator) { cv.P.FoldCol = "label" }, `foldCol "label" has type float64; want an integer column`},
		{"missing", func(cv *CrossValidator) { cv.P.FoldCol = "folds" }, `foldCol: no column "folds"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			cv := newCV(regGrid())
			cv.P.FoldCol = "fold"
			tt.modify(cv)
			_, err := cv.Fit(ctx, f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParallelismSameResult(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 90, 4)
	maps := NewParamGridBuilder().AddGrid("TestRidge", "regParam", []any{0.0, 10.0, 100.0, 1000.0}).Build()
	run := func(par int) *CrossValidatorModel {
		cv := newCV(maps)
		cv.P.Parallelism, cv.P.CollectSubModels = par, true
		m, err := cv.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*CrossValidatorModel)
	}
	a, b := run(1), run(2)
	if !reflect.DeepEqual(a.FoldMetrics, b.FoldMetrics) || a.BestIndex != b.BestIndex {
		t.Errorf("parallelism 1: %v best %d; parallelism 2: %v best %d", a.FoldMetrics, a.BestIndex, b.FoldMetrics, b.BestIndex)
	}
	if len(b.SubModels) != 3 || len(b.SubModels[0]) != 4 {
		t.Fatalf("subModels %d×%d, want 3×4", len(b.SubModels), len(b.SubModels[0]))
	}
	for i := range 3 {
		for j := range 4 {
			if a.SubModels[i][j].(*ridgeModel).Beta != b.SubModels[i][j].(*ridgeModel).Beta {
				t.Errorf("subModel %d,%d differs", i, j)
			}
			if rp := b.SubModels[i][j].(*ridgeModel).P.RegParam; rp != maps[j][0].Value.(float64) {
				t.Errorf("subModel %d,%d has regParam %v", i, j, rp)
			}
		}
	}
}

func TestTrainValidationSplit(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 100, 5)
	tv := NewTrainValidationSplit()
	tv.Estimator, tv.Evaluator, tv.EstimatorParamMaps = newRidge(), evaluation.NewRegressionEvaluator(), regGrid()
	tv.P.Parallelism = 2
	m, err := tv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	tvm := m.(*TrainValidationSplitModel)
	parts, err := f.RandomSplit(ctx, []float64{0.75, 0.25}, int64(tv.P.Seed))
	if err != nil {
		t.Fatal(err)
	}
	ids := column(t, parts[0], "label")
	train := make([]bool, 100)
	all := column(t, f, "label")
	for i, y := range all {
		train[i] = slices.Contains(ids, y)
	}
	for j, reg := range []float64{0, 100, 1e4} {
		if want := manualRMSE(t, f, train, reg); !near(tvm.ValidationMetrics[j], want) {
			t.Errorf("map %d: got %v, want %v", j, tvm.ValidationMetrics[j], want)
		}
	}
	plain, _ := newRidge().Fit(ctx, f)
	if tvm.BestIndex != 0 || tvm.BestModel.(*ridgeModel).Beta != plain.(*ridgeModel).Beta {
		t.Errorf("best %d beta %v; want 0 refitted on all rows (%v)", tvm.BestIndex, tvm.BestModel.(*ridgeModel).Beta, plain.(*ridgeModel).Beta)
	}
	tv.P.TrainRatio = 1
	if _, err := tv.Fit(ctx, f); err == nil || !strings.Contains(err.Error(), "trainRatio = 1; want a fraction in (0, 1)") {
		t.Errorf("trainRatio 1: err = %v", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := MustRegressionFrame(t, 30, 6)
	_, err := newCV(regGrid()).Fit(ctx, f)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("CrossValidator: err = %v, want context.Canceled", err)
	}
	tv := NewTrainValidationSplit()
	tv.Estimator, tv.Evaluator, tv.EstimatorParamMaps = newRidge(), evaluation.NewRegressionEvaluator(), regGrid()
	if _, err := tv.Fit(ctx, f); !errors.Is(err, context.Canceled) {
		t.Errorf("TrainValidationSplit: err = %v, want context.Canceled", err)
	}
}

func TestCrossValidatorErrors(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 30, 7)
	tests := []struct {
		name   string
		modify func(cv *CrossValidator)
		want   string
	}{
		{"no estimator", func(cv *CrossValidator) { cv.Estimator = nil }, "no Estimator set"},
		{"no evaluator", func(cv *CrossValidator) { cv.Evaluator = nil }, "no Evaluator set"},
		{"no maps", func(cv *CrossValidator) { cv.EstimatorParamMaps = nil }, "estimatorParamMaps is empty"},
		{"one fold", func(cv *CrossValidator) { cv.P.NumFolds = 1 }, "numFolds = 1; want 2 or more"},
		{"parallelism 0", func(cv *CrossValidator) { cv.P.Parallelism = 0 }, "parallelism = 0"},
		{"too many folds", func(cv *CrossValidator) { cv.P.NumFolds = 40 }, "has no rows (30 rows in all); use fewer folds or more rows"},
		{"bad evaluator", func(cv *CrossValidator) { cv.Evaluator.(*evaluation.RegressionEvaluator).P.MetricName = "rsme" }, `evaluator RegressionEvaluator: metricName "rsme" is not supported; did you mean "rmse"?`},
		{"unknown param in map", func(cv *CrossValidator) {
			cv.EstimatorParamMaps = NewParamGridBuilder().AddGrid("TestRidge", "regParm", []any{1.0}).Build()
		}, `estimatorParamMaps[0]: TestRidge.regParm: TestRidge has no param "regParm"; did you mean "regParam"?`},
		{"bad column", func(cv *CrossValidator) {
			cv.EstimatorParamMaps = NewParamGridBuilder().AddGrid("", "featuresCol", []any{"features", "feats"}).Build()
		}, `estimatorParamMaps[1] {featuresCol: feats}: featuresCol: no column "feats"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := newCV(regGrid())
			tt.modify(cv)
			_, err := cv.Fit(ctx, f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func TestResults(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 60, 8)
	p, _, _, _ := testPipeline()
	cv := newCV(NewParamGridBuilder().
		AddGrid("TestRidge", "regParam", []any{0.0, 1e4}).
		AddGrid(1, "factor", []any{1.0, 2.0}).Build())
	cv.Estimator = p
	m, err := cv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	r := m.(*CrossValidatorModel).Results()
	if !slices.Equal(r.Params, []string{"TestRidge.regParam", "1.factor"}) {
		t.Errorf("param labels %v", r.Params)
	}
	tbl := r.Table()
	for _, want := range []string{
		"CrossValidator, 3 folds: RegressionEvaluator rmse (smaller is better), best is #",
		"#  TestRidge.regParam  1.factor  mean rmse",
		"std",
		"3  10000               2",
	} {
		if !strings.Contains(tbl, want) {
			t.Errorf("table lacks %q:\n%s", want, tbl)
		}
	}
	if strings.Count(tbl, "\n* ") != 1 {
		t.Errorf("table marks %d best rows:\n%s", strings.Count(tbl, "\n* "), tbl)
	}
	r.Rows[0].Metric = math.NaN()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	rows := back["rows"].([]any)
	if len(rows) != 4 || rows[0].(map[string]any)["metric"] != "NaN" || len(rows[1].(map[string]any)["foldMetrics"].([]any)) != 3 {
		t.Errorf("JSON %s", b)
	}
	if rows[3].(map[string]any)["params"].(map[string]any)["1.factor"] != 2.0 {
		t.Errorf("JSON params %s", b)
	}
}

func TestPersistence(t *testing.T) {
	ctx := context.Background()
	f := MustRegressionFrame(t, 60, 9)
	reg := testRegistry()
	p, _, s1, _ := testPipeline()
	cv := newCV(NewParamGridBuilder().
		AddGrid("TestRidge", "regParam", []any{0.0, 1e4}).
		AddGrid(s1, "factor", []any{1.0, math.Inf(1)}).Build())
	cv.Estimator = p
	cv.P.CollectSubModels = true
	cv.Evaluator.(*evaluation.RegressionEvaluator).P.MetricName = "mae"

	// The estimator round-trips and fits the same.
	dir := filepath.Join(t.TempDir(), "cv")
	if err := ml.Save(dir, cv); err != nil {
		t.Fatal(err)
	}
	loadedCV, err := ml.Load(dir, reg)
	if err != nil {
		t.Fatal(err)
	}
	lcv := loadedCV.(*CrossValidator)
	if lcv.P != cv.P || lcv.Evaluator.MetricName() != "mae" || len(lcv.EstimatorParamMaps) != 4 {
		t.Fatalf("loaded CrossValidator: %+v %v %d maps", lcv.P, lcv.Evaluator.MetricName(), len(lcv.EstimatorParamMaps))
	}
	// +Inf survives the JSON round trip (as "Infinity").
	est, err := lcv.EstimatorParamMaps[2].Apply(lcv.Estimator)
	if err != nil {
		t.Fatal(err)
	}
	if fac := est.(*ml.Pipeline).Stages[1].(*scale).P.Factor; !math.IsInf(fac, 1) {
		t.Errorf("loaded map 2 sets factor %v, want +Inf", fac)
	}
	// Fit both with finite factors (+Inf predictions fail the evaluator).
	cv.EstimatorParamMaps = NewParamGridBuilder().AddGrid("TestRidge", "regParam", []any{0.0, 1e4}).AddGrid(s1, "factor", []any{1.0, 3.0}).Build()
	lcv.EstimatorParamMaps = NewParamGridBuilder().AddGrid("TestRidge", "regParam", []any{0.0, 1e4}).AddGrid(1, "factor", []any{1.0, 3.0}).Build()
	m1, err := cv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := lcv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := m1.(*CrossValidatorModel), m2.(*CrossValidatorModel); !reflect.DeepEqual(a.FoldMetrics, b.FoldMetrics) || a.BestIndex != b.BestIndex {
		t.Errorf("loaded CrossValidator fits differently: %v vs %v", a.FoldMetrics, b.FoldMetrics)
	}

	// The model round-trips: same predictions, metrics, maps and table.
	cvm := m1.(*CrossValidatorModel)
	mdir := filepath.Join(t.TempDir(), "cvm")
	if err := ml.Save(mdir, cvm); err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(mdir, reg)
	if err != nil {
		t.Fatal(err)
	}
	lm := loaded.(*CrossValidatorModel)
	want, _ := cvm.Transform(ctx, f)
	got, err := lm.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(column(t, got, "prediction"), column(t, want, "prediction")) {
		t.Error("loaded model predicts differently")
	}
	if !reflect.DeepEqual(lm.AvgMetrics, cvm.AvgMetrics) || !reflect.DeepEqual(lm.StdMetrics, cvm.StdMetrics) ||
		!reflect.DeepEqual(lm.FoldMetrics, cvm.FoldMetrics) || lm.BestIndex != cvm.BestIndex || lm.P != cvm.P {
		t.Errorf("loaded metrics differ: %+v", lm)
	}
	if lm.Results().Table() != cvm.Results().Table() {
		t.Errorf("tables differ:\n%s\n%s", lm.Results().Table(), cvm.Results().Table())
	}
	if len(lm.SubModels) != 3 || len(lm.SubModels[2]) != 4 || lm.SubModels[2][3].(*ml.PipelineModel).Stages[2].(*ridgeModel).Beta != cvm.SubModels[2][3].(*ml.PipelineModel).Stages[2].(*ridgeModel).Beta {
		t.Error("sub-models were not restored")
	}
	if _, err := lm.EstimatorParamMaps[3].Apply(lm.Estimator); err != nil {
		t.Errorf("loaded param map does not apply to the loaded estimator: %v", err)
	}

	// TrainValidationSplitModel too.
	tv := NewTrainValidationSplit()
	tv.Estimator, tv.Evaluator, tv.EstimatorParamMaps = newRidge(), evaluation.NewRegressionEvaluator(), regGrid()
	tv.P.CollectSubModels = true
	tm, err := tv.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	tdir := filepath.Join(t.TempDir(), "tvm")
	if err := ml.Save(tdir, tm); err != nil {
		t.Fatal(err)
	}
	tl, err := ml.Load(tdir, reg)
	if err != nil {
		t.Fatal(err)
	}
	ltm := tl.(*TrainValidationSplitModel)
	if !reflect.DeepEqual(ltm.ValidationMetrics, tm.(*TrainValidationSplitModel).ValidationMetrics) || len(ltm.SubModels) != 3 ||
		ltm.BestModel.(*ridgeModel).Beta != tm.(*TrainValidationSplitModel).BestModel.(*ridgeModel).Beta {
		t.Errorf("loaded TrainValidationSplitModel differs: %+v", ltm)
	}
	if ltm.Results().Table() != tm.(*TrainValidationSplitModel).Results().Table() {
		t.Error("TrainValidationSplit tables differ")
	}

	// Loading without the evaluators registered says what to do.
	bare := ml.NewRegistry()
	Register(bare)
	bare.Register(func() ml.HasParams { return newRidge() })
	bare.Register(func() ml.HasParams { return &ridgeModel{P: newRidge().P} })
	if _, err := ml.Load(tdir, bare); err == nil || !strings.Contains(err.Error(), "evaluation.Register") {
		t.Errorf("load without evaluators: err = %v", err)
	}
}

func TestRegister(t *testing.T) {
	r := testRegistry()
	for _, name := range []string{"CrossValidator", "CrossValidatorModel", "TrainValidationSplit", "TrainValidationSplitModel"} {
		hp, err := r.New(name)
		if err != nil {
			t.Fatal(err)
		}
		if hp.StageName() != name {
			t.Errorf("%s constructs %s", name, hp.StageName())
		}
	}
	cv, _ := r.New("CrossValidator")
	if p := cv.(*CrossValidator).P; p.NumFolds != 3 || p.Seed != -1191137437 || p.Parallelism != 1 || p.FoldCol != "" || p.CollectSubModels {
		t.Errorf("CrossValidator defaults %+v", p)
	}
	tv, _ := r.New("TrainValidationSplit")
	if p := tv.(*TrainValidationSplit).P; p.TrainRatio != 0.75 || p.Seed != -1772833110 || p.Parallelism != 1 {
		t.Errorf("TrainValidationSplit defaults %+v", p)
	}
}

var column = mltest.Floats
