package classification

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// Column names OneVsRest gives its per-class classifiers; they only ever
// see a frame of the features (and weights) plus this label.
const (
	ovrLabelCol      = "ovr$label"
	ovrPredictionCol = "ovr$prediction"
	ovrRawCol        = "ovr$rawPrediction"
)

// OneVsRestParams are OneVsRest's params, with Spark's names. The
// classifier itself is OneVsRest.Classifier.
type OneVsRestParams struct {
	ml.PredictorCols
	RawPredictionCol string `param:"rawPredictionCol" doc:"vector column of each class's positive score; empty to skip"`
	WeightCol        string `param:"weightCol" doc:"column of instance weights passed to the classifier (it must have weightCol); empty for none"`
	Parallelism      int    `param:"parallelism" doc:"how many per-class classifiers to fit at once (>= 1)"`
}

// Validate checks the params.
func (p OneVsRestParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if p.Parallelism < 1 {
		return fmt.Errorf("parallelism is %d; use 1 or more", p.Parallelism)
	}
	return nil
}

func (p OneVsRestParams) cols() ml.ClassifierCols {
	return ml.ClassifierCols{PredictorCols: p.PredictorCols, RawPredictionCol: p.RawPredictionCol}
}

// OneVsRest reduces multiclass classification to binary: for each of the
// K classes it fits a copy of Classifier on "this class (1) or not (0)",
// as Spark's OneVsRest. The model predicts the class whose classifier
// gives the largest positive raw score (rawPrediction[1]); its
// rawPrediction column holds those K scores. There are no
// probabilities.
//
// Classifier is any estimator with Spark's classifier params
// (featuresCol, labelCol, predictionCol, rawPredictionCol) whose models
// write a two-value rawPrediction: LogisticRegression, LinearSVC, the
// tree classifiers, … Its own column params are overridden.
type OneVsRest struct {
	P          OneVsRestParams
	Classifier ml.Estimator
}

var _ ml.Estimator = (*OneVsRest)(nil)

// NewOneVsRest returns a OneVsRest with Spark's defaults (parallelism 1)
// and the given classifier.
func NewOneVsRest(classifier ml.Estimator) *OneVsRest {
	return &OneVsRest{
		P: OneVsRestParams{
			PredictorCols: ml.DefaultPredictorCols(), RawPredictionCol: "rawPrediction", Parallelism: 1,
		},
		Classifier: classifier,
	}
}

// StageName returns "OneVsRest".
func (o *OneVsRest) StageName() string { return "OneVsRest" }

// Params returns the params.
func (o *OneVsRest) Params() any { return &o.P }

// TransformSchema checks the input columns and the classifier, and adds
// rawPrediction and prediction.
func (o *OneVsRest) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := o.checkClassifier(); err != nil {
		return nil, err
	}
	return fitSchema(in, o.P.cols(), o.P.WeightCol)
}

// paramValue returns the value of param name of s, and whether s has it.
func paramValue(s ml.HasParams, name string) (any, bool) {
	for _, p := range ml.ParamList(s) {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

func (o *OneVsRest) checkClassifier() error {
	if o.Classifier == nil {
		return errors.New("no classifier; set OneVsRest.Classifier (e.g. to a LogisticRegression)")
	}
	need := []string{"featuresCol", "labelCol", "predictionCol", "rawPredictionCol"}
	if o.P.WeightCol != "" {
		need = append(need, "weightCol")
	}
	for _, name := range need {
		if _, ok := paramValue(o.Classifier, name); !ok {
			return fmt.Errorf("classifier %s has no %s param; OneVsRest needs a classifier with rawPredictionCol (and weightCol when weightCol is set)", o.Classifier.StageName(), name)
		}
	}
	return nil
}

// copyEstimator returns a shallow copy of e (a pointer to a struct), so
// its column params can be set without touching e.
func copyEstimator(e ml.Estimator) (ml.Estimator, error) {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("classifier %s is not a pointer to a struct; OneVsRest cannot copy it", e.StageName())
	}
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	out, ok := c.Interface().(ml.Estimator)
	if !ok {
		return nil, fmt.Errorf("a copy of classifier %s is not an Estimator", e.StageName())
	}
	return out, nil
}

// Fit fits one classifier per class, parallelism at a time. Errors name
// the class whose fit failed. ctx cancels the fits.
func (o *OneVsRest) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := o.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("OneVsRest: %w", err)
	}
	return m, nil
}

func (o *OneVsRest) fit(ctx context.Context, f *ml.Frame) (*OneVsRestModel, error) {
	p := o.P
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if _, err := o.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	y, err := ml.NumericColumn(f, "labelCol", p.LabelCol)
	if err != nil {
		return nil, err
	}
	K, err := ml.ClassCount(f, p.LabelCol, y)
	if err != nil {
		return nil, err
	}
	keep := []string{p.FeaturesCol}
	if p.WeightCol != "" && p.WeightCol != p.FeaturesCol {
		keep = append(keep, p.WeightCol)
	}
	base, err := f.Select(keep...)
	if err != nil {
		return nil, err
	}
	models := make([]ml.Model, K)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.Parallelism)
	for k := range K {
		g.Go(func() error {
			m, err := o.fitClass(gctx, base, y, k)
			if err != nil {
				return fmt.Errorf("class %d: %w", k, err)
			}
			models[k] = m
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return &OneVsRestModel{P: p, Models: models}, nil
}

func (o *OneVsRest) fitClass(ctx context.Context, base *ml.Frame, y []float64, k int) (ml.Model, error) {
	bin := make([]float64, len(y))
	for i, v := range y {
		if int(v) == k {
			bin[i] = 1
		}
	}
	fk, err := base.WithColumn(arrow.Field{Name: ovrLabelCol, Type: arrow.PrimitiveTypes.Float64}, ml.Float64Column(bin))
	if err != nil {
		return nil, err
	}
	c, err := copyEstimator(o.Classifier)
	if err != nil {
		return nil, err
	}
	set := map[string]any{
		"featuresCol": o.P.FeaturesCol, "labelCol": ovrLabelCol,
		"predictionCol": ovrPredictionCol, "rawPredictionCol": ovrRawCol,
	}
	if _, ok := paramValue(c, "probabilityCol"); ok {
		set["probabilityCol"] = ""
	}
	if o.P.WeightCol != "" {
		set["weightCol"] = o.P.WeightCol
	}
	for name, v := range set {
		if err := ml.SetParam(c, name, v); err != nil {
			return nil, err
		}
	}
	if v, ok := c.Params().(ml.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", c.StageName(), err)
		}
	}
	return c.Fit(ctx, fk)
}

// OneVsRestModel holds one binary model per class. Safe for concurrent
// use if its models are.
type OneVsRestModel struct {
	P      OneVsRestParams
	Models []ml.Model // Models[k] scores class k against the rest
}

var _ ml.Model = (*OneVsRestModel)(nil)

// StageName returns "OneVsRestModel".
func (m *OneVsRestModel) StageName() string { return "OneVsRestModel" }

// Params returns the params.
func (m *OneVsRestModel) Params() any { return &m.P }

// NumClasses returns the number of classes (models).
func (m *OneVsRestModel) NumClasses() int { return len(m.Models) }

// TransformSchema checks the features column and adds the outputs.
func (m *OneVsRestModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return ml.ClassifierSchema(in, m.P.cols())
}

// Transform runs every class's model on the features and adds
// rawPrediction (the K positive scores) and prediction (the class with
// the largest score; ties go to the lower class).
func (m *OneVsRestModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := m.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("OneVsRestModel: %w", err)
	}
	return out, nil
}

func (m *OneVsRestModel) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Models) < 2 {
		return nil, fmt.Errorf("%d per-class models; the model is not fitted or is corrupt", len(m.Models))
	}
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	feats, _ := f.Column(m.P.FeaturesCol)
	field, _ := ml.FieldOf(f.Schema(), m.P.FeaturesCol)
	K, n := len(m.Models), int(f.NumRows())
	scores := make([]float64, n*K)
	for k, cm := range m.Models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := classScores(ctx, cm, feats, field, k, K, scores); err != nil {
			return nil, fmt.Errorf("class %d (%s): %w", k, cm.StageName(), err)
		}
	}
	pred := make([]float64, n)
	for i := range pred {
		pred[i] = ml.PredictClass(scores[i*K:(i+1)*K], nil)
	}
	out := f
	var err error
	if m.P.RawPredictionCol != "" {
		if out, err = out.WithColumn(arrow.Field{Name: m.P.RawPredictionCol, Type: ml.VectorType, Nullable: true}, ml.DenseVectors(scores, K)); err != nil {
			return nil, err
		}
	}
	return out.WithColumn(arrow.Field{Name: m.P.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column(pred))
}

// classScores runs model cm on the features alone (renamed to the
// model's featuresCol) and stores each row's rawPrediction[1] at
// scores[i·K + k].
func classScores(ctx context.Context, cm ml.Model, feats *arrow.Chunked, field arrow.Field, k, K int, scores []float64) error {
	featName, _ := paramValue(cm, "featuresCol")
	rawName, _ := paramValue(cm, "rawPredictionCol")
	fn, ok1 := featName.(string)
	rn, ok2 := rawName.(string)
	if !ok1 || !ok2 || rn == "" {
		return errors.New("the model has no rawPredictionCol; OneVsRest needs raw scores")
	}
	field.Name = fn
	in, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{field}, nil), []*arrow.Chunked{feats})
	if err != nil {
		return err
	}
	out, err := cm.Transform(ctx, in)
	if err != nil {
		return err
	}
	col, err := out.Column(rn)
	if err != nil {
		return err
	}
	arr, err := ml.Flatten(col)
	if err != nil {
		return err
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return err
	}
	for i := range vc.Len() {
		v := vc.At(i)
		if v.Size != 2 {
			return fmt.Errorf("row %d: rawPrediction has %d values, want 2 (a binary classifier)", i+1, v.Size)
		}
		scores[i*K+k] = v.At(1)
	}
	return nil
}

type ovrState struct {
	NumClasses    int  `json:"numClasses"`
	HasClassifier bool `json:"hasClassifier,omitempty"`
}

// SaveData writes the classifier as the nested stage "classifier".
func (o *OneVsRest) SaveData(w *ml.DataWriter) error {
	if err := w.WriteJSON("onevsrest", ovrState{HasClassifier: o.Classifier != nil}); err != nil {
		return err
	}
	if o.Classifier == nil {
		return nil
	}
	return w.SaveStage("classifier", o.Classifier)
}

// LoadData reads the classifier back (its class must be in the registry).
func (o *OneVsRest) LoadData(r *ml.DataReader) error {
	var st ovrState
	if err := r.ReadJSON("onevsrest", &st); err != nil {
		return err
	}
	o.Classifier = nil
	if !st.HasClassifier {
		return nil
	}
	s, err := r.LoadStage("classifier")
	if err != nil {
		return err
	}
	e, ok := s.(ml.Estimator)
	if !ok {
		return fmt.Errorf("nested stage classifier is a %s, not an estimator", s.StageName())
	}
	o.Classifier = e
	return nil
}

// SaveData writes each class's model as nested stage model_K.
func (m *OneVsRestModel) SaveData(w *ml.DataWriter) error {
	if err := w.WriteJSON("onevsrest", ovrState{NumClasses: len(m.Models)}); err != nil {
		return err
	}
	for k, cm := range m.Models {
		if err := w.SaveStage("model_"+strconv.Itoa(k), cm); err != nil {
			return fmt.Errorf("class %d: %w", k, err)
		}
	}
	return nil
}

// LoadData reads the per-class models back.
func (m *OneVsRestModel) LoadData(r *ml.DataReader) error {
	var st ovrState
	if err := r.ReadJSON("onevsrest", &st); err != nil {
		return err
	}
	if st.NumClasses < 2 || st.NumClasses > 1<<20 {
		return fmt.Errorf("onevsrest.json: numClasses %d; the model directory is corrupt, re-save it", st.NumClasses)
	}
	m.Models = make([]ml.Model, st.NumClasses)
	for k := range m.Models {
		s, err := r.LoadStage("model_" + strconv.Itoa(k))
		if err != nil {
			return fmt.Errorf("class %d: %w", k, err)
		}
		t, ok := s.(ml.Model)
		if !ok {
			return fmt.Errorf("class %d: nested stage is a %s, not a model", k, s.StageName())
		}
		m.Models[k] = t
	}
	return nil
}

// StageParams returns "classifier", the param YAML specs set with a
// nested stage.
func (o *OneVsRest) StageParams() []string { return []string{"classifier"} }

// SetStageParam sets the classifier; it must be an estimator.
func (o *OneVsRest) SetStageParam(name string, s ml.Stage) error {
	if name != "classifier" {
		return fmt.Errorf("OneVsRest has no stage param %q; use classifier", name)
	}
	est, ok := s.(ml.Estimator)
	if !ok {
		return fmt.Errorf("classifier %s is not an estimator; give a binary classifier such as LogisticRegression", s.StageName())
	}
	o.Classifier = est
	return nil
}

var _ ml.StageHolder = (*OneVsRest)(nil)
