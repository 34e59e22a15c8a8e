package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// BucketizerParams are Bucketizer's params (Spark's names). Use
// splits/inputCol/outputCol for one column, or
// splitsArray/inputCols/outputCols for several.
type BucketizerParams struct {
	Splits        []float64   `param:"splits" doc:"bucket boundaries, strictly increasing, at least 3; bucket i holds [splits[i], splits[i+1]), the last one also its upper end; use -Infinity and Infinity as ends to catch everything"`
	InputCol      string      `param:"inputCol" doc:"numeric column to bucket"`
	OutputCol     string      `param:"outputCol" doc:"double column of bucket indices"`
	HandleInvalid string      `param:"handleInvalid" doc:"NULL, NaN or a value outside the splits: error (fail naming the row), skip (drop the row) or keep (put it in an extra bucket, index len(splits)-1)"`
	SplitsArray   [][]float64 `param:"splitsArray" doc:"splits for each inputCols entry"`
	InputCols     []string    `param:"inputCols" doc:"several numeric columns, instead of inputCol"`
	OutputCols    []string    `param:"outputCols" doc:"one output per inputCols entry"`
}

// Validate checks the params.
func (p BucketizerParams) Validate() error {
	ins, _, err := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols)
	if err != nil {
		return err
	}
	switch p.HandleInvalid {
	case "error", "skip", "keep":
	default:
		return fmt.Errorf("handleInvalid %q: use error, skip or keep", p.HandleInvalid)
	}
	if p.InputCol != "" {
		if len(p.SplitsArray) > 0 {
			return errors.New("splitsArray goes with inputCols; with inputCol set splits")
		}
		return checkSplits("splits", p.Splits)
	}
	if len(p.Splits) > 0 {
		return errors.New("splits goes with inputCol; with inputCols set splitsArray")
	}
	if len(p.SplitsArray) != len(ins) {
		return fmt.Errorf("splitsArray has %d entries for %d input columns; give splits for each", len(p.SplitsArray), len(ins))
	}
	for k, s := range p.SplitsArray {
		if err := checkSplits(fmt.Sprintf("splitsArray[%d]", k), s); err != nil {
			return err
		}
	}
	return nil
}

func checkSplits(param string, s []float64) error {
	if len(s) < 3 {
		return fmt.Errorf("%s has %d values; give at least 3 (two buckets), e.g. [-Infinity, 0, Infinity]", param, len(s))
	}
	for i, x := range s {
		if math.IsNaN(x) {
			return fmt.Errorf("%s[%d] is NaN; splits must be numbers (±Infinity allowed)", param, i)
		}
		if i > 0 && !(x > s[i-1]) {
			return fmt.Errorf("%s must be strictly increasing, but %v follows %v", param, x, s[i-1])
		}
	}
	return nil
}

func (p BucketizerParams) splits(k int) []float64 {
	if p.InputCol != "" {
		return p.Splits
	}
	return p.SplitsArray[k]
}

// Bucketizer maps a continuous column to bucket indices 0, 1, … by the
// given splits (Spark's Bucketizer). A value equal to a split belongs to
// the bucket starting there, except the last split, which closes the last
// bucket. The output carries nominal ml_attr metadata naming each bucket
// "lo, hi", so OneHotEncoder and trees treat it as categorical.
//
// handleInvalid decides what NULL, NaN and values outside the splits do.
// Spark applies skip and keep to NaN (and NULL) only and always fails on
// a value outside the splits; Sluice applies them to those values too,
// and with keep adds the extra bucket ("invalid") to the metadata.
type Bucketizer struct {
	P BucketizerParams
}

var _ ml.Model = (*Bucketizer)(nil)

// NewBucketizer returns a Bucketizer with Spark's defaults
// (handleInvalid "error"); set splits and the columns.
func NewBucketizer() *Bucketizer {
	return &Bucketizer{P: BucketizerParams{Splits: []float64{}, HandleInvalid: "error", SplitsArray: [][]float64{}, InputCols: []string{}, OutputCols: []string{}}}
}

// StageName returns "Bucketizer".
func (b *Bucketizer) StageName() string { return "Bucketizer" }

// Params returns the params.
func (b *Bucketizer) Params() any { return &b.P }

// TransformSchema checks the inputs and adds the outputs.
func (b *Bucketizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := b.P.Validate(); err != nil {
		return nil, err
	}
	ins, outs, _ := ioCols(b.P.InputCol, b.P.OutputCol, b.P.InputCols, b.P.OutputCols)
	if err := checkNumericInputs(in, ins); err != nil {
		return nil, err
	}
	if err := checkOutputs(in, outs); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(ins))
	for k := range ins {
		fields[k] = nominalField(outs[k], bucketNames(b.P.splits(k), b.P.HandleInvalid == "keep"))
	}
	return ml.AddFields(in, fields...)
}

func bucketNames(splits []float64, keep bool) []string {
	names := make([]string, 0, len(splits))
	for i := 0; i+1 < len(splits); i++ {
		names = append(names, sparkDouble(splits[i])+", "+sparkDouble(splits[i+1]))
	}
	if keep {
		names = append(names, "invalid")
	}
	return names
}

// bucket returns the bucket of x, or -1 when x lies outside the splits
// or is NaN.
func bucket(splits []float64, x float64) int {
	n := len(splits)
	switch {
	case math.IsNaN(x):
		return -1
	case x == splits[n-1]:
		return n - 2
	}
	i := sort.SearchFloat64s(splits, x)
	switch {
	case i < n && splits[i] == x:
		return i
	case i == 0 || i == n:
		return -1
	}
	return i - 1
}

// Transform adds the bucket columns. With handleInvalid=skip, rows with
// an invalid value in any input column are dropped from the output.
func (b *Bucketizer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := b.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	ins, outs, _ := ioCols(b.P.InputCol, b.P.OutputCol, b.P.InputCols, b.P.OutputCols)
	n := int(f.NumRows())
	results := make([][]float64, len(ins))
	var keep []bool
	if b.P.HandleInvalid == "skip" {
		keep = make([]bool, n)
		for i := range keep {
			keep[i] = true
		}
	}
	for k, c := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		splits := b.P.splits(k)
		vals, valid, err := scalarColumn(f, c)
		if err != nil {
			return nil, err
		}
		res := make([]float64, n)
		for i, x := range vals {
			bk := -1
			if !isNull(valid, i) {
				bk = bucket(splits, x)
			}
			if bk < 0 {
				switch b.P.HandleInvalid {
				case "error":
					what := fmt.Sprintf("%v is outside the splits [%v, %v]; add -Infinity/Infinity as the first/last split", x, splits[0], splits[len(splits)-1])
					if isNull(valid, i) {
						what = "NULL"
					} else if math.IsNaN(x) {
						what = "NaN"
					}
					return nil, fmt.Errorf("column %s, row %d: %s; or set handleInvalid to skip or keep", c, i+1, what)
				case "skip":
					keep[i] = false
				case "keep":
					bk = len(splits) - 1
				}
			}
			res[i] = float64(bk)
		}
		results[k] = res
	}
	out := f
	if keep != nil && slices.Contains(keep, false) {
		if out, err = f.Filter(ctx, keep); err != nil {
			return nil, err
		}
		for k, res := range results {
			kept := res[:0:0]
			for i, x := range res {
				if keep[i] {
					kept = append(kept, x)
				}
			}
			results[k] = kept
		}
	}
	for k := range ins {
		field, _ := ml.FieldOf(sc, outs[k])
		if out, err = out.WithColumn(field, float64Column(results[k], nil)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// QuantileDiscretizerParams are QuantileDiscretizer's params (Spark's
// names).
type QuantileDiscretizerParams struct {
	NumBuckets      int      `param:"numBuckets" doc:"number of buckets (>= 2); fewer result when quantiles coincide"`
	InputCol        string   `param:"inputCol" doc:"numeric column to discretize"`
	OutputCol       string   `param:"outputCol" doc:"double column of bucket indices"`
	HandleInvalid   string   `param:"handleInvalid" doc:"passed to the fitted Bucketizer: error, skip or keep"`
	NumBucketsArray []int    `param:"numBucketsArray" doc:"numBuckets for each inputCols entry; empty: numBuckets for all"`
	InputCols       []string `param:"inputCols" doc:"several numeric columns, instead of inputCol"`
	OutputCols      []string `param:"outputCols" doc:"one output per inputCols entry"`
	RelativeError   float64  `param:"relativeError" doc:"Spark's approximation bound for quantiles, in [0, 1]; Sluice computes them exactly and uses it only for the extreme quantiles"`
}

// Validate checks the params.
func (p QuantileDiscretizerParams) Validate() error {
	ins, _, err := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols)
	if err != nil {
		return err
	}
	switch p.HandleInvalid {
	case "error", "skip", "keep":
	default:
		return fmt.Errorf("handleInvalid %q: use error, skip or keep", p.HandleInvalid)
	}
	if !(p.RelativeError >= 0 && p.RelativeError <= 1) {
		return fmt.Errorf("relativeError %v: want a value in [0, 1]", p.RelativeError)
	}
	if len(p.NumBucketsArray) > 0 {
		if p.InputCol != "" {
			return errors.New("numBucketsArray goes with inputCols; with inputCol set numBuckets")
		}
		if len(p.NumBucketsArray) != len(ins) {
			return fmt.Errorf("numBucketsArray has %d entries for %d input columns; give one per column or leave it empty to use numBuckets", len(p.NumBucketsArray), len(ins))
		}
		for k, nb := range p.NumBucketsArray {
			if nb < 2 {
				return fmt.Errorf("numBucketsArray[%d] = %d; want at least 2", k, nb)
			}
		}
		return nil
	}
	if p.NumBuckets < 2 {
		return fmt.Errorf("numBuckets %d: want at least 2", p.NumBuckets)
	}
	return nil
}

func (p QuantileDiscretizerParams) numBuckets(k int) int {
	if len(p.NumBucketsArray) > 0 {
		return p.NumBucketsArray[k]
	}
	return p.NumBuckets
}

// QuantileDiscretizer fits a Bucketizer whose splits are the quantiles
// 0, 1/numBuckets, …, 1 of each column (NULL and NaN ignored), with the
// outer splits replaced by -Infinity and Infinity and repeated splits
// merged (so a column with few distinct values gets fewer buckets), as
// Spark does. Quantiles are exact, taken as Spark's approxQuantile takes
// them on exact summaries: the element of rank ceil(q·n).
// scikit-learn's KBinsDiscretizer(strategy="quantile") interpolates
// between ranks and keeps the data's minimum and maximum as outer edges,
// so its edges differ.
type QuantileDiscretizer struct {
	P QuantileDiscretizerParams
}

var _ ml.Estimator = (*QuantileDiscretizer)(nil)

// NewQuantileDiscretizer returns a QuantileDiscretizer with Spark's
// defaults (numBuckets 2, handleInvalid "error", relativeError 0.001).
func NewQuantileDiscretizer() *QuantileDiscretizer {
	return &QuantileDiscretizer{P: QuantileDiscretizerParams{NumBuckets: 2, HandleInvalid: "error", NumBucketsArray: []int{}, InputCols: []string{}, OutputCols: []string{}, RelativeError: 0.001}}
}

// StageName returns "QuantileDiscretizer".
func (q *QuantileDiscretizer) StageName() string { return "QuantileDiscretizer" }

// Params returns the params.
func (q *QuantileDiscretizer) Params() any { return &q.P }

func (q *QuantileDiscretizer) bucketizer(splits [][]float64) *Bucketizer {
	b := NewBucketizer()
	b.P.HandleInvalid = q.P.HandleInvalid
	if q.P.InputCol != "" {
		b.P.InputCol, b.P.OutputCol = q.P.InputCol, q.P.OutputCol
		if splits != nil {
			b.P.Splits = splits[0]
		}
	} else {
		b.P.InputCols, b.P.OutputCols = slices.Clone(q.P.InputCols), slices.Clone(q.P.OutputCols)
		b.P.SplitsArray = splits
	}
	return b
}

// TransformSchema checks the inputs and adds the outputs (without bucket
// names, which depend on the data).
func (q *QuantileDiscretizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := q.P.Validate(); err != nil {
		return nil, err
	}
	ins, outs, _ := ioCols(q.P.InputCol, q.P.OutputCol, q.P.InputCols, q.P.OutputCols)
	if err := checkNumericInputs(in, ins); err != nil {
		return nil, err
	}
	if err := checkOutputs(in, outs); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(outs))
	for k, o := range outs {
		fields[k] = nominalField(o, nil)
	}
	return ml.AddFields(in, fields...)
}

// Fit computes the splits and returns them as a Bucketizer.
func (q *QuantileDiscretizer) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := q.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	ins, _, _ := ioCols(q.P.InputCol, q.P.OutputCol, q.P.InputCols, q.P.OutputCols)
	all := make([][]float64, len(ins))
	for k, c := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		vals, valid, err := scalarColumn(f, c)
		if err != nil {
			return nil, err
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("column %s: no rows to fit on; check the input table or the filter", c)
		}
		present := make([]float64, 0, len(vals))
		for i, x := range vals {
			if !isNull(valid, i) && !math.IsNaN(x) {
				present = append(present, x)
			}
		}
		if len(present) == 0 {
			return nil, fmt.Errorf("column %s has no values other than NULL and NaN (%d rows); there are no quantiles to split at", c, len(vals))
		}
		slices.Sort(present)
		all[k] = quantileSplits(present, q.P.numBuckets(k), q.P.RelativeError)
	}
	return q.bucketizer(all), nil
}

// quantileSplits returns Spark's splits for sorted values: the quantiles
// i/numBuckets, ends set to ∓Infinity, -0 made 0, duplicates merged.
func quantileSplits(sorted []float64, numBuckets int, relErr float64) []float64 {
	s := make([]float64, numBuckets+1)
	for i := range s {
		s[i] = quantileSorted(sorted, float64(i)/float64(numBuckets), relErr)
	}
	s[0], s[numBuckets] = math.Inf(-1), math.Inf(1)
	for i, x := range s {
		if x == 0 {
			s[i] = 0 // -0 → 0
		}
	}
	slices.Sort(s)
	return slices.Compact(s)
}
