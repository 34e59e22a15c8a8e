package feature

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// BucketedRandomProjectionLSHParams are BucketedRandomProjectionLSH's
// params (Spark's names).
type BucketedRandomProjectionLSHParams struct {
	InputCol      string  `param:"inputCol" doc:"vector column to hash"`
	OutputCol     string  `param:"outputCol" doc:"hash column: array<double>, one bucket per hash table"`
	NumHashTables int     `param:"numHashTables" doc:"number of hash tables (OR-amplification: more tables, fewer missed neighbors, more work)"`
	BucketLength  float64 `param:"bucketLength" doc:"length of each hash bucket along a random direction (required, > 0); larger buckets, fewer missed neighbors"`
	Seed          int     `param:"seed" doc:"random seed of the projection directions"`
}

// Validate checks the params.
func (p BucketedRandomProjectionLSHParams) Validate() error {
	switch {
	case p.InputCol == "" || p.OutputCol == "":
		return errors.New("set inputCol and outputCol")
	case p.NumHashTables < 1:
		return fmt.Errorf("numHashTables is %d; want at least 1", p.NumHashTables)
	case !(p.BucketLength > 0) || math.IsInf(p.BucketLength, 0):
		return fmt.Errorf("bucketLength is %v; set it to a positive length (it has no default: a few times the distance you call near, in the features' units)", p.BucketLength)
	}
	return nil
}

// BucketedRandomProjectionLSH is Spark's LSH for Euclidean distance: each
// hash table projects a vector x on a random unit vector v and keeps the
// bucket floor(x·v / bucketLength). Vectors close together share
// buckets more often than vectors far apart. Fit draws the directions
// (with Java's Random, so a seed gives the directions Spark draws) for
// the dimension of the first non-NULL vector.
type BucketedRandomProjectionLSH struct {
	P BucketedRandomProjectionLSHParams
}

var _ ml.Estimator = (*BucketedRandomProjectionLSH)(nil)

// NewBucketedRandomProjectionLSH returns the estimator with Spark's
// defaults: numHashTables 1, Spark's default seed; bucketLength, inputCol
// and outputCol must be set.
func NewBucketedRandomProjectionLSH() *BucketedRandomProjectionLSH {
	return &BucketedRandomProjectionLSH{P: BucketedRandomProjectionLSHParams{
		NumHashTables: 1, Seed: sparkClassSeed("org.apache.spark.ml.feature.BucketedRandomProjectionLSH"),
	}}
}

// StageName returns "BucketedRandomProjectionLSH".
func (e *BucketedRandomProjectionLSH) StageName() string { return "BucketedRandomProjectionLSH" }

// Params returns the params.
func (e *BucketedRandomProjectionLSH) Params() any { return &e.P }

// TransformSchema checks inputCol and adds outputCol.
func (e *BucketedRandomProjectionLSH) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return lshSchema(in, e.P.InputCol, e.P.OutputCol)
}

// Fit draws numHashTables random unit vectors of the input's dimension.
func (e *BucketedRandomProjectionLSH) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dim, err := lshFirstSize(f, e.P.InputCol)
	if err != nil {
		return nil, err
	}
	rng := newLSHJavaRandom(int64(e.P.Seed))
	vecs := make([][]float64, e.P.NumHashTables)
	for t := range vecs {
		v := make([]float64, dim)
		norm := 0.0
		for j := range v {
			v[j] = rng.NormFloat64()
			norm += v[j] * v[j]
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j] /= norm
		}
		vecs[t] = v
	}
	return &BucketedRandomProjectionLSHModel{P: e.P, RandUnitVectors: vecs}, nil
}

// BucketedRandomProjectionLSHModel holds the random directions. It is
// safe for concurrent use.
type BucketedRandomProjectionLSHModel struct {
	P BucketedRandomProjectionLSHParams
	// RandUnitVectors has one unit vector per hash table.
	RandUnitVectors [][]float64
}

var _ ml.Model = (*BucketedRandomProjectionLSHModel)(nil)

// StageName returns "BucketedRandomProjectionLSHModel".
func (m *BucketedRandomProjectionLSHModel) StageName() string {
	return "BucketedRandomProjectionLSHModel"
}

// Params returns the params.
func (m *BucketedRandomProjectionLSHModel) Params() any { return &m.P }

func (m *BucketedRandomProjectionLSHModel) family() (*brpFamily, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	if len(m.RandUnitVectors) != m.P.NumHashTables {
		return nil, fmt.Errorf("the model has %d random vectors for numHashTables %d; refit it to change numHashTables", len(m.RandUnitVectors), m.P.NumHashTables)
	}
	return &brpFamily{vecs: m.RandUnitVectors, bucketLength: m.P.BucketLength}, nil
}

// TransformSchema checks inputCol and adds outputCol.
func (m *BucketedRandomProjectionLSHModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := m.family(); err != nil {
		return nil, err
	}
	return lshSchema(in, m.P.InputCol, m.P.OutputCol)
}

// Transform adds outputCol: each vector's bucket in every hash table
// (NULL for a NULL vector). A vector of another dimension than the
// model's, or with NaN or infinite values, is an error naming the row.
func (m *BucketedRandomProjectionLSHModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	fam, err := m.family()
	if err != nil {
		return nil, err
	}
	return lshTransform(ctx, f, m.P.InputCol, m.P.OutputCol, fam)
}

// ApproxNearestNeighbors returns at most numNearest rows of f near key:
// as Spark (single probe), the candidates are the rows sharing a bucket
// with key in at least one hash table, so fewer rows come back when
// fewer share one. The rows keep f's columns, gain outputCol (unless f
// already has it, from Transform) and distCol (Euclidean distance to
// key), nearest first. ctx bounds the work.
func (m *BucketedRandomProjectionLSHModel) ApproxNearestNeighbors(ctx context.Context, f *ml.Frame, key ml.Vector, numNearest int, distCol string) (*ml.Frame, error) {
	fam, err := m.family()
	if err != nil {
		return nil, err
	}
	return lshNearest(ctx, f, key, numNearest, distCol, m.P.InputCol, m.P.OutputCol, fam)
}

// ApproxSimilarityJoin returns the pairs of rows of a and b that share a
// bucket in at least one hash table and lie closer than threshold
// (Euclidean distance, strictly less, as Spark): columns datasetA and
// datasetB are structs holding each side's whole row (with outputCol),
// distCol the distance. Pairs come in order of a's rows, then b's. ctx
// bounds the work.
func (m *BucketedRandomProjectionLSHModel) ApproxSimilarityJoin(ctx context.Context, a, b *ml.Frame, threshold float64, distCol string) (*ml.Frame, error) {
	fam, err := m.family()
	if err != nil {
		return nil, err
	}
	return lshJoin(ctx, a, b, threshold, distCol, m.P.InputCol, m.P.OutputCol, fam)
}

// DebugString describes the model.
func (m *BucketedRandomProjectionLSHModel) DebugString() string {
	dim := 0
	if len(m.RandUnitVectors) > 0 {
		dim = len(m.RandUnitVectors[0])
	}
	return lshDebug(m.StageName(), len(m.RandUnitVectors), fmt.Sprintf("bucketLength %v, %d features", m.P.BucketLength, dim))
}

// SaveData writes the random unit vectors (data/randUnitVectors.arrow).
func (m *BucketedRandomProjectionLSHModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("randUnitVectors", new(ml.Columns).AddFloat64s("vector", m.RandUnitVectors))
}

// LoadData reads the random unit vectors.
func (m *BucketedRandomProjectionLSHModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("randUnitVectors")
	if err != nil {
		return err
	}
	if m.RandUnitVectors, err = c.Float64s("vector"); err != nil {
		return err
	}
	for t, v := range m.RandUnitVectors {
		if len(v) == 0 || len(v) != len(m.RandUnitVectors[0]) {
			return fmt.Errorf("randUnitVectors: vector %d has %d values, vector 1 has %d; the model directory is corrupt, re-save it", t+1, len(v), len(m.RandUnitVectors[0]))
		}
	}
	return nil
}

type brpFamily struct {
	vecs         [][]float64
	bucketLength float64
}

func (b *brpFamily) numTables() int { return len(b.vecs) }

func (b *brpFamily) hash(v ml.Vector, out []float64) error {
	if len(b.vecs) > 0 && v.Size != len(b.vecs[0]) {
		return fmt.Errorf("vector of size %d, the model was fitted on size %d", v.Size, len(b.vecs[0]))
	}
	for t, u := range b.vecs {
		dot := 0.0
		if v.IsSparse() {
			for k, i := range v.Indices {
				dot += v.Values[k] * u[i]
			}
		} else {
			for i, x := range v.Values {
				dot += x * u[i]
			}
		}
		if math.IsNaN(dot) || math.IsInf(dot, 0) {
			return fmt.Errorf("vector has NaN or infinite values; impute or drop them before hashing")
		}
		out[t] = math.Floor(dot / b.bucketLength)
	}
	return nil
}

func (b *brpFamily) distance(x, y ml.Vector) (float64, error) {
	if x.Size != y.Size {
		return 0, fmt.Errorf("vectors of sizes %d and %d: Euclidean distance needs equal sizes", x.Size, y.Size)
	}
	return math.Sqrt(lshSqDist(x, y)), nil
}
