package feature

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// OneHotEncoderParams are OneHotEncoder's params (Spark's names). Use
// inputCol/outputCol for one column or inputCols/outputCols for several.
type OneHotEncoderParams struct {
	InputCol      string   `param:"inputCol" doc:"column of category indices 0, 1, … (StringIndexer output)"`
	OutputCol     string   `param:"outputCol" doc:"sparse vector column of the one-hot encoding"`
	InputCols     []string `param:"inputCols" doc:"several index columns, instead of inputCol"`
	OutputCols    []string `param:"outputCols" doc:"one output per inputCols entry, instead of outputCol"`
	DropLast      bool     `param:"dropLast" doc:"drop the last category, so the slots are linearly independent"`
	HandleInvalid string   `param:"handleInvalid" doc:"at transform, an unseen, negative, fractional, NaN or NULL index: error (fail naming the row) or keep (an extra slot after the categories)"`
}

// Validate checks the params.
func (p OneHotEncoderParams) Validate() error {
	if _, _, err := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols); err != nil {
		return err
	}
	switch p.HandleInvalid {
	case "error", "keep":
	default:
		return fmt.Errorf("handleInvalid %q: use error or keep", p.HandleInvalid)
	}
	return nil
}

func (p OneHotEncoderParams) cols() (ins, outs []string) {
	ins, outs, _ = ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols)
	return ins, outs
}

// OneHotEncoder maps category indices to sparse binary vectors with a
// single 1 at the index (Spark's OneHotEncoder). The number of
// categories of a column comes from its ml_attr metadata (StringIndexer
// writes it) or, without metadata, from the data: the largest index + 1.
// Fitting on data with a NULL, NaN, negative or fractional index fails
// naming the row. The output's attribute group names each slot after its
// category, so VectorAssembler and trees see the names.
type OneHotEncoder struct {
	P OneHotEncoderParams
}

var _ ml.Estimator = (*OneHotEncoder)(nil)

// NewOneHotEncoder returns a OneHotEncoder with Spark's defaults
// (dropLast true, handleInvalid "error").
func NewOneHotEncoder() *OneHotEncoder {
	return &OneHotEncoder{P: OneHotEncoderParams{InputCols: []string{}, OutputCols: []string{}, DropLast: true, HandleInvalid: "error"}}
}

// StageName returns "OneHotEncoder".
func (e *OneHotEncoder) StageName() string { return "OneHotEncoder" }

// Params returns the params.
func (e *OneHotEncoder) Params() any { return &e.P }

// TransformSchema checks the input columns (numeric, not marked numeric
// by metadata) and adds the output columns, with their attribute groups
// where the metadata gives the categories.
func (e *OneHotEncoder) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return oneHotSchema(e.P, in, nil)
}

func oneHotSchema(p OneHotEncoderParams, in *arrow.Schema, sizes []int) (*arrow.Schema, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ins, outs := p.cols()
	if sizes != nil && len(sizes) != len(ins) {
		return nil, fmt.Errorf("the model was fitted on %d columns, inputCols names %d; refit or restore the column list", len(sizes), len(ins))
	}
	if err := checkNumericInputs(in, ins); err != nil {
		return nil, err
	}
	if err := checkOutputs(in, outs); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(ins))
	for k, c := range ins {
		field, _ := ml.FieldOf(in, c)
		attr := scalarAttr(field)
		if attr.kind == "numeric" {
			return nil, fmt.Errorf("input column %q is marked continuous (numeric ml_attr); one-hot encoding needs category indices", c)
		}
		var names []string
		switch {
		case sizes != nil:
			if sizes[k] < 0 {
				return nil, fmt.Errorf("the model's category count for %q is %d; refit the encoder", c, sizes[k])
			}
			if attr.n > 0 && attr.n != sizes[k] {
				return nil, fmt.Errorf("input column %q: the model was fitted on %d categories, the column's metadata says %d; refit the encoder on this data", c, sizes[k], attr.n)
			}
			names = nominalAttr{vals: attr.vals, n: sizes[k]}.names()
		case attr.n > 0:
			names = attr.names()
		}
		if names == nil {
			fields[k] = vectorField(outs[k], ml.VectorAttrs{})
			continue
		}
		fields[k] = vectorField(outs[k], oneHotAttrs(names, p.DropLast, p.HandleInvalid == "keep"))
	}
	return ml.AddFields(in, fields...)
}

// oneHotAttrs names the output slots as Spark does: the categories, less
// the last with dropLast, plus "invalidValues" with handleInvalid=keep
// (and dropLast false; with both, the invalid slot is the dropped one).
func oneHotAttrs(names []string, dropLast, keep bool) ml.VectorAttrs {
	switch {
	case dropLast && !keep:
		names = names[:max(0, len(names)-1)]
	case !dropLast && keep:
		names = append(slices.Clone(names), "invalidValues")
	}
	va := ml.VectorAttrs{NumAttrs: len(names)}
	for i, n := range names {
		va.Numeric = append(va.Numeric, ml.Attr{Idx: i, Name: n})
	}
	return va
}

// Fit finds each column's number of categories.
func (e *OneHotEncoder) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	ins, _ := e.P.cols()
	sizes := make([]int, len(ins))
	for k, c := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		field, _ := ml.FieldOf(f.Schema(), c)
		if a := scalarAttr(field); a.n > 0 {
			sizes[k] = a.n
			continue
		}
		vals, valid, err := scalarColumn(f, c)
		if err != nil {
			return nil, err
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("column %s: no rows to fit on and no category metadata; fit on data or index the column with StringIndexer", c)
		}
		maxIdx := -1.0
		for i, x := range vals {
			switch {
			case isNull(valid, i):
				return nil, fmt.Errorf("column %s, row %d: index is NULL; drop or fill the row before fitting (handleInvalid applies to transform only)", c, i+1)
			case math.IsNaN(x) || x < 0 || x != math.Trunc(x) || x >= 1<<31-1:
				return nil, fmt.Errorf("column %s, row %d: %v is not a category index 0, 1, 2, …; index the column with StringIndexer or Bucketizer", c, i+1, x)
			}
			maxIdx = max(maxIdx, x)
		}
		sizes[k] = int(maxIdx) + 1
	}
	return &OneHotEncoderModel{P: e.P, CategorySizes: sizes}, nil
}

// OneHotEncoderModel holds the number of categories of each input column.
type OneHotEncoderModel struct {
	P             OneHotEncoderParams
	CategorySizes []int
}

var _ ml.Model = (*OneHotEncoderModel)(nil)

// StageName returns "OneHotEncoderModel".
func (m *OneHotEncoderModel) StageName() string { return "OneHotEncoderModel" }

// Params returns the params.
func (m *OneHotEncoderModel) Params() any { return &m.P }

// TransformSchema checks the input columns against the fitted categories
// and adds the output columns with their attribute groups.
func (m *OneHotEncoderModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return oneHotSchema(m.P, in, m.CategorySizes)
}

// outSize is the length of the output vectors of column k.
func (m *OneHotEncoderModel) outSize(k int) int {
	n := m.CategorySizes[k]
	keep := m.P.HandleInvalid == "keep"
	switch {
	case m.P.DropLast && !keep:
		return max(0, n-1)
	case !m.P.DropLast && keep:
		return n + 1
	}
	return n
}

// Transform adds one sparse vector column per input. An index outside
// the fitted categories (or NaN, fractional, negative, NULL) fails naming
// column and row, or with handleInvalid=keep sets the extra slot (which
// dropLast drops, giving all zeros).
func (m *OneHotEncoderModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := m.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	ins, outs := m.P.cols()
	keep := m.P.HandleInvalid == "keep"
	out := f
	for k, c := range ins {
		vals, valid, err := scalarColumn(f, c)
		if err != nil {
			return nil, err
		}
		cats, size := m.CategorySizes[k], m.outSize(k)
		col, err := buildVectors(ctx, len(vals), func(_ context.Context, lo, hi int, vb *ml.VectorBuilder) error {
			slot, one := []int32{0}, []float64{1} // reused: Append copies
			for i := lo; i < hi; i++ {
				x := vals[i]
				idx := int(x)
				if isNull(valid, i) || math.IsNaN(x) || x < 0 || x != math.Trunc(x) || x >= float64(cats) {
					if !keep {
						what := fmt.Sprintf("index %v", x)
						switch {
						case isNull(valid, i):
							what = "NULL index"
						case x >= float64(cats) && x == math.Trunc(x):
							what = fmt.Sprintf("unseen index %v (the model knows %d categories)", x, cats)
						}
						return fmt.Errorf("column %s, row %d: %s; set handleInvalid to keep, or refit on data that has it", c, i+1, what)
					}
					idx = cats
				}
				if idx < size {
					slot[0] = int32(idx)
					vb.Append(ml.Sparse(size, slot, one))
				} else {
					vb.Append(ml.Sparse(size, slot[:0], one[:0]))
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		field, _ := ml.FieldOf(sc, outs[k])
		if out, err = out.WithColumn(field, col); err != nil {
			return nil, err
		}
	}
	return out, nil
}
