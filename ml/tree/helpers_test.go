package tree_test

import (
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/mltest"
	"github.com/sluice-dev/sluice/ml/tree"
)

func registry() *ml.Registry {
	r := ml.NewRegistry()
	feature.Register(r)
	tree.Register(r)
	return r
}

func auc(tb testing.TB, model ml.Model, test *ml.Frame) float64 {
	tb.Helper()
	out, err := model.Transform(context.Background(), test)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := evaluation.AreaUnderROC(positiveScores(tb, out, "probability"), column(tb, out, "label"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

const churnCSV = "/work/shared/data/churn/mlc_churn.csv"

// churnNumeric are the churn columns used as numeric features: every
// numeric column except the *_charge ones (they are the minutes times a
// rate).
var churnNumeric = []string{"account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
	"total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
	"total_intl_minutes", "total_intl_calls", "number_customer_service_calls"}

// churnFrames returns the churn training (rows 1–3,333) and test frames
// with "features" (the numeric columns, then international_plan and
// voice_mail_plan indexed, categorical) and "label" (churn yes = 1). It
// skips the test when the data is missing.
func churnFrames(tb testing.TB) (train, test *ml.Frame) {
	tb.Helper()
	fh, err := os.Open(churnCSV)
	if err != nil {
		tb.Skipf("churn data: %v", err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	head := map[string]int{}
	for i, h := range recs[0] {
		head[h] = i
	}
	recs = recs[1:]
	mem := memory.DefaultAllocator
	var fields []arrow.Field
	var cols []*arrow.Chunked
	for _, name := range churnNumeric {
		b := array.NewFloat64Builder(mem)
		for _, r := range recs {
			v, err := strconv.ParseFloat(r[head[name]], 64)
			if err != nil {
				tb.Fatal(err)
			}
			b.Append(v)
		}
		a := b.NewArray()
		fields = append(fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, arrow.NewChunked(a.DataType(), []arrow.Array{a}))
	}
	for _, name := range []string{"international_plan", "voice_mail_plan"} {
		b := array.NewStringBuilder(mem)
		for _, r := range recs {
			b.Append(r[head[name]])
		}
		a := b.NewArray()
		fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String})
		cols = append(cols, arrow.NewChunked(a.DataType(), []arrow.Array{a}))
	}
	lb := array.NewFloat64Builder(mem)
	for _, r := range recs {
		if r[head["churn"]] == "yes" {
			lb.Append(1)
		} else {
			lb.Append(0)
		}
	}
	la := lb.NewArray()
	fields = append(fields, arrow.Field{Name: "label", Type: arrow.PrimitiveTypes.Float64})
	cols = append(cols, arrow.NewChunked(la.DataType(), []arrow.Array{la}))
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), cols)
	if err != nil {
		tb.Fatal(err)
	}
	ip := feature.NewStringIndexer()
	ip.P.InputCol, ip.P.OutputCol = "international_plan", "intl_idx"
	vm := feature.NewStringIndexer()
	vm.P.InputCol, vm.P.OutputCol = "voice_mail_plan", "vmail_idx"
	va := feature.NewVectorAssembler()
	va.P.InputCols = append(append([]string{}, churnNumeric...), "intl_idx", "vmail_idx")
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{ip, vm, va}}).Fit(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	all, err := pm.Transform(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	tr := make([]int, 3333)
	te := make([]int, len(recs)-3333)
	for i := range tr {
		tr[i] = i
	}
	for i := range te {
		te[i] = 3333 + i
	}
	if train, err = all.Take(ctx, tr); err != nil {
		tb.Fatal(err)
	}
	if test, err = all.Take(ctx, te); err != nil {
		tb.Fatal(err)
	}
	return train, test
}

// MustFrame builds a frame whose features are named f0, f1, … (see
// mltest.Frame); cats marks categorical features.
func MustFrame(tb testing.TB, x [][]float64, y, w []float64, cats map[int]int) *ml.Frame {
	tb.Helper()
	if cats == nil {
		cats = map[int]int{}
	}
	return mltest.Frame(tb, x, y, w, cats)
}

// Shared helpers (package mltest).
var (
	column         = mltest.Floats
	vectors        = mltest.Vectors
	positiveScores = mltest.Positive
)
