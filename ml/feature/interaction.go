package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// InteractionParams are Interaction's params (Spark's names).
type InteractionParams struct {
	InputCols []string `param:"inputCols" doc:"numeric or vector columns whose products to form, at least one, distinct"`
	OutputCol string   `param:"outputCol" doc:"vector column of all products"`
}

// Validate checks the params.
func (p InteractionParams) Validate() error {
	if len(p.InputCols) == 0 {
		return errors.New("inputCols is empty; list the columns to interact")
	}
	if p.OutputCol == "" {
		return errors.New("outputCol is empty")
	}
	seen := map[string]bool{}
	for _, c := range p.InputCols {
		if seen[c] {
			return fmt.Errorf("inputCols lists %q twice; the columns must be distinct", c)
		}
		seen[c] = true
	}
	return nil
}

// Interaction forms the products of every combination of one feature from
// each input column, like R's a:b (Spark's Interaction). Nominal features
// — a numeric column, or a vector feature, marked nominal in its ml_attr
// metadata (StringIndexer, VectorAssembler write it) — are one-hot
// encoded first, without dropping a category; other features are used as
// they are. The first column varies slowest: for inputs (2) and (3, 4)
// the output is (6, 8), and if the first were nominal with value 2 of 3
// categories it would be (0, 0, 0, 0, 3, 4). Output names join the
// features' names with ":".
//
// A NULL input fails naming column and row, as does a nominal value that
// is not a valid category. NaN propagates. Spark insists on attribute
// metadata for vector columns; Sluice treats a vector without it as
// numeric features of the size of its first row.
type Interaction struct {
	P InteractionParams
}

var _ ml.Transformer = (*Interaction)(nil)

// NewInteraction returns an Interaction.
func NewInteraction() *Interaction {
	return &Interaction{P: InteractionParams{InputCols: []string{}}}
}

// StageName returns "Interaction".
func (it *Interaction) StageName() string { return "Interaction" }

// Params returns the params.
func (it *Interaction) Params() any { return &it.P }

// interactionInput describes how one input column is encoded: a
// cardinality per feature (0 for numeric) and the output names.
type interactionInput struct {
	name   string
	vector bool
	cards  []int
	names  []string
	width  int
}

// encoding builds the description of column c from its field; size is
// the vector size seen in the data (-1 if unknown). ok is false when a
// vector's size is unknown.
func encoding(field arrow.Field, size int) (interactionInput, bool, error) {
	in := interactionInput{name: field.Name}
	if !ml.IsVector(field.Type) {
		a := scalarAttr(field)
		if a.n > 0 {
			in.cards = []int{a.n}
			for _, v := range a.names() {
				in.names = append(in.names, field.Name+"_"+v)
			}
		} else {
			in.cards, in.names = []int{0}, []string{field.Name}
		}
		in.width = len(in.names)
		return in, true, nil
	}
	in.vector = true
	va := ml.VectorAttrsOf(field)
	n := va.NumAttrs
	if n == 0 {
		n = size
	} else if size >= 0 && size != n {
		return in, false, fmt.Errorf("column %s: vectors have %d features, its metadata describes %d", field.Name, size, n)
	}
	if n < 0 {
		return in, false, nil
	}
	cat := va.Categorical()
	for j := 0; j < n; j++ {
		a, _, named := attrAt(va, j)
		base := field.Name + "_" + strconv.Itoa(j)
		if named && a.Name != "" {
			base = field.Name + "_" + a.Name
		}
		k := cat[j]
		in.cards = append(in.cards, k)
		if k == 0 {
			in.names = append(in.names, base)
			continue
		}
		vals := nominalAttr{vals: a.Vals, n: k}.names()
		for _, v := range vals {
			in.names = append(in.names, base+"_"+v)
		}
	}
	in.width = len(in.names)
	return in, true, nil
}

// outputAttrs joins the inputs' names, first column outermost.
func interactionAttrs(inputs []interactionInput) ml.VectorAttrs {
	names := []string{""}
	for k, in := range inputs {
		next := make([]string, 0, len(names)*len(in.names))
		for _, head := range names {
			for _, n := range in.names {
				if k == 0 {
					next = append(next, n)
				} else {
					next = append(next, head+":"+n)
				}
			}
		}
		names = next
	}
	va := ml.VectorAttrs{NumAttrs: len(names)}
	for i, n := range names {
		va.Numeric = append(va.Numeric, ml.Attr{Idx: i, Name: n})
	}
	return va
}

// TransformSchema checks the inputs (numeric or vector) and adds the
// output, with names when every vector input has attribute metadata.
func (it *Interaction) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := it.P.Validate(); err != nil {
		return nil, err
	}
	inputs := make([]interactionInput, len(it.P.InputCols))
	known := true
	for k, c := range it.P.InputCols {
		field, err := ml.FieldOf(in, c)
		if err != nil {
			return nil, fmt.Errorf("inputCols: %w", err)
		}
		if !ml.IsVector(field.Type) && !ml.IsNumeric(field.Type) {
			return nil, fmt.Errorf("input column %q has type %s; want a number, boolean or vector (index strings with StringIndexer first)", c, field.Type)
		}
		enc, ok, err := encoding(field, -1)
		if err != nil {
			return nil, err
		}
		known = known && ok
		inputs[k] = enc
	}
	var va ml.VectorAttrs
	if known {
		va = interactionAttrs(inputs)
	}
	return ml.AddFields(in, vectorField(it.P.OutputCol, va))
}

// interactionColumn is an input ready for reading rows.
type interactionColumn struct {
	interactionInput
	nums  []float64
	valid []bool
	vecs  *vectorInput
}

// active calls fn for the encoded entries of row i (index, value), in
// increasing index order.
func (c *interactionColumn) active(i int, fn func(j int, v float64)) error {
	check := func(x float64, card int) (int, error) {
		if math.IsNaN(x) || x < 0 || x != math.Trunc(x) || x >= float64(card) {
			return 0, fmt.Errorf("column %s, row %d: %v is not a category index 0 … %d; index the column with StringIndexer or fix its metadata", c.name, i+1, x, card-1)
		}
		return int(x), nil
	}
	if !c.vector {
		if isNull(c.valid, i) {
			return fmt.Errorf("column %s, row %d: NULL; Interaction needs every input, so drop or impute the row first", c.name, i+1)
		}
		x := c.nums[i]
		if c.cards[0] > 0 {
			j, err := check(x, c.cards[0])
			if err != nil {
				return err
			}
			fn(j, 1)
			return nil
		}
		fn(0, x)
		return nil
	}
	if c.vecs.vc.IsNull(i) {
		return fmt.Errorf("column %s, row %d: NULL vector; Interaction needs every input, so drop or impute the row first", c.name, i+1)
	}
	v := c.vecs.vc.At(i)
	if err := v.Validate(); err != nil {
		return fmt.Errorf("column %s, row %d: malformed vector: %v", c.name, i+1, err)
	}
	if v.Size != len(c.cards) {
		return fmt.Errorf("column %s, row %d: vector of size %d, expected %d", c.name, i+1, v.Size, len(c.cards))
	}
	cur := 0
	for j, card := range c.cards {
		x := v.At(j)
		if card > 0 {
			k, err := check(x, card)
			if err != nil {
				return err
			}
			fn(cur+k, 1)
			cur += card
		} else {
			fn(cur, x)
			cur++
		}
	}
	return nil
}

// Transform adds the interaction column (compressed: sparse when that is
// smaller).
func (it *Interaction) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := it.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	cols := make([]*interactionColumn, len(it.P.InputCols))
	inputs := make([]interactionInput, len(cols))
	size := 1
	for k, c := range it.P.InputCols {
		field, _ := ml.FieldOf(f.Schema(), c)
		ic := &interactionColumn{}
		vsize := -1
		if ml.IsVector(field.Type) {
			vi, err := openVectors(f, c)
			if err != nil {
				return nil, err
			}
			defer vi.Release()
			ic.vecs, vsize = vi, vi.firstSize()
			if vsize < 0 && f.NumRows() > 0 {
				return nil, fmt.Errorf("column %s: every vector is NULL; Interaction needs every input", c)
			}
		} else {
			var err error
			if ic.nums, ic.valid, err = scalarColumn(f, c); err != nil {
				return nil, err
			}
		}
		enc, _, err := encoding(field, vsize)
		if err != nil {
			return nil, err
		}
		ic.interactionInput = enc
		cols[k], inputs[k] = ic, enc
		size *= enc.width
		if size > math.MaxInt32 {
			return nil, fmt.Errorf("the interaction of %v has more than %d features; interact fewer or smaller columns", it.P.InputCols, math.MaxInt32)
		}
	}
	col, err := buildVectors(ctx, int(f.NumRows()), func(_ context.Context, lo, hi int, vb *ml.VectorBuilder) error {
		var idx, next []int32
		var vals, nextVals []float64
		var sc scratch
		for i := lo; i < hi; i++ {
			idx, vals = append(idx[:0], 0), append(vals[:0], 1)
			prevSize := 1
			for k := len(cols) - 1; k >= 0; k-- {
				next, nextVals = next[:0], nextVals[:0]
				err := cols[k].active(i, func(j int, a float64) {
					for p := range idx {
						next = append(next, idx[p]+int32(j*prevSize))
						nextVals = append(nextVals, vals[p]*a)
					}
				})
				if err != nil {
					return err
				}
				idx, next = next, idx
				vals, nextVals = nextVals, vals
				prevSize *= cols[k].width
			}
			vb.Append(compressed(ml.Sparse(size, idx, vals), &sc))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(it.P.OutputCol, interactionAttrs(inputs)), col)
}
