package stat

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// Summary holds Spark's Summarizer metrics of a vector column, one value
// per feature unless noted. Rows of weight 0 are skipped entirely, as in
// Spark (they do not count in Count, NumNonZeros, Min or Max).
type Summary struct {
	// Names are the features' names from the column's metadata, or
	// "feature j".
	Names []string
	// Count is the number of rows with positive weight (one number).
	Count int64
	// WeightSum is the total weight W (one number; Count when unweighted).
	WeightSum float64
	// Mean is the weighted mean Σw·x / W.
	Mean []float64
	// Variance is the unbiased weighted sample variance
	// Σw·(x-mean)² / (W - Σw²/W): the usual n-1 variance when unweighted.
	// It is 0 when that denominator is not positive (one row).
	Variance []float64
	// Std is the square root of Variance.
	Std []float64
	// Min and Max are the smallest and largest values.
	Min, Max []float64
	// NumNonZeros counts the rows with a non-zero value (unweighted).
	NumNonZeros []int64
	// NormL1 is Σw·|x|; NormL2 is sqrt(Σw·x²); Sum is Σw·x.
	NormL1, NormL2, Sum []float64
}

// Summarize computes Spark's Summarizer metrics (mean, variance, std,
// min, max, count, numNonZeros, normL1, normL2, sum, weightSum) of vector
// column col, weighting rows by weightCol when it is not empty. Sparse
// vectors are read without densifying, following Spark's update rule
// over non-zero entries, so results match Spark's to rounding. NaN values
// propagate into the metrics of their feature, as in Spark.
//
// Errors name column and row (1-based): a missing or non-vector column, a
// NULL vector, vectors of different sizes, a NULL, NaN, infinite or
// negative weight, and no rows with positive weight. ctx cancels the scan.
func Summarize(ctx context.Context, f *ml.Frame, col, weightCol string) (*Summary, error) {
	field, err := ml.FieldOf(f.Schema(), col)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if !ml.IsVector(field.Type) {
		return nil, fmt.Errorf("summarize: column %q has type %s; want a vector column (build it with VectorAssembler)", col, field.Type)
	}
	weights, err := readWeights(f, weightCol)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	b := summarizer{size: -1}
	err = eachVector(ctx, f, col, func(i int, v ml.Vector) error {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		if b.size < 0 {
			b.init(v.Size)
		} else if v.Size != b.size {
			return fmt.Errorf("column %s, row %d: vector has %d features, row 1 has %d", col, i+1, v.Size, b.size)
		}
		b.add(v, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if b.count == 0 {
		return nil, fmt.Errorf("summarize: column %s has no rows with positive weight; check the filter or the weights", col)
	}
	s := b.summary()
	s.Names = ml.VectorAttrsOf(field).Names(b.size)
	return s, nil
}

// summarizer is Spark's SummarizerBuffer.
type summarizer struct {
	size                  int
	count                 int64
	weightSum, weightSq   float64
	mean, m2n, m2, l1, ws []float64 // per feature, over non-zero entries
	nnz                   []int64
	max, min              []float64
}

func (b *summarizer) init(size int) {
	b.size = size
	b.mean, b.m2n, b.m2, b.l1, b.ws = make([]float64, size), make([]float64, size), make([]float64, size), make([]float64, size), make([]float64, size)
	b.nnz = make([]int64, size)
	b.max, b.min = make([]float64, size), make([]float64, size)
	for j := range size {
		b.max[j], b.min[j] = math.Inf(-1), math.Inf(1)
	}
}

func (b *summarizer) add(v ml.Vector, w float64) {
	if w == 0 {
		return
	}
	each := func(j int, x float64) {
		if x == 0 {
			return
		}
		b.max[j] = max(b.max[j], x)
		b.min[j] = min(b.min[j], x)
		prev := b.mean[j]
		diff := x - prev
		b.mean[j] = prev + w*diff/(b.ws[j]+w)
		b.m2n[j] += w * (x - b.mean[j]) * diff
		b.m2[j] += w * x * x
		b.l1[j] += w * math.Abs(x)
		b.ws[j] += w
		b.nnz[j]++
	}
	if v.IsSparse() {
		for k, j := range v.Indices {
			each(int(j), v.Values[k])
		}
	} else {
		for j, x := range v.Values {
			each(j, x)
		}
	}
	b.count++
	b.weightSum += w
	b.weightSq += w * w
}

func (b *summarizer) summary() *Summary {
	n := b.size
	s := &Summary{
		Count: b.count, WeightSum: b.weightSum,
		Mean: make([]float64, n), Variance: make([]float64, n), Std: make([]float64, n),
		Min: make([]float64, n), Max: make([]float64, n), NumNonZeros: append([]int64(nil), b.nnz...),
		NormL1: append([]float64(nil), b.l1...), NormL2: make([]float64, n), Sum: make([]float64, n),
	}
	W := b.weightSum
	denom := W - b.weightSq/W
	for j := range n {
		s.Mean[j] = b.mean[j] * (b.ws[j] / W)
		s.Sum[j] = b.mean[j] * b.ws[j]
		if denom > 0 {
			d := b.mean[j]
			s.Variance[j] = max((b.m2n[j]+d*d*b.ws[j]*(W-b.ws[j])/W)/denom, 0)
		}
		s.Std[j] = math.Sqrt(s.Variance[j])
		s.NormL2[j] = math.Sqrt(b.m2[j])
		s.Max[j], s.Min[j] = b.max[j], b.min[j]
		if b.nnz[j] < b.count { // implicit zeros
			s.Max[j] = max(s.Max[j], 0)
			s.Min[j] = min(s.Min[j], 0)
		}
	}
	return s
}

// Frame returns the summary as a frame with one row per feature and
// columns feature (name), mean, variance, std, min, max, numNonZeros,
// normL1, normL2 and sum; Count and WeightSum are not repeated.
func (s *Summary) Frame() (*ml.Frame, error) {
	nb := array.NewStringBuilder(memory.DefaultAllocator)
	defer nb.Release()
	nb.AppendValues(s.Names, nil)
	na := nb.NewArray()
	defer na.Release()
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	defer ib.Release()
	ib.AppendValues(s.NumNonZeros, nil)
	ia := ib.NewArray()
	defer ia.Release()
	fields := []arrow.Field{{Name: "feature", Type: arrow.BinaryTypes.String}}
	cols := []*arrow.Chunked{arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{na})}
	add := func(name string, v []float64) {
		fields = append(fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, ml.Float64Column(v))
	}
	add("mean", s.Mean)
	add("variance", s.Variance)
	add("std", s.Std)
	add("min", s.Min)
	add("max", s.Max)
	fields = append(fields, arrow.Field{Name: "numNonZeros", Type: arrow.PrimitiveTypes.Int64})
	cols = append(cols, arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{ia}))
	add("normL1", s.NormL1)
	add("normL2", s.NormL2)
	add("sum", s.Sum)
	return ml.NewFrame(arrow.NewSchema(fields, nil), cols)
}

// readWeights reads weightCol (nil when empty); weights must be finite
// and >= 0.
func readWeights(f *ml.Frame, weightCol string) ([]float64, error) {
	if weightCol == "" {
		return nil, nil
	}
	if err := ml.CheckNumericCol(f.Schema(), "weightCol", weightCol); err != nil {
		return nil, err
	}
	c, _ := f.Column(weightCol)
	arr, err := ml.Flatten(c)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	w, _, err := ml.Float64s(arr)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", weightCol, err)
	}
	for i, v := range w {
		switch {
		case arr.IsNull(i):
			return nil, fmt.Errorf("column %s, row %d: weight is NULL; drop or fill the row", weightCol, i+1)
		case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
			return nil, fmt.Errorf("column %s, row %d: weight %v; weights must be finite and >= 0", weightCol, i+1, v)
		}
	}
	return w, nil
}

// eachVector calls fn for every row of vector column col; a NULL vector
// is an error naming the row.
func eachVector(ctx context.Context, f *ml.Frame, col string, fn func(row int, v ml.Vector) error) error {
	c, err := f.Column(col)
	if err != nil {
		return err
	}
	row := 0
	for _, chunk := range c.Chunks() {
		vc, err := ml.NewVectorColumn(chunk)
		if err != nil {
			return fmt.Errorf("column %s: %w", col, err)
		}
		for i := 0; i < vc.Len(); i++ {
			if row%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if vc.IsNull(i) {
				return fmt.Errorf("column %s, row %d: vector is NULL; drop the row first", col, row+1)
			}
			if err := fn(row, vc.At(i)); err != nil {
				return err
			}
			row++
		}
	}
	return nil
}
