package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// kmDefaultSeed is Spark's default seed for KMeans: the Java hashCode of
// "org.apache.spark.ml.clustering.KMeans".
const kmDefaultSeed = -1689246527

// KMeansParams are KMeans's params, with Spark 3.5's names and (from
// NewKMeans) defaults, plus Sluice's distanceCol.
type KMeansParams struct {
	FeaturesCol      string  `param:"featuresCol" doc:"vector column of features"`
	PredictionCol    string  `param:"predictionCol" doc:"column the cluster index (int) is written to"`
	K                int     `param:"k" doc:"number of clusters (>= 2); fewer are returned when the data has fewer distinct points"`
	MaxIter          int     `param:"maxIter" doc:"maximum number of Lloyd iterations (>= 0)"`
	Tol              float64 `param:"tol" doc:"convergence tolerance: iterations stop once no centre moves more than tol (>= 0; cosine distance for the cosine measure)"`
	Seed             int     `param:"seed" doc:"random seed of the initialization"`
	InitMode         string  `param:"initMode" doc:"initialization: k-means|| (scalable k-means++) or random"`
	InitSteps        int     `param:"initSteps" doc:"number of oversampling rounds of k-means|| (> 0)"`
	DistanceMeasure  string  `param:"distanceMeasure" doc:"euclidean or cosine"`
	WeightCol        string  `param:"weightCol" doc:"column of non-negative instance weights; empty gives every row weight 1"`
	Solver           string  `param:"solver" doc:"accepted for Spark compatibility (auto, row or block); Sluice always uses its blocked kernel"`
	MaxBlockSizeInMB float64 `param:"maxBlockSizeInMB" doc:"accepted for Spark compatibility and ignored (>= 0)"`
	DistanceCol      string  `param:"distanceCol" doc:"Sluice extension: column of each row's distance to its assigned centre (euclidean, or cosine distance), e.g. an anomaly score; empty to skip"`
}

// Validate checks each param's range, naming the param and the fix.
func (p KMeansParams) Validate() error {
	switch {
	case p.FeaturesCol == "":
		return errors.New("featuresCol is empty; name the vector column, e.g. features")
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the output column, e.g. prediction")
	case p.K < 2:
		return fmt.Errorf("k is %d; KMeans needs k >= 2 clusters (Spark's rule)", p.K)
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; use 0 or more", p.MaxIter)
	case !(p.Tol >= 0) || math.IsInf(p.Tol, 0):
		return fmt.Errorf("tol is %v; use a finite number >= 0 such as 1e-4", p.Tol)
	case p.InitMode != "k-means||" && p.InitMode != "random":
		return fmt.Errorf("initMode %q: use k-means|| or random", p.InitMode)
	case p.InitSteps < 1:
		return fmt.Errorf("initSteps is %d; use 1 or more (Spark's default is 2)", p.InitSteps)
	case p.Solver != "auto" && p.Solver != "row" && p.Solver != "block":
		return fmt.Errorf("solver %q: use auto, row or block", p.Solver)
	case !(p.MaxBlockSizeInMB >= 0):
		return fmt.Errorf("maxBlockSizeInMB is %v; use 0 or more (Sluice ignores it)", p.MaxBlockSizeInMB)
	case p.DistanceCol != "" && p.DistanceCol == p.PredictionCol:
		return fmt.Errorf("distanceCol and predictionCol are both %q; give them different names", p.DistanceCol)
	}
	return kmCheckMeasure(p.DistanceMeasure)
}

// KMeans is Spark's KMeans: Lloyd's algorithm from a k-means||
// (Bahmani et al., "Scalable k-means++") or random initialization, with
// the euclidean or the cosine distance.
//
// k-means|| picks one row at random, then for initSteps rounds samples
// each row with probability min(1, 2k·w·cost/Σ w·cost), where cost is
// the row's distance (squared euclidean, or cosine) to the nearest
// candidate so far; it weights every distinct candidate by the weight of
// the rows nearest to it and runs a weighted k-means++ with up to 30
// Lloyd iterations on the candidates to choose k centres. Two deviations
// from Spark, both about quality: the k-means++ on the candidates is the
// greedy variant (2 + ⌊ln k⌋ draws per centre, keeping the one that
// lowers the weighted cost most, as scikit-learn's), because Spark's
// single draw often puts two centres in one well-separated cluster and
// none in another; and the instance weights enter the sampling and the
// candidate weights (Spark uses unweighted costs and row counts), so a
// row of weight 2 counts as two rows. With unit weights the sampling is
// Spark's. When the data has k or fewer distinct candidates, they are the
// centres, so a model may have fewer than k clusters (Spark's
// behaviour). "random" draws k rows and keeps the distinct ones.
//
// Lloyd's iterations assign every row to its nearest centre (ties to the
// lower index) and move each centre to the weighted mean of its rows; a
// centre with no rows stays where it is. They stop after maxIter
// iterations or once every centre moved at most tol (Spark's rule:
// squared shift <= tol², or cosine distance <= tol). TrainingCost is the
// weighted sum of squared distances (cosine distances) of the last
// iteration's assignment, as Spark's summary.trainingCost; ClusterSizes
// count the rows nearest to each final centre. With maxIter 0 the centres
// are the initial ones and TrainingCost their cost (Spark reports 0).
//
// With the cosine measure centres are unit vectors and rows are compared
// by angle; an all-zero row is an error, as in Spark.
//
// Each pass scores blocks of rows against all centres as ‖c‖² − 2x·c
// (an AVX2/FMA assembly kernel on amd64 CPUs that have it, register-
// blocked Go elsewhere), on GOMAXPROCS goroutines over fixed row ranges
// whose partial sums are added in range order: on a given CPU, results do
// not depend on the number of cores (CPUs with and without FMA may differ
// in the last bits). Passes allocate nothing per row. Sparse feature
// vectors are clustered without densifying them. A fit holds the features
// (aliased, not copied, when they are dense and contiguous) plus 20 bytes
// per row.
type KMeans struct {
	P KMeansParams
}

var _ ml.Estimator = (*KMeans)(nil)

// NewKMeans returns a KMeans with Spark's defaults: k 2, maxIter 20, tol
// 1e-4, initMode k-means||, initSteps 2, distanceMeasure euclidean,
// solver auto, seed the hash of Spark's class name; no distance column.
func NewKMeans() *KMeans {
	return &KMeans{P: KMeansParams{
		FeaturesCol: "features", PredictionCol: "prediction", K: 2, MaxIter: 20, Tol: 1e-4,
		Seed: kmDefaultSeed, InitMode: "k-means||", InitSteps: 2, DistanceMeasure: kmEuclidean, Solver: "auto",
	}}
}

// StageName returns "KMeans".
func (km *KMeans) StageName() string { return "KMeans" }

// Params returns the params.
func (km *KMeans) Params() any { return &km.P }

// TransformSchema checks the params and the features and weight columns,
// and adds the prediction and distance columns.
func (km *KMeans) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := km.P.Validate(); err != nil {
		return nil, err
	}
	return kmSchema(in, km.P.FeaturesCol, km.P.PredictionCol, km.P.DistanceCol, km.P.WeightCol)
}

// Fit clusters the rows of f. NULL, NaN or infinite features, negative
// weights, an empty frame and (cosine) all-zero vectors are errors naming
// the column and row. ctx is checked between blocks of rows.
func (km *KMeans) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := km.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	cosine := km.P.DistanceMeasure == kmCosine
	p, err := kmLoad(ctx, f, kmLoadOpts{featuresCol: km.P.FeaturesCol, weightCol: km.P.WeightCol, numFeatures: -1, cosine: cosine, fit: true})
	if err != nil {
		return nil, err
	}
	kf, err := newKMFit(ctx, p, cosine)
	if err != nil {
		return nil, err
	}
	if err := kf.checkWeights(km.P.WeightCol); err != nil {
		return nil, err
	}
	var centers [][]float64
	if km.P.InitMode == "random" {
		centers = kf.initRandom(km.P.K, int64(km.P.Seed))
	} else if centers, err = kf.initParallel(ctx, km.P.K, km.P.InitSteps, int64(km.P.Seed)); err != nil {
		return nil, err
	}
	cs := newKMCenters(centers, p.d)
	cost, iters, sizes, err := kf.lloyd(ctx, cs, km.P.MaxIter, km.P.Tol)
	if err != nil {
		return nil, err
	}
	if sizes == nil {
		var finalCost float64
		if sizes, finalCost, err = kf.sizes(ctx, cs); err != nil {
			return nil, err
		}
		if iters == 0 {
			cost = finalCost // Spark reports 0 when no iteration ran
		}
	}
	m := &KMeansModel{P: km.P, Centers: make([][]float64, cs.k), TrainingCost: cost, NumIter: iters, ClusterSizes: sizes}
	for j := range cs.k {
		m.Centers[j] = append([]float64(nil), cs.row(j)...)
	}
	return m, nil
}

// kmFit holds the state of one fit's passes.
type kmFit struct {
	p      *kmData
	cosine bool
	rs     kmRanges  // for passes without per-range accumulators
	xx     []float64 // ‖x_i‖² (euclidean only)
	pool   kmPool
}

// newKMFit prepares the passes over p; for the euclidean measure it
// computes every row's squared norm once.
func newKMFit(ctx context.Context, p *kmData, cosine bool) (*kmFit, error) {
	kf := &kmFit{p: p, cosine: cosine, rs: kmSplit(p.n, 0)}
	if cosine {
		return kf, nil
	}
	kf.xx = make([]float64, p.n)
	err := kmParallel(ctx, kf.rs.nr, func(ctx context.Context, r int) error {
		lo, hi := kf.rs.bounds(r)
		for i := lo; i < hi; i++ {
			kf.xx[i] = p.norm2(i)
		}
		return nil
	})
	return kf, err
}

// checkWeights fails when every weight is 0.
func (kf *kmFit) checkWeights(weightCol string) error {
	if kf.p.w == nil {
		return nil
	}
	for _, w := range kf.p.w {
		if w > 0 {
			return nil
		}
	}
	return fmt.Errorf("every weight in column %s is 0; nothing to cluster", weightCol)
}

// cost is row i's distance to centre j given the kernel's score s:
// the squared euclidean distance or the cosine distance. The squared
// distance is ‖x‖² + s; when that is below 10⁻⁸(‖x‖² + ‖c‖²), where
// cancellation may have cost more than about 10⁻⁷ of it, a dense row's
// distance is computed directly (Spark's fastSquaredDistance does the
// same).
func (kf *kmFit) cost(i int, cs *kmCenters, j int32, s float64) float64 {
	if kf.cosine {
		return kmCosineFromScore(s, kf.p.inv[i])
	}
	xx := kf.xx[i]
	if v := xx + s; v >= 1e-8*(xx+cs.n2[j]) {
		return v
	}
	return kf.p.sqDistTo(i, cs.row(int(j)), cs.n2[j])
}

// kmCosineFromScore turns the kernel's score 1 − 2x·c against a unit
// centre c into the cosine distance 1 − x·c/‖x‖, given inv = 1/‖x‖.
func kmCosineFromScore(s, inv float64) float64 {
	return min(2, max(0, 1-(1-s)/2*inv))
}

// kmAcc is one range's Lloyd accumulator.
type kmAcc struct {
	sums []float64 // k×d weighted sums (cosine: of unit rows)
	wsum []float64
	cnt  []int64
	cost float64
}

// lloyd runs Lloyd's iterations from cs (updated in place) and returns
// the cost of the last iteration's assignment and the iteration count.
// When no centre moved at all in the last iteration, that assignment is
// also the final one and its row counts are returned as sizes (else
// sizes is nil).
func (kf *kmFit) lloyd(ctx context.Context, cs *kmCenters, maxIter int, tol float64) (cost float64, iter int, sizes []int64, err error) {
	p, k, d := kf.p, cs.k, cs.d
	rs := kmSplit(p.n, k*d+k)
	accs := make([]kmAcc, rs.nr)
	for r := range accs {
		accs[r] = kmAcc{sums: make([]float64, k*d), wsum: make([]float64, k), cnt: make([]int64, k)}
	}
	sums, wsum, cnt := make([]float64, k*d), make([]float64, k), make([]int64, k)
	newc := make([]float64, d)
	still := false // no centre moved in the last iteration
	for converged := false; iter < maxIter && !converged; iter++ {
		err = kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
			a := &accs[r]
			clear(a.sums)
			clear(a.wsum)
			clear(a.cnt)
			a.cost = 0
			sc := kf.pool.get()
			defer kf.pool.put(sc)
			lo, hi := rs.bounds(r)
			for b := lo; b < hi; b += kmBlock {
				if err := ctx.Err(); err != nil {
					return err
				}
				e := min(b+kmBlock, hi)
				cs.nearest(p, b, e, sc)
				for i := b; i < e; i++ {
					j := sc.lab[i-b]
					a.cnt[j]++
					w := p.weight(i)
					if w == 0 {
						continue
					}
					a.cost += w * kf.cost(i, cs, j, sc.score[i-b])
					a.wsum[j] += w
					f := w
					if kf.cosine {
						f *= p.inv[i]
					}
					p.addTo(i, f, a.sums[int(j)*d:int(j+1)*d])
				}
			}
			return nil
		})
		if err != nil {
			return 0, 0, nil, err
		}
		clear(sums)
		clear(wsum)
		clear(cnt)
		cost = 0
		for r := range accs {
			a := &accs[r]
			cost += a.cost
			for j, v := range a.wsum {
				wsum[j] += v
				cnt[j] += a.cnt[j]
			}
			for t, v := range a.sums {
				sums[t] += v
			}
		}
		converged, still = true, true
		for j := range k {
			if wsum[j] == 0 {
				continue // Spark keeps a centre with no rows where it is
			}
			old := cs.row(j)
			for t := range newc {
				newc[t] = sums[j*d+t] / wsum[j]
			}
			if kf.cosine {
				nn := math.Sqrt(kmDot(newc, newc))
				if nn == 0 {
					continue // the rows cancel out; keep the centre
				}
				for t := range newc {
					newc[t] /= nn
				}
				if 1-kmDot(old, newc) > tol {
					converged = false
				}
			} else if kmSqDist(old, newc) > tol*tol {
				converged = false
			}
			if !slices.Equal(old, newc) {
				still = false
			}
			copy(old, newc)
			cs.n2[j] = kmDot(newc, newc)
		}
		cs.prepareSIMD()
	}
	if iter > 0 && still {
		sizes = cnt
	}
	return cost, iter, sizes, nil
}

// sizes counts the rows nearest to each centre (Spark's
// summary.clusterSizes) and returns the weighted cost of that assignment.
func (kf *kmFit) sizes(ctx context.Context, cs *kmCenters) ([]int64, float64, error) {
	p, k := kf.p, cs.k
	rs := kf.rs
	counts := make([][]int64, rs.nr)
	costs := make([]float64, rs.nr)
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		cnt := make([]int64, k)
		sc := kf.pool.get()
		defer kf.pool.put(sc)
		lo, hi := rs.bounds(r)
		var cost float64
		for b := lo; b < hi; b += kmBlock {
			if err := ctx.Err(); err != nil {
				return err
			}
			e := min(b+kmBlock, hi)
			cs.nearest(p, b, e, sc)
			for i := b; i < e; i++ {
				j := sc.lab[i-b]
				cnt[j]++
				if w := p.weight(i); w != 0 {
					cost += w * kf.cost(i, cs, j, sc.score[i-b])
				}
			}
		}
		counts[r], costs[r] = cnt, cost
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]int64, k)
	var cost float64
	for r := range counts {
		cost += costs[r]
		for j, c := range counts[r] {
			out[j] += c
		}
	}
	return out, cost, nil
}
