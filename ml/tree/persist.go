package tree

import (
	"fmt"
	"math"

	"github.com/sluice-dev/sluice/ml"
)

// modelMeta is data/model.json (see the package doc for the layout).
type modelMeta struct {
	UID         string `json:"uid"`
	NumFeatures int    `json:"numFeatures"`
	NumClasses  int    `json:"numClasses,omitempty"`
}

func saveModel(w *ml.DataWriter, meta modelMeta, trees []Tree, weights []float64) error {
	if len(trees) == 0 {
		return errNoModel
	}
	if err := w.WriteJSON("model", meta); err != nil {
		return err
	}
	var (
		treeID, id, left, right, feature, numCats []int
		rawCount                                  []int64
		pred, imp, gain, weight, thr              []float64
		stats, cats                               [][]float64
	)
	for t := range trees {
		for i := range trees[t].Nodes {
			n := &trees[t].Nodes[i]
			treeID, id = append(treeID, t), append(id, i)
			pred, imp, gain = append(pred, n.Prediction), append(imp, n.Impurity), append(gain, n.Gain)
			weight, rawCount = append(weight, n.Weight), append(rawCount, n.RawCount)
			left, right, feature = append(left, n.Left), append(right, n.Right), append(feature, n.Feature)
			thr, numCats = append(thr, n.Threshold), append(numCats, n.NumCategories)
			stats = append(stats, nonNil(n.Stats))
			cats = append(cats, nonNil(n.Categories))
		}
	}
	nodes := new(ml.Columns).AddInt("treeID", treeID).AddInt("id", id).
		AddFloat64("prediction", pred).AddFloat64("impurity", imp).AddFloat64s("impurityStats", stats).
		AddInt64("rawCount", rawCount).AddFloat64("weight", weight).AddFloat64("gain", gain).
		AddInt("leftChild", left).AddInt("rightChild", right).AddInt("featureIndex", feature).
		AddFloat64("threshold", thr).AddFloat64s("leftCategories", cats).AddInt("numCategories", numCats)
	if err := w.WriteColumns("nodes", nodes); err != nil {
		return err
	}
	ids := make([]int, len(trees))
	for i := range ids {
		ids[i] = i
	}
	return w.WriteColumns("trees", new(ml.Columns).AddInt("treeID", ids).AddFloat64("weight", weights))
}

// emptyIfNil returns v, or an empty list for nil: ml.Save writes a nil
// list param as null, which ml.Load cannot set back.
func emptyIfNil(v []float64) []float64 { return nonNil(v) }

func nonNil(v []float64) []float64 {
	if v == nil {
		return []float64{}
	}
	return v
}

func loadModel(r *ml.DataReader) (modelMeta, []Tree, []float64, error) {
	var meta modelMeta
	if err := r.ReadJSON("model", &meta); err != nil {
		return meta, nil, nil, err
	}
	if meta.NumFeatures < 1 {
		return meta, nil, nil, fmt.Errorf("data/model.json: numFeatures = %d; the model directory is corrupt, re-save it", meta.NumFeatures)
	}
	tc, err := r.ReadColumns("trees")
	if err != nil {
		return meta, nil, nil, err
	}
	weights, err := tc.Float64("weight")
	if err != nil {
		return meta, nil, nil, err
	}
	if len(weights) == 0 {
		return meta, nil, nil, fmt.Errorf("data/trees.arrow has no trees; re-save the model")
	}
	c, err := r.ReadColumns("nodes")
	if err != nil {
		return meta, nil, nil, err
	}
	var (
		treeID, id, left, right, feature, numCats []int
		rawCount                                  []int64
		pred, imp, gain, weight, thr              []float64
		stats, cats                               [][]float64
	)
	for _, col := range []struct {
		name string
		dst  *[]int
	}{{"treeID", &treeID}, {"id", &id}, {"leftChild", &left}, {"rightChild", &right}, {"featureIndex", &feature}, {"numCategories", &numCats}} {
		if *col.dst, err = c.Int(col.name); err != nil {
			return meta, nil, nil, err
		}
	}
	for _, col := range []struct {
		name string
		dst  *[]float64
	}{{"prediction", &pred}, {"impurity", &imp}, {"gain", &gain}, {"weight", &weight}, {"threshold", &thr}} {
		if *col.dst, err = c.Float64(col.name); err != nil {
			return meta, nil, nil, err
		}
	}
	if rawCount, err = c.Int64("rawCount"); err != nil {
		return meta, nil, nil, err
	}
	if stats, err = c.Float64s("impurityStats"); err != nil {
		return meta, nil, nil, err
	}
	if cats, err = c.Float64s("leftCategories"); err != nil {
		return meta, nil, nil, err
	}
	trees := make([]Tree, len(weights))
	for k := range treeID {
		t := treeID[k]
		if t < 0 || t >= len(trees) || id[k] != len(trees[t].Nodes) {
			return meta, nil, nil, fmt.Errorf("data/nodes.arrow row %d: tree %d node %d is out of order; the model directory is corrupt, re-save it", k+1, t, id[k])
		}
		n := Node{
			Feature: feature[k], Threshold: thr[k], NumCategories: numCats[k], Left: left[k], Right: right[k],
			Prediction: pred[k], Impurity: imp[k], Gain: gain[k], Weight: weight[k], RawCount: rawCount[k], Stats: stats[k],
		}
		if n.NumCategories >= 0 {
			for _, v := range cats[k] {
				if v < 0 || v >= 256 || v != math.Trunc(v) {
					return meta, nil, nil, fmt.Errorf("data/nodes.arrow row %d: left category %v is not a category index; the model directory is corrupt, re-save it", k+1, v)
				}
			}
			n.setCategories(cats[k])
		}
		trees[t].Nodes = append(trees[t].Nodes, n)
	}
	for t := range trees {
		if err := trees[t].validate(meta.NumFeatures); err != nil {
			return meta, nil, nil, fmt.Errorf("data/nodes.arrow: tree %d: %w; the model directory is corrupt, re-save it", t, err)
		}
	}
	return meta, trees, weights, nil
}

func checkStats(trees []Tree, numClasses int) error {
	for t := range trees {
		for i := range trees[t].Nodes {
			if len(trees[t].Nodes[i].Stats) != numClasses {
				return fmt.Errorf("data/nodes.arrow: tree %d node %d has %d class counts for %d classes; the model directory is corrupt, re-save it", t, i, len(trees[t].Nodes[i].Stats), numClasses)
			}
		}
	}
	return nil
}

// SaveData writes the tree.
func (m *DecisionTreeClassificationModel) SaveData(w *ml.DataWriter) error {
	m.P.Thresholds = emptyIfNil(m.P.Thresholds)
	return saveModel(w, modelMeta{UID: m.UID, NumFeatures: m.Features, NumClasses: m.Classes}, []Tree{m.Tree}, []float64{1})
}

// LoadData reads the tree.
func (m *DecisionTreeClassificationModel) LoadData(r *ml.DataReader) error {
	meta, trees, _, err := loadModel(r)
	if err != nil {
		return err
	}
	if len(trees) != 1 || meta.NumClasses < 2 {
		return fmt.Errorf("data: %d trees and %d classes, want 1 tree and 2 or more classes; re-save the model", len(trees), meta.NumClasses)
	}
	if err := checkStats(trees, meta.NumClasses); err != nil {
		return err
	}
	m.UID, m.Features, m.Classes, m.Tree = meta.UID, meta.NumFeatures, meta.NumClasses, trees[0]
	return nil
}

// SaveData writes the tree.
func (m *DecisionTreeRegressionModel) SaveData(w *ml.DataWriter) error {
	return saveModel(w, modelMeta{UID: m.UID, NumFeatures: m.Features}, []Tree{m.Tree}, []float64{1})
}

// LoadData reads the tree.
func (m *DecisionTreeRegressionModel) LoadData(r *ml.DataReader) error {
	meta, trees, _, err := loadModel(r)
	if err != nil {
		return err
	}
	if len(trees) != 1 {
		return fmt.Errorf("data: %d trees, want 1; re-save the model", len(trees))
	}
	m.UID, m.Features, m.Tree = meta.UID, meta.NumFeatures, trees[0]
	return nil
}

// SaveData writes the trees.
func (m *RandomForestClassificationModel) SaveData(w *ml.DataWriter) error {
	m.P.Thresholds = emptyIfNil(m.P.Thresholds)
	return saveModel(w, modelMeta{UID: m.UID, NumFeatures: m.Features, NumClasses: m.Classes}, m.Trees, unitWeights(len(m.Trees)))
}

// LoadData reads the trees.
func (m *RandomForestClassificationModel) LoadData(r *ml.DataReader) error {
	meta, trees, _, err := loadModel(r)
	if err != nil {
		return err
	}
	if meta.NumClasses < 2 {
		return fmt.Errorf("data/model.json: numClasses = %d; re-save the model", meta.NumClasses)
	}
	if err := checkStats(trees, meta.NumClasses); err != nil {
		return err
	}
	m.UID, m.Features, m.Classes, m.Trees = meta.UID, meta.NumFeatures, meta.NumClasses, trees
	return nil
}

// SaveData writes the trees.
func (m *RandomForestRegressionModel) SaveData(w *ml.DataWriter) error {
	return saveModel(w, modelMeta{UID: m.UID, NumFeatures: m.Features}, m.Trees, unitWeights(len(m.Trees)))
}

// LoadData reads the trees.
func (m *RandomForestRegressionModel) LoadData(r *ml.DataReader) error {
	meta, trees, _, err := loadModel(r)
	if err != nil {
		return err
	}
	m.UID, m.Features, m.Trees = meta.UID, meta.NumFeatures, trees
	return nil
}

// SaveData writes the trees and their weights.
func (m *GBTClassificationModel) SaveData(w *ml.DataWriter) error {
	m.P.Thresholds = emptyIfNil(m.P.Thresholds)
	return saveModel(w, modelMeta{UID: m.UID, NumFeatures: m.Features, NumClasses: 2}, m.Trees, m.TreeWeights)
}

// LoadData reads the trees and their weights.
func (m *GBTClassificationModel) LoadData(r *ml.DataReader) error {
	meta, trees, weights, err := loadModel(r)
	if err != nil {
		return err
	}
	m.UID, m.Features, m.Trees, m.TreeWeights = meta.UID, meta.NumFeatures, trees, weights
	return nil
}

// SaveData writes the trees and their weights.
func (m *GBTRegressionModel) SaveData(w *ml.DataWriter) error {
	return saveModel(w, modelMeta{UID: m.UID, NumFeatures: m.Features}, m.Trees, m.TreeWeights)
}

// LoadData reads the trees and their weights.
func (m *GBTRegressionModel) LoadData(r *ml.DataReader) error {
	meta, trees, weights, err := loadModel(r)
	if err != nil {
		return err
	}
	m.UID, m.Features, m.Trees, m.TreeWeights = meta.UID, meta.NumFeatures, trees, weights
	return nil
}
