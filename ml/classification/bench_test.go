package classification_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

var sinkModel ml.Model

// synthetic returns n rows shaped like bench/ml's make_classification set:
// 20 features, 10 informative (two Gaussian clusters per class around
// hypercube vertices, linearly mixed), 5 redundant (combinations of the
// informative ones), 5 noise, 1% of labels flipped.
func synthetic(n int, seed int64) ([][]float64, []float64) {
	r := ml.NewRand(seed)
	const inf, red, noise = 10, 5, 5
	centroids := make([][]float64, 4) // clusters 0,1 → class 0; 2,3 → class 1
	for c := range centroids {
		centroids[c] = make([]float64, inf)
		for j := range centroids[c] {
			centroids[c][j] = float64(2*r.IntN(2)-1) * 1.0
		}
	}
	mix := make([][][]float64, 4)
	for c := range mix {
		mix[c] = make([][]float64, inf)
		for j := range mix[c] {
			mix[c][j] = make([]float64, inf)
			for k := range mix[c][j] {
				mix[c][j][k] = 2*r.Float64() - 1
			}
		}
	}
	B := make([][]float64, red)
	for j := range B {
		B[j] = make([]float64, inf)
		for k := range B[j] {
			B[j][k] = 2*r.Float64() - 1
		}
	}
	X := make([][]float64, n)
	y := make([]float64, n)
	z := make([]float64, inf)
	for i := range X {
		c := r.IntN(4)
		y[i] = float64(c / 2)
		row := make([]float64, inf+red+noise)
		for k := range z {
			z[k] = r.NormFloat64()
		}
		for j := 0; j < inf; j++ {
			v := centroids[c][j]
			for k, zk := range z {
				v += mix[c][j][k] * zk
			}
			row[j] = v
		}
		for j := range B {
			for k := 0; k < inf; k++ {
				row[inf+j] += B[j][k] * row[k]
			}
		}
		for j := inf + red; j < len(row); j++ {
			row[j] = r.NormFloat64()
		}
		if r.Float64() < 0.01 {
			y[i] = float64(r.IntN(2))
		}
		X[i] = row
	}
	return X, y
}

func benchFit(b *testing.B, est ml.Estimator, train *ml.Frame) ml.Model {
	b.ReportAllocs()
	b.ResetTimer()
	var m ml.Model
	var err error
	for b.Loop() {
		if m, err = est.Fit(context.Background(), train); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/fit")
	sinkModel = m
	return m
}

func reportAUC(b *testing.B, m ml.Model, test *ml.Frame, y []float64, col string) {
	out, err := m.Transform(context.Background(), test)
	if err != nil {
		b.Fatal(err)
	}
	auc, err := evaluation.AreaUnderROC(positiveScores(b, out, col), y, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(auc, "AUC")
}

// BenchmarkLogisticRegressionSynthetic fits Spark-default logistic
// regression (plus scikit-learn's C = 1 penalty) on make_classification-
// shaped data; scikit-learn's lbfgs with n_jobs=2 takes 0.43 s on the
// 400,000-row training part of bench/ml's 500,000 × 20 set.
func BenchmarkLogisticRegressionSynthetic(b *testing.B) {
	for _, n := range []int{50_000, 500_000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			X, y := synthetic(n+20_000, 42)
			train, test := frameOf(b, X[:n], y[:n], nil), frameOf(b, X[n:], y[n:], nil)
			lr := classification.NewLogisticRegression()
			lr.P.RegParam = 1 / float64(n)
			m := benchFit(b, lr, train)
			reportAUC(b, m, test, y[n:], "probability")
			s, _ := m.(*classification.LogisticRegressionModel).Summary()
			b.ReportMetric(float64(s.TotalIterations), "iters")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
		})
	}
}

// BenchmarkLogisticRegressionSyntheticCSV fits on bench/ml's synthetic
// set itself (bench/ml/data/synthetic_{train,test}.csv, written by
// gen_synthetic.py; skipped when absent), for a like-for-like comparison
// with bench/ml/peer.py --task synthetic --model lr.
func BenchmarkLogisticRegressionSyntheticCSV(b *testing.B) {
	dir := filepath.Join("..", "..", "bench", "ml", "data")
	trX, trY := readSyntheticCSV(b, filepath.Join(dir, "synthetic_train.csv"))
	teX, teY := readSyntheticCSV(b, filepath.Join(dir, "synthetic_test.csv"))
	train, test := frameOf(b, trX, trY, nil), frameOf(b, teX, teY, nil)
	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 1 / float64(len(trY))
	m := benchFit(b, lr, train)
	reportAUC(b, m, test, teY, "probability")
	s, _ := m.(*classification.LogisticRegressionModel).Summary()
	b.ReportMetric(float64(s.TotalIterations), "iters")
}

func readSyntheticCSV(b *testing.B, path string) ([][]float64, []float64) {
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("%s: %v (run bench/ml/gen_synthetic.py)", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan() // header
	var X [][]float64
	var y []float64
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		row := make([]float64, len(parts)-1)
		for j, p := range parts[:len(parts)-1] {
			if row[j], err = strconv.ParseFloat(p, 64); err != nil {
				b.Fatal(err)
			}
		}
		l, err := strconv.ParseFloat(parts[len(parts)-1], 64)
		if err != nil {
			b.Fatal(err)
		}
		X, y = append(X, row), append(y, l)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return X, y
}

// BenchmarkLogisticRegressionChurn fits the churn model of
// TestChurnQuality (scikit-learn: about 4–8 ms).
func BenchmarkLogisticRegressionChurn(b *testing.B) {
	trX, trY, teX, teY := churnData(b)
	train, test := frameOf(b, trX, trY, nil), frameOf(b, teX, teY, nil)
	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 1 / float64(len(trY))
	m := benchFit(b, lr, train)
	reportAUC(b, m, test, teY, "probability")
}

// BenchmarkLogisticRegressionSetup measures a fit with maxIter 0: reading
// the frame, the feature statistics and one objective pass.
func BenchmarkLogisticRegressionSetup(b *testing.B) {
	X, y := synthetic(400_000, 7)
	train := frameOf(b, X, y, nil)
	lr := classification.NewLogisticRegression()
	lr.P.MaxIter = 0
	benchFit(b, lr, train)
}

// benchSynthetic runs est on synthetic data of n rows and reports AUC on
// 20,000 held-out rows.
func benchSynthetic(b *testing.B, est ml.Estimator, scoreCol string, sizes ...int) {
	for _, n := range sizes {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			X, y := synthetic(n+20_000, 42)
			train, test := frameOf(b, X[:n], y[:n], nil), frameOf(b, X[n:], y[n:], nil)
			m := benchFit(b, est, train)
			reportAUC(b, m, test, y[n:], scoreCol)
		})
	}
}

func BenchmarkLinearSVCSynthetic(b *testing.B) {
	s := classification.NewLinearSVC()
	s.P.RegParam = 1e-4
	benchSynthetic(b, s, "rawPrediction", 50_000, 500_000)
}

func BenchmarkNaiveBayesGaussianSynthetic(b *testing.B) {
	nb := classification.NewNaiveBayes()
	nb.P.ModelType = "gaussian"
	benchSynthetic(b, nb, "probability", 50_000, 500_000)
}

func BenchmarkMultilayerPerceptronSynthetic(b *testing.B) {
	e := classification.NewMultilayerPerceptronClassifier()
	e.P.Layers, e.P.MaxIter = []int{20, 16, 2}, 50
	benchSynthetic(b, e, "probability", 50_000)
}

func BenchmarkOneVsRestLogisticSynthetic(b *testing.B) {
	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 1e-4
	benchSynthetic(b, classification.NewOneVsRest(lr), "rawPrediction", 50_000)
}
