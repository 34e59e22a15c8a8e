package spec_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
)

const good = `name: demo
input: {table: customers}
stages:
  - stage: StringIndexer
    inputCol: plan
    outputCol: plan_idx
  - stage: VectorAssembler
    inputCols: [plan_idx, x]
    outputCol: raw
  - stage: StandardScaler
    name: scaler
    inputCol: raw
    outputCol: features
    withMean: true
`

func build(t *testing.T, src string) (*spec.Plan, error) {
	t.Helper()
	s, err := spec.Parse("p.yaml", t.TempDir(), []byte(src))
	if err != nil {
		return nil, err
	}
	return s.Build(stages.Registry(nil))
}

func TestBuildGood(t *testing.T) {
	pl, err := build(t, good)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Pipeline.Stages) != 3 || pl.Names[2] != "scaler" {
		t.Fatalf("stages %v", pl.Names)
	}
	params := map[string]any{}
	for _, p := range ml.ParamList(pl.Pipeline.Stages[2]) {
		params[p.Name] = p.Value
	}
	if params["withMean"] != true || params["inputCol"] != "raw" {
		t.Errorf("scaler params %v", params)
	}
}

func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown top key", "inptu: {table: t}\n", `p.yaml:1:1: unknown key "inptu"; did you mean "input"?`},
		{"no input", "stages:\n  - stage: Binarizer\n", "has no input"},
		{"no stages", "input: t\n", "has no stages"},
		{"two sources", "input: {table: t, sql: SELECT 1}\nstages: []\n", "p.yaml:1:8: input needs exactly one of table, sql or file (got 2)"},
		{"unknown stage", "input: t\nstages:\n  - stage: StringIndexr\n    inputCol: a\n", `p.yaml:3:5: unknown stage "StringIndexr"; did you mean "StringIndexer"?`},
		{"unknown param", strings.Replace(good, "withMean: true", "withMaen: true", 1), `p.yaml:14:5: StandardScaler has no param "withMaen"; did you mean "withMean"?`},
		{"wrong type", strings.Replace(good, "withMean: true", "withMean: 3", 1), "p.yaml:14:5: StandardScaler.withMean: got 3"},
		{"invalid value", strings.Replace(good, "outputCol: plan_idx", "outputCol: plan_idx\n    stringOrderType: random", 1), "p.yaml:4:5: StringIndexer: "},
		{"duplicate key", "input: t\ninput: u\n", `p.yaml:2:1: the spec: key "input" appears twice`},
		{"not yaml", "input: [\n", "not valid YAML"},
		{"empty", "", "the spec is empty"},
		{"stage without class", "input: t\nstages:\n  - inputCol: a\n", `p.yaml:3:5: this item has no "stage" key`},
		{"grid unknown stage", good + "tuning:\n  grid: {scalr.withMean: [true, false]}\n  evaluator: {evaluator: X}\n", `unknown stage "X"`},
		{"sample fraction", good + "sample: {col: y, fractions: {a: 2}}\n", "p.yaml:15:33: sample.fractions.a must be a number in [0, 1]"},
		{"grid bad key", good + "tuning:\n  grid: {maxDepth: [1]}\n  evaluator: {evaluator: X}\n", "grid key \"maxDepth\": write Stage.param"},
		{"method typo", good + "tuning:\n  method: CrossValidater\n", `did you mean "CrossValidator"`},
		{"evaluator as stage", "input: t\nstages:\n  - stage: PipelineModel\n", ""},
		{"alias", "input: &a t\nstages: *a\n", "stages must be a non-empty list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.src)
			if tt.want == "" {
				return // must only not panic
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

type memData map[string]*ml.Frame

func (m memData) Frame(_ context.Context, query string, _ map[string]string) (*ml.Frame, error) {
	return m[strings.TrimPrefix(query, "SELECT * FROM ")], nil
}

func TestRunWithoutTuning(t *testing.T) {
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.AppendValues([]string{"a", "b", "a", "c"}, nil)
	fb := array.NewFloat64Builder(memory.DefaultAllocator)
	fb.AppendValues([]float64{1, 2, 3, 4}, nil)
	s, x := sb.NewArray(), fb.NewArray()
	sc := arrow.NewSchema([]arrow.Field{{Name: "plan", Type: arrow.BinaryTypes.String}, {Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{arrow.NewChunked(s.DataType(), []arrow.Array{s}), arrow.NewChunked(x.DataType(), []arrow.Array{x})})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := build(t, good)
	if err != nil {
		t.Fatal(err)
	}
	res, err := pl.Run(context.Background(), memData{"customers": f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainRows != 4 || res.MetricsOn != "train" || res.Predictions.NumRows() != 4 {
		t.Errorf("result %+v", res)
	}
	if _, err := res.Predictions.Column("features"); err != nil {
		t.Error(err)
	}
	// A schema problem is found before fitting, naming the stage.
	bad := strings.Replace(good, "inputCols: [plan_idx, x]", "inputCols: [plan_idx, y]", 1)
	pl, err = build(t, bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pl.Run(context.Background(), memData{"customers": f}, nil); err == nil || !strings.Contains(err.Error(), `stage 2 (VectorAssembler): no input column "y"`) {
		t.Errorf("err = %v", err)
	}
}

func FuzzSpec(f *testing.F) {
	f.Add(good)
	f.Add(good + "tuning:\n  grid: {scaler.withMean: [true, false]}\n  evaluator: {evaluator: X}\n")
	f.Add("input: {file: a.csv}\nsample: {col: y, fractions: {a: 0.5}, seed: 1}\nstages:\n  - stage: Binarizer\n")
	f.Add("input: t\nstages:\n  - stage: VectorAssembler\n    inputCols: [[1, 2], {a: b}]\n")
	reg := stages.Registry(nil)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		s, err := spec.Parse("f.yaml", "/tmp", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Errorf("error without the file name: %v", err)
			}
			return
		}
		_, _ = s.Build(reg)
	})
}

func TestNestedStage(t *testing.T) {
	src := "input: t\nstages:\n  - stage: OneVsRest\n    classifier:\n      stage: LogisticRegression\n      maxIter: 7\n"
	pl, err := build(t, src)
	if err != nil {
		t.Fatal(err)
	}
	holder := pl.Pipeline.Stages[0]
	if got := fmt.Sprint(reflect.ValueOf(holder).Elem().FieldByName("Classifier").Interface().(ml.Stage).StageName()); got != "LogisticRegression" {
		t.Errorf("classifier = %s", got)
	}
	_, err = build(t, "input: t\nstages:\n  - stage: StringIndexer\n    inputCol:\n      stage: LogisticRegression\n")
	if err == nil || !strings.Contains(err.Error(), `p.yaml:4:5: StringIndexer has no param "inputCol" that takes a stage`) {
		t.Errorf("err = %v", err)
	}
	_, err = build(t, "input: t\nstages:\n  - stage: OneVsRest\n    classifier:\n      stage: LogisticRegresion\n")
	if err == nil || !strings.Contains(err.Error(), `p.yaml:5:7: unknown stage "LogisticRegresion"; did you mean "LogisticRegression"?`) {
		t.Errorf("err = %v", err)
	}
}
