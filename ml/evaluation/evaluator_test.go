package evaluation

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// col is one column of a test frame: vals is []float64 (NaN stays NaN),
// []ml.Vector, []string or []int64; null lists 0-based NULL rows.
type col struct {
	name string
	vals any
	null []int
}

// MustFrame builds a frame from cols or fails the test.
func MustFrame(tb testing.TB, cols ...col) *ml.Frame {
	tb.Helper()
	fields := make([]arrow.Field, len(cols))
	chunks := make([]*arrow.Chunked, len(cols))
	for i, c := range cols {
		isNull := func(r int) bool {
			for _, n := range c.null {
				if n == r {
					return true
				}
			}
			return false
		}
		var a arrow.Array
		switch v := c.vals.(type) {
		case []float64:
			b := array.NewFloat64Builder(memory.DefaultAllocator)
			for r, x := range v {
				if isNull(r) {
					b.AppendNull()
				} else {
					b.Append(x)
				}
			}
			a = b.NewArray()
		case []int64:
			b := array.NewInt64Builder(memory.DefaultAllocator)
			for r, x := range v {
				if isNull(r) {
					b.AppendNull()
				} else {
					b.Append(x)
				}
			}
			a = b.NewArray()
		case []string:
			b := array.NewStringBuilder(memory.DefaultAllocator)
			b.AppendValues(v, nil)
			a = b.NewArray()
		case []ml.Vector:
			b := ml.NewVectorBuilder(nil)
			for r, x := range v {
				if isNull(r) {
					b.AppendNull()
				} else {
					b.Append(x)
				}
			}
			a = b.NewArray()
		default:
			tb.Fatalf("column %s: unsupported %T", c.name, c.vals)
		}
		fields[i] = arrow.Field{Name: c.name, Type: a.DataType(), Nullable: true}
		chunks[i] = arrow.NewChunked(a.DataType(), []arrow.Array{a})
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), chunks)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

func orOnes(w []float64, n int) []float64 {
	if w == nil {
		return ones(n)
	}
	return w
}

func mustEval(t *testing.T, e ml.Evaluator, f *ml.Frame) float64 {
	t.Helper()
	v, err := e.Evaluate(context.Background(), f)
	if err != nil {
		t.Fatalf("%s %s: %v", e.StageName(), e.MetricName(), err)
	}
	return v
}

func TestBinaryEvaluatorReference(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadReference(t).Binary {
		t.Run(c.Name, func(t *testing.T) {
			vecs := make([]ml.Vector, len(c.Scores))
			for i, s := range c.Scores {
				vecs[i] = ml.Dense(-s, s)
			}
			f := MustFrame(t, col{name: "score", vals: c.Scores}, col{name: "rawPrediction", vals: vecs},
				col{name: "label", vals: c.Labels}, col{name: "w", vals: orOnes(c.Weights, len(c.Scores))})
			for _, scoreCol := range []string{"score", "rawPrediction"} {
				e := NewBinaryClassificationEvaluator()
				e.P.RawPredictionCol, e.P.WeightCol, e.P.NumBins = scoreCol, "w", 0
				checkNear(t, scoreCol+" areaUnderROC numBins=0 vs sklearn", mustEval(t, e, f), c.ROCAUC)
				e.P.MetricName = "areaUnderPR"
				checkNear(t, scoreCol+" areaUnderPR numBins=0", mustEval(t, e, f), c.SparkPRAUC)
			}
			for _, b := range c.SparkBinned {
				e := NewBinaryClassificationEvaluator()
				e.P.WeightCol, e.P.NumBins = "w", b.NumBins
				checkNear(t, fmt.Sprintf("areaUnderROC numBins=%d", b.NumBins), mustEval(t, e, f), b.ROCAUC)
				e.P.MetricName = "areaUnderPR"
				checkNear(t, fmt.Sprintf("areaUnderPR numBins=%d", b.NumBins), mustEval(t, e, f), b.PRAUC)
				m, err := e.Metrics(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if m.NumThresholds() != b.Thresholds {
					t.Errorf("numBins=%d: got %d thresholds, want %d", b.NumBins, m.NumThresholds(), b.Thresholds)
				}
			}
		})
	}
}

func TestMulticlassEvaluatorReference(t *testing.T) {
	for _, c := range loadReference(t).Multiclass {
		t.Run(c.Name, func(t *testing.T) {
			probs := make([]ml.Vector, len(c.Probabilities))
			for i, p := range c.Probabilities {
				probs[i] = ml.Dense(p...)
			}
			f := MustFrame(t, col{name: "prediction", vals: c.Predictions}, col{name: "label", vals: c.Labels},
				col{name: "probability", vals: probs}, col{name: "w", vals: orOnes(c.Weights, len(c.Labels))})
			e := NewMulticlassClassificationEvaluator()
			e.P.WeightCol = "w"
			eval := func(metric string, label, beta float64) float64 {
				e.P.MetricName, e.P.MetricLabel, e.P.Beta = metric, label, beta
				return mustEval(t, e, f)
			}
			checkNear(t, "f1", eval("f1", 0, 1), c.Beta1.WeightedF)
			checkNear(t, "accuracy", eval("accuracy", 0, 1), c.Accuracy)
			checkNear(t, "hammingLoss", eval("hammingLoss", 0, 1), c.HammingLoss)
			checkNear(t, "logLoss", eval("logLoss", 0, 1), c.LogLoss)
			checkNear(t, "weightedPrecision", eval("weightedPrecision", 0, 1), c.Beta1.WeightedPrecision)
			checkNear(t, "weightedRecall", eval("weightedRecall", 0, 1), c.Beta1.WeightedRecall)
			checkNear(t, "weightedTruePositiveRate", eval("weightedTruePositiveRate", 0, 1), c.Beta1.WeightedRecall)
			checkNear(t, "weightedFalsePositiveRate", eval("weightedFalsePositiveRate", 0, 1), c.SparkWeightedFPR)
			checkNear(t, "weightedFMeasure beta 0.5", eval("weightedFMeasure", 0, 0.5), c.Beta05.WeightedF)
			for i, l := range c.Classes {
				checkNear(t, "precisionByLabel", eval("precisionByLabel", l, 1), c.Beta1.Precision[i])
				checkNear(t, "recallByLabel", eval("recallByLabel", l, 1), c.Beta1.Recall[i])
				checkNear(t, "truePositiveRateByLabel", eval("truePositiveRateByLabel", l, 1), c.Beta1.Recall[i])
				checkNear(t, "falsePositiveRateByLabel", eval("falsePositiveRateByLabel", l, 1), c.SparkFPR[i])
				checkNear(t, "fMeasureByLabel beta 0.5", eval("fMeasureByLabel", l, 0.5), c.Beta05.F[i])
			}
		})
	}
}

func TestRegressionEvaluatorReference(t *testing.T) {
	for _, c := range loadReference(t).Regression {
		t.Run(c.Name, func(t *testing.T) {
			f := MustFrame(t, col{name: "prediction", vals: c.Predictions}, col{name: "label", vals: c.Labels},
				col{name: "w", vals: orOnes(c.Weights, len(c.Labels))})
			e := NewRegressionEvaluator()
			e.P.WeightCol = "w"
			for _, tt := range []struct {
				metric string
				want   float64
			}{{"rmse", c.RMSE}, {"mse", c.MSE}, {"mae", c.MAE}, {"r2", c.SparkR2}, {"var", c.SparkExplainedVariance}} {
				e.P.MetricName = tt.metric
				checkNear(t, tt.metric, mustEval(t, e, f), tt.want)
			}
			e.P.MetricName, e.P.ThroughOrigin = "r2", true
			checkNear(t, "r2 throughOrigin", mustEval(t, e, f), c.SparkR2ThroughOrigin)
		})
	}
}

func TestIsLargerBetter(t *testing.T) {
	b := NewBinaryClassificationEvaluator()
	if !b.IsLargerBetter() {
		t.Error("binary: got smaller is better")
	}
	m := NewMulticlassClassificationEvaluator()
	for _, name := range multiclassMetricNames {
		m.P.MetricName = name
		want := !strings.Contains(strings.ToLower(name), "falsepositive") && name != "logLoss" && name != "hammingLoss"
		if m.IsLargerBetter() != want {
			t.Errorf("multiclass %s: IsLargerBetter %v, want %v", name, m.IsLargerBetter(), want)
		}
	}
	r := NewRegressionEvaluator()
	for _, name := range regressionMetricNames {
		r.P.MetricName = name
		if want := name == "r2" || name == "var"; r.IsLargerBetter() != want {
			t.Errorf("regression %s: IsLargerBetter %v, want %v", name, r.IsLargerBetter(), want)
		}
	}
}

func TestEvaluatorErrors(t *testing.T) {
	good := []col{
		{name: "rawPrediction", vals: []ml.Vector{ml.Dense(0, .9), ml.Dense(0, .2), ml.Dense(0, .7)}},
		{name: "score", vals: []float64{.9, .2, .7}},
		{name: "prediction", vals: []float64{1, 0, 1}},
		{name: "label", vals: []float64{1, 0, 0}},
		{name: "probability", vals: []ml.Vector{ml.Dense(.1, .9), ml.Dense(.8, .2), ml.Dense(.3, .7)}},
		{name: "w", vals: []float64{1, 2, 1}},
		{name: "s", vals: []string{"a", "b", "c"}},
	}
	with := func(repl ...col) *ml.Frame {
		cols := append([]col(nil), good...)
		for _, r := range repl {
			for i := range cols {
				if cols[i].name == r.name {
					cols[i] = r
				}
			}
		}
		return MustFrame(t, cols...)
	}
	binary := func(set func(p *BinaryClassificationEvaluatorParams)) ml.Evaluator {
		e := NewBinaryClassificationEvaluator()
		set(&e.P)
		return e
	}
	multi := func(set func(p *MulticlassClassificationEvaluatorParams)) ml.Evaluator {
		e := NewMulticlassClassificationEvaluator()
		set(&e.P)
		return e
	}
	reg := func(set func(p *RegressionEvaluatorParams)) ml.Evaluator {
		e := NewRegressionEvaluator()
		set(&e.P)
		return e
	}
	tests := []struct {
		name string
		e    ml.Evaluator
		f    *ml.Frame
		want string
	}{
		{"missing column", binary(func(p *BinaryClassificationEvaluatorParams) { p.LabelCol = "lbl" }), with(),
			`labelCol: no column "lbl"; columns are rawPrediction`},
		{"string label", binary(func(p *BinaryClassificationEvaluatorParams) { p.LabelCol = "s" }), with(),
			`labelCol "s" has type utf8; want a number`},
		{"string score", binary(func(p *BinaryClassificationEvaluatorParams) { p.RawPredictionCol = "s" }), with(),
			`rawPredictionCol "s" has type utf8; want a vector`},
		{"NULL label", binary(func(p *BinaryClassificationEvaluatorParams) {}), with(col{name: "label", vals: []float64{1, 0, 0}, null: []int{1}}),
			"column label, row 2: labelCol is NULL"},
		{"NaN score", binary(func(p *BinaryClassificationEvaluatorParams) { p.RawPredictionCol = "score" }), with(col{name: "score", vals: []float64{.9, .2, math.NaN()}}),
			"column score, row 3: rawPredictionCol is NaN"},
		{"NaN vector score", binary(func(p *BinaryClassificationEvaluatorParams) {}), with(col{name: "rawPrediction", vals: []ml.Vector{ml.Dense(0, .9), ml.Dense(0, math.NaN()), ml.Dense(0, .7)}}),
			"column rawPrediction, row 2: score (element 1) is NaN"},
		{"NULL vector", binary(func(p *BinaryClassificationEvaluatorParams) {}), with(col{name: "rawPrediction", vals: []ml.Vector{ml.Dense(0, .9), ml.Dense(0, .2), ml.Dense(0, .7)}, null: []int{0}}),
			"column rawPrediction, row 1: rawPredictionCol vector is NULL"},
		{"vector of 3", binary(func(p *BinaryClassificationEvaluatorParams) {}), with(col{name: "rawPrediction", vals: []ml.Vector{ml.Dense(0, .9, 0), ml.Dense(0, .2, 0), ml.Dense(0, .7, 0)}}),
			"row 1: vector has 3 elements, want 2"},
		{"one class", binary(func(p *BinaryClassificationEvaluatorParams) {}), with(col{name: "label", vals: []float64{1, 1, 1}}),
			"label column label: binary metrics: only class 1 (positive)"},
		{"label 2", binary(func(p *BinaryClassificationEvaluatorParams) {}), with(col{name: "label", vals: []float64{1, 2, 0}}),
			"column label, row 2: label 2 is not 0 or 1"},
		{"negative weight", binary(func(p *BinaryClassificationEvaluatorParams) { p.WeightCol = "w" }), with(col{name: "w", vals: []float64{1, -1, 1}}),
			"column w, row 2: weight -1 is negative"},
		{"bad metric", binary(func(p *BinaryClassificationEvaluatorParams) { p.MetricName = "areaUnderRoc" }), with(),
			`metricName "areaUnderRoc" is not supported; did you mean "areaUnderROC"?`},
		{"negative numBins", binary(func(p *BinaryClassificationEvaluatorParams) { p.NumBins = -1 }), with(), "numBins = -1"},
		{"multiclass NaN prediction", multi(func(p *MulticlassClassificationEvaluatorParams) {}), with(col{name: "prediction", vals: []float64{math.NaN(), 0, 1}}),
			"column prediction, row 1: predictionCol is NaN"},
		{"unknown metricLabel", multi(func(p *MulticlassClassificationEvaluatorParams) {
			p.MetricName, p.MetricLabel = "precisionByLabel", 3
		}), with(), "metricLabel 3 is not among the labels of column label ([0 1])"},
		{"bad multiclass metric", multi(func(p *MulticlassClassificationEvaluatorParams) { p.MetricName = "F1" }), with(),
			`did you mean "f1"?`},
		{"logLoss label out of range", multi(func(p *MulticlassClassificationEvaluatorParams) { p.MetricName = "logLoss" }),
			with(col{name: "label", vals: []float64{1, 0, 2}}), "column label, row 3: label 2 is not a class index into the 2 probabilities"},
		{"beta 0", multi(func(p *MulticlassClassificationEvaluatorParams) { p.Beta = 0 }), with(), "beta = 0"},
		{"regression NULL prediction", reg(func(p *RegressionEvaluatorParams) {}), with(col{name: "prediction", vals: []float64{1, 0, 1}, null: []int{2}}),
			"column prediction, row 3: predictionCol is NULL"},
		{"regression Inf label", reg(func(p *RegressionEvaluatorParams) {}), with(col{name: "label", vals: []float64{1, math.Inf(1), 1}}),
			"column label, row 2: labelCol is +Inf"},
		{"regression bad metric", reg(func(p *RegressionEvaluatorParams) { p.MetricName = "rsme" }), with(), `did you mean "rmse"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.e.Evaluate(context.Background(), tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), tt.e.StageName()+": ") {
				t.Errorf("error %q does not start with the evaluator's name", err)
			}
		})
	}
}

func TestCurveFrames(t *testing.T) {
	ctx := context.Background()
	scores, labels := []float64{0.9, 0.5, 0.5, 0.1}, []float64{1, 1, 0, 0}
	f := MustFrame(t, col{name: "rawPrediction", vals: scores}, col{name: "label", vals: labels})
	e := NewBinaryClassificationEvaluator()
	roc, err := e.ROCFrame(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ROCCurve(scores, labels, nil)
	if got := ml.ColumnNames(roc.Schema()); strings.Join(got, ",") != "threshold,FPR,TPR" {
		t.Errorf("ROC columns %v", got)
	}
	th, fpr, tpr := floatCol(t, roc, "threshold"), floatCol(t, roc, "FPR"), floatCol(t, roc, "TPR")
	if len(th) != len(want) {
		t.Fatalf("ROC frame has %d rows, want %d", len(th), len(want))
	}
	for i, p := range want {
		if th[i] != p.Threshold || fpr[i] != p.FPR || tpr[i] != p.TPR {
			t.Errorf("ROC row %d: got (%v, %v, %v), want %+v", i, th[i], fpr[i], tpr[i], p)
		}
	}
	pr, err := e.PRFrame(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	wantPR, _ := PRCurve(scores, labels, nil)
	th, rec, prec := floatCol(t, pr, "threshold"), floatCol(t, pr, "recall"), floatCol(t, pr, "precision")
	for i, p := range wantPR {
		if th[i] != p.Threshold || rec[i] != p.Recall || prec[i] != p.Precision {
			t.Errorf("PR row %d: got (%v, %v, %v), want %+v", i, th[i], rec[i], prec[i], p)
		}
	}
}

func TestConfusionFrame(t *testing.T) {
	f := MustFrame(t, col{name: "pred", vals: []float64{0, 1, 1, 2, 0, 1}}, col{name: "y", vals: []float64{0, 1, 2, 2, 1, 1}})
	cf, err := ConfusionFrame(context.Background(), f, "pred", "y")
	if err != nil {
		t.Fatal(err)
	}
	l, p := floatCol(t, cf, "label"), floatCol(t, cf, "prediction")
	c, _ := cf.Column("count")
	a, _ := ml.Flatten(c)
	defer a.Release()
	cnt := a.(*array.Int64).Int64Values()
	got := ""
	for i := range l {
		got += fmt.Sprintf("(%v,%v):%d ", l[i], p[i], cnt[i])
	}
	if want := "(0,0):1 (1,0):1 (1,1):2 (2,1):1 (2,2):1 "; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := ConfusionFrame(context.Background(), f, "pred", "label"); err == nil || !strings.Contains(err.Error(), `no column "label"`) {
		t.Errorf("missing label column: err = %v", err)
	}
}

func TestRegisterAndParams(t *testing.T) {
	r := ml.NewRegistry()
	Register(r)
	for _, name := range []string{"BinaryClassificationEvaluator", "MulticlassClassificationEvaluator", "RegressionEvaluator"} {
		hp, err := r.New(name)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := hp.(ml.Evaluator)
		if !ok {
			t.Fatalf("%s is not an ml.Evaluator", name)
		}
		if err := e.Params().(ml.Validator).Validate(); err != nil {
			t.Errorf("%s defaults do not validate: %v", name, err)
		}
	}
	hp, _ := r.New("BinaryClassificationEvaluator")
	if err := ml.SetParam(hp, "numBins", 10.0); err != nil {
		t.Fatal(err)
	}
	if err := ml.SetParam(hp, "metricName", "areaUnderPR"); err != nil {
		t.Fatal(err)
	}
	if e := hp.(*BinaryClassificationEvaluator); e.P.NumBins != 10 || e.MetricName() != "areaUnderPR" {
		t.Errorf("SetParam did not stick: %+v", e.P)
	}
	if err := ml.SetParam(hp, "numBin", 1); err == nil || !strings.Contains(err.Error(), `did you mean "numBins"`) {
		t.Errorf("unknown param: err = %v", err)
	}
}

func TestDownsampleProperties(t *testing.T) {
	// Down-sampling keeps exact points, so the binned ROC curve's points are
	// a subset of the full curve's, including the last one.
	n := 500
	scores, labels := make([]float64, n), make([]float64, n)
	for i := range scores {
		scores[i] = float64(i%97) / 97
		labels[i] = float64(i % 3 % 2)
	}
	full, err := NewBinaryMetrics(scores, labels, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if full.DistinctScores() != 97 || full.NumThresholds() != 97 {
		t.Fatalf("distinct %d thresholds %d, want 97", full.DistinctScores(), full.NumThresholds())
	}
	all := map[ROCPoint]bool{}
	for _, p := range full.ROC() {
		all[p] = true
	}
	for _, bins := range []int{1, 10, 48, 49, 97} {
		m, err := NewBinaryMetrics(scores, labels, nil, bins)
		if err != nil {
			t.Fatal(err)
		}
		grouping := 97 / bins
		want := 97
		if grouping >= 2 {
			want = (97 + grouping - 1) / grouping
		}
		if m.NumThresholds() != want {
			t.Errorf("numBins %d: %d thresholds, want %d", bins, m.NumThresholds(), want)
		}
		for _, p := range m.ROC() {
			if !all[p] {
				t.Errorf("numBins %d: point %+v is not on the full curve", bins, p)
			}
		}
	}
}

var floatCol = mltest.Floats
