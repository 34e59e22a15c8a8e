package recommendation

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// TestPlantedExplicit: ALS recovers a planted rank-5 matrix; the held-out
// RMSE is close to the noise level (0.1) with both solvers, and the bias
// modes do as well.
func TestPlantedExplicit(t *testing.T) {
	p := makePlanted(300, 200, 5, 0.2, 0.1, 1, false)
	f := ratingsFrame(t, p.trainU, p.trainI, p.trainR)
	for _, tc := range []struct{ solver, bias string }{
		{SolverCholesky, BiasNone}, {SolverCG, BiasNone}, {SolverCholesky, BiasUserItem}, {SolverCG, BiasGlobal},
	} {
		t.Run(tc.solver+"/"+tc.bias, func(t *testing.T) {
			a := NewALS()
			a.P.Rank, a.P.RegParam, a.P.MaxIter, a.P.Solver, a.P.BiasMode = 5, 0.01, 15, tc.solver, tc.bias
			m := mustFit(t, a, f)
			rmse := heldOutRMSE(m, p.testU, p.testI, p.testR)
			if rmse > 0.15 {
				t.Errorf("held-out RMSE %.4f, want <= 0.15 (noise 0.1)", rmse)
			}
			if tr := m.TrainingRMSE(); !(tr < 0.12) {
				t.Errorf("training RMSE %.4f, want < 0.12", tr)
			}
		})
	}
}

// TestPlantedBias: with large user and item offsets and little data per
// row, biasMode user+item beats biasMode none at the same rank.
func TestPlantedBias(t *testing.T) {
	rng := ml.NewRand(5)
	nu, ni := 200, 150
	ub, ib := make([]float64, nu), make([]float64, ni)
	for i := range ub {
		ub[i] = rng.NormFloat64()
	}
	for i := range ib {
		ib[i] = rng.NormFloat64()
	}
	var us, is, tu, ti []int32
	var rs, tr []float32
	for u := range nu {
		for i := range ni {
			if rng.Float64() > 0.1 {
				continue
			}
			r := float32(3 + ub[u] + ib[i] + 0.3*rng.NormFloat64())
			if rng.Float64() < 0.8 {
				us, is, rs = append(us, int32(u)), append(is, int32(i)), append(rs, r)
			} else {
				tu, ti, tr = append(tu, int32(u)), append(ti, int32(i)), append(tr, r)
			}
		}
	}
	f := ratingsFrame(t, us, is, rs)
	rmse := map[string]float64{}
	for _, mode := range []string{BiasNone, BiasUserItem} {
		a := NewALS()
		a.P.Rank, a.P.RegParam, a.P.BiasMode, a.P.BiasRegParam = 2, 0.1, mode, 1
		rmse[mode] = heldOutRMSE(mustFit(t, a, f), tu, ti, tr)
	}
	if !(rmse[BiasUserItem] < 0.45 && rmse[BiasUserItem] < rmse[BiasNone]) {
		t.Errorf("held-out RMSE: user+item %.4f, none %.4f; want user+item < 0.45 and below none", rmse[BiasUserItem], rmse[BiasNone])
	}
}

// TestPlantedImplicit: with implicit feedback, held-out positives rank
// above the items the user never touched (AUC over such pairs).
func TestPlantedImplicit(t *testing.T) {
	p := makePlanted(300, 100, 3, 1.0, 0.3, 2, true)
	f := ratingsFrame(t, p.trainU, p.trainI, p.trainR)
	rated := map[[2]int32]bool{}
	for j := range p.trainU {
		rated[[2]int32{p.trainU[j], p.trainI[j]}] = true
	}
	for j := range p.testU {
		rated[[2]int32{p.testU[j], p.testI[j]}] = true
	}
	for _, solver := range []string{SolverCholesky, SolverCG} {
		t.Run(solver, func(t *testing.T) {
			a := NewALS()
			a.P.ImplicitPrefs, a.P.Rank, a.P.Alpha, a.P.Solver, a.P.RegParam = true, 6, 5, solver, 0.1
			m := mustFit(t, a, f)
			if !math.IsNaN(m.TrainingRMSE()) {
				t.Errorf("TrainingRMSE = %v, want NaN for implicit feedback", m.TrainingRMSE())
			}
			// AUC of the model's scores, and of the planted truth's (the
			// best a model can do on this noisy data).
			var good, ideal, total int
			for j := range p.testU {
				u := p.testU[j]
				pos, ok := m.Predict(u, p.testI[j])
				if !ok {
					continue
				}
				tpos := p.truth(u, p.testI[j])
				for i := int32(0); i < 100; i++ {
					if rated[[2]int32{u, i}] {
						continue
					}
					if neg, ok := m.Predict(u, i); ok {
						total++
						if pos > neg {
							good++
						}
						if tpos > p.truth(u, i) {
							ideal++
						}
					}
				}
			}
			auc, best := float64(good)/float64(total), float64(ideal)/float64(total)
			t.Logf("held-out AUC %.3f (planted truth %.3f)", auc, best)
			if auc < best-0.05 || auc < 0.9 {
				t.Errorf("held-out AUC %.3f, want >= 0.9 and within 0.05 of the planted truth's %.3f", auc, best)
			}
		})
	}
}

func TestNonnegative(t *testing.T) {
	p := makePlanted(100, 80, 3, 0.3, 0.1, 3, false)
	for i := range p.trainR {
		p.trainR[i] = float32(math.Abs(float64(p.trainR[i])))
	}
	a := NewALS()
	a.P.Nonnegative, a.P.Rank = true, 3
	m := mustFit(t, a, ratingsFrame(t, p.trainU, p.trainI, p.trainR))
	for _, fr := range []*ml.Frame{m.UserFactors(), m.ItemFactors()} {
		for _, v := range listFloats(t, fr, "features") {
			if v < 0 {
				t.Fatalf("factor %v < 0 with nonnegative true", v)
			}
		}
	}
	if m.TrainingRMSE() > 1 {
		t.Errorf("training RMSE %.3f with nonnegative factors, want <= 1", m.TrainingRMSE())
	}
}

func listFloats(t *testing.T, f *ml.Frame, col string) []float32 {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	var out []float32
	for _, ch := range c.Chunks() {
		out = append(out, ch.(*array.List).ListValues().(*array.Float32).Float32Values()...)
	}
	return out
}

// TestDeterminism: the same seed gives the same factors, whatever
// GOMAXPROCS; another seed gives others.
func TestDeterminism(t *testing.T) {
	p := makePlanted(120, 90, 3, 0.3, 0.2, 4, false)
	f := ratingsFrame(t, p.trainU, p.trainI, p.trainR)
	fit := func(seed, procs int, solver string) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		a := NewALS()
		a.P.Seed, a.P.Solver, a.P.BiasMode = seed, solver, BiasUserItem
		m := mustFit(t, a, f)
		return append(append(slices.Clone(m.users.x), m.items.x...), m.users.bias...)
	}
	for _, solver := range []string{SolverCholesky, SolverCG} {
		a, b, c := fit(1, 1, solver), fit(1, 4, solver), fit(2, 2, solver)
		if !slices.Equal(a, b) {
			t.Errorf("%s: seed 1 with GOMAXPROCS 1 and 4 gave different factors", solver)
		}
		if slices.Equal(a, c) {
			t.Errorf("%s: seeds 1 and 2 gave the same factors", solver)
		}
	}
}

func TestColdStart(t *testing.T) {
	f := ratingsFrame(t, []int32{1, 1, 2, 2, 3}, []int32{10, 20, 10, 30, 20}, []float32{4, 2, 5, 1, 3})
	a := NewALS()
	a.P.Rank = 2
	m := mustFit(t, a, f)
	test := ratingsFrame(t, []int32{1, 9, 2, 1}, []int32{30, 10, 99, 20}, []float32{1, 2, 3, 4})
	out, err := m.Transform(t.Context(), test)
	if err != nil {
		t.Fatal(err)
	}
	pf, _ := out.Schema().FieldsByName("prediction")
	if pf[0].Type.ID() != arrow.FLOAT32 {
		t.Errorf("prediction type %s, want float (Spark's FloatType)", pf[0].Type)
	}
	pred := mltest.Floats(t, out, "prediction")
	if len(pred) != 4 || math.IsNaN(pred[0]) || !math.IsNaN(pred[1]) || !math.IsNaN(pred[2]) || math.IsNaN(pred[3]) {
		t.Errorf("nan strategy: predictions %v, want known, NaN (user 9), NaN (item 99), known", pred)
	}
	want, _ := m.Predict(1, 30)
	if float32(want) != float32(pred[0]) {
		t.Errorf("Transform %v != Predict %v", pred[0], want)
	}
	m.P.ColdStartStrategy = "DROP" // case-insensitive, as in Spark
	out, err = m.Transform(t.Context(), test)
	if err != nil {
		t.Fatal(err)
	}
	if got := mltest.Floats(t, out, "user"); !slices.Equal(got, []float64{1, 1}) {
		t.Errorf("drop strategy: users %v, want [1 1]", got)
	}
	if _, ok := m.Predict(9, 10); ok {
		t.Error("Predict(9, 10) reported a known user")
	}
}

// TestIDTypes: ids of any integer type, and whole doubles, are accepted
// (Spark casts them); the model is the same.
func TestIDTypes(t *testing.T) {
	users := []int64{1, 1, 2, 2, 3}
	items := []float64{10, 20, 10, 30, 20}
	ratings := []float64{4, 2, 5, 1, 3}
	f := mkFrame(t, map[string]arrow.Array{"u": int64Arr(users), "i": float64Arr(items), "r": float64Arr(ratings)})
	a := NewALS()
	a.P.UserCol, a.P.ItemCol, a.P.RatingCol, a.P.Rank = "u", "i", "r", 2
	m1 := mustFit(t, a, f)
	b := NewALS()
	b.P.Rank = 2
	m2 := mustFit(t, b, ratingsFrame(t, []int32{1, 1, 2, 2, 3}, []int32{10, 20, 10, 30, 20}, []float32{4, 2, 5, 1, 3}))
	if !slices.Equal(m1.users.x, m2.users.x) || !slices.Equal(m1.items.x, m2.items.x) {
		t.Error("int64/double ids gave a different model than int32 ids")
	}
}

func mkFrame(t *testing.T, cols map[string]arrow.Array) *ml.Frame {
	t.Helper()
	var names []string
	for n := range cols {
		names = append(names, n)
	}
	slices.Sort(names)
	var fields []arrow.Field
	var chunks []*arrow.Chunked
	for _, n := range names {
		fields = append(fields, arrow.Field{Name: n, Type: cols[n].DataType(), Nullable: true})
		chunks = append(chunks, arrow.NewChunked(cols[n].DataType(), []arrow.Array{cols[n]}))
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), chunks)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func int64Arr(v []int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues(v, nil)
	return b.NewArray()
}

func float64Arr(v []float64) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	for _, x := range v {
		if math.IsInf(x, -1) { // marks a NULL in these tests
			b.AppendNull()
			continue
		}
		b.Append(x)
	}
	return b.NewArray()
}

func stringArr(v []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues(v, nil)
	return b.NewArray()
}

// TestBadInput: bad data is an error naming the column, the row and the
// fix; nothing panics.
func TestBadInput(t *testing.T) {
	null := math.Inf(-1)
	tests := []struct {
		name string
		u    arrow.Array
		i    arrow.Array
		r    arrow.Array
		want []string
	}{
		{"NaN rating", int64Arr([]int64{1, 2}), int64Arr([]int64{1, 2}), float64Arr([]float64{1, math.NaN()}), []string{"column r, row 2", "rating is NaN", "drop or fill"}},
		{"NULL rating", int64Arr([]int64{1, 2}), int64Arr([]int64{1, 2}), float64Arr([]float64{null, 1}), []string{"column r, row 1", "rating is NULL"}},
		{"infinite rating", int64Arr([]int64{1, 2}), int64Arr([]int64{1, 2}), float64Arr([]float64{1, math.Inf(1)}), []string{"row 2", "infinite"}},
		{"fractional id", float64Arr([]float64{1, 2.5}), int64Arr([]int64{1, 2}), float64Arr([]float64{1, 1}), []string{"column u, row 2", "id 2.5 is not a whole number", "StringIndexer"}},
		{"id out of int32", int64Arr([]int64{1, 1 << 40}), int64Arr([]int64{1, 2}), float64Arr([]float64{1, 1}), []string{"column u, row 2", "1099511627776 is outside the int32 range"}},
		{"NULL id", int64Arr([]int64{1, 2}), float64Arr([]float64{null, 2}), float64Arr([]float64{1, 1}), []string{"column i, row 1", "NULL", "filter"}},
		{"string id", stringArr([]string{"a", "b"}), int64Arr([]int64{1, 2}), float64Arr([]float64{1, 1}), []string{"userCol", "utf8", "StringIndexer"}},
		{"empty", int64Arr(nil), int64Arr(nil), float64Arr(nil), []string{"no rows"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mkFrame(t, map[string]arrow.Array{"u": tc.u, "i": tc.i, "r": tc.r})
			a := NewALS()
			a.P.UserCol, a.P.ItemCol, a.P.RatingCol = "u", "i", "r"
			_, err := a.Fit(t.Context(), f)
			if err == nil {
				t.Fatal("Fit: no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// Negative ratings are fine in explicit mode.
	f := mkFrame(t, map[string]arrow.Array{"u": int64Arr([]int64{1, 2}), "i": int64Arr([]int64{1, 2}), "r": float64Arr([]float64{-1, 2})})
	a := NewALS()
	a.P.UserCol, a.P.ItemCol, a.P.RatingCol = "u", "i", "r"
	if _, err := a.Fit(t.Context(), f); err != nil {
		t.Errorf("negative ratings: %v", err)
	}
	// Transform checks ids the same way.
	m := mustFit(t, a, f)
	bad := mkFrame(t, map[string]arrow.Array{"u": float64Arr([]float64{1.5}), "i": int64Arr([]int64{1}), "r": float64Arr([]float64{1})})
	if _, err := m.Transform(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("Transform with a fractional id: %v", err)
	}
	if _, err := m.Transform(t.Context(), mkFrame(t, map[string]arrow.Array{"x": int64Arr([]int64{1})})); err == nil || !strings.Contains(err.Error(), `no column "u"`) {
		t.Errorf("Transform without the id column: %v", err)
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		set  func(p *ALSParams)
		want string
	}{
		{"rank 0", func(p *ALSParams) { p.Rank = 0 }, "rank is 0"},
		{"negative regParam", func(p *ALSParams) { p.RegParam = -1 }, "regParam"},
		{"NaN alpha", func(p *ALSParams) { p.Alpha = math.NaN() }, "alpha"},
		{"maxIter", func(p *ALSParams) { p.MaxIter = -1 }, "maxIter"},
		{"cold start", func(p *ALSParams) { p.ColdStartStrategy = "skip" }, "coldStartStrategy"},
		{"blocks", func(p *ALSParams) { p.NumUserBlocks = 0 }, "numUserBlocks"},
		{"checkpoint", func(p *ALSParams) { p.CheckpointInterval = 0 }, "checkpointInterval"},
		{"bias mode", func(p *ALSParams) { p.BiasMode = "user" }, "biasMode"},
		{"implicit with bias", func(p *ALSParams) { p.ImplicitPrefs, p.BiasMode = true, BiasUserItem }, "explicit"},
		{"solver", func(p *ALSParams) { p.Solver = "lbfgs" }, "solver"},
		{"cg nonnegative", func(p *ALSParams) { p.Solver, p.Nonnegative = SolverCG, true }, "nonnegative"},
		{"same columns", func(p *ALSParams) { p.ItemCol = p.UserCol }, "two different columns"},
		{"blockSize", func(p *ALSParams) { p.BlockSize = 0 }, "blockSize"},
		{"cgSteps", func(p *ALSParams) { p.CGSteps = 0 }, "cgSteps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewALS()
			tc.set(&a.P)
			err := a.P.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tc.want)
			}
			if _, err := a.Fit(t.Context(), ratingsFrame(t, []int32{1}, []int32{1}, []float32{1})); err == nil {
				t.Error("Fit accepted invalid params")
			}
		})
	}
	if err := NewALS().P.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestRatingColEmpty(t *testing.T) {
	f := mkFrame(t, map[string]arrow.Array{"user": int64Arr([]int64{1, 1, 2}), "item": int64Arr([]int64{1, 2, 1})})
	a := NewALS()
	a.P.RatingCol, a.P.ImplicitPrefs = "", true
	if _, err := a.Fit(t.Context(), f); err != nil {
		t.Errorf("ratingCol empty: %v", err)
	}
}

func TestOnIterationAndCancel(t *testing.T) {
	p := makePlanted(50, 40, 2, 0.5, 0.1, 6, false)
	f := ratingsFrame(t, p.trainU, p.trainI, p.trainR)
	a := NewALS()
	a.P.MaxIter = 4
	var iters []int
	a.OnIteration = func(i int, _ time.Duration) { iters = append(iters, i) }
	mustFit(t, a, f)
	if !slices.Equal(iters, []int{1, 2, 3, 4}) {
		t.Errorf("OnIteration saw %v, want [1 2 3 4]", iters)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := a.Fit(ctx, f); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit with a canceled ctx: %v, want context.Canceled", err)
	}
}

func TestMaxIterZero(t *testing.T) {
	a := NewALS()
	a.P.MaxIter = 0
	m := mustFit(t, a, ratingsFrame(t, []int32{1, 2}, []int32{1, 2}, []float32{1, 2}))
	// Random unit-norm initial factors, as in Spark.
	for i := range m.NumUsers() {
		r := m.users.row(int32(i), m.rank)
		if n := math.Sqrt(float64(dot32(r, r))); math.Abs(n-1) > 1e-5 {
			t.Errorf("initial user factor norm %v, want 1", n)
		}
	}
}
