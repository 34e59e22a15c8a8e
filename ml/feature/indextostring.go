package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// IndexToStringParams are IndexToString's params (Spark's names).
type IndexToStringParams struct {
	InputCol  string   `param:"inputCol" doc:"numeric column of label indices 0, 1, …"`
	OutputCol string   `param:"outputCol" doc:"string column of labels"`
	Labels    []string `param:"labels" doc:"label of each index; empty: take them from the input column's ml_attr metadata (StringIndexer writes it)"`
}

// Validate checks the params.
func (p IndexToStringParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	return nil
}

// IndexToString maps label indices back to labels, the inverse of
// StringIndexerModel: index i becomes labels[i], with the labels taken
// from the labels param or, when that is empty, from the input column's
// nominal ml_attr metadata. A NULL index gives NULL. NaN, a fractional or
// negative index, or one past the last label is an error naming the row
// (Spark truncates fractions; Sluice refuses them as a likely mistake).
type IndexToString struct {
	P IndexToStringParams
}

var _ ml.Transformer = (*IndexToString)(nil)

// NewIndexToString returns an IndexToString with Spark's defaults (no
// labels: read them from metadata).
func NewIndexToString() *IndexToString {
	return &IndexToString{P: IndexToStringParams{Labels: []string{}}}
}

// StageName returns "IndexToString".
func (s *IndexToString) StageName() string { return "IndexToString" }

// Params returns the params.
func (s *IndexToString) Params() any { return &s.P }

// TransformSchema checks that the input is numeric and adds the string
// output column. Labels are looked for in Transform, since metadata
// usually appears only once an indexer is fitted.
func (s *IndexToString) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := s.P.Validate(); err != nil {
		return nil, err
	}
	if err := checkNumericInputs(in, []string{s.P.InputCol}); err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: s.P.OutputCol, Type: arrow.BinaryTypes.String, Nullable: true})
}

// Transform adds the label column.
func (s *IndexToString) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	labels := s.P.Labels
	if len(labels) == 0 {
		field, _ := ml.FieldOf(f.Schema(), s.P.InputCol)
		labels = ml.NominalValues(field)
		if len(labels) == 0 {
			return nil, fmt.Errorf("column %s has no label metadata (ml_attr); set the labels param, or index the column with StringIndexer so the labels travel with it", s.P.InputCol)
		}
	}
	vals, valid, err := scalarColumn(f, s.P.InputCol)
	if err != nil {
		return nil, err
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(len(vals))
	for i, x := range vals {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if isNull(valid, i) {
			b.AppendNull()
			continue
		}
		if math.IsNaN(x) || x < 0 || x != math.Trunc(x) || x >= float64(len(labels)) {
			return nil, fmt.Errorf("column %s, row %d: index %v has no label; indices must be whole numbers 0 … %d (labels %s)", s.P.InputCol, i+1, x, len(labels)-1, abbreviate(labels, 5))
		}
		b.Append(labels[int(x)])
	}
	arr := b.NewArray()
	defer arr.Release()
	return f.WithColumn(arrow.Field{Name: s.P.OutputCol, Type: arrow.BinaryTypes.String, Nullable: true}, arrow.NewChunked(arr.DataType(), []arrow.Array{arr}))
}

// abbreviate lists at most n items of s.
func abbreviate(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(", … (%d in all)", len(s))
}
