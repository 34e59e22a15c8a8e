package tracking

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

var nan = math.NaN()

// LogMetric appends a metric value to an active run.
func (s *Store) LogMetric(ctx context.Context, req *LogMetric) (*LogMetricResponse, error) {
	id, err := runIDOf(req.RunID, req.RunUUID)
	if err != nil {
		return nil, err
	}
	m := Metric{Key: req.Key, Value: float64(req.Value), Timestamp: req.Timestamp, Step: req.Step}
	if err := s.logBatch(ctx, id, []Metric{m}, nil, nil); err != nil {
		return nil, err
	}
	return &LogMetricResponse{}, nil
}

// LogParam logs a param of an active run. Logging a param again with the
// same value is a no-op; with another value it is INVALID_PARAMETER_VALUE.
func (s *Store) LogParam(ctx context.Context, req *LogParam) (*LogParamResponse, error) {
	id, err := runIDOf(req.RunID, req.RunUUID)
	if err != nil {
		return nil, err
	}
	if err := s.logBatch(ctx, id, nil, []Param{{Key: req.Key, Value: req.Value}}, nil); err != nil {
		return nil, err
	}
	return &LogParamResponse{}, nil
}

// SetTag sets a tag on an active run; setting mlflow.runName renames the
// run.
func (s *Store) SetTag(ctx context.Context, req *SetTag) (*SetTagResponse, error) {
	id, err := runIDOf(req.RunID, req.RunUUID)
	if err != nil {
		return nil, err
	}
	if err := s.logBatch(ctx, id, nil, nil, []RunTag{{Key: req.Key, Value: req.Value}}); err != nil {
		return nil, err
	}
	return &SetTagResponse{}, nil
}

// DeleteTag deletes a tag of an active run; RESOURCE_DOES_NOT_EXIST when
// the run has no such tag.
func (s *Store) DeleteTag(ctx context.Context, req *DeleteTag) (*DeleteTagResponse, error) {
	if req.RunID == "" {
		return nil, missing("run_id")
	}
	if req.Key == "" {
		return nil, missing("key")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.checkRunActive(ctx, tx, req.RunID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM tags WHERE run_uuid = ? AND key = ?"), req.RunID, req.Key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apierr.NotFound("No tag with name: %s in run with id %s", req.Key, req.RunID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete tag %q of run %s: %w", req.Key, req.RunID, err)
	}
	return &DeleteTagResponse{}, nil
}

// LogBatch logs metrics, params and tags of an active run in one
// transaction, within MLflow's limits (1000 metrics, 100 params, 100 tags,
// 1000 in all). Nothing is written when any item is invalid.
func (s *Store) LogBatch(ctx context.Context, req *LogBatch) (*LogBatchResponse, error) {
	if req.RunID == "" {
		return nil, missing("run_id")
	}
	if err := s.logBatch(ctx, req.RunID, req.Metrics, req.Params, req.Tags); err != nil {
		return nil, err
	}
	return &LogBatchResponse{}, nil
}

func validateBatch(metrics []Metric, params []Param, tags []RunTag) error {
	limit := func(what string, n, max int) error {
		if n > max {
			return apierr.Invalid("A batch logging request can contain at most %d %s. Got %d %s. Please split up %s across multiple requests and try again.", max, what, n, what, what)
		}
		return nil
	}
	if err := limit("metrics", len(metrics), MaxMetricsPerBatch); err != nil {
		return err
	}
	if err := limit("params", len(params), MaxParamsPerBatch); err != nil {
		return err
	}
	if err := limit("tags", len(tags), MaxTagsPerBatch); err != nil {
		return err
	}
	if n := len(metrics) + len(params) + len(tags); n > MaxEntitiesPerBatch {
		return apierr.Invalid("A batch logging request can contain at most %d metrics, params, and tags in total. Got %d in total. Please split up metrics, params, and tags across multiple requests and try again.", MaxEntitiesPerBatch, n)
	}
	for i, m := range metrics {
		if err := validateKey(fmt.Sprintf("metrics[%d].key", i), m.Key); err != nil {
			return err
		}
	}
	for i, p := range params {
		if err := validateKey(fmt.Sprintf("params[%d].key", i), p.Key); err != nil {
			return err
		}
		if err := validateValueLen("param value", p.Key, p.Value, MaxParamValueLen); err != nil {
			return err
		}
	}
	for i, t := range tags {
		if err := validateTag(fmt.Sprintf("tags[%d]", i), t); err != nil {
			return err
		}
	}
	return nil
}

// dedupParams drops repeated (key, value) pairs and rejects a key given
// two values.
func dedupParams(params []Param) ([]Param, error) {
	if len(params) < 2 {
		return params, nil
	}
	seen := make(map[string]string, len(params))
	out := params[:0:0]
	for _, p := range params {
		if v, ok := seen[p.Key]; ok {
			if v != p.Value {
				return nil, apierr.Invalid("Duplicate parameter keys have been submitted: param '%s' has the values '%s' and '%s'. Please ensure the request contains only one param value per param key.", p.Key, v, p.Value)
			}
			continue
		}
		seen[p.Key] = p.Value
		out = append(out, p)
	}
	return out, nil
}

func (s *Store) logBatch(ctx context.Context, runID string, metrics []Metric, params []Param, tags []RunTag) error {
	if err := validateBatch(metrics, params, tags); err != nil {
		return err
	}
	params, err := dedupParams(params)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.checkRunActive(ctx, tx, runID); err != nil {
			return err
		}
		if err := s.insertParams(ctx, tx, runID, params); err != nil {
			return err
		}
		if err := s.insertMetrics(ctx, tx, runID, metrics); err != nil {
			return err
		}
		_, err := s.upsertTags(ctx, tx, runID, tags)
		return err
	})
	if err != nil {
		return fmt.Errorf("log to run %s: %w", runID, err)
	}
	return nil
}

// insertParams writes new params; a param already logged with another
// value is INVALID_PARAMETER_VALUE naming the key and both values.
func (s *Store) insertParams(ctx context.Context, tx *sql.Tx, runID string, params []Param) error {
	if len(params) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(params))
	args = append(args, runID)
	for _, p := range params {
		args = append(args, p.Key)
	}
	rows, err := tx.QueryContext(ctx, s.q("SELECT key, value FROM params WHERE run_uuid = ? AND key IN ("+placeholders(len(params))+")"), args...)
	if err != nil {
		return err
	}
	old := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return err
		}
		old[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	args = args[:0]
	n := 0
	for _, p := range params {
		if v, ok := old[p.Key]; ok {
			if v != p.Value {
				return apierr.Invalid("Changing param values is not allowed. Param with key='%s' was already logged with value='%s' for run ID='%s'. Attempted logging new value '%s'.", p.Key, v, runID, p.Value)
			}
			continue
		}
		args = append(args, runID, p.Key, p.Value)
		n++
	}
	if n == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO params (run_uuid, key, value) VALUES "+tuples(n, 3)+" ON CONFLICT (run_uuid, key) DO NOTHING"), args...)
	return err
}

// tuples returns n comma-separated tuples of width placeholders.
func tuples(n, width int) string {
	one := "(" + placeholders(width) + ")"
	var b strings.Builder
	b.Grow(n * (len(one) + 2))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// latestUpsert keeps, per run and key, the value with the largest (step,
// timestamp, value).
const latestUpsert = ` ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
	WHERE excluded.step > latest_metrics.step
	   OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
	   OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)`

// insertMetrics appends metric values (identical values are stored once)
// and advances latest_metrics: two statements for the whole batch.
func (s *Store) insertMetrics(ctx context.Context, tx *sql.Tx, runID string, metrics []Metric) error {
	if len(metrics) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(metrics))
	// The latest value per key within the batch: PostgreSQL refuses an
	// upsert that touches the same row twice.
	latest := make(map[string]int, len(metrics))
	var order []string
	for i, m := range metrics {
		v, isNaN := storedValue(m.Value)
		args = append(args, runID, m.Key, v, m.Timestamp, m.Step, isNaN)
		j, ok := latest[m.Key]
		if !ok {
			latest[m.Key] = i
			order = append(order, m.Key)
			continue
		}
		if newer(m, metrics[j]) {
			latest[m.Key] = i
		}
	}
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES "+tuples(len(metrics), 6)+" ON CONFLICT DO NOTHING"), args...); err != nil {
		return err
	}
	args = args[:0]
	for _, k := range order {
		m := metrics[latest[k]]
		v, isNaN := storedValue(m.Value)
		args = append(args, runID, m.Key, v, m.Timestamp, m.Step, isNaN)
	}
	_, err := tx.ExecContext(ctx, s.q("INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES "+tuples(len(order), 6)+latestUpsert), args...)
	return err
}

// newer reports whether a is later than b by (step, timestamp, value).
func newer(a, b Metric) bool {
	if a.Step != b.Step {
		return a.Step > b.Step
	}
	if a.Timestamp != b.Timestamp {
		return a.Timestamp > b.Timestamp
	}
	av, _ := storedValue(a.Value)
	bv, _ := storedValue(b.Value)
	return av > bv
}

// storedValue maps NaN to (0, 1): SQLite stores NaN as NULL.
func storedValue(x float64) (float64, int) {
	if math.IsNaN(x) {
		return 0, 1
	}
	return x, 0
}

// upsertTags sets tags on a run (the last value of a repeated key wins)
// and renames the run when mlflow.runName is among them. It returns the
// tags written.
func (s *Store) upsertTags(ctx context.Context, tx *sql.Tx, runID string, tags []RunTag) ([]RunTag, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	if len(tags) > 1 {
		pos := make(map[string]int, len(tags))
		out := make([]RunTag, 0, len(tags))
		for _, t := range tags {
			if i, ok := pos[t.Key]; ok {
				out[i].Value = t.Value
				continue
			}
			pos[t.Key] = len(out)
			out = append(out, t)
		}
		tags = out
	}
	args := make([]any, 0, 3*len(tags))
	for _, t := range tags {
		args = append(args, runID, t.Key, t.Value)
		if t.Key == RunNameTag {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE runs SET name = ? WHERE run_uuid = ?"), t.Value, runID); err != nil {
				return nil, err
			}
		}
	}
	_, err := tx.ExecContext(ctx, s.q("INSERT INTO tags (run_uuid, key, value) VALUES "+tuples(len(tags), 3)+" ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value"), args...)
	return tags, err
}
