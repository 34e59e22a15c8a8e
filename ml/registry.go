package ml

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// HasParams is anything with Spark-named params: stages and evaluators.
type HasParams interface {
	// StageName is Spark's class name, e.g. "VectorAssembler".
	StageName() string
	// Params returns a pointer to the params struct (see SetParam), or nil.
	Params() any
}

// Evaluator scores a transformed frame (predictions against labels), as
// Spark's evaluators do; tuning picks the best model with it.
type Evaluator interface {
	HasParams
	// Evaluate returns the metric for f. ctx bounds the work.
	Evaluate(ctx context.Context, f *Frame) (float64, error)
	// IsLargerBetter reports whether a larger metric is better.
	IsLargerBetter() bool
	// MetricName is the metric Evaluate computes, e.g. "areaUnderROC".
	MetricName() string
}

// Registry maps Spark's class names to constructors of stages and
// evaluators; YAML specs, param grids and Load use it. Build one with
// NewRegistry and each package's Register function (there is no global
// registry). A Registry is safe for concurrent reads once built.
type Registry struct {
	m map[string]func() HasParams
}

// NewRegistry returns a registry holding Pipeline and PipelineModel.
func NewRegistry() *Registry {
	r := &Registry{m: map[string]func() HasParams{}}
	r.Register(func() HasParams { return &Pipeline{} })
	r.Register(func() HasParams { return &PipelineModel{} })
	return r
}

// Register adds a constructor under the StageName of what it returns. The
// constructor returns the object with Spark's default params. Registering
// a name twice panics (a programming error).
func (r *Registry) Register(newFn func() HasParams) {
	name := newFn().StageName()
	if _, dup := r.m[name]; dup {
		panic("ml: " + name + " registered twice")
	}
	r.m[name] = newFn
}

// New returns a new stage or evaluator by class name; an unknown name
// gets an error suggesting the nearest known one.
func (r *Registry) New(name string) (HasParams, error) {
	if fn, ok := r.m[name]; ok {
		return fn(), nil
	}
	msg := fmt.Sprintf("unknown stage %q", name)
	if near := Nearest(name, r.Names()); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	} else {
		msg += " (known: " + strings.Join(r.Names(), ", ") + ")"
	}
	return nil, fmt.Errorf("%s", msg)
}

// Names lists the registered class names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// StageHolder is implemented by stages with params that are themselves
// stages, such as OneVsRest's classifier; YAML specs set them with a
// nested `stage:` mapping.
type StageHolder interface {
	// StageParams lists the names of the stage-valued params.
	StageParams() []string
	// SetStageParam sets one, or says why s does not fit.
	SetStageParam(name string, s Stage) error
}
