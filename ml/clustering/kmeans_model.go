package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// KMeansModel is a fitted KMeans: its centres and training summary.
// Transform adds predictionCol (int32, the index of the nearest centre)
// and, when distanceCol is set, the distance to that centre (euclidean,
// or cosine distance). A model is safe for concurrent use while its
// fields and params are not changed.
type KMeansModel struct {
	P KMeansParams
	// Centers are the cluster centres (unit vectors for the cosine
	// measure); there may be fewer than k (see KMeans).
	Centers [][]float64
	// TrainingCost is Spark's summary.trainingCost: the weighted sum of
	// squared euclidean (or cosine) distances of the training rows to
	// their nearest centre in the last iteration.
	TrainingCost float64
	// NumIter is the number of Lloyd iterations run.
	NumIter int
	// ClusterSizes counts the training rows nearest to each final centre
	// (Spark's summary.clusterSizes).
	ClusterSizes []int64
}

var (
	_ ml.Model       = (*KMeansModel)(nil)
	_ ml.ModelFrames = (*KMeansModel)(nil)
	_ ml.Saver       = (*KMeansModel)(nil)
	_ ml.Loader      = (*KMeansModel)(nil)
)

// StageName returns "KMeansModel".
func (m *KMeansModel) StageName() string { return "KMeansModel" }

// Params returns the params.
func (m *KMeansModel) Params() any { return &m.P }

// ClusterCenters returns a copy of the centres (Spark's clusterCenters).
func (m *KMeansModel) ClusterCenters() [][]float64 {
	return kmCopyCenters(m.Centers)
}

// NumFeatures returns the size of the feature vectors the model takes.
func (m *KMeansModel) NumFeatures() int {
	return kmNumFeatures(m.Centers)
}

// TransformSchema checks the features column and adds the prediction and
// distance columns.
func (m *KMeansModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return kmModelSchema(in, m.P.FeaturesCol, m.P.PredictionCol, m.P.DistanceCol)
}

// check validates the fitted state (a loaded model may be damaged).
func (m *KMeansModel) check() error {
	if err := kmCheckMeasure(m.P.DistanceMeasure); err != nil {
		return err
	}
	return kmCheckCenters(m.Centers)
}

func kmCheckCenters(centers [][]float64) error {
	if len(centers) == 0 {
		return errors.New("the model has no cluster centres; fit it first")
	}
	d := len(centers[0])
	for j, c := range centers {
		if len(c) != d || d == 0 {
			return fmt.Errorf("cluster centre %d has %d values, centre 0 has %d; refit the model", j, len(c), d)
		}
	}
	return nil
}

// Transform assigns every row of f to its nearest centre, in parallel
// over row ranges. NULL, NaN or wrongly sized features (and all-zero
// vectors for the cosine measure) are errors naming the row.
func (m *KMeansModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	cosine := m.P.DistanceMeasure == kmCosine
	cs := newKMCenters(m.Centers, m.NumFeatures())
	return kmTransform(ctx, f, m.P.FeaturesCol, m.P.PredictionCol, m.P.DistanceCol, cs.d, cosine,
		func(p *kmData, lo, hi int, sc *kmScratch, lab []int32, dist []float64) {
			cs.nearest(p, lo, hi, sc)
			copy(lab, sc.lab[:hi-lo])
			if dist == nil {
				return
			}
			for i := lo; i < hi; i++ {
				j := sc.lab[i-lo]
				if cosine {
					dist[i-lo] = kmCosineFromScore(sc.score[i-lo], p.inv[i])
				} else {
					dist[i-lo] = math.Sqrt(p.sqDistTo(i, cs.row(int(j)), cs.n2[j]))
				}
			}
		})
}

// Predict returns the cluster of one feature vector and its distance to
// the centre (euclidean, or cosine distance).
func (m *KMeansModel) Predict(v ml.Vector) (cluster int, distance float64, err error) {
	if err := m.check(); err != nil {
		return 0, 0, err
	}
	x, err := kmVectorValues(v, m.NumFeatures(), m.P.DistanceMeasure == kmCosine)
	if err != nil {
		return 0, 0, err
	}
	best, bd := 0, math.Inf(1)
	for j, c := range m.Centers {
		if dd := kmDistance(x, c, m.P.DistanceMeasure == kmCosine); dd < bd {
			best, bd = j, dd
		}
	}
	return best, bd, nil
}

// kmVectorValues checks one vector and returns its dense values,
// normalized for the cosine measure.
func kmVectorValues(v ml.Vector, d int, cosine bool) ([]float64, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	if v.Size != d {
		return nil, fmt.Errorf("vector has %d features, the model was fitted on %d", v.Size, d)
	}
	x := v.AppendTo(nil)
	for j, xv := range x {
		if math.IsNaN(xv) || math.IsInf(xv, 0) {
			return nil, fmt.Errorf("feature %d is %v; impute it or drop the row", j, xv)
		}
	}
	if cosine {
		nn := math.Sqrt(kmDot(x, x))
		if nn == 0 {
			return nil, errors.New("the vector is all zeros and the cosine distance is not defined for it")
		}
		for j := range x {
			x[j] /= nn
		}
	}
	return x, nil
}

// kmDistance is the euclidean distance, or for unit vectors the cosine
// distance.
func kmDistance(x, c []float64, cosine bool) float64 {
	if cosine {
		return min(2, max(0, 1-kmDot(x, c)))
	}
	return math.Sqrt(kmSqDist(x, c))
}

// FrameNames returns "clusterCenters".
func (m *KMeansModel) FrameNames() []string { return []string{"clusterCenters"} }

// ModelFrame returns clusterCenters: one row per cluster with columns
// cluster (int32), center (vector) and size (int64, the training rows in
// the cluster).
func (m *KMeansModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if name != "clusterCenters" {
		return nil, fmt.Errorf("KMeansModel has no frame %q; it has %s", name, strings.Join(m.FrameNames(), ", "))
	}
	return kmCentersFrame(m.Centers, m.ClusterSizes)
}

// DebugString describes the model: summary and centres.
func (m *KMeansModel) DebugString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "KMeansModel: %d clusters (k=%d), distanceMeasure=%s, numFeatures=%d\n", len(m.Centers), m.P.K, m.P.DistanceMeasure, m.NumFeatures())
	fmt.Fprintf(&b, "trainingCost=%.6g numIter=%d\n", m.TrainingCost, m.NumIter)
	kmWriteCenters(&b, m.Centers, m.ClusterSizes)
	return b.String()
}

// kmWriteCenters lists centres (at most 10 values each) with their sizes.
func kmWriteCenters(b *strings.Builder, centers [][]float64, sizes []int64) {
	for j, c := range centers {
		fmt.Fprintf(b, "  cluster %d", j)
		if j < len(sizes) {
			fmt.Fprintf(b, " (%d rows)", sizes[j])
		}
		b.WriteString(": [")
		for t, v := range c {
			if t == 10 {
				fmt.Fprintf(b, ", … %d more", len(c)-10)
				break
			}
			if t > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%.6g", v)
		}
		b.WriteString("]\n")
	}
}

// kmSummary is the small state persisted as JSON.
type kmSummary struct {
	TrainingCost float64 `json:"trainingCost"`
	NumIter      int     `json:"numIter"`
}

// SaveData writes the centres with their sizes and the summary.
func (m *KMeansModel) SaveData(w *ml.DataWriter) error {
	if err := kmCheckCenters(m.Centers); err != nil {
		return err
	}
	if err := w.WriteColumns("centers", kmCentersColumns(m.Centers, m.ClusterSizes)); err != nil {
		return err
	}
	return w.WriteJSON("summary", kmSummary{TrainingCost: m.TrainingCost, NumIter: m.NumIter})
}

// LoadData reads what SaveData wrote.
func (m *KMeansModel) LoadData(r *ml.DataReader) error {
	var err error
	if m.Centers, m.ClusterSizes, err = kmReadCenters(r); err != nil {
		return err
	}
	var s kmSummary
	if err := r.ReadJSON("summary", &s); err != nil {
		return err
	}
	m.TrainingCost, m.NumIter = s.TrainingCost, s.NumIter
	return nil
}

func kmCentersColumns(centers [][]float64, sizes []int64) *ml.Columns {
	ids := make([]int, len(centers))
	sz := make([]int64, len(centers))
	for j := range ids {
		ids[j] = j
		if j < len(sizes) {
			sz[j] = sizes[j]
		}
	}
	return new(ml.Columns).AddInt("cluster", ids).AddFloat64s("center", centers).AddInt64("size", sz)
}

func kmReadCenters(r *ml.DataReader) ([][]float64, []int64, error) {
	c, err := r.ReadColumns("centers")
	if err != nil {
		return nil, nil, err
	}
	ids, err := c.Int("cluster")
	if err != nil {
		return nil, nil, err
	}
	centers, err := c.Float64s("center")
	if err != nil {
		return nil, nil, err
	}
	sizes, err := c.Int64("size")
	if err != nil {
		return nil, nil, err
	}
	for j, id := range ids {
		if id != j {
			return nil, nil, fmt.Errorf("data/centers.arrow: row %d holds cluster %d; the model directory is corrupt, re-save it", j, id)
		}
	}
	if err := kmCheckCenters(centers); err != nil {
		return nil, nil, fmt.Errorf("data/centers.arrow: %w", err)
	}
	return centers, sizes, nil
}

// kmCentersFrame builds the clusterCenters frame.
func kmCentersFrame(centers [][]float64, sizes []int64) (*ml.Frame, error) {
	ids := make([]int32, len(centers))
	vs := make([]ml.Vector, len(centers))
	sz := make([]int64, len(centers))
	for j, c := range centers {
		ids[j] = int32(j)
		vs[j] = ml.Dense(c...)
		if j < len(sizes) {
			sz[j] = sizes[j]
		}
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "cluster", Type: arrow.PrimitiveTypes.Int32},
		{Name: "center", Type: ml.VectorType, Nullable: true},
		{Name: "size", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{kmInt32Column(ids), ml.VectorsColumn(vs), kmInt64Column(sz)})
}
