package ml

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// Stage is anything a Pipeline can hold.
type Stage interface {
	// HasParams: StageName is Spark's class name of the stage, e.g.
	// "VectorAssembler"; Params returns a pointer to the stage's params
	// struct, whose fields carry Spark's param names in `param:"…"` tags
	// (see SetParam).
	HasParams
	// TransformSchema returns the schema the stage's output will have for
	// input schema in, or an error naming the column that is missing or has
	// the wrong type. It reads no data.
	TransformSchema(in *arrow.Schema) (*arrow.Schema, error)
}

// Transformer turns a frame into another. Transform does not change its
// input. ctx bounds the work; implementations check it between batches.
type Transformer interface {
	Stage
	Transform(ctx context.Context, f *Frame) (*Frame, error)
}

// Estimator fits a Model to a frame. ctx cancels long fits.
type Estimator interface {
	Stage
	Fit(ctx context.Context, f *Frame) (Model, error)
}

// Model is a fitted Transformer.
type Model interface {
	Transformer
}

// ModelFrames is implemented by models whose learned state is naturally
// a table: ALS's userFactors and itemFactors, FPGrowth's freqItemsets
// and associationRules, LDA's topics, KMeans's clusterCenters. The CLI
// (`sluice ml frames`) and jobs read them through it.
type ModelFrames interface {
	// FrameNames lists the frames the model has, with Spark's names.
	FrameNames() []string
	// ModelFrame returns one of them; an unknown name is an error listing
	// FrameNames. ctx bounds the work.
	ModelFrame(ctx context.Context, name string) (*Frame, error)
}

// StageContainer is implemented by stages that hold other stages:
// pipelines, and tuning models (their best model).
type StageContainer interface {
	// Children returns the held stages, in order.
	Children() []Stage
}

// Find returns the first stage of type T in root or, depth first, in the
// stages it holds (see StageContainer), and whether there is one. Use it
// to reach a model inside a fitted pipeline, e.g. the ALSModel of a
// PipelineModel wrapped in a CrossValidatorModel.
func Find[T Stage](root Stage) (T, bool) {
	if t, ok := root.(T); ok {
		return t, true
	}
	if c, ok := root.(StageContainer); ok {
		for _, s := range c.Children() {
			if t, ok := Find[T](s); ok {
				return t, true
			}
		}
	}
	var zero T
	return zero, false
}
