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
	final  *kernelStep    // see kernelStep; nil when the last stage has none
}

// kernelStep computes the prediction column of a final classifier stage
// straight from its per-row kernel (ml.ClassifierKernel), the way
// ml.TransformClassifier does, without building the rawPrediction and
// probability columns nobody asked for. It serves requests that want only
// the prediction (the default); others run the stage.
type kernelStep struct {
	k          ml.ClassifierKernel
	features   int // column id of the features vector
	thresholds []float64
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
	if n := len(c.steps); n > 0 {
		c.final = newKernelStep(c, c.steps[n-1].t, m.PredictionCol)
	}
	return c
}

// newKernelStep returns the kernel path of t when t is a classifier whose
// prediction column is pred and whose params are the usual
// ml.ClassifierCols ones, else nil.
func newKernelStep(c *chain, t ml.Transformer, pred string) *kernelStep {
	k, ok := t.(ml.ClassifierKernel)
	if !ok {
		return nil
	}
	var features, prediction string
	var thresholds []float64
	for _, p := range ml.ParamList(t) {
		switch p.Name {
		case "featuresCol":
			features, _ = p.Value.(string)
		case "predictionCol":
			prediction, _ = p.Value.(string)
		case "thresholds":
			thresholds, _ = p.Value.([]float64)
		}
	}
	id, ok := c.ids[features]
	if !ok || prediction != pred || ml.ValidateThresholds(thresholds, k.NumClasses()) != nil {
		return nil
	}
	return &kernelStep{k: k, features: id, thresholds: slices.Clone(thresholds)}
}

// predict appends the prediction of every row of the features column
// col to d.out, comma-separated, or returns errFallback (a NULL or
// malformed vector: the stage reports it properly).
func (ks *kernelStep) predict(d *decoder, col *arrow.Chunked) error {
	nc := ks.k.NumClasses()
	d.raw, d.prob = slices.Grow(d.raw[:0], nc)[:nc], slices.Grow(d.prob[:0], nc)[:nc]
	n := 0
	for _, a := range col.Chunks() {
		vc, err := ml.NewVectorColumn(a)
		if err != nil {
			return errFallback
		}
		for i := 0; i < vc.Len(); i++ {
			if vc.IsNull(i) {
				return errFallback
			}
			v := vc.At(i)
			if v.Validate() != nil || v.Size != ks.k.NumFeatures() {
				return errFallback
			}
			d.fbuf = v.AppendTo(d.fbuf[:0])
			ks.k.PredictRaw(d.fbuf, d.raw)
			var p float64
			if ks.k.RawToProbability(d.raw, d.prob) {
				p = ml.PredictClass(d.prob, ks.thresholds)
			} else {
				p = ml.PredictClass(d.raw, ks.thresholds)
			}
			if n > 0 {
				d.out = append(d.out, ", "...)
			}
			n++
			d.out = models.AppendFloat(d.out, p)
		}
	}
	return nil
}

// run applies the stages to the input columns (one per input field)
// and returns every column by id in vals (reused). errFallback means a
// stage changed the row count or its output's shape.
func (c *chain) run(ctx context.Context, inputs []*arrow.Chunked, rows int, vals []*arrow.Chunked) ([]*arrow.Chunked, error) {
	return c.runSteps(ctx, inputs, rows, vals, len(c.steps))
}

// runSteps runs the first n steps.
func (c *chain) runSteps(ctx context.Context, inputs []*arrow.Chunked, rows int, vals []*arrow.Chunked, n int) ([]*arrow.Chunked, error) {
	vals = slices.Grow(vals[:0], len(c.names))[:len(c.names)]
	clear(vals)
	for j, id := range c.inputs {
		vals[id] = inputs[j]
	}
	for i := range c.steps[:n] {
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
