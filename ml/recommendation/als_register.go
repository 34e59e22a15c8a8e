package recommendation

import (
	"errors"
	"fmt"
	"math"

	"github.com/sluice-dev/sluice/ml"
)

func registerALS(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewALS() })
	r.Register(func() ml.HasParams { return &ALSModel{P: defaultModelParams()} })
}

// alsModelInfo is data/model.json.
type alsModelInfo struct {
	Rank          int      `json:"rank"`
	ImplicitPrefs bool     `json:"implicitPrefs"`
	BiasMode      string   `json:"biasMode"`
	GlobalMean    float64  `json:"globalMean"`
	NumRatings    int64    `json:"numRatings"`
	TrainingRMSE  *float64 `json:"trainingRMSE,omitempty"`
}

// SaveData writes data/model.json (rank, feedback type, bias mode, global
// mean) and the factor tables data/userFactors.arrow and
// data/itemFactors.arrow (id, features as list<double>, and bias with
// biasMode user+item).
func (m *ALSModel) SaveData(w *ml.DataWriter) error {
	if m.rank <= 0 {
		return errNoFactors
	}
	info := alsModelInfo{Rank: m.rank, ImplicitPrefs: m.implicit, BiasMode: m.biasMode, GlobalMean: m.globalMean, NumRatings: m.numRatings}
	if !math.IsNaN(m.trainRMSE) {
		v := m.trainRMSE
		info.TrainingRMSE = &v
	}
	if err := w.WriteJSON("model", info); err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		tab  *factorTable
	}{{FrameUserFactors, &m.users}, {FrameItemFactors, &m.items}} {
		ids := make([]int64, len(t.tab.ids))
		feats := make([][]float64, len(t.tab.ids))
		for i, id := range t.tab.ids {
			ids[i] = int64(id)
			row := t.tab.row(int32(i), m.rank)
			f := make([]float64, len(row))
			for j, v := range row {
				f[j] = float64(v)
			}
			feats[i] = f
		}
		c := new(ml.Columns).AddInt64("id", ids).AddFloat64s("features", feats)
		if t.tab.bias != nil {
			b := make([]float64, len(t.tab.bias))
			for i, v := range t.tab.bias {
				b[i] = float64(v)
			}
			c.AddFloat64("bias", b)
		}
		if err := w.WriteColumns(t.name, c); err != nil {
			return err
		}
	}
	return nil
}

// LoadData reads what SaveData wrote and checks its shape.
func (m *ALSModel) LoadData(r *ml.DataReader) error {
	var info alsModelInfo
	if err := r.ReadJSON("model", &info); err != nil {
		return err
	}
	if info.Rank <= 0 {
		return fmt.Errorf("data/model.json: rank %d; re-save the model", info.Rank)
	}
	switch info.BiasMode {
	case BiasNone, BiasGlobal, BiasUserItem:
	default:
		return fmt.Errorf("data/model.json: unknown biasMode %q; re-save the model", info.BiasMode)
	}
	m.rank, m.implicit, m.biasMode, m.globalMean, m.numRatings = info.Rank, info.ImplicitPrefs, info.BiasMode, info.GlobalMean, info.NumRatings
	m.trainRMSE = math.NaN()
	if info.TrainingRMSE != nil {
		m.trainRMSE = *info.TrainingRMSE
	}
	for _, t := range []struct {
		name string
		tab  *factorTable
	}{{FrameUserFactors, &m.users}, {FrameItemFactors, &m.items}} {
		c, err := r.ReadColumns(t.name)
		if err != nil {
			return err
		}
		ids, err := c.Int64("id")
		if err != nil {
			return err
		}
		feats, err := c.Float64s("features")
		if err != nil {
			return err
		}
		t.tab.ids = make([]int32, len(ids))
		t.tab.x = make([]float32, 0, len(ids)*m.rank)
		for i, id := range ids {
			if id < math.MinInt32 || id > math.MaxInt32 || (i > 0 && id <= ids[i-1]) {
				return fmt.Errorf("data/%s.arrow: ids are not distinct increasing int32 values (row %d: %d); re-save the model", t.name, i+1, id)
			}
			if len(feats[i]) != m.rank {
				return fmt.Errorf("data/%s.arrow: row %d has %d factors, the model's rank is %d; re-save the model", t.name, i+1, len(feats[i]), m.rank)
			}
			t.tab.ids[i] = int32(id)
			for _, v := range feats[i] {
				t.tab.x = append(t.tab.x, float32(v))
			}
		}
		t.tab.bias = nil
		if m.biasMode == BiasUserItem {
			b, err := c.Float64("bias")
			if err != nil {
				return err
			}
			t.tab.bias = make([]float32, len(b))
			for i, v := range b {
				t.tab.bias[i] = float32(v)
			}
		}
	}
	if len(m.users.ids) == 0 || len(m.items.ids) == 0 {
		return errors.New("the model has no users or no items; re-save it")
	}
	m.index()
	return nil
}
