package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
)

func validateExperimentTag(field string, t ExperimentTag) error {
	if err := validateKey(field+".key", t.Key); err != nil {
		return err
	}
	return validateValueLen("experiment tag value", t.Key, t.Value, MaxExperimentTagValueLen)
}

// CreateExperiment creates an experiment. Its artifact location defaults
// to "<ArtifactRoot>/<experiment_id>". An experiment of the same name,
// active or deleted, is RESOURCE_ALREADY_EXISTS.
func (s *Store) CreateExperiment(ctx context.Context, req *CreateExperiment) (*CreateExperimentResponse, error) {
	if req.Name == "" {
		return nil, missing("name")
	}
	if n := utf8.RuneCountInString(req.Name); n > MaxExperimentNameLen {
		return nil, apierr.Invalid("experiment name '%s…' is %d characters long, more than the limit of %d", truncate(req.Name, 40), n, MaxExperimentNameLen)
	}
	for i, t := range req.Tags {
		if err := validateExperimentTag(fmt.Sprintf("tags[%d]", i), t); err != nil {
			return nil, err
		}
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q("SELECT count(*) FROM experiments WHERE name = ?"), req.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Exists("Experiment(name=%s) already exists.", req.Name)
		}
		now := s.now()
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
			VALUES (?, ?, ?, ?, ?) RETURNING experiment_id`), req.Name, req.ArtifactLocation, StageActive, now, now).Scan(&id); err != nil {
			return err
		}
		if req.ArtifactLocation == "" {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?"), s.artifactLocation(strconv.FormatInt(id, 10)), id); err != nil {
				return err
			}
		}
		return upsertExperimentTags(ctx, s.db, tx, id, req.Tags)
	})
	if err != nil {
		return nil, fmt.Errorf("create experiment %q: %w", req.Name, err)
	}
	return &CreateExperimentResponse{ExperimentID: strconv.FormatInt(id, 10)}, nil
}

func upsertExperimentTags(ctx context.Context, db *metastore.DB, tx *sql.Tx, id int64, tags []ExperimentTag) error {
	if len(tags) == 0 {
		return nil
	}
	last := map[string]string{}
	var keys []string
	for _, t := range tags {
		if _, ok := last[t.Key]; !ok {
			keys = append(keys, t.Key)
		}
		last[t.Key] = t.Value
	}
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, id, k, last[k])
	}
	q := "INSERT INTO experiment_tags (experiment_id, key, value) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(keys)), ", ") +
		" ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value"
	_, err := tx.ExecContext(ctx, db.Rebind(q), args...)
	return err
}

const experimentColumns = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"

func scanExperiment(sc interface{ Scan(...any) error }) (*Experiment, error) {
	var e Experiment
	var id int64
	if err := sc.Scan(&id, &e.Name, &e.ArtifactLocation, &e.LifecycleStage, &e.CreationTime, &e.LastUpdateTime); err != nil {
		return nil, err
	}
	e.ExperimentID = strconv.FormatInt(id, 10)
	return &e, nil
}

// loadExperimentTags fills the tags of exps.
func (s *Store) loadExperimentTags(ctx context.Context, exps []*Experiment) error {
	if len(exps) == 0 {
		return nil
	}
	byID := make(map[string]*Experiment, len(exps))
	args := make([]any, 0, len(exps))
	for _, e := range exps {
		byID[e.ExperimentID] = e
		id, _ := strconv.ParseInt(e.ExperimentID, 10, 64)
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ("+placeholders(len(args))+") ORDER BY experiment_id, key"), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t ExperimentTag
		if err := rows.Scan(&id, &t.Key, &t.Value); err != nil {
			return err
		}
		if e := byID[strconv.FormatInt(id, 10)]; e != nil {
			e.Tags = append(e.Tags, t)
		}
	}
	return rows.Err()
}

// experiment returns experiment id (any lifecycle stage) or
// RESOURCE_DOES_NOT_EXIST.
func (s *Store) experiment(ctx context.Context, field, id string) (*Experiment, error) {
	n, err := parseExperimentID(field, id)
	if err != nil {
		return nil, err
	}
	e, err := scanExperiment(s.db.QueryRowContext(ctx, s.q("SELECT "+experimentColumns+" FROM experiments WHERE experiment_id = ?"), n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.NotFound("No Experiment with id=%s exists", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get experiment %s: %w", id, err)
	}
	return e, nil
}

// GetExperiment returns an experiment and its tags, deleted or not.
func (s *Store) GetExperiment(ctx context.Context, req *GetExperiment) (*GetExperimentResponse, error) {
	e, err := s.experiment(ctx, "experiment_id", req.ExperimentID)
	if err != nil {
		return nil, err
	}
	if err := s.loadExperimentTags(ctx, []*Experiment{e}); err != nil {
		return nil, fmt.Errorf("get experiment %s: %w", req.ExperimentID, err)
	}
	return &GetExperimentResponse{Experiment: e}, nil
}

// GetExperimentByName returns the experiment of a name, deleted or not.
func (s *Store) GetExperimentByName(ctx context.Context, req *GetExperimentByName) (*GetExperimentByNameResponse, error) {
	if req.ExperimentName == "" {
		return nil, missing("experiment_name")
	}
	e, err := scanExperiment(s.db.QueryRowContext(ctx, s.q("SELECT "+experimentColumns+" FROM experiments WHERE name = ?"), req.ExperimentName))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.NotFound("Could not find experiment with name '%s'", req.ExperimentName)
	}
	if err != nil {
		return nil, fmt.Errorf("get experiment %q: %w", req.ExperimentName, err)
	}
	if err := s.loadExperimentTags(ctx, []*Experiment{e}); err != nil {
		return nil, fmt.Errorf("get experiment %q: %w", req.ExperimentName, err)
	}
	return &GetExperimentByNameResponse{Experiment: e}, nil
}

// UpdateExperiment renames an experiment; the new name must be unused.
// Deleted experiments cannot be renamed.
func (s *Store) UpdateExperiment(ctx context.Context, req *UpdateExperiment) (*UpdateExperimentResponse, error) {
	id, err := parseExperimentID("experiment_id", req.ExperimentID)
	if err != nil {
		return nil, err
	}
	if req.NewName == "" {
		return &UpdateExperimentResponse{}, nil
	}
	if n := utf8.RuneCountInString(req.NewName); n > MaxExperimentNameLen {
		return nil, apierr.Invalid("new_name '%s…' is %d characters long, more than the limit of %d", truncate(req.NewName, 40), n, MaxExperimentNameLen)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkExperimentActive(ctx, tx, req.ExperimentID, id); err != nil {
			return err
		}
		var other int64
		err := tx.QueryRowContext(ctx, s.q("SELECT experiment_id FROM experiments WHERE name = ?"), req.NewName).Scan(&other)
		if err == nil && other != id {
			return apierr.Exists("Experiment(name=%s) already exists.", req.NewName)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?"), req.NewName, s.now(), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update experiment %s: %w", req.ExperimentID, err)
	}
	return &UpdateExperimentResponse{}, nil
}

// checkExperimentActive returns RESOURCE_DOES_NOT_EXIST or
// INVALID_PARAMETER_VALUE unless experiment id exists and is active.
func (s *Store) checkExperimentActive(ctx context.Context, tx *sql.Tx, idText string, id int64) error {
	var stage string
	err := tx.QueryRowContext(ctx, s.q("SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?"), id).Scan(&stage)
	if errors.Is(err, sql.ErrNoRows) {
		return apierr.NotFound("No Experiment with id=%s exists", idText)
	}
	if err != nil {
		return err
	}
	if stage != StageActive {
		return apierr.Invalid("The experiment %s must be in the 'active' state. Current state is %s.", idText, stage)
	}
	return nil
}

// DeleteExperiment marks an experiment deleted, with its active runs.
func (s *Store) DeleteExperiment(ctx context.Context, req *DeleteExperiment) (*DeleteExperimentResponse, error) {
	id, err := parseExperimentID("experiment_id", req.ExperimentID)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, apierr.Invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.")
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkExperimentActive(ctx, tx, req.ExperimentID, id); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?"), StageDeleted, now, id); err != nil {
			return err
		}
		// Runs deleted with the experiment carry its deletion time, so that
		// restoring it restores exactly them.
		_, err := tx.ExecContext(ctx, s.q("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = ?"), StageDeleted, now, id, StageActive)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete experiment %s: %w", req.ExperimentID, err)
	}
	return &DeleteExperimentResponse{}, nil
}

// RestoreExperiment restores a deleted experiment and the runs deleted
// with it.
func (s *Store) RestoreExperiment(ctx context.Context, req *RestoreExperiment) (*RestoreExperimentResponse, error) {
	id, err := parseExperimentID("experiment_id", req.ExperimentID)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var stage string
		var deletedAt int64
		err := tx.QueryRowContext(ctx, s.q("SELECT lifecycle_stage, last_update_time FROM experiments WHERE experiment_id = ?"), id).Scan(&stage, &deletedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return apierr.NotFound("No Experiment with id=%s exists", req.ExperimentID)
		}
		if err != nil {
			return err
		}
		if stage != StageDeleted {
			return apierr.Invalid("Cannot restore an experiment that is not deleted: experiment %s is %s.", req.ExperimentID, stage)
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?"), StageActive, s.now(), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE runs SET lifecycle_stage = ?, deleted_time = NULL WHERE experiment_id = ? AND lifecycle_stage = ? AND deleted_time = ?"), StageActive, id, StageDeleted, deletedAt)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("restore experiment %s: %w", req.ExperimentID, err)
	}
	return &RestoreExperimentResponse{}, nil
}

// SetExperimentTag sets a tag on an active experiment.
func (s *Store) SetExperimentTag(ctx context.Context, req *SetExperimentTag) (*SetExperimentTagResponse, error) {
	id, err := parseExperimentID("experiment_id", req.ExperimentID)
	if err != nil {
		return nil, err
	}
	if err := validateExperimentTag("key", ExperimentTag{Key: req.Key, Value: req.Value}); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkExperimentActive(ctx, tx, req.ExperimentID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?"), s.now(), id); err != nil {
			return err
		}
		return upsertExperimentTags(ctx, s.db, tx, id, []ExperimentTag{{Key: req.Key, Value: req.Value}})
	})
	if err != nil {
		return nil, fmt.Errorf("set tag %q on experiment %s: %w", req.Key, req.ExperimentID, err)
	}
	return &SetExperimentTagResponse{}, nil
}

// DeleteExperimentTag deletes a tag of an active experiment;
// RESOURCE_DOES_NOT_EXIST when the tag is not set.
func (s *Store) DeleteExperimentTag(ctx context.Context, req *DeleteExperimentTag) (*DeleteExperimentTagResponse, error) {
	id, err := parseExperimentID("experiment_id", req.ExperimentID)
	if err != nil {
		return nil, err
	}
	if req.Key == "" {
		return nil, missing("key")
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkExperimentActive(ctx, tx, req.ExperimentID, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?"), id, req.Key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apierr.NotFound("No tag with name: %s in experiment with id %s", req.Key, req.ExperimentID)
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?"), s.now(), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete tag %q of experiment %s: %w", req.Key, req.ExperimentID, err)
	}
	return &DeleteExperimentTagResponse{}, nil
}
