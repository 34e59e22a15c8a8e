package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/apierr"
)

// CreateRun creates a run (status RUNNING) in an active experiment
// (default "0"). Its name is run_name, else the mlflow.runName tag, else a
// generated one; the tag is set to the name. Its artifact URI is
// "<artifact_location>/<run_id>/artifacts".
func (s *Store) CreateRun(ctx context.Context, req *CreateRun) (*CreateRunResponse, error) {
	expText := req.ExperimentID
	if expText == "" {
		expText = DefaultExperimentID
	}
	expID, err := parseExperimentID("experiment_id", expText)
	if err != nil {
		return nil, err
	}
	name := req.RunName
	tags := make([]RunTag, 0, len(req.Tags)+1)
	for i, t := range req.Tags {
		if err := validateTag(fmt.Sprintf("tags[%d]", i), t); err != nil {
			return nil, err
		}
		if t.Key == RunNameTag {
			if name != "" && t.Value != name {
				return nil, apierr.Invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='%s', mlflow.runName='%s').", name, t.Value)
			}
			name = t.Value
			continue
		}
		tags = append(tags, t)
	}
	if name == "" {
		name = randomRunName()
	}
	if n := utf8.RuneCountInString(name); n > MaxRunNameLen {
		return nil, apierr.Invalid("run_name '%s…' is %d characters long, more than the limit of %d", truncate(name, 40), n, MaxRunNameLen)
	}
	tags = append(tags, RunTag{Key: RunNameTag, Value: name})
	start := req.StartTime
	if start == 0 {
		start = s.now()
	}
	run := &Run{Info: RunInfo{
		RunName:        name,
		ExperimentID:   strconv.FormatInt(expID, 10),
		UserID:         req.UserID,
		Status:         Running,
		StartTime:      start,
		LifecycleStage: StageActive,
	}}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var stage, location string
		err := tx.QueryRowContext(ctx, s.q("SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ?"), expID).Scan(&stage, &location)
		if errors.Is(err, sql.ErrNoRows) {
			return apierr.NotFound("No Experiment with id=%s exists", expText)
		}
		if err != nil {
			return err
		}
		if stage != StageActive {
			return apierr.Invalid("The experiment %s must be in the 'active' state. Current state is %s.", expText, stage)
		}
		id := newRunID()
		run.Info.RunID, run.Info.RunUUID = id, id
		run.Info.ArtifactURI = trimSlash(location) + "/" + id + "/artifacts"
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, lifecycle_stage, artifact_uri)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, name, expID, req.UserID, string(Running), start, StageActive, run.Info.ArtifactURI); err != nil {
			return err
		}
		var err2 error
		run.Data.Tags, err2 = s.upsertTags(ctx, tx, id, tags)
		return err2
	})
	if err != nil {
		return nil, fmt.Errorf("create run in experiment %s: %w", expText, err)
	}
	sort.Slice(run.Data.Tags, func(i, j int) bool { return run.Data.Tags[i].Key < run.Data.Tags[j].Key })
	s.maybeAnalyze(ctx)
	return &CreateRunResponse{Run: run}, nil
}

func trimSlash(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

func validateTag(field string, t RunTag) error {
	if err := validateKey(field+".key", t.Key); err != nil {
		return err
	}
	return validateValueLen("tag value", t.Key, t.Value, MaxTagValueLen)
}

const runColumns = "run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri"

func scanRunInfo(sc interface{ Scan(...any) error }, info *RunInfo) error {
	var expID int64
	var end sql.NullInt64
	var status string
	if err := sc.Scan(&info.RunID, &info.RunName, &expID, &info.UserID, &status, &info.StartTime, &end, &info.LifecycleStage, &info.ArtifactURI); err != nil {
		return err
	}
	info.RunUUID = info.RunID
	info.ExperimentID = strconv.FormatInt(expID, 10)
	info.Status = RunStatus(status)
	info.EndTime = end.Int64
	return nil
}

// runInfo returns a run's metadata or RESOURCE_DOES_NOT_EXIST.
func (s *Store) runInfo(ctx context.Context, q queryer, id string) (*RunInfo, error) {
	var info RunInfo
	err := scanRunInfo(q.QueryRowContext(ctx, s.q("SELECT "+runColumns+" FROM runs WHERE run_uuid = ?"), id), &info)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.NotFound("Run with id=%s not found", id)
	}
	if err != nil {
		return nil, err
	}
	return &info, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkRunActive returns RESOURCE_DOES_NOT_EXIST or INVALID_PARAMETER_VALUE
// unless run id exists and is active; it returns the run's experiment id.
func (s *Store) checkRunActive(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	var stage string
	var exp int64
	err := tx.QueryRowContext(ctx, s.q("SELECT lifecycle_stage, experiment_id FROM runs WHERE run_uuid = ?"), id).Scan(&stage, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apierr.NotFound("Run with id=%s not found", id)
	}
	if err != nil {
		return 0, err
	}
	if stage != StageActive {
		return 0, apierr.Invalid("The run %s must be in the 'active' state. Current state is %s.", id, stage)
	}
	return exp, nil
}

// GetRun returns a run with its latest metrics, params, tags and dataset
// inputs; deleted runs too.
func (s *Store) GetRun(ctx context.Context, req *GetRun) (*GetRunResponse, error) {
	id, err := runIDOf(req.RunID, req.RunUUID)
	if err != nil {
		return nil, err
	}
	info, err := s.runInfo(ctx, s.db, id)
	if err != nil {
		return nil, fmt.Errorf("get run %s: %w", id, err)
	}
	runs := []Run{{Info: *info}}
	if err := s.loadRunData(ctx, runs); err != nil {
		return nil, fmt.Errorf("get run %s: %w", id, err)
	}
	return &GetRunResponse{Run: &runs[0]}, nil
}

// loadRunData fills the data and inputs of runs (whose Info.RunID is set)
// with four queries per chunk of runs.
func (s *Store) loadRunData(ctx context.Context, runs []Run) error {
	const chunk = 2000
	for lo := 0; lo < len(runs); lo += chunk {
		if err := s.loadRunDataChunk(ctx, runs[lo:min(lo+chunk, len(runs))]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) loadRunDataChunk(ctx context.Context, runs []Run) error {
	if len(runs) == 0 {
		return nil
	}
	idx := make(map[string]int, len(runs))
	args := make([]any, len(runs))
	for i := range runs {
		idx[runs[i].Info.RunID] = i
		args[i] = runs[i].Info.RunID
	}
	in := "(" + placeholders(len(runs)) + ")"
	if len(runs) == 1 {
		in = "(?)"
	}
	// Latest metrics.
	rows, err := s.db.QueryContext(ctx, s.q("SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN "+in+" ORDER BY run_uuid, key"), args...)
	if err != nil {
		return err
	}
	var run string
	for rows.Next() {
		var m Metric
		var isNaN int
		if err := rows.Scan(&run, &m.Key, &m.Value, &m.Timestamp, &m.Step, &isNaN); err != nil {
			rows.Close()
			return err
		}
		if isNaN != 0 {
			m.Value = nan
		}
		r := &runs[idx[run]]
		r.Data.Metrics = append(r.Data.Metrics, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, kind := range []string{"params", "tags"} {
		rows, err := s.db.QueryContext(ctx, s.q("SELECT run_uuid, key, value FROM "+kind+" WHERE run_uuid IN "+in+" ORDER BY run_uuid, key"), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&run, &k, &v); err != nil {
				rows.Close()
				return err
			}
			r := &runs[idx[run]]
			if kind == "params" {
				r.Data.Params = append(r.Data.Params, Param{Key: k, Value: v})
			} else {
				r.Data.Tags = append(r.Data.Tags, RunTag{Key: k, Value: v})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return s.loadInputs(ctx, runs, idx, in, args)
}

// UpdateRun changes an active run's status, end time and name (keeping
// the mlflow.runName tag equal to the name) and returns its metadata.
func (s *Store) UpdateRun(ctx context.Context, req *UpdateRun) (*UpdateRunResponse, error) {
	id, err := runIDOf(req.RunID, req.RunUUID)
	if err != nil {
		return nil, err
	}
	if req.Status != "" && !validStatus(req.Status) {
		return nil, apierr.Invalid("invalid status '%s': want RUNNING, SCHEDULED, FINISHED, FAILED or KILLED", req.Status)
	}
	if n := utf8.RuneCountInString(req.RunName); n > MaxRunNameLen {
		return nil, apierr.Invalid("run_name '%s…' is %d characters long, more than the limit of %d", truncate(req.RunName, 40), n, MaxRunNameLen)
	}
	var info *RunInfo
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.checkRunActive(ctx, tx, id); err != nil {
			return err
		}
		if req.Status != "" {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE runs SET status = ? WHERE run_uuid = ?"), string(req.Status), id); err != nil {
				return err
			}
		}
		if req.EndTime != 0 {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE runs SET end_time = ? WHERE run_uuid = ?"), req.EndTime, id); err != nil {
				return err
			}
		}
		if req.RunName != "" {
			if _, err := s.upsertTags(ctx, tx, id, []RunTag{{Key: RunNameTag, Value: req.RunName}}); err != nil {
				return err
			}
		}
		var err error
		info, err = s.runInfo(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update run %s: %w", id, err)
	}
	return &UpdateRunResponse{RunInfo: info}, nil
}

// DeleteRun marks a run deleted.
func (s *Store) DeleteRun(ctx context.Context, req *DeleteRun) (*DeleteRunResponse, error) {
	if err := s.setRunStage(ctx, req.RunID, StageDeleted); err != nil {
		return nil, err
	}
	return &DeleteRunResponse{}, nil
}

// RestoreRun restores a deleted run.
func (s *Store) RestoreRun(ctx context.Context, req *RestoreRun) (*RestoreRunResponse, error) {
	if err := s.setRunStage(ctx, req.RunID, StageActive); err != nil {
		return nil, err
	}
	return &RestoreRunResponse{}, nil
}

func (s *Store) setRunStage(ctx context.Context, id, stage string) error {
	if id == "" {
		return missing("run_id")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var deleted any
		if stage == StageDeleted {
			deleted = s.now()
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?"), stage, deleted, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apierr.NotFound("Run with id=%s not found", id)
		}
		return nil
	})
	if err != nil {
		verb := "delete"
		if stage == StageActive {
			verb = "restore"
		}
		return fmt.Errorf("%s run %s: %w", verb, id, err)
	}
	return nil
}
