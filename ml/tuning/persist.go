package tuning

import (
	"errors"
	"fmt"
	"sort"

	"github.com/sluice-dev/sluice/ml"
)

// Model directories (see ml.Save) of this package's stages hold, besides
// the params in metadata.json:
//
//	data/grid.json       evaluator class and params, and the param maps
//	                     ([{path, stage, param, value}, …] per map; path
//	                     is the stage's index path in the estimator)
//	stages/estimator/    the estimator that was tuned, when set
//	stages/bestModel/    models only: the best model
//	data/metrics.arrow   models only: per map avg/std (CrossValidator) or
//	                     validation (TrainValidationSplit) metric, and the
//	                     fold metrics
//	stages/subModel_I_J/ sub-models when collected (I fold, J map)
//
// Load needs a registry built with Register (it restores the evaluator
// through it) and with every stage class the estimator and models use.

type savedPair struct {
	Path  []int  `json:"path"`
	Stage string `json:"stage,omitempty"`
	Param string `json:"param"`
	Value any    `json:"value"`
}

type savedEvaluator struct {
	Class  string         `json:"class"`
	Params map[string]any `json:"params"`
}

type savedGrid struct {
	HasEstimator bool            `json:"hasEstimator"`
	Evaluator    *savedEvaluator `json:"evaluator,omitempty"`
	ParamMaps    [][]savedPair   `json:"estimatorParamMaps"`
	BestIndex    int             `json:"bestIndex"`
	SubModels    []int           `json:"subModels,omitempty"` // [folds, maps] when saved
}

func saveGrid(w *ml.DataWriter, est ml.Estimator, maps []ParamMap, eval ml.Evaluator, sg savedGrid) error {
	if est != nil {
		sg.HasEstimator = true
		if err := w.SaveStage("estimator", est); err != nil {
			return fmt.Errorf("estimator: %w", err)
		}
	}
	sg.ParamMaps = make([][]savedPair, len(maps))
	for i, pm := range maps {
		sg.ParamMaps[i] = []savedPair{}
		for _, p := range pm {
			sp := savedPair{Param: p.Ref.Param, Value: jsonValue(p.Value), Path: p.Ref.Path, Stage: p.Ref.Name}
			if p.Ref.Stage != nil {
				sp.Stage = p.Ref.Stage.StageName()
			}
			if est != nil {
				path, err := resolve(est, p.Ref)
				if err != nil {
					return fmt.Errorf("estimatorParamMaps[%d] %s: %w", i, p.Ref, err)
				}
				sp.Path, sp.Stage = path, ""
			} else if p.Ref.Stage != nil {
				return fmt.Errorf("estimatorParamMaps[%d] %s: the map names a stage object but no Estimator is set; set Estimator before saving", i, p.Ref)
			}
			sg.ParamMaps[i] = append(sg.ParamMaps[i], sp)
		}
	}
	if eval != nil {
		se := &savedEvaluator{Class: eval.StageName(), Params: map[string]any{}}
		for _, p := range ml.ParamList(eval) {
			se.Params[p.Name] = jsonValue(p.Value)
		}
		sg.Evaluator = se
	}
	return w.WriteJSON("grid", sg)
}

func loadGrid(r *ml.DataReader, reg *ml.Registry, class string) (ml.Estimator, []ParamMap, ml.Evaluator, savedGrid, error) {
	var sg savedGrid
	if err := r.ReadJSON("grid", &sg); err != nil {
		return nil, nil, nil, sg, err
	}
	var est ml.Estimator
	if sg.HasEstimator {
		s, err := r.LoadStage("estimator")
		if err != nil {
			return nil, nil, nil, sg, fmt.Errorf("estimator: %w", err)
		}
		var ok bool
		if est, ok = s.(ml.Estimator); !ok {
			return nil, nil, nil, sg, fmt.Errorf("estimator: %s is not an Estimator; the model directory is corrupt, re-save it", s.StageName())
		}
	}
	maps := make([]ParamMap, len(sg.ParamMaps))
	for i, pairs := range sg.ParamMaps {
		maps[i] = ParamMap{}
		for _, sp := range pairs {
			maps[i] = append(maps[i], ParamPair{Ref: ParamRef{Path: sp.Path, Name: sp.Stage, Param: sp.Param}, Value: sp.Value})
		}
	}
	var eval ml.Evaluator
	if se := sg.Evaluator; se != nil {
		if reg == nil {
			return nil, nil, nil, sg, fmt.Errorf("%s holds an evaluator; load it with ml.Load and a registry built with tuning.Register", class)
		}
		hp, err := reg.New(se.Class)
		if err != nil {
			return nil, nil, nil, sg, fmt.Errorf("evaluator: %w (register its package, e.g. evaluation.Register)", err)
		}
		var ok bool
		if eval, ok = hp.(ml.Evaluator); !ok {
			return nil, nil, nil, sg, fmt.Errorf("evaluator: %s is not an Evaluator", se.Class)
		}
		names := make([]string, 0, len(se.Params))
		for k := range se.Params {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if err := ml.SetParam(eval, k, se.Params[k]); err != nil {
				return nil, nil, nil, sg, fmt.Errorf("evaluator: %w", err)
			}
		}
	}
	return est, maps, eval, sg, nil
}

func loadModel(r *ml.DataReader, name string) (ml.Model, error) {
	s, err := r.LoadStage(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m, ok := s.(ml.Model)
	if !ok {
		return nil, fmt.Errorf("%s: %s is not a fitted model", name, s.StageName())
	}
	return m, nil
}

func subModelName(fold, idx int) string { return fmt.Sprintf("subModel_%d_%d", fold, idx) }

// SaveData writes the estimator, evaluator and param maps.
func (cv *CrossValidator) SaveData(w *ml.DataWriter) error {
	return saveGrid(w, cv.Estimator, cv.EstimatorParamMaps, cv.Evaluator, savedGrid{})
}

// LoadData reads what SaveData wrote.
func (cv *CrossValidator) LoadData(r *ml.DataReader) error {
	var err error
	cv.Estimator, cv.EstimatorParamMaps, cv.Evaluator, _, err = loadGrid(r, cv.reg, cv.StageName())
	return err
}

// SaveData writes the estimator, evaluator and param maps.
func (t *TrainValidationSplit) SaveData(w *ml.DataWriter) error {
	return saveGrid(w, t.Estimator, t.EstimatorParamMaps, t.Evaluator, savedGrid{})
}

// LoadData reads what SaveData wrote.
func (t *TrainValidationSplit) LoadData(r *ml.DataReader) error {
	var err error
	t.Estimator, t.EstimatorParamMaps, t.Evaluator, _, err = loadGrid(r, t.reg, t.StageName())
	return err
}

// SaveData writes the best model, the metrics, the sub-models if
// collected, and what was tuned.
func (m *CrossValidatorModel) SaveData(w *ml.DataWriter) error {
	if m.BestModel == nil {
		return errors.New("no best model to save")
	}
	if err := w.SaveStage("bestModel", m.BestModel); err != nil {
		return fmt.Errorf("bestModel: %w", err)
	}
	n := len(m.AvgMetrics)
	if len(m.StdMetrics) != n {
		return fmt.Errorf("%d avgMetrics but %d stdMetrics", n, len(m.StdMetrics))
	}
	folds := make([][]float64, n)
	for j := range folds {
		folds[j] = []float64{}
		for i := range m.FoldMetrics {
			if len(m.FoldMetrics[i]) != n {
				return fmt.Errorf("fold %d has %d metrics for %d param maps", i, len(m.FoldMetrics[i]), n)
			}
			folds[j] = append(folds[j], m.FoldMetrics[i][j])
		}
	}
	if err := w.WriteColumns("metrics", new(ml.Columns).AddFloat64("avg", m.AvgMetrics).AddFloat64("std", m.StdMetrics).AddFloat64s("folds", folds)); err != nil {
		return err
	}
	sg := savedGrid{BestIndex: m.BestIndex}
	if m.SubModels != nil {
		sg.SubModels = []int{len(m.SubModels), n}
		for i, row := range m.SubModels {
			if len(row) != n {
				return fmt.Errorf("subModels fold %d has %d models for %d param maps", i, len(row), n)
			}
			for j, sm := range row {
				if err := w.SaveStage(subModelName(i, j), sm); err != nil {
					return fmt.Errorf("subModels[%d][%d]: %w", i, j, err)
				}
			}
		}
	}
	return saveGrid(w, m.Estimator, m.EstimatorParamMaps, m.Evaluator, sg)
}

// LoadData reads what SaveData wrote.
func (m *CrossValidatorModel) LoadData(r *ml.DataReader) error {
	est, maps, eval, sg, err := loadGrid(r, m.reg, m.StageName())
	if err != nil {
		return err
	}
	m.Estimator, m.EstimatorParamMaps, m.Evaluator, m.BestIndex = est, maps, eval, sg.BestIndex
	if m.BestModel, err = loadModel(r, "bestModel"); err != nil {
		return err
	}
	c, err := r.ReadColumns("metrics")
	if err != nil {
		return err
	}
	if m.AvgMetrics, err = c.Float64("avg"); err != nil {
		return err
	}
	if m.StdMetrics, err = c.Float64("std"); err != nil {
		return err
	}
	folds, err := c.Float64s("folds")
	if err != nil {
		return err
	}
	n := len(m.AvgMetrics)
	if len(maps) != n || m.BestIndex < 0 || m.BestIndex >= max(n, 1) {
		return fmt.Errorf("%d param maps, %d metrics and best index %d do not fit together; the model directory is corrupt, re-save it", len(maps), n, m.BestIndex)
	}
	k := 0
	if n > 0 {
		k = len(folds[0])
	}
	m.FoldMetrics = make([][]float64, k)
	for i := range k {
		m.FoldMetrics[i] = make([]float64, n)
		for j := range n {
			if len(folds[j]) != k {
				return fmt.Errorf("param map %d has %d fold metrics, map 0 has %d; the model directory is corrupt", j, len(folds[j]), k)
			}
			m.FoldMetrics[i][j] = folds[j][i]
		}
	}
	m.SubModels = nil
	if len(sg.SubModels) == 2 {
		m.SubModels = make([][]ml.Model, sg.SubModels[0])
		for i := range m.SubModels {
			m.SubModels[i] = make([]ml.Model, sg.SubModels[1])
			for j := range m.SubModels[i] {
				if m.SubModels[i][j], err = loadModel(r, subModelName(i, j)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SaveData writes the best model, the metrics, the sub-models if
// collected, and what was tuned.
func (m *TrainValidationSplitModel) SaveData(w *ml.DataWriter) error {
	if m.BestModel == nil {
		return errors.New("no best model to save")
	}
	if err := w.SaveStage("bestModel", m.BestModel); err != nil {
		return fmt.Errorf("bestModel: %w", err)
	}
	if err := w.WriteColumns("metrics", new(ml.Columns).AddFloat64("validation", m.ValidationMetrics)); err != nil {
		return err
	}
	sg := savedGrid{BestIndex: m.BestIndex}
	if m.SubModels != nil {
		sg.SubModels = []int{1, len(m.SubModels)}
		for j, sm := range m.SubModels {
			if err := w.SaveStage(subModelName(0, j), sm); err != nil {
				return fmt.Errorf("subModels[%d]: %w", j, err)
			}
		}
	}
	return saveGrid(w, m.Estimator, m.EstimatorParamMaps, m.Evaluator, sg)
}

// LoadData reads what SaveData wrote.
func (m *TrainValidationSplitModel) LoadData(r *ml.DataReader) error {
	est, maps, eval, sg, err := loadGrid(r, m.reg, m.StageName())
	if err != nil {
		return err
	}
	m.Estimator, m.EstimatorParamMaps, m.Evaluator, m.BestIndex = est, maps, eval, sg.BestIndex
	if m.BestModel, err = loadModel(r, "bestModel"); err != nil {
		return err
	}
	c, err := r.ReadColumns("metrics")
	if err != nil {
		return err
	}
	if m.ValidationMetrics, err = c.Float64("validation"); err != nil {
		return err
	}
	n := len(m.ValidationMetrics)
	if len(maps) != n || m.BestIndex < 0 || m.BestIndex >= max(n, 1) {
		return fmt.Errorf("%d param maps, %d metrics and best index %d do not fit together; the model directory is corrupt, re-save it", len(maps), n, m.BestIndex)
	}
	m.SubModels = nil
	if len(sg.SubModels) == 2 {
		m.SubModels = make([]ml.Model, sg.SubModels[1])
		for j := range m.SubModels {
			if m.SubModels[j], err = loadModel(r, subModelName(0, j)); err != nil {
				return err
			}
		}
	}
	return nil
}
