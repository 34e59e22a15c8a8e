package feature_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func rfFrame(t *testing.T, y, a []string, aValid []bool, b, c []float64) *ml.Frame {
	t.Helper()
	str := func(v []string, valid []bool) arrow.Array {
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		sb.AppendValues(v, valid)
		return sb.NewArray()
	}
	num := func(v []float64) arrow.Array {
		fb := array.NewFloat64Builder(memory.DefaultAllocator)
		fb.AppendValues(v, nil)
		return fb.NewArray()
	}
	arrs := []arrow.Array{str(y, nil), str(a, aValid), num(b), num(c)}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "y", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "c", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	cols := make([]*arrow.Chunked, len(arrs))
	for i, a := range arrs {
		cols[i] = arrow.NewChunked(a.DataType(), []arrow.Array{a})
	}
	f, err := ml.NewFrame(sc, cols)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRFormula(t *testing.T) {
	ctx := context.Background()
	f := rfFrame(t, []string{"no", "yes", "no", "no"}, []string{"x", "y", "x", "z"}, nil, []float64{1, 2, 0, 3}, []float64{9, 9, 9, 9})
	rf := feature.NewRFormula()
	rf.P.Formula = "y ~ a + b + a:b + . - c"
	m, err := rf.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	// a's levels by frequency: x (2), then y, z alphabetically; the main
	// effect drops z, the interaction keeps all three.
	names := m.(*feature.RFormulaModel).FeatureNames()
	if got := strings.Join(names, " "); got != "a_x a_y b a_x:b a_y:b a_z:b" {
		t.Errorf("feature names %s", got)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{1, 0, 1, 1, 0, 0},
		{0, 1, 2, 0, 2, 0},
		{1, 0, 0, 0, 0, 0},
		{0, 0, 3, 0, 0, 3},
	}
	if got := vectors(t, out, "features"); !reflect.DeepEqual(got, want) {
		t.Errorf("features\n got %v\nwant %v", got, want)
	}
	if got := floats(t, out, "label"); fmt.Sprint(got) != "[0 1 0 0]" {
		t.Errorf("label = %v, want no→0 yes→1", got)
	}
	lf, _ := ml.FieldOf(out.Schema(), "label")
	if vals := ml.NominalValues(lf); fmt.Sprint(vals) != "[no yes]" {
		t.Errorf("label metadata %v", vals)
	}
	ff, _ := ml.FieldOf(out.Schema(), "features")
	if got := ml.VectorAttrsOf(ff).Name(3); got != "a_x:b" {
		t.Errorf("attribute 3 = %q", got)
	}

	// Without the intercept the first string main effect keeps all levels.
	rf.P.Formula = "y ~ a + b - 1"
	m, err = rf.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.(*feature.RFormulaModel).FeatureNames(), " "); got != "a_x a_y a_z b" {
		t.Errorf("no intercept: %s", got)
	}

	// Persistence round trip.
	dir := filepath.Join(t.TempDir(), "rf")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	o1, _ := m.Transform(ctx, f)
	o2, err := loaded.(ml.Transformer).Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(vectors(t, o1, "features"), vectors(t, o2, "features")) {
		t.Error("loaded model encodes differently")
	}
}

func TestRFormulaInvalid(t *testing.T) {
	ctx := context.Background()
	train := rfFrame(t, []string{"no", "yes"}, []string{"x", "y"}, nil, []float64{1, 2}, []float64{0, 0})
	test := rfFrame(t, []string{"no", "yes", "no"}, []string{"x", "w", ""}, []bool{true, true, false}, []float64{1, 2, 3}, []float64{0, 0, 0})
	rf := feature.NewRFormula()
	rf.P.Formula = "y ~ a + b"
	m, err := rf.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Transform(ctx, test); err == nil || !strings.Contains(err.Error(), "row 2: column a has a category not seen when fitting") {
		t.Errorf("error mode: %v", err)
	}
	rf.P.HandleInvalid = "skip"
	m, _ = rf.Fit(ctx, train)
	out, err := m.Transform(ctx, test)
	if err != nil || out.NumRows() != 1 {
		t.Errorf("skip: rows %v, err %v", out, err)
	}
	rf.P.HandleInvalid = "keep"
	m, _ = rf.Fit(ctx, train)
	out, err = m.Transform(ctx, test)
	if err != nil || out.NumRows() != 3 {
		t.Fatalf("keep: %v", err)
	}
	// dropLast with keep: x → [1], y and the unknown level → [0].
	if got := vectors(t, out, "features"); fmt.Sprint(got) != "[[1 1] [0 2] [0 3]]" {
		t.Errorf("keep features %v", got)
	}
}

func TestParseFormulaErrors(t *testing.T) {
	for _, tc := range []struct{ f, want string }{
		{"", "formula is empty"},
		{"y ~", "a term is missing"},
		{"~ a", "want `label ~ terms`"},
		{"y ~ a +", "a term is missing"},
		{"y ~ a * b", `unexpected '*' at column 7`},
		{"y ~ 2", "only 0 and 1"},
		{"y ~ `a", "not closed"},
		{"y ~ a b", "want + or -"},
		{"y ~ a:.", "cannot be part of an interaction"},
	} {
		if _, err := feature.ParseFormula(tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.f, err, tc.want)
		}
	}
	f := rfFrame(t, []string{"a"}, []string{"x"}, nil, []float64{1}, []float64{1})
	for _, tc := range []struct{ f, want string }{
		{"y ~ bb", `no column "bb"; did you mean "b"?`},
		{"y ~ a - c", "cannot remove c"},
		{"y ~ a - a", "no terms left"},
	} {
		rf := feature.NewRFormula()
		rf.P.Formula = tc.f
		if _, err := rf.TransformSchema(f.Schema()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.f, err, tc.want)
		}
	}
	f2, err := feature.ParseFormula("label ~ `odd name` + x1:x2 - 1")
	if err != nil || f2.Intercept || fmt.Sprint(f2.Terms) != "[{[odd name] false} {[x1 x2] false}]" {
		t.Errorf("parse: %+v %v", f2, err)
	}
}

func FuzzParseFormula(f *testing.F) {
	for _, s := range []string{"y ~ a + b", "y ~ . - c + a:b - 1", "y ~ `x y` + 0", "~", "y ~ a ~ b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1000 {
			return
		}
		_, _ = feature.ParseFormula(s)
	})
}
