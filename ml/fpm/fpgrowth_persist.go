package fpm

import (
	"fmt"

	"github.com/sluice-dev/sluice/ml"
)

type fpGrowthMeta struct {
	NumTrainingRecords int64  `json:"numTrainingRecords"`
	ItemType           string `json:"itemType"`
}

// SaveData writes the frequent items (data/items.arrow: item, count, by
// rank), the itemsets (data/itemsets.arrow: freq, size) and their items
// (data/itemsetItems.arrow: rank, back to back) and data/meta.json.
// Association rules are derived again on load, as in Spark.
func (m *FPGrowthModel) SaveData(w *ml.DataWriter) error {
	if err := w.WriteJSON("meta", fpGrowthMeta{NumTrainingRecords: m.numRecords, ItemType: string(m.kind)}); err != nil {
		return err
	}
	if err := w.WriteColumns("items", new(ml.Columns).AddString("item", m.items).AddInt64("count", m.itemCounts)); err != nil {
		return err
	}
	sizes := make([]int64, len(m.freq))
	for i := range sizes {
		sizes[i] = int64(len(m.itemset(i)))
	}
	if err := w.WriteColumns("itemsets", new(ml.Columns).AddInt64("freq", m.freq).AddInt64("size", sizes)); err != nil {
		return err
	}
	ranks := make([]int64, len(m.ranks))
	for i, r := range m.ranks {
		ranks[i] = int64(r)
	}
	return w.WriteColumns("itemsetItems", new(ml.Columns).AddInt64("rank", ranks))
}

// LoadData reads what SaveData wrote, checking that it fits together.
func (m *FPGrowthModel) LoadData(r *ml.DataReader) error {
	var meta fpGrowthMeta
	if err := r.ReadJSON("meta", &meta); err != nil {
		return err
	}
	switch itemKind(meta.ItemType) {
	case kindString, kindInteger:
		m.kind = itemKind(meta.ItemType)
	default:
		return fmt.Errorf("data/meta.json: item type %q is unknown; re-save the model", meta.ItemType)
	}
	m.numRecords = meta.NumTrainingRecords
	c, err := r.ReadColumns("items")
	if err != nil {
		return err
	}
	if m.items, err = c.String("item"); err != nil {
		return err
	}
	if m.itemCounts, err = c.Int64("count"); err != nil {
		return err
	}
	if c, err = r.ReadColumns("itemsets"); err != nil {
		return err
	}
	if m.freq, err = c.Int64("freq"); err != nil {
		return err
	}
	sizes, err := c.Int64("size")
	if err != nil {
		return err
	}
	if c, err = r.ReadColumns("itemsetItems"); err != nil {
		return err
	}
	ranks, err := c.Int64("rank")
	if err != nil {
		return err
	}
	corrupt := func(what string) error {
		return fmt.Errorf("model data is inconsistent (%s); the model directory is corrupt, re-save it", what)
	}
	m.ends = make([]int, len(sizes))
	end := 0
	for i, s := range sizes {
		if s < 1 {
			return corrupt(fmt.Sprintf("itemset %d has %d items", i+1, s))
		}
		end += int(s)
		m.ends[i] = end
	}
	if end != len(ranks) {
		return corrupt(fmt.Sprintf("itemsets list %d items, there are %d", end, len(ranks)))
	}
	m.ranks = make([]int32, len(ranks))
	for i, r := range ranks {
		if r < 0 || r >= int64(len(m.items)) {
			return corrupt(fmt.Sprintf("item rank %d out of range", r))
		}
		m.ranks[i] = int32(r)
	}
	if m.numRecords < 1 {
		return corrupt("no training records")
	}
	m.rules = nil
	return nil
}
