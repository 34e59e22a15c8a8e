package feature

import (
	"fmt"

	"github.com/sluice-dev/sluice/ml"
)

// Register adds this package's stages and models to r.
func Register(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewRFormula() })
	r.Register(func() ml.HasParams { return &RFormulaModel{P: NewRFormula().P} })
	r.Register(func() ml.HasParams { return NewVectorAssembler() })
	r.Register(func() ml.HasParams { return NewStringIndexer() })
	r.Register(func() ml.HasParams { return &StringIndexerModel{P: NewStringIndexer().P} })
	r.Register(func() ml.HasParams { return NewStandardScaler() })
	r.Register(func() ml.HasParams { return &StandardScalerModel{P: NewStandardScaler().P} })
	r.Register(func() ml.HasParams { return NewIndexToString() })
	r.Register(func() ml.HasParams { return NewOneHotEncoder() })
	r.Register(func() ml.HasParams { return &OneHotEncoderModel{P: NewOneHotEncoder().P} })
	r.Register(func() ml.HasParams { return NewMinMaxScaler() })
	r.Register(func() ml.HasParams { return &MinMaxScalerModel{P: NewMinMaxScaler().P} })
	r.Register(func() ml.HasParams { return NewMaxAbsScaler() })
	r.Register(func() ml.HasParams { return &MaxAbsScalerModel{P: NewMaxAbsScaler().P} })
	r.Register(func() ml.HasParams { return NewRobustScaler() })
	r.Register(func() ml.HasParams { return &RobustScalerModel{P: NewRobustScaler().P} })
	r.Register(func() ml.HasParams { return NewNormalizer() })
	r.Register(func() ml.HasParams { return NewImputer() })
	r.Register(func() ml.HasParams { return &ImputerModel{P: NewImputer().P} })
	r.Register(func() ml.HasParams { return NewBinarizer() })
	r.Register(func() ml.HasParams { return NewBucketizer() })
	r.Register(func() ml.HasParams { return NewQuantileDiscretizer() })
	r.Register(func() ml.HasParams { return NewPolynomialExpansion() })
	r.Register(func() ml.HasParams { return NewInteraction() })
	r.Register(func() ml.HasParams { return NewVectorSlicer() })
	r.Register(func() ml.HasParams { return NewVarianceThresholdSelector() })
	r.Register(func() ml.HasParams { return &VarianceThresholdSelectorModel{P: NewVarianceThresholdSelector().P} })
	r.Register(func() ml.HasParams { return NewUnivariateFeatureSelector() })
	r.Register(func() ml.HasParams { return &UnivariateFeatureSelectorModel{P: NewUnivariateFeatureSelector().P} })
	r.Register(func() ml.HasParams { return NewPCA() })
	r.Register(func() ml.HasParams { return &PCAModel{P: NewPCA().P} })
	registerText(r)
	registerWord2Vec(r)
	registerLSH(r)
}

// SaveData writes the labels in index order.
func (m *StringIndexerModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("labels", new(ml.Columns).AddString("label", m.Labels))
}

// LoadData reads the labels.
func (m *StringIndexerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("labels")
	if err != nil {
		return err
	}
	m.Labels, err = c.String("label")
	return err
}

// SaveData writes the mean and std per feature.
func (m *StandardScalerModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("stats", new(ml.Columns).AddFloat64("mean", m.Mean).AddFloat64("std", m.Std))
}

// LoadData reads the mean and std.
func (m *StandardScalerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("stats")
	if err != nil {
		return err
	}
	if m.Mean, err = c.Float64("mean"); err != nil {
		return err
	}
	if m.Std, err = c.Float64("std"); err != nil {
		return err
	}
	if len(m.Mean) != len(m.Std) {
		return fmt.Errorf("stats: %d means for %d stds", len(m.Mean), len(m.Std))
	}
	return nil
}
