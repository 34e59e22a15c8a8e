package feature

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// VectorSlicerParams are VectorSlicer's params (Spark's names).
type VectorSlicerParams struct {
	InputCol  string   `param:"inputCol" doc:"vector column to slice"`
	OutputCol string   `param:"outputCol" doc:"vector column of the selected features"`
	Indices   []int    `param:"indices" doc:"feature indices to keep, in output order"`
	Names     []string `param:"names" doc:"feature names to keep (from the column's attribute metadata), after indices"`
}

// Validate checks the params.
func (p VectorSlicerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if len(p.Indices) == 0 && len(p.Names) == 0 {
		return errors.New("indices and names are both empty; select at least one feature")
	}
	seen := map[int]bool{}
	for _, i := range p.Indices {
		if i < 0 {
			return fmt.Errorf("indices holds %d; indices must be >= 0", i)
		}
		if seen[i] {
			return fmt.Errorf("indices lists %d twice; each feature may be selected once", i)
		}
		seen[i] = true
	}
	names := map[string]bool{}
	for _, n := range p.Names {
		if n == "" {
			return errors.New("names holds an empty name")
		}
		if names[n] {
			return fmt.Errorf("names lists %q twice; each feature may be selected once", n)
		}
		names[n] = true
	}
	return nil
}

// VectorSlicer keeps the chosen features of a vector column: first those
// in indices, then those in names, looked up in the column's attribute
// group (VectorAssembler writes one). The output keeps the selected
// features' attributes. Sparse vectors stay sparse; NULL stays NULL; an
// index past the end of a vector fails naming the row.
type VectorSlicer struct {
	P VectorSlicerParams
}

var _ ml.Transformer = (*VectorSlicer)(nil)

// NewVectorSlicer returns a VectorSlicer.
func NewVectorSlicer() *VectorSlicer {
	return &VectorSlicer{P: VectorSlicerParams{Indices: []int{}, Names: []string{}}}
}

// StageName returns "VectorSlicer".
func (s *VectorSlicer) StageName() string { return "VectorSlicer" }

// Params returns the params.
func (s *VectorSlicer) Params() any { return &s.P }

// selected resolves names through the input field's attributes.
func (s *VectorSlicer) selected(field arrow.Field) ([]int, error) {
	va := ml.VectorAttrsOf(field)
	out := append([]int(nil), s.P.Indices...)
	if len(s.P.Names) > 0 {
		byName := map[string]int{}
		for _, group := range [][]ml.Attr{va.Numeric, va.Nominal} {
			for _, a := range group {
				if a.Name != "" {
					byName[a.Name] = a.Idx
				}
			}
		}
		if len(byName) == 0 {
			return nil, fmt.Errorf("column %s has no feature names (no ml_attr metadata); select by indices, or assemble the column with VectorAssembler", field.Name)
		}
		known := make([]string, 0, len(byName))
		for n := range byName {
			known = append(known, n)
		}
		sort.Strings(known)
		for _, n := range s.P.Names {
			j, ok := byName[n]
			if !ok {
				msg := fmt.Sprintf("column %s has no feature named %q", field.Name, n)
				if near := ml.Nearest(n, known); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				}
				return nil, fmt.Errorf("%s (features: %s)", msg, abbreviate(known, 10))
			}
			out = append(out, j)
		}
	}
	seen := map[int]bool{}
	for _, j := range out {
		if seen[j] {
			return nil, fmt.Errorf("feature %d is selected twice (by index and by name); select it once", j)
		}
		seen[j] = true
		if va.NumAttrs > 0 && j >= va.NumAttrs {
			return nil, fmt.Errorf("index %d is out of range: column %s has %d features", j, field.Name, va.NumAttrs)
		}
	}
	return out, nil
}

// TransformSchema checks the input vector column and the selection, and
// adds the output with the selected attributes.
func (s *VectorSlicer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := s.P.Validate(); err != nil {
		return nil, err
	}
	if err := checkVectorInput(in, "inputCol", s.P.InputCol); err != nil {
		return nil, err
	}
	field, _ := ml.FieldOf(in, s.P.InputCol)
	sel, err := s.selected(field)
	if err != nil {
		return nil, err
	}
	return ml.AddFields(in, sliceField(s.P.OutputCol, field, sel))
}

// sliceField is the output field of a selection from field.
func sliceField(name string, field arrow.Field, sel []int) arrow.Field {
	va := ml.VectorAttrsOf(field)
	if va.NumAttrs == 0 {
		return vectorField(name, ml.VectorAttrs{})
	}
	return vectorField(name, selectAttrs(va, sel))
}

// Transform adds the sliced column.
func (s *VectorSlicer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := s.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	field, _ := ml.FieldOf(f.Schema(), s.P.InputCol)
	sel, _ := s.selected(field)
	out, _ := ml.FieldOf(sc, s.P.OutputCol)
	return sliceVectors(ctx, f, s.P.InputCol, out, sel)
}

// sliceVectors adds field holding the features sel of vector column in.
func sliceVectors(ctx context.Context, f *ml.Frame, inCol string, field arrow.Field, sel []int) (*ml.Frame, error) {
	in, err := openVectors(f, inCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	maxSel := -1
	for _, j := range sel {
		if j < 0 {
			return nil, fmt.Errorf("selected feature index %d is negative; refit the selector or fix indices", j)
		}
		maxSel = max(maxSel, j)
	}
	col, err := mapVectors(ctx, in, func(row int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		if maxSel >= v.Size {
			return ml.Vector{}, fmt.Errorf("column %s, row %d: vector of size %d has no feature %d; check the selected indices", inCol, row+1, v.Size, maxSel)
		}
		if !v.IsSparse() {
			out := grow(sc.a, len(sel))
			sc.a = out
			for k, j := range sel {
				out[k] = v.Values[j]
			}
			return ml.Dense(out...), nil
		}
		idx, vals := sc.idx[:0], sc.a[:0]
		defer func() { sc.idx, sc.a = idx, vals }()
		for k, j := range sel {
			p := sort.Search(len(v.Indices), func(q int) bool { return int(v.Indices[q]) >= j })
			if p < len(v.Indices) && int(v.Indices[p]) == j {
				idx, vals = append(idx, int32(k)), append(vals, v.Values[p])
			}
		}
		return ml.Sparse(len(sel), idx, vals), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(field, col)
}
