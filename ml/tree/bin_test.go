package tree

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

func TestFindSplitsLikeSpark(t *testing.T) {
	tests := []struct {
		name      string
		vals, wts []float64
		numSplits int
		want      []float64
	}{
		{"constant", []float64{3, 3, 3}, []float64{1, 1, 1}, 4, nil},
		{"few values: all midpoints", []float64{3, 1, 2, 1}, []float64{1, 1, 1, 1}, 4, []float64{1.5, 2.5}},
		// 10 values, 3 splits: stride 2.5; a threshold goes after a value
		// when adding the next one would move the count further from the
		// target (2.5, then 5, then 7.5); ties keep going.
		{"quantiles", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 3, []float64{3.5, 5.5, 8.5}},
		// Weight 8 on 1: the first threshold comes right after it.
		{"weighted", []float64{1, 2, 3, 4}, []float64{8, 1, 1, 1}, 2, []float64{1.5, 2.5}},
	}
	for _, tt := range tests {
		got := findSplits(append([]float64(nil), tt.vals...), append([]float64(nil), tt.wts...), tt.numSplits)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: splits %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestBinsMatchThresholds checks the invariant trees rely on: walking a
// tree on bins and on raw values reaches the same leaf, also when the
// thresholds come from a sample (more than 10,000 rows) and values equal
// thresholds.
func TestBinsMatchThresholds(t *testing.T) {
	rng := ml.NewRand(2)
	n, dim := 30000, 3
	d := &ml.Dataset{N: n, D: dim, X: make([]float64, n*dim), Y: make([]float64, n)}
	for i := range n {
		d.X[i*dim] = math.Round(rng.NormFloat64()*4) / 2 // many ties, values on midpoints
		d.X[i*dim+1] = rng.Float64()
		d.X[i*dim+2] = float64(rng.IntN(3))
		if d.X[i*dim]+d.X[i*dim+1] > 0.5 {
			d.Y[i] = 1
		}
	}
	b, err := binDataset(context.Background(), d, binOptions{maxBins: 32, categorical: map[int]int{2: 3}, seed: 1, workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for j := range 2 {
		if len(b.splits[j]) > 31 || !sortedStrictly(b.splits[j]) {
			t.Errorf("feature %d: %d splits, sorted %v", j, len(b.splits[j]), sortedStrictly(b.splits[j]))
		}
	}
	lay := classLayout(gini, 2, false)
	g := newGrower(b, lay, growConfig{maxDepth: 12, minInstances: 1, subset: dim, workers: 2})
	g.leafRows = true
	tr, err := g.grow(context.Background(), allRows(n), classStats(lay, d), 1)
	if err != nil {
		t.Fatal(err)
	}
	sb := splitBins(&tr, b)
	for i := range n {
		if a, c := tr.leaf(d.Row(i)), leafBinned(&tr, sb, b, i); a != c {
			t.Fatalf("row %d %v: raw walk reaches leaf %d, binned walk %d", i, d.Row(i), a, c)
		}
	}
	// Every row sits in the leaf range the grower recorded.
	for i := range tr.Nodes {
		if tr.Nodes[i].Feature >= 0 {
			continue
		}
		for _, r := range g.rows[g.lo[i]:g.hi[i]] {
			if got := tr.leaf(d.Row(int(r))); got != i {
				t.Fatalf("row %d recorded in leaf %d, walks to %d", r, i, got)
			}
		}
	}
}

func sortedStrictly(s []float64) bool {
	for i := 1; i < len(s); i++ {
		if !(s[i] > s[i-1]) {
			return false
		}
	}
	return true
}

func TestJavaDouble(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0.0", 1: "1.0", -2.5: "-2.5", 0.001: "0.001", 1e-4: "1.0E-4", 1.5e-5: "1.5E-5",
		1e7: "1.0E7", 12345678.9: "1.23456789E7", 9999999: "9999999.0", 161.35000000000002: "161.35000000000002",
		math.Inf(1): "Infinity", math.NaN(): "NaN",
	} {
		if got := javaDouble(v); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", v, got, want)
		}
	}
}

func FuzzFeatureSubsetStrategy(f *testing.F) {
	for _, s := range []string{"auto", "all", "sqrt", "log2", "onethird", "3", "0.5", "1.0", "-1", "1e300", "NaN", ""} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, d int) {
		if len(s) > 64 || d < 1 || d > 1<<16 {
			return
		}
		for _, trees := range []int{1, 5} {
			n, err := featuresPerNode(s, d, trees, trees == 1)
			if err == nil && (n < 1 || n > d) {
				t.Fatalf("featuresPerNode(%q, %d) = %d, outside [1, %d]", s, d, n, d)
			}
		}
	})
}

// TestHistogramsMatchRows checks, in every histogram mode, that the
// histogram a node is split with is the one its rows give, for every
// feature the mode keeps (all of them when subtracting).
func TestHistogramsMatchRows(t *testing.T) {
	rng := ml.NewRand(5)
	n, dim := 3000, 8
	d := &ml.Dataset{N: n, D: dim, X: make([]float64, n*dim), Y: make([]float64, n)}
	for i := range n {
		for j := range dim {
			d.X[i*dim+j] = rng.NormFloat64()
		}
		if d.X[i*dim]+d.X[i*dim+3]+0.5*rng.NormFloat64() > 0 {
			d.Y[i] = 1
		}
	}
	b, err := binDataset(context.Background(), d, binOptions{maxBins: 16, seed: 1, workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	lay := classLayout(gini, 2, true) // 3 stats: class counts and raw count
	stats := classStats(lay, d)
	for _, subset := range []int{8, 6, 3} {
		for _, workers := range []int{1, 2} {
			g := newGrower(b, lay, growConfig{maxDepth: 6, minInstances: 1, subset: subset, workers: workers})
			checked := 0
			g.checkHist = func(node, split int, hist []float64) {
				rows := g.rows[g.lo[node]:g.hi[node]]
				for f := range dim {
					if !g.subtract && f != split {
						continue // direct mode builds only the node's subset
					}
					want := make([]float64, b.nbins[f]*lay.s)
					for _, r := range rows {
						bin := int(b.bins[f*n+int(r)])
						for k := range lay.s {
							want[bin*lay.s+k] += stats[int(r)*lay.s+k]
						}
					}
					if got := g.featHist(hist, f)[:len(want)]; !closeAll(got, want) {
						t.Fatalf("subset %d: node %d feature %d: histogram %v, rows give %v", subset, node, f, got, want)
					}
				}
				checked++
			}
			if _, err := g.grow(context.Background(), allRows(n), stats, 3); err != nil {
				t.Fatal(err)
			}
			if checked < 5 {
				t.Errorf("subset %d: only %d nodes checked", subset, checked)
			}
		}
	}
}

func closeAll(a, b []float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

func TestPoissonSampling(t *testing.T) {
	for _, lambda := range []float64{1, 0.3} {
		cdf := poissonCDF(lambda)
		rng := ml.NewRand(1)
		n := 200000
		sum, zeros := 0, 0
		for range n {
			k := poisson(rng, cdf)
			sum += k
			if k == 0 {
				zeros++
			}
		}
		if mean := float64(sum) / float64(n); math.Abs(mean-lambda) > 0.01 {
			t.Errorf("Poisson(%v) mean %v", lambda, mean)
		}
		if p0 := float64(zeros) / float64(n); math.Abs(p0-math.Exp(-lambda)) > 0.01 {
			t.Errorf("Poisson(%v) P(0) = %v, want %v", lambda, p0, math.Exp(-lambda))
		}
	}
}
