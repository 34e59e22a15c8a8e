// Package modelstest builds the churn tutorial pipeline for tests and
// benchmarks of models, serving and the CLI: the same stages as
// examples/churn/pipeline.yaml (two StringIndexers, a VectorAssembler and
// a decision tree) fitted in Go on the example data, without DuckDB.
package modelstest

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/tree"
)

// Features are the churn model's feature columns, in assembly order.
var Features = []string{"account_length", "intl_plan_idx", "vm_plan_idx", "number_vmail_messages",
	"total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls",
	"total_night_minutes", "total_night_calls", "total_intl_minutes",
	"total_intl_calls", "number_customer_service_calls"}

// Churn holds the fitted churn model and its data.
type Churn struct {
	// Model is the fitted PipelineModel.
	Model *ml.PipelineModel
	// Train is rows 1–3,333 and Test rows 3,334–5,000 of the churn data,
	// with the columns the tutorial's SQL selects (the label included).
	Train, Test *ml.Frame
}

var (
	once     sync.Once
	churn    *Churn
	churnErr error
)

// MustChurn returns the churn model, fitted once per test binary.
func MustChurn(tb testing.TB) *Churn {
	tb.Helper()
	c, err := FitChurn()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// FitChurn returns the churn model, fitted on first use; later calls
// return the same *Churn, which callers must not change.
func FitChurn() (*Churn, error) {
	once.Do(func() { churn, churnErr = fitChurn() })
	return churn, churnErr
}

// DataPath returns the path of examples/churn/data/mlc_churn.csv.
func DataPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", "churn", "data", "mlc_churn.csv")
}

func fitChurn() (*Churn, error) {
	train, test, err := loadChurn(DataPath())
	if err != nil {
		return nil, err
	}
	intl := feature.NewStringIndexer()
	intl.P.InputCol, intl.P.OutputCol = "international_plan", "intl_plan_idx"
	vm := feature.NewStringIndexer()
	vm.P.InputCol, vm.P.OutputCol = "voice_mail_plan", "vm_plan_idx"
	va := feature.NewVectorAssembler()
	va.P.InputCols, va.P.OutputCol = Features, "features"
	dt := tree.NewDecisionTreeClassifier()
	dt.P.LabelCol, dt.P.FeaturesCol, dt.P.Seed, dt.P.MaxDepth = "label", "features", 42, 5
	p := &ml.Pipeline{Stages: []ml.Stage{intl, vm, va, dt}}
	m, err := p.Fit(context.Background(), train)
	if err != nil {
		return nil, err
	}
	return &Churn{Model: m.(*ml.PipelineModel), Train: train, Test: test}, nil
}

// loadChurn reads the CSV with the types DuckDB gives it (yes/no as
// BOOLEAN) and keeps the tutorial's columns.
func loadChurn(path string) (train, test *ml.Frame, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	header := recs[0]
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	type col struct {
		name string
		typ  arrow.DataType
	}
	cols := []col{
		{"account_length", arrow.PrimitiveTypes.Int64},
		{"international_plan", arrow.FixedWidthTypes.Boolean},
		{"voice_mail_plan", arrow.FixedWidthTypes.Boolean},
		{"number_vmail_messages", arrow.PrimitiveTypes.Int64},
		{"total_day_minutes", arrow.PrimitiveTypes.Float64},
		{"total_day_calls", arrow.PrimitiveTypes.Int64},
		{"total_eve_minutes", arrow.PrimitiveTypes.Float64},
		{"total_eve_calls", arrow.PrimitiveTypes.Int64},
		{"total_night_minutes", arrow.PrimitiveTypes.Float64},
		{"total_night_calls", arrow.PrimitiveTypes.Int64},
		{"total_intl_minutes", arrow.PrimitiveTypes.Float64},
		{"total_intl_calls", arrow.PrimitiveTypes.Int64},
		{"number_customer_service_calls", arrow.PrimitiveTypes.Int64},
		{"label", arrow.PrimitiveTypes.Float64},
	}
	build := func(rows [][]string) (*ml.Frame, error) {
		fields := make([]arrow.Field, len(cols))
		chunks := make([]*arrow.Chunked, len(cols))
		for j, c := range cols {
			fields[j] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
			b := array.NewBuilder(memory.DefaultAllocator, c.typ)
			src := c.name
			if src == "label" {
				src = "churn"
			}
			k := idx[src]
			for _, r := range rows {
				v := r[k]
				switch bb := b.(type) {
				case *array.Int64Builder:
					n, err := strconv.ParseInt(v, 10, 64)
					if err != nil {
						return nil, err
					}
					bb.Append(n)
				case *array.Float64Builder:
					if c.name == "label" {
						bb.Append(map[bool]float64{true: 1, false: 0}[v == "yes"])
						continue
					}
					x, err := strconv.ParseFloat(v, 64)
					if err != nil {
						return nil, err
					}
					bb.Append(x)
				case *array.BooleanBuilder:
					bb.Append(v == "yes")
				}
			}
			a := b.NewArray()
			chunks[j] = arrow.NewChunked(c.typ, []arrow.Array{a})
			a.Release()
			b.Release()
		}
		return ml.NewFrame(arrow.NewSchema(fields, nil), chunks)
	}
	if train, err = build(recs[1:3334]); err != nil {
		return nil, nil, err
	}
	if test, err = build(recs[3334:]); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
