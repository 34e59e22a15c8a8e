package ml

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Pipeline chains stages; each is a Transformer or an Estimator. Fitting
// it fits the estimators in order, each on the output of the stages before
// it, and returns a PipelineModel of the transformers and fitted models.
type Pipeline struct {
	Stages []Stage
}

var _ Estimator = (*Pipeline)(nil)

// StageName returns "Pipeline".
func (p *Pipeline) StageName() string { return "Pipeline" }

// Params returns nil: a pipeline's params are its stages'.
func (p *Pipeline) Params() any { return nil }

// TransformSchema chains the stages' schema checks. Errors name the stage
// by position and name.
func (p *Pipeline) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return chainSchemas(stagesOf(p.Stages), in)
}

func stagesOf[S Stage](stages []S) []Stage {
	out := make([]Stage, len(stages))
	for i, s := range stages {
		out[i] = s
	}
	return out
}

func chainSchemas(stages []Stage, sc *arrow.Schema) (*arrow.Schema, error) {
	for i, s := range stages {
		if err := validateParams(s); err != nil {
			return nil, stageErr(i, s, err)
		}
		out, err := s.TransformSchema(sc)
		if err != nil {
			return nil, stageErr(i, s, err)
		}
		sc = out
	}
	return sc, nil
}

func validateParams(s Stage) error {
	if v, ok := s.Params().(Validator); ok {
		return v.Validate()
	}
	return nil
}

func stageErr(i int, s Stage, err error) error {
	return fmt.Errorf("stage %d (%s): %w", i+1, s.StageName(), err)
}

// Fit checks every stage's schema first (nothing is fitted if any check
// fails), then fits. ctx cancels between and inside stages.
func (p *Pipeline) Fit(ctx context.Context, f *Frame) (Model, error) {
	if _, err := p.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	last := -1
	for i, s := range p.Stages {
		if _, ok := s.(Estimator); ok {
			last = i
		}
	}
	fitted := make([]Transformer, len(p.Stages))
	cur := f
	for i, s := range p.Stages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var t Transformer
		switch s := s.(type) {
		case Estimator:
			m, err := s.Fit(ctx, cur)
			if err != nil {
				return nil, stageErr(i, s, err)
			}
			t = m
		case Transformer:
			t = s
		default:
			return nil, stageErr(i, s, fmt.Errorf("is neither a Transformer nor an Estimator"))
		}
		fitted[i] = t
		if i < last { // later estimators need this stage's output
			out, err := t.Transform(ctx, cur)
			if err != nil {
				return nil, stageErr(i, s, err)
			}
			cur = out
		}
	}
	return &PipelineModel{Stages: fitted}, nil
}

// PipelineModel is a fitted pipeline: transformers applied in order.
type PipelineModel struct {
	Stages []Transformer
}

var _ Model = (*PipelineModel)(nil)

// StageName returns "PipelineModel".
func (m *PipelineModel) StageName() string { return "PipelineModel" }

// Params returns nil.
func (m *PipelineModel) Params() any { return nil }

// TransformSchema chains the stages' schema checks.
func (m *PipelineModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return chainSchemas(stagesOf(m.Stages), in)
}

// Transform applies the stages in order, after checking all schemas.
func (m *PipelineModel) Transform(ctx context.Context, f *Frame) (*Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	for i, s := range m.Stages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, err := s.Transform(ctx, f)
		if err != nil {
			return nil, stageErr(i, s, err)
		}
		f = out
	}
	return f, nil
}

// SaveData writes the stages under stages/NN_Name.
func (p *Pipeline) SaveData(w *DataWriter) error { return saveStages(w, p.Stages) }

// LoadData reads the stages back.
func (p *Pipeline) LoadData(r *DataReader) error {
	st, err := loadStages(r)
	p.Stages = st
	return err
}

// SaveData writes the stages under stages/NN_Name.
func (m *PipelineModel) SaveData(w *DataWriter) error { return saveStages(w, stagesOf(m.Stages)) }

// LoadData reads the stages back; each must be a Transformer.
func (m *PipelineModel) LoadData(r *DataReader) error {
	st, err := loadStages(r)
	if err != nil {
		return err
	}
	m.Stages = make([]Transformer, len(st))
	for i, s := range st {
		t, ok := s.(Transformer)
		if !ok {
			return fmt.Errorf("stage %d (%s) is not a Transformer; a PipelineModel holds fitted stages only", i+1, s.StageName())
		}
		m.Stages[i] = t
	}
	return nil
}

func saveStages(w *DataWriter, stages []Stage) error {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = fmt.Sprintf("%02d_%s", i, s.StageName())
		if err := w.SaveStage(names[i], s); err != nil {
			return fmt.Errorf("stage %d (%s): %w", i+1, s.StageName(), err)
		}
	}
	return w.WriteJSON("stages", names)
}

func loadStages(r *DataReader) ([]Stage, error) {
	var names []string
	if err := r.ReadJSON("stages", &names); err != nil {
		return nil, err
	}
	out := make([]Stage, len(names))
	for i, n := range names {
		s, err := r.LoadStage(n)
		if err != nil {
			return nil, fmt.Errorf("stage %d: %w", i+1, err)
		}
		out[i] = s
	}
	return out, nil
}

// Children returns the pipeline's stages (StageContainer).
func (p *Pipeline) Children() []Stage { return p.Stages }

// Children returns the fitted stages (StageContainer).
func (m *PipelineModel) Children() []Stage {
	out := make([]Stage, len(m.Stages))
	for i, s := range m.Stages {
		out[i] = s
	}
	return out
}
