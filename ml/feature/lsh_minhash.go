package feature

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// minHashPrime is Spark's MinHashLSH.HASH_PRIME.
const minHashPrime = 2038074743

// MinHashLSHParams are MinHashLSH's params (Spark's names).
type MinHashLSHParams struct {
	InputCol      string `param:"inputCol" doc:"vector column of sets: the indices of the non-zero entries"`
	OutputCol     string `param:"outputCol" doc:"hash column: array<double>, one min-hash per hash table"`
	NumHashTables int    `param:"numHashTables" doc:"number of hash tables (OR-amplification: more tables, fewer missed neighbors, more work)"`
	Seed          int    `param:"seed" doc:"random seed of the hash functions"`
}

// Validate checks the params.
func (p MinHashLSHParams) Validate() error {
	switch {
	case p.InputCol == "" || p.OutputCol == "":
		return errors.New("set inputCol and outputCol")
	case p.NumHashTables < 1:
		return fmt.Errorf("numHashTables is %d; want at least 1", p.NumHashTables)
	}
	return nil
}

// MinHashLSH is Spark's LSH for Jaccard distance on sets: a vector is the
// set of the indices of its non-zero entries (the values do not matter),
// and hash table t keeps min over those indices i of
// ((1+i)·a_t + b_t) mod 2038074743, for random a_t, b_t drawn with
// Java's Random (a seed gives Spark's functions). Every vector must have
// at least one non-zero entry.
type MinHashLSH struct {
	P MinHashLSHParams
}

var _ ml.Estimator = (*MinHashLSH)(nil)

// NewMinHashLSH returns the estimator with Spark's defaults:
// numHashTables 1, Spark's default seed; inputCol and outputCol must be
// set.
func NewMinHashLSH() *MinHashLSH {
	return &MinHashLSH{P: MinHashLSHParams{NumHashTables: 1, Seed: sparkClassSeed("org.apache.spark.ml.feature.MinHashLSH")}}
}

// StageName returns "MinHashLSH".
func (e *MinHashLSH) StageName() string { return "MinHashLSH" }

// Params returns the params.
func (e *MinHashLSH) Params() any { return &e.P }

// TransformSchema checks inputCol and adds outputCol.
func (e *MinHashLSH) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return lshSchema(in, e.P.InputCol, e.P.OutputCol)
}

// Fit draws the hash functions. The input's dimension (the size of its
// first non-NULL vector) must not exceed 2038074743, as in Spark.
func (e *MinHashLSH) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
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
	if dim > minHashPrime {
		return nil, fmt.Errorf("column %s: vectors of size %d exceed MinHashLSH's limit %d", e.P.InputCol, dim, minHashPrime)
	}
	rng := newLSHJavaRandom(int64(e.P.Seed))
	coefs := make([][2]int, e.P.NumHashTables)
	for t := range coefs {
		a := 1 + rng.IntN(minHashPrime-1)
		b := rng.IntN(minHashPrime - 1)
		coefs[t] = [2]int{int(a), int(b)}
	}
	return &MinHashLSHModel{P: e.P, RandCoefficients: coefs}, nil
}

// MinHashLSHModel holds the hash functions. It is safe for concurrent
// use.
type MinHashLSHModel struct {
	P MinHashLSHParams
	// RandCoefficients has (a, b) of each hash table.
	RandCoefficients [][2]int
}

var _ ml.Model = (*MinHashLSHModel)(nil)

// StageName returns "MinHashLSHModel".
func (m *MinHashLSHModel) StageName() string { return "MinHashLSHModel" }

// Params returns the params.
func (m *MinHashLSHModel) Params() any { return &m.P }

func (m *MinHashLSHModel) family() (*minHashFamily, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	if len(m.RandCoefficients) != m.P.NumHashTables {
		return nil, fmt.Errorf("the model has %d hash functions for numHashTables %d; refit it to change numHashTables", len(m.RandCoefficients), m.P.NumHashTables)
	}
	return &minHashFamily{coefs: m.RandCoefficients}, nil
}

// TransformSchema checks inputCol and adds outputCol.
func (m *MinHashLSHModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := m.family(); err != nil {
		return nil, err
	}
	return lshSchema(in, m.P.InputCol, m.P.OutputCol)
}

// Transform adds outputCol: each vector's min-hash in every hash table
// (NULL for a NULL vector). A vector without non-zero entries is an
// error naming the row, as in Spark.
func (m *MinHashLSHModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	fam, err := m.family()
	if err != nil {
		return nil, err
	}
	return lshTransform(ctx, f, m.P.InputCol, m.P.OutputCol, fam)
}

// ApproxNearestNeighbors returns at most numNearest rows of f near key
// by Jaccard distance; see BucketedRandomProjectionLSHModel's for the
// shape and Spark's single-probe semantics.
func (m *MinHashLSHModel) ApproxNearestNeighbors(ctx context.Context, f *ml.Frame, key ml.Vector, numNearest int, distCol string) (*ml.Frame, error) {
	fam, err := m.family()
	if err != nil {
		return nil, err
	}
	return lshNearest(ctx, f, key, numNearest, distCol, m.P.InputCol, m.P.OutputCol, fam)
}

// ApproxSimilarityJoin returns the pairs of rows of a and b sharing a
// bucket whose Jaccard distance is below threshold; see
// BucketedRandomProjectionLSHModel's for the shape.
func (m *MinHashLSHModel) ApproxSimilarityJoin(ctx context.Context, a, b *ml.Frame, threshold float64, distCol string) (*ml.Frame, error) {
	fam, err := m.family()
	if err != nil {
		return nil, err
	}
	return lshJoin(ctx, a, b, threshold, distCol, m.P.InputCol, m.P.OutputCol, fam)
}

// DebugString describes the model.
func (m *MinHashLSHModel) DebugString() string {
	return lshDebug(m.StageName(), len(m.RandCoefficients), "")
}

// SaveData writes the hash functions (data/randCoefficients.arrow: a, b).
func (m *MinHashLSHModel) SaveData(w *ml.DataWriter) error {
	a, b := make([]int64, len(m.RandCoefficients)), make([]int64, len(m.RandCoefficients))
	for t, c := range m.RandCoefficients {
		a[t], b[t] = int64(c[0]), int64(c[1])
	}
	return w.WriteColumns("randCoefficients", new(ml.Columns).AddInt64("a", a).AddInt64("b", b))
}

// LoadData reads the hash functions.
func (m *MinHashLSHModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("randCoefficients")
	if err != nil {
		return err
	}
	a, err := c.Int64("a")
	if err != nil {
		return err
	}
	b, err := c.Int64("b")
	if err != nil {
		return err
	}
	m.RandCoefficients = make([][2]int, len(a))
	for t := range a {
		if a[t] < 1 || a[t] >= minHashPrime || b[t] < 0 || b[t] >= minHashPrime {
			return fmt.Errorf("randCoefficients: hash function %d (%d, %d) is out of range; the model directory is corrupt, re-save it", t+1, a[t], b[t])
		}
		m.RandCoefficients[t] = [2]int{int(a[t]), int(b[t])}
	}
	return nil
}

type minHashFamily struct {
	coefs [][2]int
}

func (h *minHashFamily) numTables() int { return len(h.coefs) }

func (h *minHashFamily) hash(v ml.Vector, out []float64) error {
	for t := range out {
		out[t] = math.Inf(1)
	}
	nonZero := false
	lshNonZero(v, func(i int, _ float64) {
		nonZero = true
		for t, c := range h.coefs {
			x := float64((int64(1+i)*int64(c[0]) + int64(c[1])) % minHashPrime)
			if x < out[t] {
				out[t] = x
			}
		}
	})
	if !nonZero {
		return errors.New("MinHashLSH needs at least 1 non-zero entry (Spark: \"Must have at least 1 non zero entry\"); drop empty sets first")
	}
	return nil
}

// distance is the Jaccard distance of the sets of non-zero indices:
// 1 - |A ∩ B| / |A ∪ B|.
func (h *minHashFamily) distance(x, y ml.Vector) (float64, error) {
	var xs, ys []int
	lshNonZero(x, func(i int, _ float64) { xs = append(xs, i) })
	lshNonZero(y, func(i int, _ float64) { ys = append(ys, i) })
	if len(xs) == 0 && len(ys) == 0 {
		return 0, errors.New("the union of two input sets must have at least 1 element (both vectors are all zeros)")
	}
	inter, i, j := 0, 0, 0
	for i < len(xs) && j < len(ys) {
		switch {
		case xs[i] < ys[j]:
			i++
		case xs[i] > ys[j]:
			j++
		default:
			inter, i, j = inter+1, i+1, j+1
		}
	}
	union := len(xs) + len(ys) - inter
	return 1 - float64(inter)/float64(union), nil
}
