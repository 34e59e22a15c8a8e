package serving

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tuning"
	"github.com/sluice-dev/sluice/models"
)

// chain runs a model's stages on narrow frames: each stage gets a frame
// of just the columns it reads (found at load time, the way
// models.RequiredInputs finds a model's inputs) and its output columns
// are kept by name for later stages. A PipelineModel instead rebuilds
// the whole, ever wider schema (and its name index) several times per
// stage; for the few rows of a scoring request that dominates the cost.
// The result equals PipelineModel.Transform's column for column: every
// stage sees the same values and field metadata, only fewer columns.
//
// Stages that may change the number of rows (handleInvalid=skip drops
// rows) are caught at run time, and SQLTransformer (which may drop or
// reorder anything) at load time; both fall back to the whole pipeline.
type chain struct {
	steps  []step
	names  []string       // column id → name
	ids    map[string]int // name → column id
	inputs []int          // input column j → id
}

// step is one stage with the ids of the columns it reads and writes.
type step struct {
	t    ml.Transformer
	in   *arrow.Schema // the narrow input schema, built once
	inID []int
	out  []int // output field k → column id
}

// errFallback asks for the whole-pipeline path.
var errFallback = errors.New("fall back to the whole pipeline")

// flatten lists the transformers a model applies, in order, looking
// through pipelines and tuning models.
func flatten(t ml.Transformer, out []ml.Transformer) []ml.Transformer {
	switch x := t.(type) {
	case *ml.PipelineModel:
		for _, s := range x.Stages {
			out = flatten(s, out)
		}
		return out
	case *tuning.CrossValidatorModel:
		if x.BestModel != nil {
			return flatten(x.BestModel, out)
		}
	case *tuning.TrainValidationSplitModel:
		if x.BestModel != nil {
			return flatten(x.BestModel, out)
		}
	}
	return append(out, t)
}

// newChain plans the narrow-frame path for m, or returns nil when m
// needs the whole pipeline.
func newChain(m *models.Model) *chain {
	c := &chain{ids: map[string]int{}}
	id := func(name string) int {
		if i, ok := c.ids[name]; ok {
			return i
		}
		c.ids[name] = len(c.names)
		c.names = append(c.names, name)
		return len(c.names) - 1
	}
	avail := m.InputSchema
	for _, f := range avail.Fields() {
		c.inputs = append(c.inputs, id(f.Name))
	}
	for _, t := range flatten(m.Pipeline, nil) {
		if t.StageName() == "SQLTransformer" {
			return nil
		}
		need, err := models.RequiredInputs(t, avail)
		if err != nil || need.NumFields() == 0 {
			return nil
		}
		out, err := t.TransformSchema(need)
		if err != nil {
			return nil
		}
		st := step{t: t, in: need}
		for _, f := range need.Fields() {
			st.inID = append(st.inID, c.ids[f.Name])
		}
		for _, f := range out.Fields() {
			st.out = append(st.out, id(f.Name))
		}
		c.steps = append(c.steps, st)
		if avail, err = t.TransformSchema(avail); err != nil {
			return nil
		}
	}
	return c
}

// run applies the stages to the input columns (one per input field)
// and returns every column by id in vals (reused). errFallback means a
// stage changed the row count or its output's shape.
func (c *chain) run(ctx context.Context, inputs []*arrow.Chunked, rows int, vals []*arrow.Chunked) ([]*arrow.Chunked, error) {
	vals = slices.Grow(vals[:0], len(c.names))[:len(c.names)]
	clear(vals)
	for j, id := range c.inputs {
		vals[id] = inputs[j]
	}
	for i := range c.steps {
		st := &c.steps[i]
		cols := make([]*arrow.Chunked, len(st.inID))
		for k, id := range st.inID {
			if vals[id] == nil {
				return vals, errFallback
			}
			cols[k] = vals[id]
		}
		f, err := ml.NewFrame(st.in, cols)
		if err != nil {
			return vals, errFallback
		}
		out, err := st.t.Transform(ctx, f)
		if err != nil {
			return vals, fmt.Errorf("stage %d (%s): %w", i+1, st.t.StageName(), err)
		}
		sc := out.Schema()
		if out.NumRows() != int64(rows) || sc.NumFields() != len(st.out) {
			return vals, errFallback
		}
		for k, id := range st.out {
			name := sc.Field(k).Name
			if name != c.names[id] {
				return vals, errFallback
			}
			col, err := out.Column(name)
			if err != nil {
				return vals, errFallback
			}
			vals[id] = col
		}
	}
	return vals, nil
}
