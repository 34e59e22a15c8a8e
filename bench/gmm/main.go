// Command gmm is the Sluice side of the GaussianMixture benchmark
// (bench/gmm/run.sh): it fits clustering.GaussianMixture to the raw
// float64 matrix gen_data.py wrote and prints one JSON line with the keys
// of peer.py.
//
//	go run ./bench/gmm --data bench/gmm/data/gmm_200000x10_spread4.f64 [--dim 10] [--k 8]
//	    [--max-iter 100] [--tol-per-row 1e-3] [--seed 0] [--repeat 1] [--n-jobs 2]
//
// --tol-per-row is scikit-learn's tol (change of the mean log-likelihood
// per row); Sluice's tol, like Spark's, is on the total, so the program
// sets tol = tol-per-row × rows: both sides stop at the same point.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
)

type result struct {
	Side       string    `json:"side"`
	Version    string    `json:"version"`
	Rows       int       `json:"rows"`
	Dim        int       `json:"dim"`
	K          int       `json:"k"`
	FitS       float64   `json:"fit_s"`
	FitSAll    []float64 `json:"fit_s_all"`
	MeanLogLik float64   `json:"mean_loglik"`
	LowerBound float64   `json:"lower_bound"`
	Iterations int       `json:"iterations"`
	PeakRSSMB  float64   `json:"peak_rss_mb"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gmm:", err)
		os.Exit(1)
	}
}

func run() error {
	data := flag.String("data", "", "raw little-endian float64 matrix (gen_data.py)")
	dim := flag.Int("dim", 10, "features per row")
	k := flag.Int("k", 8, "components")
	maxIter := flag.Int("max-iter", 100, "maximum EM iterations")
	tolRow := flag.Float64("tol-per-row", 1e-3, "scikit-learn's tol: change of the mean log-likelihood per row")
	seed := flag.Int("seed", 0, "random seed")
	repeat := flag.Int("repeat", 1, "timed fits (median reported)")
	nJobs := flag.Int("n-jobs", 2, "GOMAXPROCS")
	flag.Parse()
	if *data == "" {
		return fmt.Errorf("--data is required")
	}
	runtime.GOMAXPROCS(*nJobs)
	raw, err := os.ReadFile(*data)
	if err != nil {
		return err
	}
	if len(raw)%(8**dim) != 0 {
		return fmt.Errorf("%s has %d bytes, not a whole number of %d-float64 rows", *data, len(raw), *dim)
	}
	flat := make([]float64, len(raw)/8)
	for i := range flat {
		flat[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	raw = nil
	n := len(flat) / *dim
	schema := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType}}, nil)
	f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.DenseVectors(flat, *dim)})
	if err != nil {
		return err
	}
	flat = nil
	ctx := context.Background()
	var m *clustering.GaussianMixtureModel
	var times []float64
	for range *repeat {
		g := clustering.NewGaussianMixture()
		g.P.K, g.P.MaxIter, g.P.Tol, g.P.Seed = *k, *maxIter, *tolRow*float64(n), *seed
		g.P.PredictionCol, g.P.ProbabilityCol = "", ""
		runtime.GC()
		t0 := time.Now()
		model, err := g.Fit(ctx, f)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t0).Seconds())
		m = model.(*clustering.GaussianMixtureModel)
	}
	score, err := m.Score(ctx, f)
	if err != nil {
		return err
	}
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return json.NewEncoder(os.Stdout).Encode(result{
		Side: "sluice", Version: runtime.Version(), Rows: n, Dim: *dim, K: *k,
		FitS: sorted[len(sorted)/2], FitSAll: times, MeanLogLik: score,
		LowerBound: m.LogLikelihood / float64(n), Iterations: m.NumIter,
		PeakRSSMB: float64(ru.Maxrss) / 1024,
	})
}
