package recommendation_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/mltest"
	"github.com/sluice-dev/sluice/ml/recommendation"
	"github.com/sluice-dev/sluice/ml/stages"
)

// ratings builds (userId, movieId, rating) rows: a small explicit set.
func ratings(t *testing.T) *ml.Frame {
	t.Helper()
	mem := memory.DefaultAllocator
	users := []int32{1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6}
	items := []int32{10, 20, 30, 10, 40, 20, 30, 40, 10, 30, 20, 40, 50, 10, 50}
	vals := []float64{5, 3, 4, 4, 1, 2, 5, 1, 5, 4, 1, 2, 5, 4, 3}
	ub, ib, rb := array.NewInt32Builder(mem), array.NewInt32Builder(mem), array.NewFloat64Builder(mem)
	ub.AppendValues(users, nil)
	ib.AppendValues(items, nil)
	rb.AppendValues(vals, nil)
	arrs := []arrow.Array{ub.NewArray(), ib.NewArray(), rb.NewArray()}
	fields := []arrow.Field{
		{Name: "userId", Type: arrow.PrimitiveTypes.Int32},
		{Name: "movieId", Type: arrow.PrimitiveTypes.Int32},
		{Name: "rating", Type: arrow.PrimitiveTypes.Float64},
	}
	cols := make([]*arrow.Chunked, len(arrs))
	for i, a := range arrs {
		cols[i] = arrow.NewChunked(a.DataType(), []arrow.Array{a})
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), cols)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func newALS(bias string) *recommendation.ALS {
	a := recommendation.NewALS()
	a.P.UserCol, a.P.ItemCol, a.P.Rank, a.P.BiasMode = "userId", "movieId", 3, bias
	return a
}

// TestSaveLoad round-trips models through ml.Save and ml.Load with the
// full registry: same params, predictions, recommendations and frames.
func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	f := ratings(t)
	for _, bias := range []string{recommendation.BiasNone, recommendation.BiasGlobal, recommendation.BiasUserItem} {
		t.Run(bias, func(t *testing.T) {
			m, err := newALS(bias).Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			m.(*recommendation.ALSModel).P.ColdStartStrategy = "drop"
			dir := filepath.Join(t.TempDir(), "als")
			if err := ml.Save(dir, m); err != nil {
				t.Fatal(err)
			}
			st, err := ml.Load(dir, stages.Registry(nil))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := st.(*recommendation.ALSModel)
			if !ok {
				t.Fatalf("loaded %T, want *ALSModel", st)
			}
			want := m.(*recommendation.ALSModel)
			if got.P != want.P || got.Rank() != want.Rank() || got.BiasMode() != bias || got.GlobalMean() != want.GlobalMean() {
				t.Errorf("loaded params %+v rank %d bias %s mean %v; want %+v %d %s %v", got.P, got.Rank(), got.BiasMode(), got.GlobalMean(), want.P, want.Rank(), bias, want.GlobalMean())
			}
			if got.TrainingRMSE() != want.TrainingRMSE() {
				t.Errorf("training RMSE %v, want %v", got.TrainingRMSE(), want.TrainingRMSE())
			}
			a, err := want.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := got.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if pa, pb := mltest.Floats(t, a, "prediction"), mltest.Floats(t, b, "prediction"); !slices.Equal(pa, pb) {
				t.Errorf("predictions differ after load: %v vs %v", pa, pb)
			}
			ra, _ := want.Recommend(ctx, recommendation.RecommendOptions{K: 3})
			rb, _ := got.Recommend(ctx, recommendation.RecommendOptions{K: 3})
			if !slices.Equal(mltest.Floats(t, ra, "score"), mltest.Floats(t, rb, "score")) || !slices.Equal(mltest.Floats(t, ra, "movieId"), mltest.Floats(t, rb, "movieId")) {
				t.Error("recommendations differ after load")
			}
			for _, name := range want.FrameNames() {
				fa, _ := want.ModelFrame(ctx, name)
				fb, err := got.ModelFrame(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				if !array.TableEqual(fa.Table(), fb.Table()) {
					t.Errorf("frame %s differs after load", name)
				}
			}
		})
	}
}

func TestModelFrames(t *testing.T) {
	m, err := newALS(recommendation.BiasUserItem).Fit(context.Background(), ratings(t))
	if err != nil {
		t.Fatal(err)
	}
	mf := m.(ml.ModelFrames)
	if got := mf.FrameNames(); !slices.Equal(got, []string{"userFactors", "itemFactors"}) {
		t.Errorf("FrameNames = %v", got)
	}
	uf, err := mf.ModelFrame(context.Background(), "userFactors")
	if err != nil {
		t.Fatal(err)
	}
	if got := ml.ColumnNames(uf.Schema()); !slices.Equal(got, []string{"id", "features", "bias"}) || uf.NumRows() != 6 {
		t.Errorf("userFactors columns %v, %d rows; want id, features, bias and 6 rows", got, uf.NumRows())
	}
	if ids := mltest.Floats(t, uf, "id"); !slices.Equal(ids, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("ids %v, want 1…6 in order", ids)
	}
	if _, err := mf.ModelFrame(context.Background(), "itemFactor"); err == nil || !strings.Contains(err.Error(), `did you mean "itemFactors"`) {
		t.Errorf("unknown frame: %v", err)
	}
	plain, _ := newALS(recommendation.BiasNone).Fit(context.Background(), ratings(t))
	itf := plain.(*recommendation.ALSModel).ItemFactors()
	if got := ml.ColumnNames(itf.Schema()); !slices.Equal(got, []string{"id", "features"}) || itf.Schema().Field(0).Type.ID() != arrow.INT32 {
		t.Errorf("itemFactors schema %s; want Spark's id int, features array<float>", itf.Schema())
	}
}

func TestDebugString(t *testing.T) {
	m, err := newALS(recommendation.BiasUserItem).Fit(context.Background(), ratings(t))
	if err != nil {
		t.Fatal(err)
	}
	s := m.(interface{ DebugString() string }).DebugString()
	for _, want := range []string{"rank 3", "6 users", "5 items", "explicit", "user+item", "global mean 3.2667", "user bias mean", "training RMSE"} {
		if !strings.Contains(s, want) {
			t.Errorf("DebugString lacks %q:\n%s", want, s)
		}
	}
}

// TestPipeline: ALS in a Pipeline, fitted and transformed, as YAML specs
// build it through the registry by Spark's names.
func TestPipeline(t *testing.T) {
	reg := stages.Registry(nil)
	st, err := reg.New("ALS")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"userCol": "userId", "itemCol": "movieId", "rank": 2, "maxIter": 5, "coldStartStrategy": "drop", "biasMode": "user+item"} {
		if err := ml.SetParam(st, k, v); err != nil {
			t.Fatal(err)
		}
	}
	p := &ml.Pipeline{Stages: []ml.Stage{st.(ml.Stage)}}
	pm, err := p.Fit(context.Background(), ratings(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err := pm.Transform(context.Background(), ratings(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range mltest.Floats(t, out, "prediction") {
		if math.IsNaN(v) || v < 0 || v > 6 {
			t.Fatalf("prediction %v out of range", v)
		}
	}
	if _, err := reg.New("ALSModel"); err != nil {
		t.Error(err)
	}
}

// TestRegistryDefaults: ALS and ALSModel are registered with Spark 3.5's
// defaults under Spark's param names.
func TestRegistryDefaults(t *testing.T) {
	reg := ml.NewRegistry()
	recommendation.Register(reg)
	want := map[string]any{
		"userCol": "user", "itemCol": "item", "ratingCol": "rating", "predictionCol": "prediction",
		"rank": 10, "maxIter": 10, "regParam": 0.1, "implicitPrefs": false, "alpha": 1.0, "nonnegative": false,
		"seed": 1994790107, "coldStartStrategy": "nan", "numUserBlocks": 10, "numItemBlocks": 10,
		"checkpointInterval": 10, "blockSize": 4096,
		"biasMode": "none", "biasRegParam": 2.0, "solver": "auto", "cgSteps": 3,
	}
	for _, name := range []string{"ALS", "ALSModel"} {
		s, err := reg.New(name)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := s.Params().(ml.Validator); !ok || v.Validate() != nil {
			t.Errorf("%s: default params do not validate", name)
		}
		got := map[string]any{}
		for _, p := range ml.ParamList(s) {
			got[p.Name] = p.Value
			if p.Doc == "" {
				t.Errorf("%s.%s has no doc", name, p.Name)
			}
		}
		for k, w := range want {
			g, ok := got[k]
			if name == "ALSModel" && !ok {
				continue // the model has the shared column params only
			}
			if !ok || fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("%s.%s = %v, want %v", name, k, g, w)
			}
		}
		if name == "ALSModel" && len(got) != 5 {
			t.Errorf("ALSModel params %v, want userCol, itemCol, predictionCol, coldStartStrategy, blockSize", got)
		}
	}
}
