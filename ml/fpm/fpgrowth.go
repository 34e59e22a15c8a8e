package fpm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// FPGrowthParams are FPGrowth's params, with Spark's names and defaults.
type FPGrowthParams struct {
	ItemsCol      string  `param:"itemsCol" doc:"array column of each transaction's items (strings or integers; unique within a transaction)"`
	MinSupport    float64 `param:"minSupport" doc:"minimal support of a frequent itemset, as a fraction of the transactions, in [0, 1]"`
	MinConfidence float64 `param:"minConfidence" doc:"minimal confidence of an association rule, in [0, 1]; does not affect the itemsets"`
	PredictionCol string  `param:"predictionCol" doc:"column of predicted items (consequents of the rules a row's items satisfy)"`
	NumPartitions int     `param:"numPartitions" doc:"Spark's partitions of the mining; here the number of goroutines mining in parallel (0: GOMAXPROCS)"`
}

// Validate checks the params.
func (p FPGrowthParams) Validate() error {
	switch {
	case p.ItemsCol == "":
		return errors.New("itemsCol is empty; name the array column of items")
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the output column")
	case !(p.MinSupport >= 0 && p.MinSupport <= 1):
		return fmt.Errorf("minSupport is %v; want a fraction of the transactions in [0, 1], e.g. 0.3", p.MinSupport)
	case !(p.MinConfidence >= 0 && p.MinConfidence <= 1):
		return fmt.Errorf("minConfidence is %v; want a value in [0, 1], e.g. 0.8", p.MinConfidence)
	case p.NumPartitions < 0:
		return fmt.Errorf("numPartitions is %d; want >= 1, or 0 for one goroutine per core", p.NumPartitions)
	}
	return nil
}

// DefaultFPGrowthParams returns Spark's defaults: itemsCol "items",
// minSupport 0.3, minConfidence 0.8, predictionCol "prediction",
// numPartitions unset (0).
func DefaultFPGrowthParams() FPGrowthParams {
	return FPGrowthParams{ItemsCol: "items", MinSupport: 0.3, MinConfidence: 0.8, PredictionCol: "prediction"}
}

// FPGrowth mines frequent itemsets with the FP-growth algorithm and
// derives association rules from them, as Spark's FPGrowth. Fit returns
// an FPGrowthModel.
//
// Transactions are the non-NULL rows of itemsCol (NULL rows are skipped,
// as in Spark; empty arrays count as transactions with no items). An
// item set is frequent when it occurs in at least ceil(minSupport·n) of
// the n transactions. An item appearing twice in one transaction is an
// error (Spark: "Items in a transaction must be unique").
type FPGrowth struct {
	P FPGrowthParams
}

var _ ml.Estimator = (*FPGrowth)(nil)

// NewFPGrowth returns an FPGrowth with Spark's defaults.
func NewFPGrowth() *FPGrowth { return &FPGrowth{P: DefaultFPGrowthParams()} }

// StageName returns "FPGrowth".
func (e *FPGrowth) StageName() string { return "FPGrowth" }

// Params returns the params.
func (e *FPGrowth) Params() any { return &e.P }

// TransformSchema checks itemsCol and adds predictionCol.
func (e *FPGrowth) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	k, err := checkItemsCol(in, "itemsCol", e.P.ItemsCol)
	if err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: e.P.PredictionCol, Type: k.listType(), Nullable: true})
}

// Fit mines the frequent itemsets of itemsCol. ctx cancels the mining.
func (e *FPGrowth) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	kind, _ := checkItemsCol(f.Schema(), "itemsCol", e.P.ItemsCol)
	col, _ := f.Column(e.P.ItemsCol)
	rows, valid, err := readItems(col, e.P.ItemsCol)
	if err != nil {
		return nil, err
	}
	// Count the items of every non-NULL transaction, refusing duplicates.
	counts := map[string]int64{}
	var n int64
	seen := map[string]struct{}{}
	for i, r := range rows {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !valid[i] {
			continue
		}
		n++
		clear(seen)
		for _, it := range r {
			if _, dup := seen[it]; dup {
				return nil, fmt.Errorf("column %s, row %d: items in a transaction must be unique, but %q appears more than once; deduplicate them first (e.g. list_distinct(%s))", e.P.ItemsCol, i+1, it, e.P.ItemsCol)
			}
			seen[it] = struct{}{}
			counts[it]++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("column %s has no transactions (no rows, or all NULL); check the input table or the filter", e.P.ItemsCol)
	}
	minCount := max(1, int64(math.Ceil(e.P.MinSupport*float64(n))))
	// Rank the frequent items: most frequent first, ties by item.
	type itemCount struct {
		item string
		n    int64
	}
	var freq []itemCount
	for it, c := range counts {
		if c >= minCount {
			freq = append(freq, itemCount{it, c})
		}
	}
	slices.SortFunc(freq, func(a, b itemCount) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.item, b.item)
	})
	rank := make(map[string]int32, len(freq))
	m := &FPGrowthModel{P: e.P, kind: kind, numRecords: n}
	for i, ic := range freq {
		rank[ic.item] = int32(i)
		m.items = append(m.items, ic.item)
		m.itemCounts = append(m.itemCounts, ic.n)
	}
	// Each transaction as the ascending ranks of its frequent items.
	total := 0
	for _, r := range rows {
		total += len(r)
	}
	paths := make([][]int32, 0, n)
	flat := make([]int32, 0, total)
	for i, r := range rows {
		if !valid[i] {
			continue
		}
		start := len(flat)
		for _, it := range r {
			if k, ok := rank[it]; ok {
				flat = append(flat, k)
			}
		}
		p := flat[start:len(flat):len(flat)]
		slices.Sort(p)
		paths = append(paths, p)
	}
	sets, err := mineFrequent(ctx, paths, len(freq), minCount, e.P.NumPartitions)
	if err != nil {
		return nil, err
	}
	m.setItemsets(sets)
	return m, nil
}
