package evaluation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// ClusteringEvaluatorParams are ClusteringEvaluator's params, with
// Spark's names and defaults.
type ClusteringEvaluatorParams struct {
	FeaturesCol     string `param:"featuresCol" doc:"vector column of features"`
	PredictionCol   string `param:"predictionCol" doc:"numeric column of cluster ids"`
	WeightCol       string `param:"weightCol" doc:"instance weight column; empty: every row weighs 1"`
	MetricName      string `param:"metricName" doc:"silhouette"`
	DistanceMeasure string `param:"distanceMeasure" doc:"squaredEuclidean or cosine"`
}

var clusteringMetricNames = []string{"silhouette"}

// Validate checks the params.
func (p ClusteringEvaluatorParams) Validate() error {
	switch {
	case p.FeaturesCol == "":
		return errors.New("featuresCol is empty; name the vector column, e.g. features")
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the cluster column, e.g. prediction")
	case p.DistanceMeasure != "squaredEuclidean" && p.DistanceMeasure != "cosine":
		return fmt.Errorf("distanceMeasure %q is not supported (supported: squaredEuclidean, cosine)", p.DistanceMeasure)
	}
	return checkMetricName(p.MetricName, clusteringMetricNames)
}

// ClusteringEvaluator is Spark's ClusteringEvaluator: the mean silhouette
// of a clustering, computed exactly (no sampling) in O(n·k·d) time from
// per-cluster aggregates, as Spark does.
//
// For row i in cluster A, with d the squared euclidean distance
// ("squaredEuclidean", Spark's default — not the euclidean distance
// scikit-learn's silhouette_score uses by default) or the cosine distance
// 1 − cos ("cosine"):
//
//	a(i) = Σ_{j∈A, j≠i} w_j·d(i, j) / (W_A − w_i)
//	b(i) = min over clusters C ≠ A of Σ_{j∈C} w_j·d(i, j) / W_C
//	s(i) = 1 − a/b if a < b, b/a − 1 if a > b, 0 if equal or A = {i}
//
// and the metric is Σ w_i·s(i) / Σ w_i. With unit weights this is
// scikit-learn's silhouette_score(X, labels, metric="sqeuclidean" or
// "cosine"). The squared euclidean sums use Spark's expansion
// ‖x‖² + Ψ_C/W_C − 2x·Y_C/W_C; dense features are centred on their mean
// first, which changes nothing but rounding.
//
// Cluster ids are the prediction column's values (any number). Fewer than
// two clusters with positive weight, NULL or NaN ids, features or
// weights, negative weights, vectors of different sizes, an all-zero
// vector with the cosine distance and an empty frame are errors naming
// the column and row. An evaluator is safe for concurrent use while its
// params are not changed.
type ClusteringEvaluator struct {
	P ClusteringEvaluatorParams
}

var _ ml.Evaluator = (*ClusteringEvaluator)(nil)

// NewClusteringEvaluator returns an evaluator with Spark's defaults:
// featuresCol "features", predictionCol "prediction", no weights,
// metricName "silhouette", distanceMeasure "squaredEuclidean".
func NewClusteringEvaluator() *ClusteringEvaluator {
	return &ClusteringEvaluator{P: ClusteringEvaluatorParams{
		FeaturesCol: "features", PredictionCol: "prediction", MetricName: "silhouette", DistanceMeasure: "squaredEuclidean",
	}}
}

// StageName returns "ClusteringEvaluator".
func (e *ClusteringEvaluator) StageName() string { return "ClusteringEvaluator" }

// Params returns the params.
func (e *ClusteringEvaluator) Params() any { return &e.P }

// MetricName returns the metricName param.
func (e *ClusteringEvaluator) MetricName() string { return e.P.MetricName }

// IsLargerBetter is true: silhouettes range from -1 to 1, higher is
// better.
func (e *ClusteringEvaluator) IsLargerBetter() bool { return true }

// Evaluate returns the silhouette of f's clustering. Errors are described
// at ClusteringEvaluator; ctx is checked between blocks of rows.
func (e *ClusteringEvaluator) Evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	v, err := e.silhouette(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", e.StageName(), err)
	}
	return v, nil
}

// silRows is the evaluator's view of the features: each row as an
// ml.Vector (a view into the column) and its cluster slot.
type silRows struct {
	vc      *ml.VectorColumn
	d       int
	cluster []int32 // slot of each row's cluster
	w       []float64
	mean    []float64 // subtracted from dense rows (squaredEuclidean); nil otherwise
	inv     []float64 // 1/‖x‖ (cosine)
}

func (r *silRows) weight(i int) float64 {
	if r.w == nil {
		return 1
	}
	return r.w[i]
}

// row returns row i as indices and values (indices nil for a dense row,
// whose values are centred by mean into buf, of capacity d, when mean is
// set) and the
// factor its values scale by: 1/‖x‖ for cosine, else 1.
func (r *silRows) row(i int, buf []float64) (idx []int32, val []float64, f float64) {
	f = 1
	if r.inv != nil {
		f = r.inv[i]
	}
	v := r.vc.At(i)
	if v.IsSparse() {
		return v.Indices, v.Values, f
	}
	if r.mean == nil {
		return nil, v.Values, f
	}
	buf = buf[:0]
	for j, x := range v.Values {
		buf = append(buf, x-r.mean[j])
	}
	return nil, buf, f
}

// dot returns f·(row · y) for a row from row.
func silDot(idx []int32, val []float64, f float64, y []float64) float64 {
	var s float64
	if idx == nil {
		y = y[:len(val)]
		for j, x := range val {
			s += x * y[j]
		}
	} else {
		for t, j := range idx {
			s += val[t] * y[j]
		}
	}
	return f * s
}

func (e *ClusteringEvaluator) silhouette(ctx context.Context, f *ml.Frame) (float64, error) {
	if err := e.P.Validate(); err != nil {
		return 0, err
	}
	if err := ml.CheckVectorCol(f.Schema(), "featuresCol", e.P.FeaturesCol); err != nil {
		return 0, err
	}
	if f.NumRows() == 0 {
		return 0, errors.New("the frame has no rows; nothing to evaluate")
	}
	preds, err := readNumeric(ctx, f, "predictionCol", e.P.PredictionCol, false)
	if err != nil {
		return 0, err
	}
	w, err := readWeights(ctx, f, e.P.WeightCol)
	if err != nil {
		return 0, err
	}
	arr, err := flat(f, e.P.FeaturesCol)
	if err != nil {
		return 0, err
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return 0, fmt.Errorf("column %s: %w", e.P.FeaturesCol, err)
	}
	cosine := e.P.DistanceMeasure == "cosine"
	rows := &silRows{vc: vc, d: -1, w: w, cluster: make([]int32, len(preds))}
	// Cluster ids in sorted order → slots.
	ids := slices.Clone(preds)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for i, p := range preds {
		j, _ := slices.BinarySearch(ids, p)
		rows.cluster[i] = int32(j)
	}
	// Check the vectors; sums for the mean (dense) or the norms (cosine).
	sparse := false
	var sum []float64
	if cosine {
		rows.inv = make([]float64, len(preds))
	}
	for i := range len(preds) {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if vc.IsNull(i) {
			return 0, fmt.Errorf("column %s, row %d: featuresCol vector is NULL; drop the row before evaluating", e.P.FeaturesCol, i+1)
		}
		v := vc.At(i)
		if err := v.Validate(); err != nil {
			return 0, fmt.Errorf("column %s, row %d: %w", e.P.FeaturesCol, i+1, err)
		}
		if rows.d < 0 {
			rows.d = v.Size
			sum = make([]float64, v.Size)
		} else if v.Size != rows.d {
			return 0, fmt.Errorf("column %s, row %d: vector has %d features, row 1 has %d", e.P.FeaturesCol, i+1, v.Size, rows.d)
		}
		sparse = sparse || v.IsSparse()
		var nn float64
		for t, x := range v.Values {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				j := t
				if v.IsSparse() {
					j = int(v.Indices[t])
				}
				return 0, fmt.Errorf("column %s, row %d: feature %d is %v; impute it or drop the row before evaluating", e.P.FeaturesCol, i+1, j, x)
			}
			nn += x * x
		}
		if cosine {
			if nn == 0 {
				return 0, fmt.Errorf("column %s, row %d: the vector is all zeros and the cosine distance is not defined for it; drop the row or use distanceMeasure squaredEuclidean", e.P.FeaturesCol, i+1)
			}
			rows.inv[i] = 1 / math.Sqrt(nn)
		} else if !v.IsSparse() {
			for j, x := range v.Values {
				sum[j] += x
			}
		}
	}
	if !cosine && !sparse {
		for j := range sum {
			sum[j] /= float64(len(preds))
		}
		rows.mean = sum
	}
	return silhouetteOf(ctx, rows, len(ids), ids, e.P.PredictionCol, e.P.WeightCol)
}

// silhouetteOf computes the cluster aggregates, then every row's
// silhouette, in parallel over row ranges whose partial sums are added in
// range order (the result does not depend on GOMAXPROCS).
func silhouetteOf(ctx context.Context, r *silRows, k int, ids []float64, predictionCol, weightCol string) (float64, error) {
	n, d := len(r.cluster), r.d
	// Ranges of at least 8192 rows, at most 64, and at most 64 MiB of
	// per-range cluster sums.
	nr := max(1, min(64, n/8192, (64<<20)/(8*max(1, k*d))))
	bounds := func(q int) (int, int) { return q * n / nr, (q + 1) * n / nr }
	// Aggregates: W_C, Y_C = Σ w x and Ψ_C = Σ w ‖x‖² (x normalized for
	// cosine, centred for dense squaredEuclidean).
	type agg struct {
		w, psi []float64
		y      []float64 // k×d
	}
	parts := make([]agg, nr)
	err := silParallel(ctx, nr, func(q int) error {
		a := agg{w: make([]float64, k), psi: make([]float64, k), y: make([]float64, k*d)}
		buf := make([]float64, 0, d)
		lo, hi := bounds(q)
		for i := lo; i < hi; i++ {
			wi := r.weight(i)
			if wi == 0 {
				continue
			}
			c := int(r.cluster[i])
			idx, val, fi := r.row(i, buf)
			y := a.y[c*d : (c+1)*d]
			var nn float64
			wf := wi * fi
			for t, x := range val {
				if idx == nil {
					y[t] += wf * x
				} else {
					y[idx[t]] += wf * x
				}
				nn += x * x
			}
			a.w[c] += wi
			a.psi[c] += wi * fi * fi * nn
		}
		parts[q] = a
		return nil
	})
	if err != nil {
		return 0, err
	}
	W, psi, Y := make([]float64, k), make([]float64, k), make([]float64, k*d)
	for _, a := range parts {
		for c := range k {
			W[c] += a.w[c]
			psi[c] += a.psi[c]
		}
		for t, v := range a.y {
			Y[t] += v
		}
	}
	var live []int // clusters with positive weight
	for c := range k {
		if W[c] > 0 {
			live = append(live, c)
		}
	}
	if len(live) < 2 {
		var what string
		if len(live) == 1 {
			what = "1 cluster (" + strconv.FormatFloat(ids[live[0]], 'g', -1, 64) + ")"
		} else {
			what = "no cluster"
		}
		if weightCol != "" {
			what += " with positive weight"
		}
		return 0, fmt.Errorf("column %s has %s; the silhouette needs at least 2 clusters (Spark's rule)", predictionCol, what)
	}
	// Per-row silhouettes.
	type acc struct{ s, w float64 }
	accs := make([]acc, nr)
	err = silParallel(ctx, nr, func(q int) error {
		buf := make([]float64, 0, d)
		dist := make([]float64, k)
		lo, hi := bounds(q)
		var a acc
		for i := lo; i < hi; i++ {
			wi := r.weight(i)
			if wi == 0 {
				continue
			}
			own := int(r.cluster[i])
			a.w += wi
			if W[own] == wi {
				continue // alone in its cluster: s = 0
			}
			idx, val, fi := r.row(i, buf)
			var xx float64
			for _, x := range val {
				xx += x * x
			}
			xx *= fi * fi
			for _, c := range live {
				dot := silDot(idx, val, fi, Y[c*d:(c+1)*d])
				if r.inv != nil { // cosine
					dist[c] = 1 - dot/W[c]
				} else {
					dist[c] = xx + psi[c]/W[c] - 2*dot/W[c]
				}
			}
			ai := dist[own] * W[own] / (W[own] - wi)
			bi := math.Inf(1)
			for _, c := range live {
				if c != own {
					bi = min(bi, dist[c])
				}
			}
			switch {
			case ai < bi:
				a.s += wi * (1 - ai/bi)
			case ai > bi:
				a.s += wi * (bi/ai - 1)
			}
		}
		accs[q] = a
		return nil
	})
	if err != nil {
		return 0, err
	}
	var s, sw float64
	for _, a := range accs {
		s += a.s
		sw += a.w
	}
	return s / sw, nil
}

// silParallel runs fn(0 … nr-1) on at most GOMAXPROCS goroutines.
func silParallel(ctx context.Context, nr int, fn func(q int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for q := range nr {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return fn(q)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
