package regression

import (
	"fmt"

	"github.com/sluice-dev/sluice/ml"
)

// Register adds this package's estimators and models to r.
func Register(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewLinearRegression() })
	r.Register(func() ml.HasParams { return &LinearRegressionModel{P: NewLinearRegression().P, Scale: 1} })
	r.Register(func() ml.HasParams { return NewGeneralizedLinearRegression() })
	r.Register(func() ml.HasParams {
		return &GeneralizedLinearRegressionModel{P: NewGeneralizedLinearRegression().P}
	})
	r.Register(func() ml.HasParams { return NewIsotonicRegression() })
	r.Register(func() ml.HasParams { return &IsotonicRegressionModel{P: NewIsotonicRegression().P} })
}

// SaveData writes the intercept, the scale and the coefficients (Spark's
// LinearRegressionModel data: one row).
func (m *LinearRegressionModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("model", new(ml.Columns).
		AddFloat64("intercept", []float64{m.Intercept}).
		AddFloat64("scale", []float64{m.Scale}).
		AddFloat64s("coefficients", [][]float64{m.Coefficients}))
}

// LoadData reads what SaveData wrote.
func (m *LinearRegressionModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("model")
	if err != nil {
		return err
	}
	if c.Len() != 1 {
		return fmt.Errorf("data/model.arrow has %d rows, want 1; re-save the model", c.Len())
	}
	icpt, err := c.Float64("intercept")
	if err != nil {
		return err
	}
	scale, err := c.Float64("scale")
	if err != nil {
		return err
	}
	coef, err := c.Float64s("coefficients")
	if err != nil {
		return err
	}
	m.Intercept, m.Scale, m.Coefficients = icpt[0], scale[0], coef[0]
	m.Summary, m.diagInv = nil, nil
	return nil
}

// SaveData writes the intercept and the coefficients (one row).
func (m *GeneralizedLinearRegressionModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("model", new(ml.Columns).
		AddFloat64("intercept", []float64{m.Intercept}).
		AddFloat64s("coefficients", [][]float64{m.Coefficients}))
}

// LoadData reads what SaveData wrote and checks the family and link.
func (m *GeneralizedLinearRegressionModel) LoadData(r *ml.DataReader) error {
	if _, _, err := m.P.familyAndLink(); err != nil {
		return fmt.Errorf("metadata.json: %w", err)
	}
	c, err := r.ReadColumns("model")
	if err != nil {
		return err
	}
	if c.Len() != 1 {
		return fmt.Errorf("data/model.arrow has %d rows, want 1; re-save the model", c.Len())
	}
	icpt, err := c.Float64("intercept")
	if err != nil {
		return err
	}
	coef, err := c.Float64s("coefficients")
	if err != nil {
		return err
	}
	m.Intercept, m.Coefficients, m.Summary = icpt[0], coef[0], nil
	return nil
}

// SaveData writes the boundaries and predictions (Spark's data).
func (m *IsotonicRegressionModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("model", new(ml.Columns).
		AddFloat64("boundaries", m.Boundaries).
		AddFloat64("predictions", m.Predictions))
}

// LoadData reads what SaveData wrote and checks that the boundaries
// increase.
func (m *IsotonicRegressionModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("model")
	if err != nil {
		return err
	}
	if m.Boundaries, err = c.Float64("boundaries"); err != nil {
		return err
	}
	if m.Predictions, err = c.Float64("predictions"); err != nil {
		return err
	}
	if len(m.Boundaries) == 0 {
		return fmt.Errorf("data/model.arrow has no boundaries; re-save the model")
	}
	for i := 1; i < len(m.Boundaries); i++ {
		if !(m.Boundaries[i] > m.Boundaries[i-1]) {
			return fmt.Errorf("data/model.arrow: boundaries are not increasing at row %d; re-save the model", i+1)
		}
	}
	return nil
}
