package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// VectorAssemblerParams are VectorAssembler's params (Spark's names).
type VectorAssemblerParams struct {
	InputCols     []string `param:"inputCols" doc:"numeric, boolean or vector columns, concatenated in this order"`
	OutputCol     string   `param:"outputCol" doc:"name of the vector column produced"`
	HandleInvalid string   `param:"handleInvalid" doc:"what a NULL or NaN input does: error (fail naming column and row), skip (drop the row) or keep (NULL becomes NaN)"`
}

// Validate checks the params.
func (p VectorAssemblerParams) Validate() error {
	if len(p.InputCols) == 0 {
		return errors.New("inputCols is empty; list the columns to assemble")
	}
	if p.OutputCol == "" {
		return errors.New("outputCol is empty")
	}
	switch p.HandleInvalid {
	case "error", "skip", "keep":
	default:
		return fmt.Errorf("handleInvalid %q: use error, skip or keep", p.HandleInvalid)
	}
	return nil
}

// VectorAssembler concatenates columns into one vector column (dense).
type VectorAssembler struct {
	P VectorAssemblerParams

	memo fieldMemo // the output field for the last input schema
}

var _ ml.Transformer = (*VectorAssembler)(nil)

// NewVectorAssembler returns a VectorAssembler with Spark's defaults
// (handleInvalid "error", outputCol "features").
func NewVectorAssembler() *VectorAssembler {
	return &VectorAssembler{P: VectorAssemblerParams{OutputCol: "features", HandleInvalid: "error"}}
}

// StageName returns "VectorAssembler".
func (a *VectorAssembler) StageName() string { return "VectorAssembler" }

// Params returns the params.
func (a *VectorAssembler) Params() any { return &a.P }

// TransformSchema checks the input columns and adds the output column.
func (a *VectorAssembler) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := a.P.Validate(); err != nil {
		return nil, err
	}
	for _, c := range a.P.InputCols {
		idx := in.FieldIndices(c)
		if len(idx) == 0 {
			return nil, fmt.Errorf("no input column %q; columns are %s", c, strings.Join(ml.ColumnNames(in), ", "))
		}
		t := in.Field(idx[0]).Type
		if !ml.IsNumeric(t) && !ml.IsVector(t) {
			return nil, fmt.Errorf("input column %q has type %s; want a number, boolean or vector (index strings with StringIndexer first)", c, t)
		}
	}
	if len(in.FieldIndices(a.P.OutputCol)) > 0 {
		return nil, fmt.Errorf("output column %q already exists", a.P.OutputCol)
	}
	return ml.AddFields(in, a.outField(in, nil))
}

// outField is the output field with Spark's attribute group: each input's
// name, and for columns with nominal metadata (StringIndexer output) the
// category values, which trees read to split on categories. sizes gives
// the width of vector inputs (nil or missing: take it from their own
// attribute group, else 1).
func (a *VectorAssembler) outField(in *arrow.Schema, sizes map[string]int) arrow.Field {
	key := schemaKey(in, a.P.InputCols, sizes, a.P.OutputCol)
	return a.memo.get(key, func() arrow.Field { return a.buildOutField(in, sizes) })
}

func (a *VectorAssembler) buildOutField(in *arrow.Schema, sizes map[string]int) arrow.Field {
	var va ml.VectorAttrs
	idx := 0
	for _, c := range a.P.InputCols {
		f := in.Field(in.FieldIndices(c)[0])
		if ml.IsVector(f.Type) {
			sub := ml.VectorAttrsOf(f)
			n, ok := sizes[c]
			if !ok {
				n = sub.NumAttrs
			}
			for j := 0; j < n; j++ {
				name := c + "_" + strconv.Itoa(j)
				if sub.NumAttrs > 0 && sub.Name(j) != "feature "+strconv.Itoa(j) {
					name = c + "_" + sub.Name(j)
				}
				cat := sub.Categorical()
				if k, ok := cat[j]; ok {
					va.Nominal = append(va.Nominal, ml.Attr{Idx: idx, Name: name, NumVals: k})
				} else {
					va.Numeric = append(va.Numeric, ml.Attr{Idx: idx, Name: name})
				}
				idx++
			}
			continue
		}
		if vals := ml.NominalValues(f); vals != nil {
			va.Nominal = append(va.Nominal, ml.Attr{Idx: idx, Name: c, Vals: vals})
		} else {
			va.Numeric = append(va.Numeric, ml.Attr{Idx: idx, Name: c})
		}
		idx++
	}
	va.NumAttrs = idx
	return arrow.Field{Name: a.P.OutputCol, Type: ml.VectorType, Nullable: true, Metadata: va.Metadata()}
}

type assemblerInput struct {
	name string
	nums []float64
	vecs *ml.VectorColumn
	arr  arrow.Array
	size int // vector size, from the first non-null row
}

// Transform adds the assembled vector column.
func (a *VectorAssembler) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := a.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	n := int(f.NumRows())
	inputs := make([]assemblerInput, len(a.P.InputCols))
	for i, name := range a.P.InputCols {
		col, _ := f.Column(name)
		arr, err := ml.Flatten(col)
		if err != nil {
			return nil, err
		}
		defer arr.Release()
		in := assemblerInput{name: name, arr: arr, size: 1}
		if ml.IsVector(arr.DataType()) {
			if in.vecs, err = ml.NewVectorColumn(arr); err != nil {
				return nil, err
			}
			in.size = -1
			for r := 0; r < n; r++ {
				if !in.vecs.IsNull(r) {
					in.size = in.vecs.At(r).Size
					break
				}
			}
		} else if in.nums, _, err = ml.Float64s(arr); err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		inputs[i] = in
	}
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	keep := make([]bool, n)
	dropped := 0
	buf := make([]float64, 0, 16)
	for r := 0; r < n; r++ {
		if r%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		buf = buf[:0]
		invalid := ""
		for _, in := range inputs {
			if in.vecs != nil {
				if in.vecs.IsNull(r) {
					invalid = in.name + " is NULL"
					if in.size < 0 {
						return nil, fmt.Errorf("column %s: every vector is NULL, so its size is unknown", in.name)
					}
					for range in.size {
						buf = append(buf, math.NaN())
					}
					continue
				}
				v := in.vecs.At(r)
				if in.size >= 0 && v.Size != in.size {
					return nil, fmt.Errorf("column %s, row %d: vector of size %d, earlier rows have %d", in.name, r+1, v.Size, in.size)
				}
				start := len(buf)
				buf = v.AppendTo(buf)
				for _, x := range buf[start:] {
					if math.IsNaN(x) && invalid == "" {
						invalid = in.name + " holds NaN"
					}
				}
				continue
			}
			x := in.nums[r]
			if math.IsNaN(x) && invalid == "" {
				if in.arr.IsNull(r) {
					invalid = in.name + " is NULL"
				} else {
					invalid = in.name + " is NaN"
				}
			}
			buf = append(buf, x)
		}
		if invalid != "" {
			switch a.P.HandleInvalid {
			case "error":
				return nil, fmt.Errorf("row %d: %s; filter or impute it (Imputer), or set handleInvalid to skip or keep", r+1, invalid)
			case "skip":
				dropped++
				continue
			}
		}
		keep[r] = true
		vb.Append(ml.Dense(append([]float64(nil), buf...)...))
	}
	vec := vb.NewArray()
	defer vec.Release()
	out := f
	if dropped > 0 {
		var err error
		if out, err = f.Filter(ctx, keep); err != nil {
			return nil, err
		}
	}
	sizes := map[string]int{}
	for _, in := range inputs {
		if in.vecs != nil {
			sizes[in.name] = in.size
		}
	}
	field := a.outField(f.Schema(), sizes)
	return out.WithColumn(field, arrow.NewChunked(ml.VectorType, []arrow.Array{vec}))
}
