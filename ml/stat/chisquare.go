package stat

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sluice-dev/sluice/ml"
)

// MaxCategories is the most distinct values ChiSquareTest accepts in the
// label or in one feature (Spark's limit).
const MaxCategories = 10000

// ChiSquareResult is Spark's ChiSquareTest result: for feature j, Pearson's
// chi-squared test of independence between the feature and the label.
type ChiSquareResult struct {
	// Names are the features' names from the column's metadata.
	Names []string
	// PValues[j] is the probability of a statistic at least as large
	// under independence.
	PValues []float64
	// DegreesOfFreedom[j] is (distinct feature values - 1) × (distinct
	// labels - 1).
	DegreesOfFreedom []int
	// Statistics[j] is Σ (observed - expected)² / expected over the
	// feature × label contingency table.
	Statistics []float64
}

// ChiSquareTest runs Spark's ChiSquareTest: every feature of vector
// column featuresCol, read as categorical (each distinct value a
// category), against the categorical labelCol. Expected counts are
// rowSum·colSum/n, there is no continuity correction, and a feature or
// label with a single value gives 0 degrees of freedom, statistic 0 and
// p-value 1 (all as Spark and scipy.stats.chi2_contingency with
// correction=False). P-values use gonum's ChiSquared survival function;
// Spark computes 1 - CDF, which rounds p-values below about 1e-16 to 0.
//
// Errors: missing or mistyped columns; NULL or NaN labels or features,
// NULL vectors and vectors of different sizes (naming column and row);
// more than MaxCategories distinct values in the label or a feature; an
// empty frame. ctx cancels the scan.
func ChiSquareTest(ctx context.Context, f *ml.Frame, featuresCol, labelCol string) (*ChiSquareResult, error) {
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("chi-square test: the frame has no rows")
	}
	labels, err := readLabels(f, labelCol)
	if err != nil {
		return nil, fmt.Errorf("chi-square test: %w", err)
	}
	labelIdx := map[float64]int{}
	for i, l := range labels {
		if _, ok := labelIdx[l]; !ok {
			if len(labelIdx) == MaxCategories {
				return nil, fmt.Errorf("chi-square test: column %s, row %d: more than %d distinct labels; the test wants categorical labels (bucket or index them first)", labelCol, i+1, MaxCategories)
			}
			labelIdx[l] = len(labelIdx)
		}
	}
	x, n, d, names, err := denseColumn(ctx, f, featuresCol)
	if err != nil {
		return nil, fmt.Errorf("chi-square test: %w", err)
	}
	nl := len(labelIdx)
	colSums := make([]float64, nl)
	lab := make([]int, n)
	for i, l := range labels {
		lab[i] = labelIdx[l]
		colSums[lab[i]]++
	}
	res := &ChiSquareResult{Names: names, PValues: make([]float64, d), DegreesOfFreedom: make([]int, d), Statistics: make([]float64, d)}
	for j := range d {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		valIdx := map[float64]int{}
		var counts []float64 // row-major: value × label
		for i := range n {
			v := x[i*d+j] + 0 // + 0 folds -0 into 0
			k, ok := valIdx[v]
			if !ok {
				if len(valIdx) == MaxCategories {
					return nil, fmt.Errorf("chi-square test: column %s, feature %d (%s): more than %d distinct values; the test wants categorical features (bucket them first)", featuresCol, j, names[j], MaxCategories)
				}
				k = len(valIdx)
				valIdx[v] = k
				counts = append(counts, make([]float64, nl)...)
			}
			counts[k*nl+lab[i]]++
		}
		res.PValues[j], res.DegreesOfFreedom[j], res.Statistics[j] = chiSquared(counts, len(valIdx), colSums, float64(n))
	}
	return res, nil
}

// chiSquared is Pearson's independence test on a rows × len(colSums)
// contingency table of counts with total n.
func chiSquared(counts []float64, rows int, colSums []float64, n float64) (p float64, df int, stat float64) {
	cols := len(colSums)
	df = (rows - 1) * (cols - 1)
	if df == 0 {
		return 1, 0, 0
	}
	for r := range rows {
		var rowSum float64
		for c := range cols {
			rowSum += counts[r*cols+c]
		}
		for c := range cols {
			e := rowSum * colSums[c] / n
			d := counts[r*cols+c] - e
			stat += d * d / e
		}
	}
	return distuv.ChiSquared{K: float64(df)}.Survival(stat), df, stat
}

func readLabels(f *ml.Frame, labelCol string) ([]float64, error) {
	if err := ml.CheckNumericCol(f.Schema(), "labelCol", labelCol); err != nil {
		return nil, err
	}
	c, _ := f.Column(labelCol)
	arr, err := ml.Flatten(c)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vals, _, err := ml.Float64s(arr)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", labelCol, err)
	}
	for i, v := range vals {
		if arr.IsNull(i) {
			return nil, fmt.Errorf("column %s, row %d: label is NULL; drop or fill the row", labelCol, i+1)
		}
		if math.IsNaN(v) {
			return nil, fmt.Errorf("column %s, row %d: label is NaN; drop or fill the row", labelCol, i+1)
		}
		vals[i] = v + 0
	}
	return vals, nil
}

// Frame returns the result in Spark's flattened layout: one row per
// feature with columns featureIndex (int64), feature (name), pValue,
// degreesOfFreedom (int64) and statistic.
func (r *ChiSquareResult) Frame() (*ml.Frame, error) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	defer ib.Release()
	db := array.NewInt64Builder(memory.DefaultAllocator)
	defer db.Release()
	nb := array.NewStringBuilder(memory.DefaultAllocator)
	defer nb.Release()
	for j := range r.PValues {
		ib.Append(int64(j))
		db.Append(int64(r.DegreesOfFreedom[j]))
		name := fmt.Sprint("feature ", j)
		if j < len(r.Names) {
			name = r.Names[j]
		}
		nb.Append(name)
	}
	ia, da, na := ib.NewArray(), db.NewArray(), nb.NewArray()
	defer ia.Release()
	defer da.Release()
	defer na.Release()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "featureIndex", Type: arrow.PrimitiveTypes.Int64},
		{Name: "feature", Type: arrow.BinaryTypes.String},
		{Name: "pValue", Type: arrow.PrimitiveTypes.Float64},
		{Name: "degreesOfFreedom", Type: arrow.PrimitiveTypes.Int64},
		{Name: "statistic", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	return ml.NewFrame(sc, []*arrow.Chunked{
		arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{ia}),
		arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{na}),
		ml.Float64Column(r.PValues),
		arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{da}),
		ml.Float64Column(r.Statistics),
	})
}
