package feature

import (
	"fmt"
	"reflect"

	"github.com/sluice-dev/sluice/ml"
)

// Persistence of the stages in this package. Params are saved by ml.Save;
// SaveData writes the learned state, and for every stage makes nil slice
// params empty first, since ml.Save writes a nil slice as JSON null,
// which ml.Load cannot set back into a slice param.

// fillNilSlices replaces nil slices in the params struct p points to by
// empty ones.
func fillNilSlices(p any) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Slice && f.IsNil() && f.CanSet() {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
}

// SaveData normalizes the params (no other state).
func (s *IndexToString) SaveData(*ml.DataWriter) error { fillNilSlices(&s.P); return nil }

// SaveData normalizes the params (no other state).
func (e *OneHotEncoder) SaveData(*ml.DataWriter) error { fillNilSlices(&e.P); return nil }

// SaveData writes the category count of each input column.
func (m *OneHotEncoderModel) SaveData(w *ml.DataWriter) error {
	fillNilSlices(&m.P)
	return w.WriteColumns("categories", new(ml.Columns).AddInt("size", m.CategorySizes))
}

// LoadData reads the category counts.
func (m *OneHotEncoderModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("categories")
	if err != nil {
		return err
	}
	m.CategorySizes, err = c.Int("size")
	return err
}

// SaveData writes the fitted minimum and maximum per feature.
func (m *MinMaxScalerModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("stats", new(ml.Columns).AddFloat64("originalMin", m.OriginalMin).AddFloat64("originalMax", m.OriginalMax))
}

// LoadData reads the minimums and maximums.
func (m *MinMaxScalerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("stats")
	if err != nil {
		return err
	}
	if m.OriginalMin, err = c.Float64("originalMin"); err != nil {
		return err
	}
	m.OriginalMax, err = c.Float64("originalMax")
	return err
}

// SaveData writes the maximum absolute value per feature.
func (m *MaxAbsScalerModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("stats", new(ml.Columns).AddFloat64("maxAbs", m.MaxAbs))
}

// LoadData reads the maximum absolute values.
func (m *MaxAbsScalerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("stats")
	if err != nil {
		return err
	}
	m.MaxAbs, err = c.Float64("maxAbs")
	return err
}

// SaveData writes the quantile range and median per feature.
func (m *RobustScalerModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("stats", new(ml.Columns).AddFloat64("range", m.Range).AddFloat64("median", m.Median))
}

// LoadData reads the ranges and medians.
func (m *RobustScalerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("stats")
	if err != nil {
		return err
	}
	if m.Range, err = c.Float64("range"); err != nil {
		return err
	}
	m.Median, err = c.Float64("median")
	return err
}

// SaveData normalizes the params (no other state).
func (b *Binarizer) SaveData(*ml.DataWriter) error { fillNilSlices(&b.P); return nil }

// SaveData normalizes the params (no other state).
func (e *Imputer) SaveData(*ml.DataWriter) error { fillNilSlices(&e.P); return nil }

// SaveData writes the surrogate of each fitted column.
func (m *ImputerModel) SaveData(w *ml.DataWriter) error {
	fillNilSlices(&m.P)
	return w.WriteColumns("surrogates", new(ml.Columns).AddString("column", m.Columns).AddFloat64("surrogate", m.Surrogates))
}

// LoadData reads the surrogates.
func (m *ImputerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("surrogates")
	if err != nil {
		return err
	}
	if m.Columns, err = c.String("column"); err != nil {
		return err
	}
	m.Surrogates, err = c.Float64("surrogate")
	return err
}

// SaveData normalizes the params; the splits are params.
func (b *Bucketizer) SaveData(*ml.DataWriter) error {
	fillNilSlices(&b.P)
	for i, s := range b.P.SplitsArray {
		if s == nil {
			b.P.SplitsArray[i] = []float64{}
		}
	}
	return nil
}

// SaveData normalizes the params (no other state).
func (q *QuantileDiscretizer) SaveData(*ml.DataWriter) error { fillNilSlices(&q.P); return nil }

// SaveData normalizes the params (no other state).
func (it *Interaction) SaveData(*ml.DataWriter) error { fillNilSlices(&it.P); return nil }

// SaveData normalizes the params (no other state).
func (s *VectorSlicer) SaveData(*ml.DataWriter) error { fillNilSlices(&s.P); return nil }

// SaveData writes the selected feature indices.
func (m *VarianceThresholdSelectorModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("selected", new(ml.Columns).AddInt("feature", m.SelectedFeatures))
}

// LoadData reads the selected feature indices.
func (m *VarianceThresholdSelectorModel) LoadData(r *ml.DataReader) error {
	sel, err := loadSelected(r)
	m.SelectedFeatures = sel
	return err
}

// SaveData writes the selected feature indices.
func (m *UnivariateFeatureSelectorModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("selected", new(ml.Columns).AddInt("feature", m.SelectedFeatures))
}

// LoadData reads the selected feature indices.
func (m *UnivariateFeatureSelectorModel) LoadData(r *ml.DataReader) error {
	sel, err := loadSelected(r)
	m.SelectedFeatures = sel
	return err
}

func loadSelected(r *ml.DataReader) ([]int, error) {
	c, err := r.ReadColumns("selected")
	if err != nil {
		return nil, err
	}
	sel, err := c.Int("feature")
	if err != nil {
		return nil, err
	}
	for i, j := range sel {
		if j < 0 || (i > 0 && j <= sel[i-1]) {
			return nil, fmt.Errorf("data/selected.arrow: feature indices must be increasing and >= 0, found %d at %d; re-save the model", j, i)
		}
	}
	return sel, nil
}

// SaveData writes the components and their explained variance.
func (m *PCAModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("components", new(ml.Columns).AddFloat64s("component", m.Components).AddFloat64("explainedVariance", m.ExplainedVariance))
}

// LoadData reads the components.
func (m *PCAModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("components")
	if err != nil {
		return err
	}
	if m.Components, err = c.Float64s("component"); err != nil {
		return err
	}
	if m.ExplainedVariance, err = c.Float64("explainedVariance"); err != nil {
		return err
	}
	for i, pc := range m.Components {
		if len(pc) != len(m.Components[0]) {
			return fmt.Errorf("data/components.arrow: component %d has %d entries, component 0 has %d; re-save the model", i, len(pc), len(m.Components[0]))
		}
	}
	return nil
}
