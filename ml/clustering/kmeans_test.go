package clustering_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// blobs returns n rows around k centres in [-box, box]^d (standard
// deviation std), deterministic for seed.
func blobs(n, d, k int, box, std float64, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	centers := make([][]float64, k)
	for j := range centers {
		centers[j] = make([]float64, d)
		for t := range centers[j] {
			centers[j][t] = (2*rng.Float64() - 1) * box
		}
	}
	x := make([][]float64, n)
	for i := range x {
		c := centers[rng.IntN(k)]
		x[i] = make([]float64, d)
		for t := range x[i] {
			x[i][t] = c[t] + std*rng.NormFloat64()
		}
	}
	return x
}

// vectorFrame builds a frame with one vector column "features" holding vs
// (nil entries are NULL).
func vectorFrame(t *testing.T, vs []*ml.Vector) *ml.Frame {
	t.Helper()
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	for _, v := range vs {
		if v == nil {
			vb.AppendNull()
		} else {
			vb.Append(*v)
		}
	}
	a := vb.NewArray()
	defer a.Release()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil),
		[]*arrow.Chunked{arrow.NewChunked(ml.VectorType, []arrow.Array{a})})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fitKMeans(t *testing.T, km *clustering.KMeans, f *ml.Frame) *clustering.KMeansModel {
	t.Helper()
	m, err := km.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*clustering.KMeansModel)
}

func transform(t *testing.T, m ml.Model, f *ml.Frame) *ml.Frame {
	t.Helper()
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ints(t *testing.T, f *ml.Frame, col string) []int {
	t.Helper()
	v := mltest.Floats(t, f, col)
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// sortedCenters returns centres sorted by their values, for comparing
// models whose cluster numbering may differ.
func sortedCenters(cs [][]float64) [][]float64 {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b []float64) int { return slices.Compare(a, b) })
	return out
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

func TestKMeansTwoSquares(t *testing.T) {
	x := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {10, 10}, {10, 11}, {11, 10}, {11, 11}}
	// Random initialization may start both centres in one square and stop
	// in a local optimum, as in Spark; seed 3 does not.
	for _, tc := range []struct {
		init string
		seed int
	}{{"k-means||", clustering.NewKMeans().P.Seed}, {"random", 3}} {
		t.Run(tc.init, func(t *testing.T) {
			km := clustering.NewKMeans()
			km.P.InitMode, km.P.Seed, km.P.DistanceCol = tc.init, tc.seed, "distance"
			m := fitKMeans(t, km, mltest.Frame(t, x, nil, nil, nil))
			got := sortedCenters(m.ClusterCenters())
			want := [][]float64{{0.5, 0.5}, {10.5, 10.5}}
			for j := range want {
				for q := range want[j] {
					if !near(got[j][q], want[j][q], 1e-12) {
						t.Fatalf("centres %v, want %v", got, want)
					}
				}
			}
			if !near(m.TrainingCost, 4, 1e-12) {
				t.Errorf("trainingCost %v, want 4 (8 rows at squared distance 0.5)", m.TrainingCost)
			}
			if !slices.Equal(m.ClusterSizes, []int64{4, 4}) {
				t.Errorf("clusterSizes %v, want [4 4]", m.ClusterSizes)
			}
			if m.NumIter < 1 || m.NumIter > 3 {
				t.Errorf("numIter %d, want 1 to 3", m.NumIter)
			}
			out := transform(t, m, mltest.Frame(t, x, nil, nil, nil))
			pred := ints(t, out, "prediction")
			for i := 1; i < 4; i++ {
				if pred[i] != pred[0] || pred[i+4] != pred[4] || pred[0] == pred[4] {
					t.Fatalf("predictions %v: want the squares apart", pred)
				}
			}
			for i, dist := range mltest.Floats(t, out, "distance") {
				if !near(dist, math.Sqrt(0.5), 1e-12) {
					t.Errorf("row %d: distance %v, want √0.5", i, dist)
				}
			}
			if typ := out.Schema().Field(out.Schema().FieldIndices("prediction")[0]).Type; typ.ID() != arrow.INT32 {
				t.Errorf("prediction column is %s, want int32 (Spark's IntegerType)", typ)
			}
		})
	}
}

// TestKMeansWeighted is pyspark's KMeans doc example: four rows of weight
// 2, k=2 — cost 4.
func TestKMeansWeighted(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 1}, {9, 8}, {8, 9}}
	km := clustering.NewKMeans()
	km.P.WeightCol, km.P.Seed = "weight", 1
	m := fitKMeans(t, km, mltest.Frame(t, x, nil, []float64{2, 2, 2, 2}, nil))
	if !near(m.TrainingCost, 4, 1e-12) || !slices.Equal(m.ClusterSizes, []int64{2, 2}) {
		t.Errorf("cost %v sizes %v, want 4 and [2 2]", m.TrainingCost, m.ClusterSizes)
	}
	// Weight 0 rows do not move centres; weight 3 counts as three rows.
	x = [][]float64{{0, 0}, {2, 0}, {100, 100}, {10, 10}, {12, 10}}
	km = clustering.NewKMeans()
	km.P.WeightCol = "weight"
	m = fitKMeans(t, km, mltest.Frame(t, x, nil, []float64{1, 3, 0, 1, 1}, nil))
	got := sortedCenters(m.Centers)
	if !near(got[0][0], 1.5, 1e-12) || !near(got[0][1], 0, 1e-12) || !near(got[1][0], 11, 1e-12) {
		t.Errorf("centres %v, want [1.5 0] and [11 10]", got)
	}
	if !near(m.TrainingCost, 1*2.25+3*0.25+1+1, 1e-12) {
		t.Errorf("cost %v, want 5", m.TrainingCost)
	}
}

func TestKMeansDeterministic(t *testing.T) {
	x := blobs(30000, 5, 6, 4, 1, 7)
	f := mltest.Frame(t, x, nil, nil, nil)
	for _, init := range []string{"k-means||", "random"} {
		km := clustering.NewKMeans()
		km.P.K, km.P.InitMode, km.P.Seed = 6, init, 99
		a := fitKMeans(t, km, f)
		b := fitKMeans(t, km, f)
		procs := runtime.GOMAXPROCS(1)
		c := fitKMeans(t, km, f)
		runtime.GOMAXPROCS(procs)
		for _, m := range []*clustering.KMeansModel{b, c} {
			if m.TrainingCost != a.TrainingCost || m.NumIter != a.NumIter {
				t.Fatalf("%s: cost %v iter %d, then %v iter %d", init, a.TrainingCost, a.NumIter, m.TrainingCost, m.NumIter)
			}
			for j := range a.Centers {
				if !slices.Equal(a.Centers[j], m.Centers[j]) {
					t.Fatalf("%s: centre %d differs between fits with the same seed: %v, %v", init, j, a.Centers[j], m.Centers[j])
				}
			}
		}
	}
}

func TestKMeansSeedsFindOptimum(t *testing.T) {
	x := blobs(5000, 4, 8, 10, 0.5, 3)
	f := mltest.Frame(t, x, nil, nil, nil)
	var costs []float64
	for seed := range 5 {
		km := clustering.NewKMeans()
		km.P.K, km.P.Seed = 8, seed
		costs = append(costs, fitKMeans(t, km, f).TrainingCost)
	}
	for _, c := range costs {
		if !near(c, costs[0], 1e-9) {
			t.Fatalf("costs over seeds %v: well-separated blobs should give one optimum", costs)
		}
	}
}

func TestKMeansFewerDistinctPoints(t *testing.T) {
	var x [][]float64
	for range 10 {
		x = append(x, []float64{1, 1}, []float64{5, 5}, []float64{9, 0})
	}
	km := clustering.NewKMeans()
	km.P.K = 5
	m := fitKMeans(t, km, mltest.Frame(t, x, nil, nil, nil))
	if len(m.Centers) != 3 || m.TrainingCost != 0 {
		t.Errorf("%d centres cost %v, want the 3 distinct points and cost 0 (Spark returns fewer than k)", len(m.Centers), m.TrainingCost)
	}
	if !slices.Equal(m.ClusterSizes, []int64{10, 10, 10}) {
		t.Errorf("sizes %v", m.ClusterSizes)
	}
	// Random initialization draws k rows and keeps the distinct ones, so
	// it may return fewer centres than there are distinct points (Spark).
	for seed := range 10 {
		km.P.InitMode, km.P.Seed = "random", seed
		m := fitKMeans(t, km, mltest.Frame(t, x, nil, nil, nil))
		if len(m.Centers) < 1 || len(m.Centers) > 3 {
			t.Errorf("random, seed %d: %d centres, want 1 to 3", seed, len(m.Centers))
		}
		for j, c := range m.Centers {
			for _, o := range m.Centers[:j] {
				if slices.Equal(c, o) {
					t.Errorf("random, seed %d: centres %v repeat", seed, m.Centers)
				}
			}
		}
	}
}

func TestKMeansBadParams(t *testing.T) {
	f := mltest.Frame(t, [][]float64{{1}, {2}, {3}}, nil, nil, nil)
	for _, tc := range []struct {
		set  func(p *clustering.KMeansParams)
		want string
	}{
		{func(p *clustering.KMeansParams) { p.K = 1 }, "k is 1"},
		{func(p *clustering.KMeansParams) { p.K = 0 }, "k is 0"},
		{func(p *clustering.KMeansParams) { p.MaxIter = -1 }, "maxIter"},
		{func(p *clustering.KMeansParams) { p.Tol = -1 }, "tol"},
		{func(p *clustering.KMeansParams) { p.Tol = math.NaN() }, "tol"},
		{func(p *clustering.KMeansParams) { p.InitMode = "kmeans++" }, "initMode"},
		{func(p *clustering.KMeansParams) { p.InitSteps = 0 }, "initSteps"},
		{func(p *clustering.KMeansParams) { p.DistanceMeasure = "manhattan" }, "distanceMeasure"},
		{func(p *clustering.KMeansParams) { p.Solver = "fast" }, "solver"},
		{func(p *clustering.KMeansParams) { p.DistanceCol = "prediction" }, "distanceCol"},
		{func(p *clustering.KMeansParams) { p.FeaturesCol = "nope" }, `no column "nope"`},
		{func(p *clustering.KMeansParams) { p.WeightCol = "w" }, "weightCol"},
	} {
		km := clustering.NewKMeans()
		tc.set(&km.P)
		_, err := km.Fit(context.Background(), f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error mentioning %q", err, tc.want)
		}
	}
}

func TestKMeansBadData(t *testing.T) {
	dense := func(v ...float64) *ml.Vector { x := ml.Dense(v...); return &x }
	for _, tc := range []struct {
		name    string
		rows    []*ml.Vector
		measure string
		want    []string
	}{
		{"NaN", []*ml.Vector{dense(1, 2), dense(3, math.NaN()), dense(5, 6)}, "euclidean", []string{"row 2", "NaN"}},
		{"Inf", []*ml.Vector{dense(1, 2), dense(3, 4), dense(math.Inf(1), 6)}, "euclidean", []string{"row 3", "Inf"}},
		{"NULL", []*ml.Vector{dense(1, 2), nil, dense(5, 6)}, "euclidean", []string{"row 2", "NULL"}},
		{"sizes", []*ml.Vector{dense(1, 2), dense(3, 4, 5)}, "euclidean", []string{"row 2", "3 features"}},
		{"empty", nil, "euclidean", []string{"no rows"}},
		{"zero vector cosine", []*ml.Vector{dense(1, 2), dense(0, 0), dense(5, 6)}, "cosine", []string{"row 2", "all zeros", "cosine"}},
		{"sparse NaN", []*ml.Vector{dense(1, 2), {Size: 2, Indices: []int32{1}, Values: []float64{math.NaN()}}}, "euclidean", []string{"row 2", "feature 1", "NaN"}},
		{"sparse zero cosine", []*ml.Vector{dense(1, 2), {Size: 2, Indices: []int32{}, Values: []float64{}}}, "cosine", []string{"row 2", "all zeros"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			km := clustering.NewKMeans()
			km.P.DistanceMeasure = tc.measure
			_, err := km.Fit(context.Background(), vectorFrame(t, tc.rows))
			if err == nil {
				t.Fatal("fit succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// Every weight 0, and a negative weight.
	km := clustering.NewKMeans()
	km.P.WeightCol = "weight"
	x := [][]float64{{1}, {2}}
	if _, err := km.Fit(context.Background(), mltest.Frame(t, x, nil, []float64{0, 0}, nil)); err == nil || !strings.Contains(err.Error(), "every weight") {
		t.Errorf("all-zero weights: got %v", err)
	}
	if _, err := km.Fit(context.Background(), mltest.Frame(t, x, nil, []float64{1, -1}, nil)); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("negative weight: got %v", err)
	}
}

func TestKMeansCosine(t *testing.T) {
	// Two directions, rows of very different norms: cosine clusters by
	// angle where euclidean would cluster by norm.
	x := [][]float64{{1, 0.1}, {100, 5}, {0.5, 0}, {0.1, 1}, {3, 40}, {0, 7}}
	km := clustering.NewKMeans()
	km.P.DistanceMeasure, km.P.DistanceCol = "cosine", "distance"
	m := fitKMeans(t, km, mltest.Frame(t, x, nil, nil, nil))
	out := transform(t, m, mltest.Frame(t, x, nil, nil, nil))
	pred := ints(t, out, "prediction")
	if pred[0] != pred[1] || pred[0] != pred[2] || pred[3] != pred[4] || pred[3] != pred[5] || pred[0] == pred[3] {
		t.Fatalf("predictions %v: want rows grouped by direction", pred)
	}
	for j, c := range m.Centers {
		if n := math.Hypot(c[0], c[1]); !near(n, 1, 1e-12) {
			t.Errorf("centre %d has norm %v, want 1 (Spark normalizes cosine centres)", j, n)
		}
	}
	var cost float64
	for i, dist := range mltest.Floats(t, out, "distance") {
		c := m.Centers[pred[i]]
		want := 1 - (x[i][0]*c[0]+x[i][1]*c[1])/math.Hypot(x[i][0], x[i][1])
		if !near(dist, want, 1e-12) {
			t.Errorf("row %d: distance %v, want 1 - cos = %v", i, dist, want)
		}
		cost += want
	}
	if !near(m.TrainingCost, cost, 1e-9) {
		t.Errorf("trainingCost %v, want the sum of cosine distances %v", m.TrainingCost, cost)
	}
	if _, err := m.Transform(context.Background(), mltest.Frame(t, [][]float64{{1, 1}, {0, 0}}, nil, nil, nil)); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("transform of a zero vector: got %v, want an error naming row 2", err)
	}
}

// TestKMeansDistanceColumn checks distanceCol against a brute-force
// search over the centres, dense and sparse.
func TestKMeansDistanceColumn(t *testing.T) {
	x := blobs(3000, 6, 5, 3, 1, 5)
	km := clustering.NewKMeans()
	km.P.K, km.P.DistanceCol = 5, "dist"
	m := fitKMeans(t, km, mltest.Frame(t, x, nil, nil, nil))
	// Score sparse copies of the rows too.
	vs := make([]*ml.Vector, len(x))
	for i, r := range x {
		var idx []int32
		var val []float64
		for j, v := range r {
			if j%2 == 0 {
				idx, val = append(idx, int32(j)), append(val, v)
			}
		}
		v := ml.Sparse(len(r), idx, val)
		vs[i] = &v
	}
	for _, tc := range []struct {
		name string
		f    *ml.Frame
		rows [][]float64
	}{{"dense", mltest.Frame(t, x, nil, nil, nil), x}, {"sparse", vectorFrame(t, vs), nil}} {
		out := transform(t, m, tc.f)
		pred, dist := ints(t, out, "prediction"), mltest.Floats(t, out, "dist")
		rows := tc.rows
		if rows == nil {
			rows = make([][]float64, len(vs))
			for i, v := range vs {
				rows[i] = v.AppendTo(nil)
			}
		}
		for i, r := range rows {
			best, bd := 0, math.Inf(1)
			for j, c := range m.Centers {
				var s float64
				for q := range r {
					s += (r[q] - c[q]) * (r[q] - c[q])
				}
				if s < bd {
					best, bd = j, s
				}
			}
			if pred[i] != best || !near(dist[i], math.Sqrt(bd), 1e-9) {
				t.Fatalf("%s row %d: cluster %d distance %v, want %d and %v", tc.name, i, pred[i], dist[i], best, math.Sqrt(bd))
			}
			c, d2, err := m.Predict(ml.Dense(r...))
			if err != nil || c != best || !near(d2, math.Sqrt(bd), 1e-9) {
				t.Fatalf("%s row %d: Predict = %d, %v, %v", tc.name, i, c, d2, err)
			}
		}
	}
}

// TestKMeansSparseMatchesDense fits the same data stored sparse and dense.
func TestKMeansSparseMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	n, d := 2000, 40
	dense := make([][]float64, n)
	vs := make([]*ml.Vector, n)
	for i := range n {
		dense[i] = make([]float64, d)
		g := i % 3 // three groups of features
		var idx []int32
		var val []float64
		for j := g * 10; j < g*10+10; j++ {
			if j == g*10 || rng.Float64() < 0.5 {
				v := 1 + rng.Float64()
				dense[i][j] = v
				idx, val = append(idx, int32(j)), append(val, v)
			}
		}
		v := ml.Sparse(d, idx, val)
		vs[i] = &v
	}
	for _, measure := range []string{"euclidean", "cosine"} {
		km := clustering.NewKMeans()
		km.P.K, km.P.DistanceMeasure = 3, measure
		a := fitKMeans(t, km, mltest.Frame(t, dense, nil, nil, nil))
		b := fitKMeans(t, km, vectorFrame(t, vs))
		if !near(a.TrainingCost, b.TrainingCost, 1e-9) || !slices.Equal(a.ClusterSizes, b.ClusterSizes) {
			t.Errorf("%s: dense cost %v sizes %v, sparse cost %v sizes %v", measure, a.TrainingCost, a.ClusterSizes, b.TrainingCost, b.ClusterSizes)
		}
	}
}

func TestKMeansMaxIterZero(t *testing.T) {
	x := blobs(500, 2, 3, 5, 1, 1)
	km := clustering.NewKMeans()
	km.P.K, km.P.MaxIter = 3, 0
	m := fitKMeans(t, km, mltest.Frame(t, x, nil, nil, nil))
	if m.NumIter != 0 || !(m.TrainingCost > 0) || len(m.Centers) != 3 {
		t.Errorf("maxIter 0: numIter %d cost %v centres %d; want the initial centres and their cost", m.NumIter, m.TrainingCost, len(m.Centers))
	}
}

func TestKMeansCanceled(t *testing.T) {
	x := blobs(20000, 3, 4, 5, 1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	km := clustering.NewKMeans()
	if _, err := km.Fit(ctx, mltest.Frame(t, x, nil, nil, nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled fit: got %v, want context.Canceled", err)
	}
}

func TestKMeansModelTransformErrors(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 1}, {9, 9}, {10, 10}}
	m := fitKMeans(t, clustering.NewKMeans(), mltest.Frame(t, x, nil, nil, nil))
	if _, err := m.Transform(context.Background(), mltest.Frame(t, [][]float64{{1, 2, 3}}, nil, nil, nil)); err == nil || !strings.Contains(err.Error(), "fitted on 2") {
		t.Errorf("wrong size: got %v", err)
	}
	out := transform(t, m, mltest.Frame(t, x, nil, nil, nil))
	if _, err := m.Transform(context.Background(), out); err == nil || !strings.Contains(err.Error(), "prediction") {
		t.Errorf("existing prediction column: got %v", err)
	}
	empty := transform(t, m, vectorFrame(t, nil))
	if empty.NumRows() != 0 || len(empty.Schema().FieldIndices("prediction")) != 1 {
		t.Errorf("empty frame: %d rows, schema %s", empty.NumRows(), empty.Schema())
	}
	if _, _, err := m.Predict(ml.Dense(1)); err == nil {
		t.Error("Predict of a wrongly sized vector succeeded")
	}
}

func TestKMeansFramesAndDebug(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 1}, {9, 9}, {10, 10}, {10, 9}}
	m := fitKMeans(t, clustering.NewKMeans(), mltest.Frame(t, x, nil, nil, nil))
	if got := m.FrameNames(); !slices.Equal(got, []string{"clusterCenters"}) {
		t.Fatalf("FrameNames %v", got)
	}
	f, err := m.ModelFrame(context.Background(), "clusterCenters")
	if err != nil {
		t.Fatal(err)
	}
	if f.NumRows() != 2 || !slices.Equal(ml.ColumnNames(f.Schema()), []string{"cluster", "center", "size"}) {
		t.Fatalf("clusterCenters: %d rows, columns %v", f.NumRows(), ml.ColumnNames(f.Schema()))
	}
	centers := mltest.Vectors(t, f, "center")
	for j := range centers {
		if !slices.Equal(centers[j], m.Centers[j]) {
			t.Errorf("frame centre %d = %v, model %v", j, centers[j], m.Centers[j])
		}
	}
	if _, err := m.ModelFrame(context.Background(), "centers"); err == nil || !strings.Contains(err.Error(), "clusterCenters") {
		t.Errorf("unknown frame: got %v", err)
	}
	s := m.DebugString()
	for _, w := range []string{"KMeansModel", "2 clusters", "trainingCost", "cluster 1 (3 rows)"} {
		if !strings.Contains(s, w) {
			t.Errorf("DebugString lacks %q:\n%s", w, s)
		}
	}
}
