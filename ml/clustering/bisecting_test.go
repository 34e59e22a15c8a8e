package clustering_test

import (
	"context"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
)

func fitBisecting(t *testing.T, b *clustering.BisectingKMeans, f *ml.Frame) *clustering.BisectingKMeansModel {
	t.Helper()
	m, err := b.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*clustering.BisectingKMeansModel)
}

// fourSquares is four unit squares of 4 points, far apart: two on the
// left, two on the right.
func fourSquares() [][]float64 {
	var x [][]float64
	for _, o := range [][2]float64{{0, 0}, {0, 20}, {100, 0}, {100, 20}} {
		for _, d := range [][2]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
			x = append(x, []float64{o[0] + d[0], o[1] + d[1]})
		}
	}
	return x
}

func TestBisectingFourSquares(t *testing.T) {
	x := fourSquares()
	b := clustering.NewBisectingKMeans()
	b.P.DistanceCol = "distance"
	m := fitBisecting(t, b, mltest.Frame(t, x, nil, nil, nil))
	got := sortedCenters(m.ClusterCenters())
	want := [][]float64{{0.5, 0.5}, {0.5, 20.5}, {100.5, 0.5}, {100.5, 20.5}}
	if len(got) != 4 {
		t.Fatalf("%d clusters, want 4", len(got))
	}
	for j := range want {
		for q := range want[j] {
			if !near(got[j][q], want[j][q], 1e-9) {
				t.Fatalf("centres %v, want %v", got, want)
			}
		}
	}
	if !near(m.TrainingCost, 16*0.5, 1e-9) {
		t.Errorf("trainingCost %v, want 8", m.TrainingCost)
	}
	if !slices.Equal(m.ClusterSizes, []int64{4, 4, 4, 4}) || m.NumIter != 20 {
		t.Errorf("sizes %v numIter %d, want [4 4 4 4] and maxIter 20", m.ClusterSizes, m.NumIter)
	}
	out := transform(t, m, mltest.Frame(t, x, nil, nil, nil))
	pred := ints(t, out, "prediction")
	dist := mltest.Floats(t, out, "distance")
	for i := range x {
		if pred[i] != pred[i/4*4] || (i%4 == 0 && i > 0 && slices.Contains(pred[:i], pred[i])) {
			t.Fatalf("predictions %v: want one cluster per square", pred)
		}
		c := m.Centers[pred[i]]
		if !near(dist[i], math.Hypot(x[i][0]-c[0], x[i][1]-c[1]), 1e-12) {
			t.Errorf("row %d: distance %v to centre %v", i, dist[i], c)
		}
	}
	// The first split separates left from right, so leaves 0 and 1 (the
	// left subtree, numbered first) are one side.
	if (m.Centers[0][0] < 50) != (m.Centers[1][0] < 50) || (m.Centers[2][0] < 50) != (m.Centers[3][0] < 50) {
		t.Errorf("leaves %v: want depth-first numbering of the tree", m.Centers)
	}
	s := m.DebugString()
	for _, w := range []string{"BisectingKMeansModel", "node -1: 16 rows", "cluster 3"} {
		if !strings.Contains(s, w) {
			t.Errorf("DebugString lacks %q:\n%s", w, s)
		}
	}
	// k=2 stops after the first split.
	b.P.K = 2
	m = fitBisecting(t, b, mltest.Frame(t, x, nil, nil, nil))
	if want := 2 * (8*0.25 + 4*10.5*10.5 + 4*9.5*9.5); len(m.Centers) != 2 || !near(m.TrainingCost, want, 1e-9) {
		t.Errorf("k=2: %d clusters cost %v, want 2 and %v", len(m.Centers), m.TrainingCost, want)
	}
}

func TestBisectingStopsEarly(t *testing.T) {
	x := fourSquares()
	// Clusters of fewer than 5 rows are not divided: after the first
	// level (two clusters of 8) the four squares come out, no more.
	b := clustering.NewBisectingKMeans()
	b.P.K, b.P.MinDivisibleClusterSize = 10, 5
	m := fitBisecting(t, b, mltest.Frame(t, x, nil, nil, nil))
	if len(m.Centers) != 4 {
		t.Errorf("minDivisibleClusterSize 5: %d clusters, want 4", len(m.Centers))
	}
	// As a fraction: 0.6 of 16 rows is 10, so only the root divides.
	b.P.MinDivisibleClusterSize = 0.6
	if m = fitBisecting(t, b, mltest.Frame(t, x, nil, nil, nil)); len(m.Centers) != 2 {
		t.Errorf("minDivisibleClusterSize 0.6: %d clusters, want 2", len(m.Centers))
	}
	// Identical rows have cost 0 and are never divided.
	same := [][]float64{{1, 2}, {1, 2}, {1, 2}, {5, 5}}
	b.P.MinDivisibleClusterSize = 1
	if m = fitBisecting(t, b, mltest.Frame(t, same, nil, nil, nil)); len(m.Centers) != 2 || m.TrainingCost != 0 {
		t.Errorf("two distinct points: %d clusters cost %v, want 2 and 0", len(m.Centers), m.TrainingCost)
	}
}

func TestBisectingWeightsAndCosine(t *testing.T) {
	x := [][]float64{{0, 0}, {2, 0}, {100, 100}, {10, 10}, {12, 10}}
	b := clustering.NewBisectingKMeans()
	b.P.K, b.P.WeightCol = 2, "weight"
	m := fitBisecting(t, b, mltest.Frame(t, x, nil, []float64{1, 3, 0, 1, 1}, nil))
	got := sortedCenters(m.Centers)
	if len(got) != 2 || !near(got[0][0], 1.5, 1e-9) || !near(got[1][0], 11, 1e-9) || !near(m.TrainingCost, 5, 1e-9) {
		t.Errorf("weighted: centres %v cost %v, want [1.5 0], [11 10] and 5", got, m.TrainingCost)
	}
	cx := [][]float64{{1, 0.1}, {100, 5}, {0.5, 0}, {0.1, 1}, {3, 40}, {0, 7}}
	b = clustering.NewBisectingKMeans()
	b.P.K, b.P.DistanceMeasure, b.P.DistanceCol = 2, "cosine", "d"
	m = fitBisecting(t, b, mltest.Frame(t, cx, nil, nil, nil))
	out := transform(t, m, mltest.Frame(t, cx, nil, nil, nil))
	pred := ints(t, out, "prediction")
	if pred[0] != pred[1] || pred[0] != pred[2] || pred[3] != pred[4] || pred[3] != pred[5] || pred[0] == pred[3] {
		t.Fatalf("cosine predictions %v: want rows grouped by direction", pred)
	}
	var cost float64
	for i, d := range mltest.Floats(t, out, "d") {
		c := m.Centers[pred[i]]
		want := 1 - (cx[i][0]*c[0]+cx[i][1]*c[1])/math.Hypot(cx[i][0], cx[i][1])
		if !near(d, want, 1e-12) {
			t.Errorf("row %d: cosine distance %v, want %v", i, d, want)
		}
		cost += want
	}
	if !near(m.TrainingCost, cost, 1e-9) {
		t.Errorf("cosine trainingCost %v, want %v", m.TrainingCost, cost)
	}
}

func TestBisectingDeterministic(t *testing.T) {
	x := blobs(20000, 4, 7, 5, 1, 4)
	f := mltest.Frame(t, x, nil, nil, nil)
	b := clustering.NewBisectingKMeans()
	b.P.K = 7
	a := fitBisecting(t, b, f)
	procs := runtime.GOMAXPROCS(1)
	c := fitBisecting(t, b, f)
	runtime.GOMAXPROCS(procs)
	if a.TrainingCost != c.TrainingCost || len(a.Centers) != 7 {
		t.Fatalf("costs %v and %v (%d clusters)", a.TrainingCost, c.TrainingCost, len(a.Centers))
	}
	for j := range a.Centers {
		if !slices.Equal(a.Centers[j], c.Centers[j]) {
			t.Fatalf("centre %d differs: %v, %v", j, a.Centers[j], c.Centers[j])
		}
	}
	var total int64
	for _, s := range a.ClusterSizes {
		total += s
	}
	if total != int64(len(x)) {
		t.Errorf("cluster sizes %v add up to %d, want %d", a.ClusterSizes, total, len(x))
	}
}

func TestBisectingBadInput(t *testing.T) {
	f := mltest.Frame(t, [][]float64{{1}, {2}, {3}}, nil, nil, nil)
	for _, tc := range []struct {
		set  func(p *clustering.BisectingKMeansParams)
		want string
	}{
		{func(p *clustering.BisectingKMeansParams) { p.K = 1 }, "k is 1"},
		{func(p *clustering.BisectingKMeansParams) { p.MaxIter = 0 }, "maxIter"},
		{func(p *clustering.BisectingKMeansParams) { p.MinDivisibleClusterSize = 0 }, "minDivisibleClusterSize"},
		{func(p *clustering.BisectingKMeansParams) { p.DistanceMeasure = "l1" }, "distanceMeasure"},
	} {
		b := clustering.NewBisectingKMeans()
		tc.set(&b.P)
		if _, err := b.Fit(context.Background(), f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error mentioning %q", err, tc.want)
		}
	}
	b := clustering.NewBisectingKMeans()
	if _, err := b.Fit(context.Background(), vectorFrame(t, nil)); err == nil || !strings.Contains(err.Error(), "no rows") {
		t.Errorf("empty frame: got %v", err)
	}
	nan := ml.Dense(1, math.NaN())
	one := ml.Dense(1, 1)
	if _, err := b.Fit(context.Background(), vectorFrame(t, []*ml.Vector{&one, &nan})); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("NaN: got %v", err)
	}
}
