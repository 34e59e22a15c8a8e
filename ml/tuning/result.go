package tuning

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sluice-dev/sluice/ml"
)

// Result is a tuning run's outcome in a form for people (Table) and
// programs (encoding/json): one row per param map, in the order of
// EstimatorParamMaps. Non-finite metrics encode as the JSON strings
// "NaN", "Infinity" and "-Infinity", as in saved models.
type Result struct {
	// Method is "CrossValidator" or "TrainValidationSplit".
	Method string `json:"method"`
	// Evaluator and Metric name what was measured.
	Evaluator      string `json:"evaluator"`
	Metric         string `json:"metric"`
	LargerIsBetter bool   `json:"largerIsBetter"`
	// NumFolds is set for CrossValidator.
	NumFolds  int `json:"numFolds,omitempty"`
	BestIndex int `json:"bestIndex"`
	// Params lists the params the maps set, as "Stage.param" (or
	// "index.param" when two stages share a class), in first-seen order.
	Params []string    `json:"params"`
	Rows   []ResultRow `json:"rows"`
}

// ResultRow is one param map's values and metrics.
type ResultRow struct {
	Index int `json:"index"`
	// Params maps Result.Params labels to this map's values.
	Params map[string]any `json:"params"`
	// Metric is the mean over folds (CrossValidator) or the validation
	// metric (TrainValidationSplit).
	Metric float64 `json:"metric"`
	// Std is the population standard deviation over folds
	// (CrossValidator only).
	Std         *float64  `json:"std,omitempty"`
	FoldMetrics []float64 `json:"foldMetrics,omitempty"`
}

// MarshalJSON writes non-finite floats as strings.
func (r ResultRow) MarshalJSON() ([]byte, error) {
	out := struct {
		Index       int            `json:"index"`
		Params      map[string]any `json:"params"`
		Metric      any            `json:"metric"`
		Std         any            `json:"std,omitempty"`
		FoldMetrics []any          `json:"foldMetrics,omitempty"`
	}{Index: r.Index, Params: map[string]any{}, Metric: jsonFloat(r.Metric)}
	for k, v := range r.Params {
		out.Params[k] = jsonValue(v)
	}
	if r.Std != nil {
		out.Std = jsonFloat(*r.Std)
	}
	for _, v := range r.FoldMetrics {
		out.FoldMetrics = append(out.FoldMetrics, jsonFloat(v))
	}
	return json.Marshal(out)
}

func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// jsonValue makes param values JSON-safe (floats, also inside lists).
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		return jsonFloat(x)
	case float32:
		return jsonFloat(float64(x))
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = jsonFloat(f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}

// paramLabel names ref for people: "Stage.param" when the stage's class
// is unique in root, else "path.param"; ref.String() when root is
// unknown or ref does not resolve.
func paramLabel(root ml.Stage, ref ParamRef) string {
	if root == nil {
		return ref.String()
	}
	path, err := resolve(root, ref)
	if err != nil {
		return ref.String()
	}
	s, _ := follow(root, path)
	n := 0
	for _, e := range walk(root) {
		if e.stage.StageName() == s.StageName() {
			n++
		}
	}
	if n == 1 || len(path) == 0 {
		return s.StageName() + "." + ref.Param
	}
	return pathString(path) + "." + ref.Param
}

func newResult(method string, eval ml.Evaluator, est ml.Estimator, maps []ParamMap, metrics []float64, bestIndex int) Result {
	r := Result{Method: method, BestIndex: bestIndex, Params: []string{}}
	if eval != nil {
		r.Evaluator, r.Metric, r.LargerIsBetter = eval.StageName(), eval.MetricName(), eval.IsLargerBetter()
	}
	var root ml.Stage
	if est != nil {
		root = est
	}
	for j, pm := range maps {
		row := ResultRow{Index: j, Params: map[string]any{}}
		if j < len(metrics) {
			row.Metric = metrics[j]
		}
		for _, p := range pm {
			label := paramLabel(root, p.Ref)
			if _, seen := row.Params[label]; !seen && !contains(r.Params, label) {
				r.Params = append(r.Params, label)
			}
			row.Params[label] = p.Value
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Table returns the result as an aligned text table: a header line, then
// one line per param map with its param values, metric (and std over
// folds for CrossValidator); the best map is marked with "*".
func (r Result) Table() string {
	var b strings.Builder
	better := "smaller is better"
	if r.LargerIsBetter {
		better = "larger is better"
	}
	fmt.Fprintf(&b, "%s", r.Method)
	if r.NumFolds > 0 {
		fmt.Fprintf(&b, ", %d folds", r.NumFolds)
	}
	fmt.Fprintf(&b, ": %s %s (%s), best is #%d\n", r.Evaluator, r.Metric, better, r.BestIndex)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	head := append([]string{"", "#"}, r.Params...)
	metricHead := r.Metric
	if r.NumFolds > 0 {
		metricHead = "mean " + r.Metric
	}
	head = append(head, metricHead)
	if r.NumFolds > 0 {
		head = append(head, "std")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range r.Rows {
		mark := " "
		if row.Index == r.BestIndex {
			mark = "*"
		}
		cells := []string{mark, strconv.Itoa(row.Index)}
		for _, p := range r.Params {
			v, ok := row.Params[p]
			if !ok {
				cells = append(cells, "-")
				continue
			}
			cells = append(cells, formatValue(v))
		}
		cells = append(cells, formatMetric(row.Metric))
		if r.NumFolds > 0 {
			std := "-"
			if row.Std != nil {
				std = formatMetric(*row.Std)
			}
			cells = append(cells, std)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	return b.String()
}

func formatMetric(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		if x == "" {
			return `""`
		}
		return x
	}
	return fmt.Sprint(v)
}
