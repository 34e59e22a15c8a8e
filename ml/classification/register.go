package classification

import (
	"fmt"
	"math"

	"github.com/sluice-dev/sluice/ml"
)

// Register adds this package's estimators and models to r, each with
// Spark's default params (models with no fitted state).
func Register(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewLogisticRegression() })
	r.Register(func() ml.HasParams { return &LogisticRegressionModel{P: NewLogisticRegression().P} })
	r.Register(func() ml.HasParams { return NewLinearSVC() })
	r.Register(func() ml.HasParams { return &LinearSVCModel{P: NewLinearSVC().P} })
	r.Register(func() ml.HasParams { return NewNaiveBayes() })
	r.Register(func() ml.HasParams { return &NaiveBayesModel{P: NewNaiveBayes().P} })
	r.Register(func() ml.HasParams { return NewMultilayerPerceptronClassifier() })
	r.Register(func() ml.HasParams {
		return &MultilayerPerceptronClassificationModel{P: NewMultilayerPerceptronClassifier().P}
	})
	r.Register(func() ml.HasParams { return NewOneVsRest(nil) })
	r.Register(func() ml.HasParams { return &OneVsRestModel{P: NewOneVsRest(nil).P} })
}

type logisticState struct {
	NumClasses    int  `json:"numClasses"`
	NumFeatures   int  `json:"numFeatures"`
	IsMultinomial bool `json:"isMultinomial"`
}

// SaveData writes the coefficient matrix (one list per row) with the
// intercepts, and the model's shape.
func (m *LogisticRegressionModel) SaveData(w *ml.DataWriter) error {
	if err := m.check(); err != nil {
		return err
	}
	if err := w.WriteJSON("model", logisticState{m.numClasses, m.NumFeatures(), m.IsMultinomial}); err != nil {
		return err
	}
	return w.WriteColumns("coefficients", new(ml.Columns).
		AddFloat64s("coefficients", m.CoefficientMatrix).AddFloat64("intercept", m.InterceptVector))
}

// LoadData reads what SaveData wrote and checks its shape. A loaded model
// has no training summary.
func (m *LogisticRegressionModel) LoadData(r *ml.DataReader) error {
	var st logisticState
	if err := r.ReadJSON("model", &st); err != nil {
		return err
	}
	c, err := r.ReadColumns("coefficients")
	if err != nil {
		return err
	}
	if m.CoefficientMatrix, err = c.Float64s("coefficients"); err != nil {
		return err
	}
	if m.InterceptVector, err = c.Float64("intercept"); err != nil {
		return err
	}
	m.numClasses, m.IsMultinomial = st.NumClasses, st.IsMultinomial
	if err := m.check(); err != nil {
		return err
	}
	if m.NumFeatures() != st.NumFeatures {
		return fmt.Errorf("coefficients have %d features, model.json says %d; the model directory is corrupt, re-save it", m.NumFeatures(), st.NumFeatures)
	}
	return checkFinite("coefficients", m.InterceptVector, m.CoefficientMatrix...)
}

// checkFinite rejects NaN and ±Inf in loaded model state.
func checkFinite(what string, v []float64, more ...[]float64) error {
	for _, s := range append([][]float64{v}, more...) {
		for _, x := range s {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%s hold %v; the model directory is corrupt, re-save it", what, x)
			}
		}
	}
	return nil
}

type svcState struct {
	Intercept float64 `json:"intercept"`
}

// SaveData writes the coefficients and the intercept.
func (m *LinearSVCModel) SaveData(w *ml.DataWriter) error {
	if err := checkFinite("coefficients", m.Coefficients, []float64{m.Intercept}); err != nil {
		return err
	}
	if err := w.WriteJSON("model", svcState{m.Intercept}); err != nil {
		return err
	}
	return w.WriteColumns("coefficients", new(ml.Columns).AddFloat64("coefficient", m.Coefficients))
}

// LoadData reads what SaveData wrote.
func (m *LinearSVCModel) LoadData(r *ml.DataReader) error {
	var st svcState
	if err := r.ReadJSON("model", &st); err != nil {
		return err
	}
	c, err := r.ReadColumns("coefficients")
	if err != nil {
		return err
	}
	if m.Coefficients, err = c.Float64("coefficient"); err != nil {
		return err
	}
	m.Intercept = st.Intercept
	return checkFinite("coefficients", m.Coefficients, []float64{m.Intercept})
}

// SaveData writes pi and theta (and sigma for gaussian), one row per
// class.
func (m *NaiveBayesModel) SaveData(w *ml.DataWriter) error {
	if err := m.check(); err != nil {
		return err
	}
	c := new(ml.Columns).AddFloat64("pi", m.Pi).AddFloat64s("theta", m.Theta)
	if m.P.ModelType == "gaussian" {
		c.AddFloat64s("sigma", m.Sigma)
	}
	return w.WriteColumns("model", c)
}

// LoadData reads what SaveData wrote and checks its shape.
func (m *NaiveBayesModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("model")
	if err != nil {
		return err
	}
	if m.Pi, err = c.Float64("pi"); err != nil {
		return err
	}
	if m.Theta, err = c.Float64s("theta"); err != nil {
		return err
	}
	if m.P.ModelType == "gaussian" {
		if m.Sigma, err = c.Float64s("sigma"); err != nil {
			return err
		}
	}
	return m.check()
}

// SaveData writes the layer sizes and the weights.
func (m *MultilayerPerceptronClassificationModel) SaveData(w *ml.DataWriter) error {
	if err := m.check(); err != nil {
		return err
	}
	if err := w.WriteColumns("layers", new(ml.Columns).AddInt("size", m.Layers)); err != nil {
		return err
	}
	return w.WriteColumns("weights", new(ml.Columns).AddFloat64("weight", m.Weights))
}

// LoadData reads what SaveData wrote and checks that they fit together.
func (m *MultilayerPerceptronClassificationModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("layers")
	if err != nil {
		return err
	}
	if m.Layers, err = c.Int("size"); err != nil {
		return err
	}
	if c, err = r.ReadColumns("weights"); err != nil {
		return err
	}
	if m.Weights, err = c.Float64("weight"); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return err
	}
	return checkFinite("weights", m.Weights)
}
