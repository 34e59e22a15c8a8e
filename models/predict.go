package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
)

// OutputsAll, as the only entry of SelectOutputs' outputs, keeps every
// column the model produced.
const OutputsAll = "all"

// CheckInputs checks that rows with schema sc have every column the
// model's signature requires. The error (*apierr.Error, invalid) names
// the missing columns and the model's inputs.
func (m *Model) CheckInputs(sc *arrow.Schema) error {
	var missing []string
	for _, c := range m.Signature.Inputs {
		if c.Required && len(sc.FieldIndices(c.Name)) == 0 {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return apierr.Invalid("the input rows lack column(s) %s, which the model needs (its inputs: %s)",
			strings.Join(missing, ", "), strings.Join(ml.ColumnNames(m.InputSchema), ", ")).
			WithHint("select or rename them in the query")
	}
	return nil
}

// Score checks f against the model's inputs (CheckInputs) and applies the
// model to it, returning every column: f's, the intermediate ones and the
// outputs (prediction, probability …). Use SelectOutputs to keep fewer.
// ctx bounds the work. f is not changed. Safe for concurrent use.
func (m *Model) Score(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := m.CheckInputs(f.Schema()); err != nil {
		return nil, err
	}
	return m.Pipeline.Transform(ctx, f)
}

// SelectOutputs returns scored (Score's result for rows with schema in)
// reduced to in's columns, the prediction column pred and the columns
// named in outputs, in that order; outputs []string{OutputsAll} keeps
// every column. A name in outputs the model did not produce is an error
// naming it.
func SelectOutputs(in *arrow.Schema, scored *ml.Frame, pred string, outputs []string) (*ml.Frame, error) {
	if len(outputs) == 1 && strings.TrimSpace(outputs[0]) == OutputsAll {
		return scored, nil
	}
	keep := ml.ColumnNames(in)
	add := []string{pred}
	for _, o := range outputs {
		if o = strings.TrimSpace(o); o != "" {
			add = append(add, o)
		}
	}
	for _, o := range add {
		if _, err := scored.Column(o); err != nil {
			return nil, fmt.Errorf("output column %s: %w", o, err)
		}
		if !slices.Contains(keep, o) {
			keep = append(keep, o)
		}
	}
	return scored.Select(keep...)
}
