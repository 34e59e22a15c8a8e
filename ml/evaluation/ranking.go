package evaluation

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
)

// Ranking metrics: Spark's RankingMetrics (mllib.evaluation, 3.x) over
// queries, each a predicted ranking (best first) and a set of relevant
// items (the ground truth; duplicates count once). Every metric is the
// mean over queries of a per-query value; a query with no relevant items
// counts as 0 (Spark logs a warning and does the same). Duplicates in a
// predicted ranking are counted at each position, as in Spark.
//
//   - PrecisionAtK: #(relevant among the first k predicted) / k — k, not
//     the number of predictions, even when fewer are given.
//   - RecallAtK: #(relevant among the first k predicted) / #relevant.
//   - MeanAveragePrecision: Σ over the positions i (1-based) holding a
//     relevant item of (#relevant in the first i)/i, divided by #relevant.
//   - MeanAveragePrecisionAtK: the same over the first k positions,
//     divided by min(#relevant, k).
//   - NDCGAtK: binary relevance, DCG = Σ_{i<n} [pred_i relevant]/log(i+2)
//     over n = min(max(#predicted, #relevant), k) positions, divided by the
//     ideal DCG Σ_{i<min(n, #relevant)} 1/log(i+2).

// ErrNoQueries: a ranking metric was asked for zero queries.
var ErrNoQueries = errors.New("no queries")

func checkQueries[T comparable](op string, preds, labels [][]T, k int, needK bool) error {
	if len(preds) != len(labels) {
		return fmt.Errorf("%s: %d predicted rankings for %d label sets: %w", op, len(preds), len(labels), ErrLengthMismatch)
	}
	if len(preds) == 0 {
		return fmt.Errorf("%s: %w", op, ErrNoQueries)
	}
	if needK && k <= 0 {
		return fmt.Errorf("%s: k is %d; the ranking position k must be > 0: %w", op, k, ErrInvalidParam)
	}
	return nil
}

// meanOver averages per(pred, relevant set) over the queries; queries
// with no relevant items count 0.
func meanOver[T comparable](preds, labels [][]T, per func(pred []T, rel map[T]struct{}) float64) float64 {
	sum := 0.0
	rel := map[T]struct{}{}
	for q, pred := range preds {
		clear(rel)
		for _, l := range labels[q] {
			rel[l] = struct{}{}
		}
		if len(rel) > 0 {
			sum += per(pred, rel)
		}
	}
	return sum / float64(len(preds))
}

func hitsAt[T comparable](pred []T, rel map[T]struct{}, k int) int {
	n := 0
	for _, p := range pred[:min(k, len(pred))] {
		if _, ok := rel[p]; ok {
			n++
		}
	}
	return n
}

// PrecisionAtK is Spark's precisionAt(k): see the ranking metrics above.
// k <= 0, no queries and a length mismatch are errors.
func PrecisionAtK[T comparable](preds, labels [][]T, k int) (float64, error) {
	if err := checkQueries("PrecisionAtK", preds, labels, k, true); err != nil {
		return 0, err
	}
	return meanOver(preds, labels, func(pred []T, rel map[T]struct{}) float64 {
		return float64(hitsAt(pred, rel, k)) / float64(k)
	}), nil
}

// RecallAtK is Spark's recallAt(k).
func RecallAtK[T comparable](preds, labels [][]T, k int) (float64, error) {
	if err := checkQueries("RecallAtK", preds, labels, k, true); err != nil {
		return 0, err
	}
	return meanOver(preds, labels, func(pred []T, rel map[T]struct{}) float64 {
		return float64(hitsAt(pred, rel, k)) / float64(len(rel))
	}), nil
}

func averagePrecision[T comparable](pred []T, rel map[T]struct{}, k int) float64 {
	hits, sum := 0, 0.0
	for i, p := range pred[:min(k, len(pred))] {
		if _, ok := rel[p]; ok {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(min(len(rel), k))
}

// MeanAveragePrecision is Spark's meanAveragePrecision.
func MeanAveragePrecision[T comparable](preds, labels [][]T) (float64, error) {
	if err := checkQueries("MeanAveragePrecision", preds, labels, 0, false); err != nil {
		return 0, err
	}
	return meanOver(preds, labels, func(pred []T, rel map[T]struct{}) float64 {
		return averagePrecision(pred, rel, max(len(pred), len(rel)))
	}), nil
}

// MeanAveragePrecisionAtK is Spark's meanAveragePrecisionAt(k).
func MeanAveragePrecisionAtK[T comparable](preds, labels [][]T, k int) (float64, error) {
	if err := checkQueries("MeanAveragePrecisionAtK", preds, labels, k, true); err != nil {
		return 0, err
	}
	return meanOver(preds, labels, func(pred []T, rel map[T]struct{}) float64 {
		return averagePrecision(pred, rel, k)
	}), nil
}

// NDCGAtK is Spark's ndcgAt(k) with binary relevance.
func NDCGAtK[T comparable](preds, labels [][]T, k int) (float64, error) {
	if err := checkQueries("NDCGAtK", preds, labels, k, true); err != nil {
		return 0, err
	}
	return meanOver(preds, labels, func(pred []T, rel map[T]struct{}) float64 {
		n := min(max(len(pred), len(rel)), k)
		dcg, ideal := 0.0, 0.0
		for i := range n {
			gain := 1 / math.Log(float64(i+2))
			if i < len(pred) {
				if _, ok := rel[pred[i]]; ok {
					dcg += gain
				}
			}
			if i < len(rel) {
				ideal += gain
			}
		}
		return dcg / ideal
	}), nil
}

// RankingEvaluatorParams are RankingEvaluator's params, with Spark's
// names and defaults.
type RankingEvaluatorParams struct {
	PredictionCol string `param:"predictionCol" doc:"array column of predicted items, best first"`
	LabelCol      string `param:"labelCol" doc:"array column of the relevant items (the ground truth)"`
	MetricName    string `param:"metricName" doc:"meanAveragePrecision, meanAveragePrecisionAtK, precisionAtK, recallAtK or ndcgAtK"`
	K             int    `param:"k" doc:"ranking position the AtK metrics stop at (> 0)"`
}

var rankingMetricNames = []string{"meanAveragePrecision", "meanAveragePrecisionAtK", "precisionAtK", "recallAtK", "ndcgAtK"}

// Validate checks the params.
func (p RankingEvaluatorParams) Validate() error {
	switch {
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the column of predicted item arrays")
	case p.LabelCol == "":
		return errors.New("labelCol is empty; name the column of relevant item arrays")
	case p.K <= 0:
		return fmt.Errorf("k is %d; it must be > 0 (Spark's default is 10)", p.K)
	}
	return checkMetricName(p.MetricName, rankingMetricNames)
}

// RankingEvaluator is Spark's RankingEvaluator: a ranking metric of
// predicted item arrays (e.g. the item ids of ALSModel's
// recommendations) against arrays of relevant items, with the
// definitions above. Both columns are lists (or large lists) of numbers
// of any type — compared by value as float64, as Spark casts the label
// to the prediction's type — or both of strings.
//
// A missing column, a column that is not such a list, NULL rows, NULL or
// NaN elements and an empty frame are errors naming the column and row.
// An evaluator is safe for concurrent use while its params are not
// changed.
type RankingEvaluator struct {
	P RankingEvaluatorParams
}

var _ ml.Evaluator = (*RankingEvaluator)(nil)

// NewRankingEvaluator returns an evaluator with Spark's defaults:
// predictionCol "prediction", labelCol "label", metricName
// "meanAveragePrecision", k 10.
func NewRankingEvaluator() *RankingEvaluator {
	return &RankingEvaluator{P: RankingEvaluatorParams{PredictionCol: "prediction", LabelCol: "label", MetricName: "meanAveragePrecision", K: 10}}
}

// StageName returns "RankingEvaluator".
func (e *RankingEvaluator) StageName() string { return "RankingEvaluator" }

// Params returns the params.
func (e *RankingEvaluator) Params() any { return &e.P }

// MetricName returns the metricName param.
func (e *RankingEvaluator) MetricName() string { return e.P.MetricName }

// IsLargerBetter is true: every ranking metric grows with quality.
func (e *RankingEvaluator) IsLargerBetter() bool { return true }

// Evaluate returns the metricName metric for f. ctx is checked between
// blocks of rows.
func (e *RankingEvaluator) Evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	v, err := e.evaluate(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", e.StageName(), err)
	}
	return v, nil
}

func (e *RankingEvaluator) evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	if err := e.P.Validate(); err != nil {
		return 0, err
	}
	if f.NumRows() == 0 {
		return 0, errors.New("the frame has no rows; nothing to evaluate")
	}
	pred, err := readItemLists(ctx, f, "predictionCol", e.P.PredictionCol)
	if err != nil {
		return 0, err
	}
	label, err := readItemLists(ctx, f, "labelCol", e.P.LabelCol)
	if err != nil {
		return 0, err
	}
	if pred.strings != label.strings {
		return 0, fmt.Errorf("predictionCol %q holds %s and labelCol %q holds %s; both must hold numbers or both strings", e.P.PredictionCol, pred.kind(), e.P.LabelCol, label.kind())
	}
	if pred.strings {
		return rankingMetric(e.P.MetricName, pred.str, label.str, e.P.K)
	}
	return rankingMetric(e.P.MetricName, pred.num, label.num, e.P.K)
}

func rankingMetric[T comparable](name string, preds, labels [][]T, k int) (float64, error) {
	switch name {
	case "meanAveragePrecisionAtK":
		return MeanAveragePrecisionAtK(preds, labels, k)
	case "precisionAtK":
		return PrecisionAtK(preds, labels, k)
	case "recallAtK":
		return RecallAtK(preds, labels, k)
	case "ndcgAtK":
		return NDCGAtK(preds, labels, k)
	}
	return MeanAveragePrecision(preds, labels)
}

// itemLists is a list column read as numbers or strings.
type itemLists struct {
	strings bool
	num     [][]float64
	str     [][]string
}

func (l itemLists) kind() string {
	if l.strings {
		return "strings"
	}
	return "numbers"
}

// readItemLists reads a list column of numbers or strings.
func readItemLists(ctx context.Context, f *ml.Frame, param, name string) (itemLists, error) {
	var out itemLists
	field, err := ml.FieldOf(f.Schema(), name)
	if err != nil {
		return out, fmt.Errorf("%s: %w", param, err)
	}
	var elem arrow.DataType
	switch lt := field.Type.(type) {
	case *arrow.ListType:
		elem = lt.Elem()
	case *arrow.LargeListType:
		elem = lt.Elem()
	}
	switch {
	case elem == nil:
	case elem.ID() == arrow.STRING || elem.ID() == arrow.LARGE_STRING:
		out.strings = true
	case ml.IsNumeric(elem) && elem.ID() != arrow.BOOL:
	default:
		elem = nil
	}
	if elem == nil {
		return out, fmt.Errorf("%s %q has type %s; want an array of item ids (numbers or strings), e.g. the item ids of ALSModel's recommendations collected with array_agg", param, name, field.Type)
	}
	col, _ := f.Column(name)
	row := 0
	for _, ch := range col.Chunks() {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var offsets func(i int) (int64, int64)
		var values arrow.Array
		switch a := ch.(type) {
		case *array.List:
			offsets, values = a.ValueOffsets, a.ListValues()
		case *array.LargeList:
			offsets, values = a.ValueOffsets, a.ListValues()
		}
		var nums []float64
		var strs func(int) string
		if out.strings {
			switch v := values.(type) {
			case *array.String:
				strs = v.Value
			case *array.LargeString:
				strs = v.Value
			}
		} else if nums, _, err = ml.Float64s(values); err != nil {
			return out, fmt.Errorf("column %s: %w", name, err)
		}
		for i := range ch.Len() {
			if ch.IsNull(i) {
				return out, fmt.Errorf("column %s, row %d: %s array is NULL; drop the row or use an empty array", name, row+1, param)
			}
			lo, hi := offsets(i)
			if out.strings {
				r := make([]string, 0, hi-lo)
				for j := lo; j < hi; j++ {
					if values.IsNull(int(j)) {
						return out, fmt.Errorf("column %s, row %d: element %d is NULL; drop NULL elements (e.g. list_filter(x, e -> e IS NOT NULL))", name, row+1, j-lo+1)
					}
					r = append(r, strs(int(j)))
				}
				out.str = append(out.str, r)
			} else {
				r := make([]float64, 0, hi-lo)
				for j := lo; j < hi; j++ {
					v := nums[j]
					if values.IsNull(int(j)) || math.IsNaN(v) {
						what := "NaN"
						if values.IsNull(int(j)) {
							what = "NULL"
						}
						return out, fmt.Errorf("column %s, row %d: element %d is %s; drop such elements before evaluating", name, row+1, j-lo+1, what)
					}
					if v == 0 {
						v = 0 // -0 and +0 are the same item
					}
					r = append(r, v)
				}
				out.num = append(out.num, r)
			}
			row++
		}
	}
	return out, nil
}
