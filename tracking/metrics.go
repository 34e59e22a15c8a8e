package tracking

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// GetMetricHistory returns every logged value of a run's metric, ordered
// by step, timestamp and value. With max_results > 0 the values come in
// pages of that size, continued by next_page_token.
func (s *Store) GetMetricHistory(ctx context.Context, req *GetMetricHistory) (*GetMetricHistoryResponse, error) {
	id, err := runIDOf(req.RunID, req.RunUUID)
	if err != nil {
		return nil, err
	}
	if req.MetricKey == "" {
		return nil, missing("metric_key")
	}
	if req.MaxResults < 0 {
		return nil, apierr.Invalid("Invalid value %d for parameter 'max_results' supplied. It must be a positive integer.", req.MaxResults)
	}
	offset, err := decodePageToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.runInfo(ctx, s.db, id); err != nil {
		return nil, fmt.Errorf("get metric history of run %s: %w", id, err)
	}
	text := "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value"
	args := []any{id, req.MetricKey}
	if req.MaxResults > 0 {
		text += " LIMIT ? OFFSET ?"
		args = append(args, int64(req.MaxResults)+1, offset)
	}
	rows, err := s.db.QueryContext(ctx, s.q(text), args...)
	if err != nil {
		return nil, fmt.Errorf("get metric history of run %s: %w", id, err)
	}
	defer rows.Close()
	resp := &GetMetricHistoryResponse{}
	for rows.Next() {
		var m Metric
		var isNaN int
		if err := rows.Scan(&m.Key, &m.Value, &m.Timestamp, &m.Step, &isNaN); err != nil {
			return nil, fmt.Errorf("get metric history of run %s: %w", id, err)
		}
		if isNaN != 0 {
			m.Value = nan
		}
		resp.Metrics = append(resp.Metrics, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get metric history of run %s: %w", id, err)
	}
	if req.MaxResults > 0 && len(resp.Metrics) > int(req.MaxResults) {
		resp.Metrics = resp.Metrics[:req.MaxResults]
		resp.NextPageToken = encodePageToken(offset + int64(req.MaxResults))
	}
	return resp, nil
}

// GetMetricHistoryBulkInterval returns a sample of a metric's history over
// up to 100 runs: per run, at most max_results (default 320, at most 1000)
// steps spread evenly over the steps logged between start_step and
// end_step (the first and last always included); the response holds every
// value logged at the union of the sampled steps, ordered by run, step
// and timestamp, runs in the order of run_ids.
func (s *Store) GetMetricHistoryBulkInterval(ctx context.Context, req *GetMetricHistoryBulkInterval) (*GetMetricHistoryBulkIntervalResponse, error) {
	if len(req.RunIDs) == 0 {
		return nil, missing("run_ids")
	}
	if len(req.RunIDs) > MaxBulkIntervalRuns {
		return nil, apierr.Invalid("GetMetricHistoryBulkInterval request must specify at most %d run_ids. Received %d run_ids.", MaxBulkIntervalRuns, len(req.RunIDs))
	}
	if req.MetricKey == "" {
		return nil, missing("metric_key")
	}
	if (req.StartStep == nil) != (req.EndStep == nil) {
		return nil, apierr.Invalid("If either start step or end step are specified, both must be specified.")
	}
	if req.StartStep != nil && *req.StartStep > *req.EndStep {
		return nil, apierr.Invalid("end_step %d must be greater than or equal to start_step %d.", *req.EndStep, *req.StartStep)
	}
	maxResults := int(req.MaxResults)
	switch {
	case maxResults == 0:
		maxResults = DefaultBulkIntervalMaxResults
	case maxResults < 0 || maxResults > MaxBulkIntervalMaxResults:
		return nil, apierr.Invalid("max_results must be between 1 and %d, got %d.", MaxBulkIntervalMaxResults, maxResults)
	}
	runIDs := make([]string, 0, len(req.RunIDs))
	seen := map[string]bool{}
	for _, id := range req.RunIDs {
		if !seen[id] {
			seen[id] = true
			runIDs = append(runIDs, id)
		}
	}
	args := make([]any, 0, len(runIDs)+3)
	for _, id := range runIDs {
		args = append(args, id)
	}
	// Every run must exist.
	var found int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT count(*) FROM runs WHERE run_uuid IN ("+placeholders(len(args))+")"), args...).Scan(&found); err != nil {
		return nil, fmt.Errorf("get metric history: %w", err)
	}
	if found != len(runIDs) {
		for _, id := range runIDs {
			if _, err := s.runInfo(ctx, s.db, id); err != nil {
				return nil, err
			}
		}
	}
	cond := "run_uuid IN (" + placeholders(len(runIDs)) + ") AND key = ?"
	args = append(args, req.MetricKey)
	if req.StartStep != nil {
		cond += " AND step >= ? AND step <= ?"
		args = append(args, int64(*req.StartStep), int64(*req.EndStep))
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT DISTINCT run_uuid, step FROM metrics WHERE "+cond+" ORDER BY run_uuid, step"), args...)
	if err != nil {
		return nil, fmt.Errorf("get metric history: %w", err)
	}
	steps := map[string][]int64{}
	for rows.Next() {
		var run string
		var step int64
		if err := rows.Scan(&run, &step); err != nil {
			rows.Close()
			return nil, fmt.Errorf("get metric history: %w", err)
		}
		steps[run] = append(steps[run], step)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get metric history: %w", err)
	}
	union := map[int64]bool{}
	for _, st := range steps {
		for _, x := range sampleSteps(st, maxResults) {
			union[x] = true
		}
	}
	resp := &GetMetricHistoryBulkIntervalResponse{}
	if len(union) == 0 {
		return resp, nil
	}
	sel := make([]int64, 0, len(union))
	for x := range union {
		sel = append(sel, x)
	}
	sort.Slice(sel, func(i, j int) bool { return sel[i] < sel[j] })
	stepArgs := make([]string, len(sel))
	for i, x := range sel {
		stepArgs[i] = fmt.Sprint(x)
	}
	// Steps are integers from the database, safe to inline.
	text := "SELECT run_uuid, key, value, timestamp, step, is_nan FROM metrics WHERE " + cond +
		" AND step IN (" + strings.Join(stepArgs, ", ") + ") ORDER BY run_uuid, step, timestamp, value"
	rows, err = s.db.QueryContext(ctx, s.q(text), args...)
	if err != nil {
		return nil, fmt.Errorf("get metric history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m MetricWithRunID
		var isNaN int
		if err := rows.Scan(&m.RunID, &m.Key, &m.Value, &m.Timestamp, &m.Step, &isNaN); err != nil {
			return nil, fmt.Errorf("get metric history: %w", err)
		}
		if isNaN != 0 {
			m.Value = nan
		}
		resp.Metrics = append(resp.Metrics, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get metric history: %w", err)
	}
	// Runs in the order the request names them.
	pos := make(map[string]int, len(runIDs))
	for i, id := range runIDs {
		pos[id] = i
	}
	sort.SliceStable(resp.Metrics, func(i, j int) bool { return pos[resp.Metrics[i].RunID] < pos[resp.Metrics[j].RunID] })
	return resp, nil
}

// sampleSteps picks at most n of the sorted distinct steps, evenly spread,
// always keeping the first and the last.
func sampleSteps(steps []int64, n int) []int64 {
	if len(steps) <= n {
		return steps
	}
	if n == 1 {
		return steps[:1]
	}
	out := make([]int64, 0, n)
	last := -1
	for i := range n {
		j := i * (len(steps) - 1) / (n - 1)
		if j != last {
			out = append(out, steps[j])
			last = j
		}
	}
	return out
}
