package clustering_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
	"github.com/sluice-dev/sluice/ml/stages"
)

// gmmFit fits g to rows x (weights w, nil for none) or fails the test.
func gmmFit(t testing.TB, g *clustering.GaussianMixture, x [][]float64, w []float64) *clustering.GaussianMixtureModel {
	t.Helper()
	if w != nil {
		g.P.WeightCol = "weight"
	}
	m, err := g.Fit(context.Background(), mltest.Frame(t, x, nil, w, nil))
	if err != nil {
		t.Fatal(err)
	}
	return m.(*clustering.GaussianMixtureModel)
}

// gmmSorted returns the component indices ordered by their means
// (lexicographically), to compare mixtures whose components came out in
// another order.
func gmmSorted(means [][]float64) []int {
	idx := make([]int, len(means))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return slices.Compare(means[idx[a]], means[idx[b]]) < 0 })
	return idx
}

func gmmClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.10g, want %.10g ± %g", what, got, want, tol)
	}
}

// gmmPlanted draws n rows from a mixture with the given weights, means
// and per-feature standard deviations (diagonal covariances).
func gmmPlanted(seed uint64, n int, weights []float64, means, sds [][]float64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([][]float64, n)
	for i := range x {
		u, c := rng.Float64(), 0
		for c < len(weights)-1 && u > weights[c] {
			u -= weights[c]
			c++
		}
		row := make([]float64, len(means[c]))
		for j := range row {
			row[j] = means[c][j] + sds[c][j]*rng.NormFloat64()
		}
		x[i] = row
	}
	return x
}

func TestGaussianMixtureHandComputed(t *testing.T) {
	t.Run("1-D", func(t *testing.T) {
		// Two tight groups 11 apart: the responsibilities are 0 or 1 to
		// within 1e-900, so EM's fixed point is each group's share, mean
		// and population variance (plus regCovar).
		x := [][]float64{{-1.2}, {-1}, {-0.8}, {9.8}, {10}, {10.2}}
		m := gmmFit(t, clustering.NewGaussianMixture(), x, nil)
		o := gmmSorted(m.Means)
		v := 0.08/3 + 1e-6
		for i, want := range []float64{-1, 10} {
			c := o[i]
			gmmClose(t, "weight", m.Weights[c], 0.5, 1e-12)
			gmmClose(t, "mean", m.Means[c][0], want, 1e-12)
			gmmClose(t, "variance", m.Covs[c][0], v, 1e-12)
		}
		// ln L = Σ ln(½·N(x; μ, v)) = 6·ln ½ − 3·ln(2πv) − Σ(x−μ)²/(2v).
		ll := 6*math.Log(0.5) - 3*math.Log(2*math.Pi*v) - 0.16/(2*v)
		gmmClose(t, "logLikelihood", m.LogLikelihood, ll, 1e-6)
		if m.NumIter < 2 || m.NumIter >= 100 {
			t.Errorf("numIter %d, want a few", m.NumIter)
		}
	})
	t.Run("2-D", func(t *testing.T) {
		// Two squares of side 2: means the centres, covariance I
		// (population variance of {0, 2} is 1, no correlation).
		x := [][]float64{{0, 0}, {2, 0}, {0, 2}, {2, 2}, {20, 20}, {22, 20}, {20, 22}, {22, 22}}
		m := gmmFit(t, clustering.NewGaussianMixture(), x, nil)
		o := gmmSorted(m.Means)
		for i, want := range []float64{1, 21} {
			c := o[i]
			gmmClose(t, "weight", m.Weights[c], 0.5, 1e-12)
			for j := 0; j < 2; j++ {
				gmmClose(t, "mean", m.Means[c][j], want, 1e-12)
			}
			wantCov := []float64{1 + 1e-6, 0, 0, 1 + 1e-6}
			for j, v := range wantCov {
				gmmClose(t, "cov", m.Covs[c][j], v, 1e-12)
			}
		}
	})
}

func TestGaussianMixtureRecoversPlanted(t *testing.T) {
	weights := []float64{0.25, 0.45, 0.3}
	means := [][]float64{{-6, 0}, {0, 5}, {6, -1}}
	sds := [][]float64{{1, 0.5}, {0.7, 1.5}, {1.2, 1}}
	x := gmmPlanted(1, 6000, weights, means, sds)
	g := clustering.NewGaussianMixture()
	g.P.K = 3
	m := gmmFit(t, g, x, nil)
	o := gmmSorted(m.Means)
	for i := range weights {
		c := o[i]
		gmmClose(t, "weight", m.Weights[c], weights[i], 0.02)
		for j := range means[i] {
			gmmClose(t, "mean", m.Means[c][j], means[i][j], 0.1)
			gmmClose(t, "variance", m.Covs[c][j*2+j], sds[i][j]*sds[i][j], 0.15*sds[i][j]*sds[i][j])
		}
		gmmClose(t, "covariance", m.Covs[c][1], 0, 0.1)
	}
	if s := m.Weights[0] + m.Weights[1] + m.Weights[2]; math.Abs(s-1) > 1e-12 {
		t.Errorf("weights sum to %v", s)
	}
}

func TestGaussianMixtureTransform(t *testing.T) {
	x := gmmPlanted(2, 500, []float64{0.5, 0.5}, [][]float64{{-3}, {3}}, [][]float64{{1}, {1}})
	m := gmmFit(t, clustering.NewGaussianMixture(), x, nil)
	f := mltest.Frame(t, x, nil, nil, nil)
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if fl, _ := ml.FieldOf(out.Schema(), "prediction"); fl.Type.ID() != arrow.INT32 {
		t.Fatalf("prediction is %s, want int32 (Spark's IntegerType)", fl.Type)
	}
	pred := mltest.Floats(t, out, "prediction")
	prob := mltest.Vectors(t, out, "probability")
	for i := range prob {
		if len(prob[i]) != 2 || math.Abs(prob[i][0]+prob[i][1]-1) > 1e-12 {
			t.Fatalf("row %d: probabilities %v do not sum to 1", i+1, prob[i])
		}
		best := 0.0
		if prob[i][1] > prob[i][0] {
			best = 1
		}
		if pred[i] != best {
			t.Fatalf("row %d: prediction %v, probabilities %v", i+1, pred[i], prob[i])
		}
	}
	// Far rows go to the component on their side.
	probe := mltest.Frame(t, [][]float64{{-10}, {10}}, nil, nil, nil)
	out, err = m.Transform(context.Background(), probe)
	if err != nil {
		t.Fatal(err)
	}
	p := mltest.Floats(t, out, "prediction")
	o := gmmSorted(m.Means)
	if p[0] != float64(o[0]) || p[1] != float64(o[1]) {
		t.Errorf("predictions %v for -10 and 10, want %v", p, o)
	}

	t.Run("columns skipped when empty", func(t *testing.T) {
		m2 := *m
		m2.P.PredictionCol, m2.P.ProbabilityCol = "", ""
		out, err := m2.Transform(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ml.ColumnNames(out.Schema()); !slices.Equal(got, []string{"features"}) {
			t.Errorf("columns %v, want just features", got)
		}
	})
	t.Run("existing output column", func(t *testing.T) {
		out, _ := m.Transform(context.Background(), f)
		_, err := m.Transform(context.Background(), out)
		if err == nil || !strings.Contains(err.Error(), `"prediction" already exists`) {
			t.Errorf("err = %v, want output column exists", err)
		}
	})
	t.Run("wrong size", func(t *testing.T) {
		_, err := m.Transform(context.Background(), mltest.Frame(t, [][]float64{{1}, {1, 2}}, nil, nil, nil))
		if err == nil || !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), "fitted on 1") {
			t.Errorf("err = %v, want row 2 size error", err)
		}
	})
}

func TestGaussianMixtureDegenerate(t *testing.T) {
	finite := func(t *testing.T, m *clustering.GaussianMixtureModel) {
		t.Helper()
		var sum float64
		for c := range m.Weights {
			sum += m.Weights[c]
			for _, v := range slices.Concat(m.Means[c], m.Covs[c], []float64{m.Weights[c]}) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("component %d has %v: %s", c, v, m.DebugString())
				}
			}
		}
		if math.Abs(sum-1) > 1e-9 || math.IsNaN(m.LogLikelihood) || math.IsInf(m.LogLikelihood, 0) {
			t.Fatalf("weights sum %v, logLikelihood %v", sum, m.LogLikelihood)
		}
	}
	t.Run("fewer distinct rows than k", func(t *testing.T) {
		g := clustering.NewGaussianMixture()
		g.P.K = 3
		m := gmmFit(t, g, [][]float64{{0, 0}, {0, 0}, {1, 1}, {1, 1}, {0, 0}}, nil)
		finite(t, m)
		out, err := m.Transform(context.Background(), mltest.Frame(t, [][]float64{{0, 0}, {1, 1}}, nil, nil, nil))
		if err != nil {
			t.Fatal(err)
		}
		if p := mltest.Floats(t, out, "prediction"); p[0] == p[1] {
			t.Errorf("both points predicted %v", p)
		}
	})
	t.Run("all rows equal", func(t *testing.T) {
		finite(t, gmmFit(t, clustering.NewGaussianMixture(), [][]float64{{3, 4}, {3, 4}, {3, 4}}, nil))
	})
	t.Run("constant column", func(t *testing.T) {
		x := gmmPlanted(3, 200, []float64{0.5, 0.5}, [][]float64{{-5, 7}, {5, 7}}, [][]float64{{1, 0}, {1, 0}})
		m := gmmFit(t, clustering.NewGaussianMixture(), x, nil)
		finite(t, m)
		for c := range m.Covs {
			gmmClose(t, "variance of the constant column", m.Covs[c][3], 1e-6, 1e-12)
		}
	})
	t.Run("no ridge on a constant column", func(t *testing.T) {
		x := gmmPlanted(3, 200, []float64{0.5, 0.5}, [][]float64{{-5, 7}, {5, 7}}, [][]float64{{1, 0}, {1, 0}})
		g := clustering.NewGaussianMixture()
		g.P.RegCovar = 0
		_, err := g.Fit(context.Background(), mltest.Frame(t, x, nil, nil, nil))
		if err == nil || !strings.Contains(err.Error(), "not positive definite") || !strings.Contains(err.Error(), "regCovar") {
			t.Errorf("err = %v, want a not-positive-definite error suggesting regCovar", err)
		}
	})
}

func TestGaussianMixtureBadInput(t *testing.T) {
	good := [][]float64{{0}, {1}, {5}, {6}}
	frameWithNull := func(t *testing.T) *ml.Frame {
		vb := ml.NewVectorBuilder(nil)
		defer vb.Release()
		vb.Append(ml.Dense(1))
		vb.AppendNull()
		vb.Append(ml.Dense(2))
		a := vb.NewArray()
		defer a.Release()
		f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil),
			[]*arrow.Chunked{arrow.NewChunked(ml.VectorType, []arrow.Array{a})})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	strFrame := func(t *testing.T) *ml.Frame {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		b.AppendValues([]string{"a"}, nil)
		a := b.NewArray()
		defer a.Release()
		f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: arrow.BinaryTypes.String}}, nil),
			[]*arrow.Chunked{arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{a})})
		return f
	}
	tests := []struct {
		name  string
		set   func(g *clustering.GaussianMixture)
		frame func(t *testing.T) *ml.Frame
		want  []string
	}{
		{"k 1", func(g *clustering.GaussianMixture) { g.P.K = 1 }, nil, []string{"k is 1", "at least 2"}},
		{"k 0", func(g *clustering.GaussianMixture) { g.P.K = 0 }, nil, []string{"k is 0"}},
		{"negative maxIter", func(g *clustering.GaussianMixture) { g.P.MaxIter = -1 }, nil, []string{"maxIter is -1"}},
		{"NaN tol", func(g *clustering.GaussianMixture) { g.P.Tol = math.NaN() }, nil, []string{"tol is NaN"}},
		{"negative regCovar", func(g *clustering.GaussianMixture) { g.P.RegCovar = -1 }, nil, []string{"regCovar is -1"}},
		{"same output names", func(g *clustering.GaussianMixture) { g.P.ProbabilityCol = "prediction" }, nil, []string{"different names"}},
		{"missing column", func(g *clustering.GaussianMixture) { g.P.FeaturesCol = "x" }, nil, []string{`no column "x"`}},
		{"NaN feature", nil, func(t *testing.T) *ml.Frame {
			return mltest.Frame(t, [][]float64{{0}, {1}, {math.NaN()}, {6}}, nil, nil, nil)
		}, []string{"row 3", "NaN"}},
		{"infinite feature", nil, func(t *testing.T) *ml.Frame {
			return mltest.Frame(t, [][]float64{{0}, {math.Inf(1)}, {5}}, nil, nil, nil)
		}, []string{"row 2", "Inf"}},
		{"NULL vector", nil, frameWithNull, []string{"row 2", "NULL"}},
		{"string features", nil, strFrame, []string{"featuresCol", "vector"}},
		{"fewer rows than k", func(g *clustering.GaussianMixture) { g.P.K = 5 }, nil, []string{"4 rows", "k = 5"}},
		{"negative weight", func(g *clustering.GaussianMixture) { g.P.WeightCol = "weight" }, func(t *testing.T) *ml.Frame {
			return mltest.Frame(t, good, nil, []float64{1, -1, 1, 1}, nil)
		}, []string{"row 2", "negative"}},
		{"NaN weight", func(g *clustering.GaussianMixture) { g.P.WeightCol = "weight" }, func(t *testing.T) *ml.Frame {
			return mltest.Frame(t, good, nil, []float64{1, 1, math.NaN(), 1}, nil)
		}, []string{"row 3", "NaN"}},
		{"one positive weight", func(g *clustering.GaussianMixture) { g.P.WeightCol = "weight" }, func(t *testing.T) *ml.Frame {
			return mltest.Frame(t, good, nil, []float64{0, 0, 3, 0}, nil)
		}, []string{"only 1 of 4 rows have a positive weight", "k = 2"}},
		{"empty frame", nil, func(t *testing.T) *ml.Frame { return mltest.Frame(t, [][]float64{}, nil, nil, nil) }, []string{"no rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := clustering.NewGaussianMixture()
			if tt.set != nil {
				tt.set(g)
			}
			f := mltest.Frame(t, good, nil, nil, nil)
			if tt.frame != nil {
				f = tt.frame(t)
			}
			_, err := g.Fit(context.Background(), f)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestGaussianMixtureWeights(t *testing.T) {
	// Weight 2 is the same as a duplicated row.
	x := gmmPlanted(4, 300, []float64{0.4, 0.6}, [][]float64{{-4, 1}, {4, -1}}, [][]float64{{1, 1}, {1.5, 0.5}})
	w := make([]float64, len(x))
	dup := slices.Clone(x)
	for i := range x {
		w[i] = 1
		if i%3 == 0 {
			w[i] = 2
			dup = append(dup, x[i])
		}
	}
	tight := func() *clustering.GaussianMixture {
		g := clustering.NewGaussianMixture()
		g.P.Tol, g.P.MaxIter = 1e-9, 1000
		return g
	}
	mw := gmmFit(t, tight(), x, w)
	md := gmmFit(t, tight(), dup, nil)
	ow, od := gmmSorted(mw.Means), gmmSorted(md.Means)
	for i := range ow {
		a, b := ow[i], od[i]
		gmmClose(t, "weight", mw.Weights[a], md.Weights[b], 1e-7)
		for j := range mw.Means[a] {
			gmmClose(t, "mean", mw.Means[a][j], md.Means[b][j], 1e-7)
		}
		for j := range mw.Covs[a] {
			gmmClose(t, "cov", mw.Covs[a][j], md.Covs[b][j], 1e-7)
		}
	}
	gmmClose(t, "logLikelihood", mw.LogLikelihood, md.LogLikelihood, 1e-6)
}

func TestGaussianMixtureReproducible(t *testing.T) {
	// More rows than one block, so the passes run on several goroutines;
	// block-ordered sums make the result the same on 1 or 4 of them.
	x := gmmPlanted(5, 9000, []float64{0.3, 0.3, 0.4}, [][]float64{{0, 0, 0}, {4, 4, 0}, {0, 4, 4}}, [][]float64{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}})
	fit := func(procs int) *clustering.GaussianMixtureModel {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		g := clustering.NewGaussianMixture()
		g.P.K = 3
		return gmmFit(t, g, x, nil)
	}
	a, b := fit(1), fit(4)
	if a.LogLikelihood != b.LogLikelihood || !slices.Equal(a.Weights, b.Weights) || a.NumIter != b.NumIter {
		t.Errorf("GOMAXPROCS 1: %s\nGOMAXPROCS 4: %s", a, b)
	}
	g := clustering.NewGaussianMixture()
	g.P.K, g.P.Seed = 3, 99
	c := gmmFit(t, g, x, nil)
	if math.Abs(c.LogLikelihood-a.LogLikelihood) > 1e-6*math.Abs(a.LogLikelihood) {
		t.Errorf("another seed reaches another optimum: %v vs %v", c.LogLikelihood, a.LogLikelihood)
	}
}

func TestGaussianMixtureMaxIterZero(t *testing.T) {
	g := clustering.NewGaussianMixture()
	g.P.MaxIter = 0
	m := gmmFit(t, g, [][]float64{{0}, {0.5}, {10}, {10.5}}, nil)
	if m.NumIter != 0 || math.IsNaN(m.LogLikelihood) || math.IsInf(m.LogLikelihood, 0) {
		t.Errorf("numIter %d, logLikelihood %v; want 0 and the initial mixture's", m.NumIter, m.LogLikelihood)
	}
}

func TestGaussianMixtureCanceled(t *testing.T) {
	x := gmmPlanted(6, 5000, []float64{0.5, 0.5}, [][]float64{{0}, {1}}, [][]float64{{1}, {1}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := clustering.NewGaussianMixture().Fit(ctx, mltest.Frame(t, x, nil, nil, nil))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestGaussianMixtureScore(t *testing.T) {
	m := &clustering.GaussianMixtureModel{
		P:       clustering.NewGaussianMixture().P,
		Weights: []float64{0.25, 0.75}, Means: [][]float64{{0}, {4}}, Covs: [][]float64{{1}, {4}},
	}
	x := []float64{-1, 0.5, 3, 8}
	var want float64
	for _, v := range x {
		p := 0.25*math.Exp(-v*v/2)/math.Sqrt(2*math.Pi) + 0.75*math.Exp(-(v-4)*(v-4)/8)/math.Sqrt(8*math.Pi)
		want += math.Log(p)
	}
	got, err := m.Score(context.Background(), mltest.Frame(t, [][]float64{{-1}, {0.5}, {3}, {8}}, nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	gmmClose(t, "score", got, want/4, 1e-12)
	if _, err := m.Score(context.Background(), mltest.Frame(t, [][]float64{}, nil, nil, nil)); err == nil {
		t.Error("Score of an empty frame: no error")
	}
	bad := *m
	bad.Covs = [][]float64{{1}, {-1}}
	if _, err := bad.Score(context.Background(), mltest.Frame(t, [][]float64{{1}}, nil, nil, nil)); err == nil || !strings.Contains(err.Error(), "component 1") {
		t.Errorf("negative variance: err = %v, want component 1 named", err)
	}
}

func TestGaussianMixturePersistence(t *testing.T) {
	x := gmmPlanted(7, 400, []float64{0.5, 0.5}, [][]float64{{-3, 0}, {3, 1}}, [][]float64{{1, 2}, {0.5, 1}})
	m := gmmFit(t, clustering.NewGaussianMixture(), x, nil)
	dir := filepath.Join(t.TempDir(), "gmm")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	s, err := ml.Load(dir, stages.Registry(nil))
	if err != nil {
		t.Fatal(err)
	}
	l, ok := s.(*clustering.GaussianMixtureModel)
	if !ok {
		t.Fatalf("loaded %T", s)
	}
	if l.P != m.P || !slices.Equal(l.Weights, m.Weights) || l.LogLikelihood != m.LogLikelihood || l.NumIter != m.NumIter {
		t.Errorf("loaded %s\nsaved  %s", l, m)
	}
	for c := range m.Means {
		if !slices.Equal(l.Means[c], m.Means[c]) || !slices.Equal(l.Covs[c], m.Covs[c]) {
			t.Errorf("component %d differs after loading", c)
		}
	}
	if l.DebugString() != m.DebugString() {
		t.Errorf("DebugString differs:\n%s\nwant\n%s", l.DebugString(), m.DebugString())
	}
	f := mltest.Frame(t, x[:20], nil, nil, nil)
	a, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := mltest.Vectors(t, a, "probability"), mltest.Vectors(t, b, "probability")
	for i := range pa {
		if !slices.Equal(pa[i], pb[i]) {
			t.Fatalf("row %d: probabilities %v after loading, %v before", i+1, pb[i], pa[i])
		}
	}
	// The estimator round-trips too (params only).
	g := clustering.NewGaussianMixture()
	g.P.K, g.P.Tol = 4, 0.5
	if err := ml.Save(filepath.Join(t.TempDir(), "est"), g); err != nil {
		t.Fatal(err)
	}
}

func TestGaussianMixtureFramesAndDebugString(t *testing.T) {
	m := &clustering.GaussianMixtureModel{
		P:       clustering.NewGaussianMixture().P,
		Weights: []float64{0.4, 0.6}, Means: [][]float64{{0, 1}, {5, 6}}, Covs: [][]float64{{1, 0.5, 0.5, 2}, {3, 0, 0, 4}},
		LogLikelihood: -123.5, NumIter: 7,
	}
	if got := m.FrameNames(); !slices.Equal(got, []string{"gaussians"}) {
		t.Errorf("FrameNames = %v", got)
	}
	f, err := m.ModelFrame(context.Background(), "gaussians")
	if err != nil {
		t.Fatal(err)
	}
	if got := ml.ColumnNames(f.Schema()); !slices.Equal(got, []string{"gaussian", "weight", "mean", "cov"}) {
		t.Errorf("columns %v", got)
	}
	if w := mltest.Floats(t, f, "weight"); !slices.Equal(w, m.Weights) {
		t.Errorf("weights %v", w)
	}
	if mean := mltest.Vectors(t, f, "mean"); !slices.Equal(mean[1], []float64{5, 6}) {
		t.Errorf("means %v", mean)
	}
	col, _ := f.Column("cov")
	covs := col.Chunk(0).(*array.List)
	if vals := covs.ListValues().(*array.Float64).Float64Values(); !slices.Equal(vals, []float64{1, 0.5, 0.5, 2, 3, 0, 0, 4}) {
		t.Errorf("covariances %v", vals)
	}
	if _, err := m.ModelFrame(context.Background(), "topics"); err == nil || !strings.Contains(err.Error(), "gaussians") {
		t.Errorf("unknown frame: err = %v", err)
	}
	want := "GaussianMixtureModel: k=2, numFeatures=2, logLikelihood=-123.5, numIter=7\n" +
		"  Gaussian 0: weight 0.4\n    mean [0, 1]\n    cov  [1, 0.5]\n         [0.5, 2]\n" +
		"  Gaussian 1: weight 0.6\n    mean [5, 6]\n    cov  [3, 0]\n         [0, 4]\n"
	if got := m.DebugString(); got != want {
		t.Errorf("DebugString:\n%s\nwant\n%s", got, want)
	}
	gs := m.Gaussians()
	if gs[1].Cov.At(1, 1) != 4 || gs[0].Weight != 0.4 || gs[0].Mean[1] != 1 {
		t.Errorf("Gaussians() = %+v", gs)
	}
}

func TestGaussianMixtureRegister(t *testing.T) {
	r := stages.Registry(nil)
	for _, name := range []string{"GaussianMixture", "GaussianMixtureModel"} {
		s, err := r.New(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(ml.Stage); !ok || s.StageName() != name {
			t.Errorf("%s: %T", name, s)
		}
		if v, ok := s.Params().(ml.Validator); !ok || v.Validate() != nil {
			t.Errorf("%s: default params do not validate", name)
		}
	}
	s, _ := r.New("GaussianMixture")
	got := map[string]any{}
	for _, p := range ml.ParamList(s) {
		got[p.Name] = p.Value
	}
	for k, v := range map[string]any{"k": 2, "maxIter": 100, "tol": 0.01, "featuresCol": "features", "predictionCol": "prediction",
		"probabilityCol": "probability", "weightCol": "", "aggregationDepth": 2, "seed": 538009335, "regCovar": 1e-6} {
		if got[k] != v {
			t.Errorf("GaussianMixture.%s = %v, want Spark's default %v", k, got[k], v)
		}
	}
}
