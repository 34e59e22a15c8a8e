package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

func denseVectors(x [][]float64) []ml.Vector {
	vs := make([]ml.Vector, len(x))
	for i, r := range x {
		vs[i] = ml.Dense(r...)
	}
	return vs
}

// sparseVectors stores the rows sparse (zeros dropped).
func sparseVectors(x [][]float64) []ml.Vector {
	vs := make([]ml.Vector, len(x))
	for i, r := range x {
		var idx []int32
		var val []float64
		for j, v := range r {
			if v != 0 {
				idx, val = append(idx, int32(j)), append(val, v)
			}
		}
		vs[i] = ml.Sparse(len(r), idx, val)
	}
	return vs
}

// TestSilhouetteReference compares with the brute-force silhouettes (and
// scikit-learn's silhouette_score) in
// ml/clustering/testdata/kmeans_reference.json, written by
// ml/clustering/testdata/kmeans_gen_reference.py.
func TestSilhouetteReference(t *testing.T) {
	b, err := os.ReadFile("../clustering/testdata/kmeans_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Silhouette []struct {
			Name            string      `json:"name"`
			X               [][]float64 `json:"X"`
			Labels          []float64   `json:"labels"`
			W               []float64   `json:"w"`
			DistanceMeasure string      `json:"distanceMeasure"`
			Silhouette      float64     `json:"silhouette"`
		} `json:"silhouette"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Silhouette {
		for _, layout := range []string{"dense", "sparse"} {
			t.Run(c.Name+"/"+layout, func(t *testing.T) {
				vs := denseVectors(c.X)
				if layout == "sparse" {
					vs = sparseVectors(c.X)
				}
				cols := []col{{name: "features", vals: vs}, {name: "prediction", vals: c.Labels}}
				e := NewClusteringEvaluator()
				e.P.DistanceMeasure = c.DistanceMeasure
				if c.W != nil {
					cols = append(cols, col{name: "w", vals: c.W})
					e.P.WeightCol = "w"
				}
				if got := mustEval(t, e, MustFrame(t, cols...)); math.Abs(got-c.Silhouette) > 1e-9 {
					t.Errorf("silhouette %.12f, reference %.12f", got, c.Silhouette)
				}
			})
		}
	}
}

// TestSilhouetteByHand: clusters {0, 1} and {10, 11} on a line. Every
// row's mean squared distance within its cluster is 1; to the other
// cluster it is 110.5 (the outer rows) or 90.5 (the inner ones).
func TestSilhouetteByHand(t *testing.T) {
	f := MustFrame(t,
		col{name: "features", vals: denseVectors([][]float64{{0}, {1}, {10}, {11}})},
		col{name: "prediction", vals: []int64{0, 0, 1, 1}})
	want := 1 - (2/110.5+2/90.5)/4
	if got := mustEval(t, NewClusteringEvaluator(), f); math.Abs(got-want) > 1e-12 {
		t.Errorf("silhouette %v, want %v", got, want)
	}
	// A singleton scores 0: add row 30 in its own cluster.
	f = MustFrame(t,
		col{name: "features", vals: denseVectors([][]float64{{0}, {1}, {10}, {11}, {30}})},
		col{name: "prediction", vals: []float64{0, 0, 1, 1, 7}})
	got := mustEval(t, NewClusteringEvaluator(), f)
	// Row 30 is far from the others, so their scores stay; the mean is
	// over five rows.
	want = (4 - (2/110.5 + 2/90.5)) / 5
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("with a singleton: %v, want %v", got, want)
	}
	// Cosine: two directions.
	f = MustFrame(t,
		col{name: "features", vals: denseVectors([][]float64{{1, 0}, {2, 0}, {0, 3}, {0, 1}})},
		col{name: "prediction", vals: []int64{4, 4, 9, 9}})
	e := NewClusteringEvaluator()
	e.P.DistanceMeasure = "cosine"
	if got := mustEval(t, e, f); math.Abs(got-1) > 1e-12 {
		t.Errorf("cosine silhouette of two orthogonal pairs: %v, want 1", got)
	}
}

func TestSilhouetteDeterministic(t *testing.T) {
	n := 50000
	x := make([][]float64, n)
	lab := make([]int64, n)
	for i := range x {
		lab[i] = int64(i % 5)
		x[i] = []float64{float64(i%5) * 3, math.Sin(float64(i)), math.Cos(float64(i) * 0.7)}
	}
	f := MustFrame(t, col{name: "features", vals: denseVectors(x)}, col{name: "prediction", vals: lab})
	a := mustEval(t, NewClusteringEvaluator(), f)
	procs := runtime.GOMAXPROCS(1)
	b := mustEval(t, NewClusteringEvaluator(), f)
	runtime.GOMAXPROCS(procs)
	if a != b {
		t.Errorf("silhouette %v with GOMAXPROCS %d, %v with 1", a, procs, b)
	}
}

func TestClusteringEvaluatorErrors(t *testing.T) {
	x := denseVectors([][]float64{{0, 1}, {1, 1}, {5, 5}})
	for _, tc := range []struct {
		name string
		cols []col
		set  func(p *ClusteringEvaluatorParams)
		want []string
	}{
		{"one cluster", []col{{name: "features", vals: x}, {name: "prediction", vals: []float64{2, 2, 2}}}, nil, []string{"1 cluster (2)", "at least 2"}},
		{"one weighted cluster", []col{{name: "features", vals: x}, {name: "prediction", vals: []float64{1, 1, 2}}, {name: "w", vals: []float64{1, 1, 0}}},
			func(p *ClusteringEvaluatorParams) { p.WeightCol = "w" }, []string{"positive weight"}},
		{"NULL prediction", []col{{name: "features", vals: x}, {name: "prediction", vals: []float64{0, 1, 1}, null: []int{1}}}, nil, []string{"row 2", "NULL"}},
		{"NULL features", []col{{name: "features", vals: x, null: []int{2}}, {name: "prediction", vals: []float64{0, 1, 1}}}, nil, []string{"row 3", "NULL"}},
		{"NaN features", []col{{name: "features", vals: denseVectors([][]float64{{0, 1}, {math.NaN(), 1}, {5, 5}})}, {name: "prediction", vals: []float64{0, 1, 1}}}, nil, []string{"row 2", "NaN"}},
		{"sizes", []col{{name: "features", vals: denseVectors([][]float64{{0, 1}, {1}, {5, 5}})}, {name: "prediction", vals: []float64{0, 1, 1}}}, nil, []string{"row 2", "1 features"}},
		{"zero vector cosine", []col{{name: "features", vals: denseVectors([][]float64{{0, 1}, {0, 0}, {5, 5}})}, {name: "prediction", vals: []float64{0, 1, 1}}},
			func(p *ClusteringEvaluatorParams) { p.DistanceMeasure = "cosine" }, []string{"row 2", "all zeros"}},
		{"empty", []col{{name: "features", vals: []ml.Vector{}}, {name: "prediction", vals: []float64{}}}, nil, []string{"no rows"}},
		{"metric", []col{{name: "features", vals: x}, {name: "prediction", vals: []float64{0, 1, 1}}},
			func(p *ClusteringEvaluatorParams) { p.MetricName = "silhouete" }, []string{`did you mean "silhouette"`}},
		{"measure", []col{{name: "features", vals: x}, {name: "prediction", vals: []float64{0, 1, 1}}},
			func(p *ClusteringEvaluatorParams) { p.DistanceMeasure = "euclidean" }, []string{"squaredEuclidean"}},
		{"features type", []col{{name: "features", vals: []float64{1, 2, 3}}, {name: "prediction", vals: []float64{0, 1, 1}}}, nil, []string{"featuresCol", "vector"}},
		{"negative weight", []col{{name: "features", vals: x}, {name: "prediction", vals: []float64{0, 1, 1}}, {name: "w", vals: []float64{1, -1, 1}}},
			func(p *ClusteringEvaluatorParams) { p.WeightCol = "w" }, []string{"row 2", "negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewClusteringEvaluator()
			if tc.set != nil {
				tc.set(&e.P)
			}
			_, err := e.Evaluate(context.Background(), MustFrame(t, tc.cols...))
			if err == nil {
				t.Fatal("evaluated, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestClusteringEvaluatorRegistered(t *testing.T) {
	r := ml.NewRegistry()
	Register(r)
	hs, err := r.New("ClusteringEvaluator")
	if err != nil {
		t.Fatal(err)
	}
	e := hs.(*ClusteringEvaluator)
	if !e.IsLargerBetter() || e.MetricName() != "silhouette" || e.P.DistanceMeasure != "squaredEuclidean" {
		t.Errorf("defaults %+v", e.P)
	}
	if err := ml.SetParam(e, "distanceMeasure", "cosine"); err != nil || e.P.DistanceMeasure != "cosine" {
		t.Errorf("SetParam: %v", err)
	}
}

func BenchmarkClusteringEvaluator(b *testing.B) {
	for _, n := range []int{10_000, 200_000} {
		x := make([][]float64, n)
		lab := make([]int64, n)
		for i := range x {
			lab[i] = int64(i % 8)
			x[i] = make([]float64, 10)
			for j := range x[i] {
				x[i][j] = float64((i*7+j*13)%17) + float64(lab[i])*4
			}
		}
		f := MustFrame(b, col{name: "features", vals: denseVectors(x)}, col{name: "prediction", vals: lab})
		e := NewClusteringEvaluator()
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := e.Evaluate(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				clusteringSink = v
			}
		})
	}
}

var clusteringSink float64
