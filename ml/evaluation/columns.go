package evaluation

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// checkEvery is how many rows the column readers go between ctx checks.
const checkEvery = 1 << 14

// readNumeric reads numeric column name (the value of param) as float64.
// A NULL or NaN value, or an infinite one unless allowInf, is an error
// naming the column, the 1-based row and the fix.
func readNumeric(ctx context.Context, f *ml.Frame, param, name string, allowInf bool) ([]float64, error) {
	if err := ml.CheckNumericCol(f.Schema(), param, name); err != nil {
		return nil, err
	}
	arr, err := flat(f, name)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vals, _, err := ml.Float64s(arr)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	for i, v := range vals {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !math.IsNaN(v) && (allowInf || !math.IsInf(v, 0)) {
			continue
		}
		what := "NaN"
		if arr.IsNull(i) {
			what = "NULL"
		} else if math.IsInf(v, 0) {
			what = strconv.FormatFloat(v, 'g', -1, 64)
		}
		return nil, fmt.Errorf("column %s, row %d: %s is %s; drop or fill the row before evaluating", name, i+1, param, what)
	}
	return vals, nil
}

// readWeights reads weightCol, or returns nil (every weight 1) when it is
// empty. Weights must be finite and >= 0.
func readWeights(ctx context.Context, f *ml.Frame, weightCol string) ([]float64, error) {
	if weightCol == "" {
		return nil, nil
	}
	w, err := readNumeric(ctx, f, "weightCol", weightCol, false)
	if err != nil {
		return nil, err
	}
	for i, v := range w {
		if v < 0 {
			return nil, fmt.Errorf("column %s, row %d: weight %v is negative; weights must be >= 0", weightCol, i+1, v)
		}
	}
	return w, nil
}

// readVectors calls fn for every row of vector column name (the value of
// param); a NULL vector is an error naming the row.
func readVectors(ctx context.Context, f *ml.Frame, param, name string, fn func(row int, v ml.Vector) error) error {
	if err := ml.CheckVectorCol(f.Schema(), param, name); err != nil {
		return err
	}
	arr, err := flat(f, name)
	if err != nil {
		return err
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return fmt.Errorf("column %s: %w", name, err)
	}
	for i := 0; i < vc.Len(); i++ {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if vc.IsNull(i) {
			return fmt.Errorf("column %s, row %d: %s vector is NULL; drop the row before evaluating", name, i+1, param)
		}
		if err := fn(i, vc.At(i)); err != nil {
			return err
		}
	}
	return nil
}

// readScores reads a binary classifier's score column: a vector column
// (element 1, the positive class, as Spark) or a numeric column.
func readScores(ctx context.Context, f *ml.Frame, param, name string) ([]float64, error) {
	field, err := ml.FieldOf(f.Schema(), name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", param, err)
	}
	if !ml.IsVector(field.Type) {
		if !ml.IsNumeric(field.Type) {
			return nil, fmt.Errorf("%s %q has type %s; want a vector (a classifier's rawPrediction or probability) or a number", param, name, field.Type)
		}
		return readNumeric(ctx, f, param, name, true)
	}
	out := make([]float64, f.NumRows())
	err = readVectors(ctx, f, param, name, func(i int, v ml.Vector) error {
		if v.Size != 2 {
			return fmt.Errorf("column %s, row %d: vector has %d elements, want 2 (one per class of a binary classifier); for more classes use MulticlassClassificationEvaluator", name, i+1, v.Size)
		}
		s := v.At(1)
		if math.IsNaN(s) {
			return fmt.Errorf("column %s, row %d: score (element 1) is NaN; drop the row before evaluating", name, i+1)
		}
		out[i] = s
		return nil
	})
	return out, err
}

// checkBinaryLabels checks that labels are 0 or 1.
func checkBinaryLabels(labels []float64, labelCol string) error {
	for i, l := range labels {
		if l != 0 && l != 1 {
			return fmt.Errorf("column %s, row %d: label %v is not 0 or 1; binary metrics need 0/1 labels (index them with StringIndexer, or use MulticlassClassificationEvaluator)", labelCol, i+1, l)
		}
	}
	return nil
}

func flat(f *ml.Frame, name string) (arrow.Array, error) {
	c, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	return ml.Flatten(c)
}
