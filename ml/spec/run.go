package spec

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/tuning"
)

// Data loads the frames a spec reads. The CLI implements it with the
// workspace's SQL engine.
type Data interface {
	// Frame runs query, with each files[name] readable as relation name,
	// and returns all its rows.
	Frame(ctx context.Context, query string, files map[string]string) (*ml.Frame, error)
}

// Result is what running a spec produced.
type Result struct {
	Name       string             `json:"name,omitempty"`
	Spec       string             `json:"spec"`
	InputRows  int64              `json:"input_rows"`
	TrainRows  int64              `json:"train_rows"`
	TestRows   int64              `json:"test_rows"`
	FitSeconds float64            `json:"fit_seconds"`
	MetricsOn  string             `json:"metrics_on,omitempty"` // "test" or "train"
	Metrics    map[string]float64 `json:"metrics"`
	Tuning     *TuningResult      `json:"tuning,omitempty"`
	// Confusion counts (label, prediction, count) of the scored rows,
	// when the final stage is a classifier.
	Confusion []ConfusionCell `json:"confusion,omitempty"`
	// Model is the final stage's textual dump (trees: Spark's DebugString).
	ModelText string `json:"model_text,omitempty"`
	ModelDir  string `json:"model_dir,omitempty"`

	Model       ml.Model  `json:"-"`
	Predictions *ml.Frame `json:"-"` // the scored test (or training) rows
}

// ConfusionCell is one cell of the confusion matrix.
type ConfusionCell struct {
	Label      float64 `json:"label"`
	Prediction float64 `json:"prediction"`
	Count      int64   `json:"count"`
}

// TuningResult reports every grid combination.
type TuningResult struct {
	Method    string        `json:"method"`
	Metric    string        `json:"metric"`
	LargerIs  string        `json:"larger_is"` // "better" or "worse"
	Folds     int           `json:"num_folds,omitempty"`
	Results   []Combination `json:"results"`
	BestIndex int           `json:"best_index"`
}

// Combination is one grid point's params and metric across folds.
type Combination struct {
	Params map[string]any `json:"params"`
	Mean   float64        `json:"mean"`
	Std    float64        `json:"std"`
}

// Run loads the input, applies the sample, fits the pipeline (tuned when
// the spec says so), and evaluates on the test source — or on the
// training rows when there is none. progress, if not nil, receives one
// line per step.
func (pl *Plan) Run(ctx context.Context, data Data, progress func(string)) (*Result, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	s := pl.Spec
	res := &Result{Name: s.Name, Spec: s.File, Metrics: map[string]float64{}}
	train, err := pl.load(ctx, data, s.Input, "input")
	if err != nil {
		return nil, err
	}
	res.InputRows = train.NumRows()
	if s.Sample != nil {
		if train, err = train.SampleBy(ctx, s.Sample.Col, s.Sample.Fractions, s.Sample.Seed); err != nil {
			return nil, s.errAt(s.Sample.Pos, err.Error())
		}
		say("sampled %d of %d input rows by %s", train.NumRows(), res.InputRows, s.Sample.Col)
	}
	res.TrainRows = train.NumRows()
	if res.TrainRows == 0 {
		return nil, s.errAt(s.Input.Pos, "the training data has no rows; check the input query and the sample fractions")
	}
	if _, err := pl.Pipeline.TransformSchema(train.Schema()); err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	start := time.Now()
	if pl.Tuning != nil {
		say("tuning %d combinations with %s", pl.Combinations(), pl.Tuning.Method)
		m, tr, err := tune(ctx, pl, train)
		if err != nil {
			return nil, err
		}
		res.Model, res.Tuning = m, tr
	} else {
		say("fitting %d stages on %d rows", len(pl.Pipeline.Stages), train.NumRows())
		m, err := pl.Pipeline.Fit(ctx, train)
		if err != nil {
			return nil, err
		}
		res.Model = m
	}
	res.FitSeconds = time.Since(start).Seconds()
	eval := train
	res.MetricsOn = "train"
	if s.Test != nil {
		if eval, err = pl.load(ctx, data, *s.Test, "test"); err != nil {
			return nil, err
		}
		res.MetricsOn = "test"
		res.TestRows = eval.NumRows()
	}
	if res.Predictions, err = res.Model.Transform(ctx, eval); err != nil {
		return nil, fmt.Errorf("scoring the %s rows: %w", res.MetricsOn, err)
	}
	for _, ev := range pl.Evaluators {
		v, err := ev.Evaluate(ctx, res.Predictions)
		if err != nil {
			return nil, fmt.Errorf("%s (%s) on the %s rows: %w", ev.StageName(), ev.MetricName(), res.MetricsOn, err)
		}
		res.Metrics[ev.MetricName()] = v
	}
	last := FinalStage(res.Model)
	if ds, ok := last.(interface{ DebugString() string }); ok {
		res.ModelText = ds.DebugString()
	}
	if _, ok := last.Params().(interface{ Validate() error }); ok {
		if cells, err := confusion(ctx, res.Predictions, last); err == nil {
			res.Confusion = cells
		}
	}
	return res, nil
}

// FinalStage returns the last fitted stage of m, looking through
// pipelines and tuning models (their best model).
func FinalStage(m ml.Stage) ml.Stage {
	for {
		switch x := m.(type) {
		case *ml.PipelineModel:
			if len(x.Stages) == 0 {
				return m
			}
			m = x.Stages[len(x.Stages)-1]
		case *tuning.CrossValidatorModel:
			m = x.BestModel
		case *tuning.TrainValidationSplitModel:
			m = x.BestModel
		default:
			return m
		}
	}
}

// confusion counts (label, prediction) pairs when st is a classifier
// (it has probabilityCol or rawPredictionCol besides labelCol and
// predictionCol).
func confusion(ctx context.Context, f *ml.Frame, st ml.Stage) ([]ConfusionCell, error) {
	p := map[string]string{}
	for _, pi := range ml.ParamList(st) {
		if s, ok := pi.Value.(string); ok {
			p[pi.Name] = s
		}
	}
	if p["labelCol"] == "" || p["predictionCol"] == "" || (p["rawPredictionCol"] == "" && p["probabilityCol"] == "") {
		return nil, errors.New("not a classifier")
	}
	cf, err := evaluation.ConfusionFrame(ctx, f, p["predictionCol"], p["labelCol"])
	if err != nil {
		return nil, err
	}
	var cells []ConfusionCell
	get := func(name string) []float64 {
		c, err := cf.Column(name)
		if err != nil {
			return nil
		}
		a, err := ml.Flatten(c)
		if err != nil {
			return nil
		}
		defer a.Release()
		v, _, _ := ml.Float64s(a)
		return v
	}
	labels, preds, counts := get("label"), get("prediction"), get("count")
	for i := range labels {
		cells = append(cells, ConfusionCell{Label: labels[i], Prediction: preds[i], Count: int64(counts[i])})
	}
	return cells, nil
}

func (pl *Plan) load(ctx context.Context, data Data, src Source, what string) (*ml.Frame, error) {
	files := maps.Clone(pl.Spec.Data)
	if src.File != "" {
		files[src.Relation()] = src.File
	}
	f, err := data.Frame(ctx, src.Query(), files)
	if err != nil {
		return nil, pl.Spec.errAt(src.Pos, fmt.Sprintf("%s: %v", what, err))
	}
	return f, nil
}

// Combinations returns the number of grid points.
func (pl *Plan) Combinations() int {
	if pl.Tuning == nil {
		return 0
	}
	n := 1
	for _, a := range pl.Tuning.Grid {
		n *= len(a.Values)
	}
	return n
}
