package registry

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// CreateRegisteredModel creates a registered model with tags and a
// description. Errors: INVALID_PARAMETER_VALUE for a missing or invalid
// name or tag; RESOURCE_ALREADY_EXISTS when the name is taken.
func (s *Store) CreateRegisteredModel(ctx context.Context, req *CreateRegisteredModel) (*CreateRegisteredModelResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	for _, t := range req.Tags {
		if err := checkTag(t.Key, t.Value); err != nil {
			return nil, err
		}
	}
	var m *RegisteredModel
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.db.Rebind("SELECT count(*) FROM registry_models WHERE name = ?"), req.Name).Scan(&n); err != nil {
			return fmt.Errorf("registry: create model %s: %w", req.Name, err)
		}
		if n > 0 {
			return modelExists(req.Name)
		}
		now := s.millis()
		var id int64
		err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO registry_models (name, creation_timestamp, last_updated_timestamp, description)
VALUES (?, ?, ?, ?) RETURNING id`), req.Name, now, now, req.Description).Scan(&id)
		if isUniqueViolationErr(err) {
			return modelExists(req.Name)
		}
		if err != nil {
			return fmt.Errorf("registry: create model %s: %w", req.Name, err)
		}
		for _, t := range req.Tags {
			if err := s.upsertModelTag(ctx, tx, id, t.Key, t.Value); err != nil {
				return err
			}
		}
		m, err = s.getModel(ctx, tx, req.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateRegisteredModelResponse{RegisteredModel: m}, nil
}

func isUniqueViolationErr(err error) bool { return err != nil && isUniqueViolation(err) }

func (s *Store) upsertModelTag(ctx context.Context, q querier, id int64, key, value string) error {
	_, err := q.ExecContext(ctx, s.db.Rebind(`INSERT INTO registry_model_tags (model_id, key, value) VALUES (?, ?, ?)
ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value`), id, key, value)
	if err != nil {
		return fmt.Errorf("registry: set model tag %s: %w", key, err)
	}
	return nil
}

// GetRegisteredModel returns a registered model with its latest version in
// each stage, its tags and aliases. Errors: RESOURCE_DOES_NOT_EXIST.
func (s *Store) GetRegisteredModel(ctx context.Context, req *GetRegisteredModel) (*GetRegisteredModelResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	m, err := s.getModel(ctx, s.db, req.Name)
	if err != nil {
		return nil, err
	}
	return &GetRegisteredModelResponse{RegisteredModel: m}, nil
}

// RenameRegisteredModel renames a registered model; its versions, tags
// and aliases follow. Errors: RESOURCE_DOES_NOT_EXIST for name,
// RESOURCE_ALREADY_EXISTS for new_name, INVALID_PARAMETER_VALUE.
func (s *Store) RenameRegisteredModel(ctx context.Context, req *RenameRegisteredModel) (*RenameRegisteredModelResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if err := checkName("new_name", req.NewName); err != nil {
		return nil, err
	}
	var m *RegisteredModel
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.modelID(ctx, tx, req.Name)
		if err != nil {
			return err
		}
		if req.NewName != req.Name {
			var n int
			if err := tx.QueryRowContext(ctx, s.db.Rebind("SELECT count(*) FROM registry_models WHERE name = ?"), req.NewName).Scan(&n); err != nil {
				return fmt.Errorf("registry: rename model %s: %w", req.Name, err)
			}
			if n > 0 {
				return modelExists(req.NewName)
			}
		}
		_, err = tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_models SET name = ?, last_updated_timestamp = ? WHERE id = ?"), req.NewName, s.millis(), id)
		if isUniqueViolationErr(err) {
			return modelExists(req.NewName)
		}
		if err != nil {
			return fmt.Errorf("registry: rename model %s: %w", req.Name, err)
		}
		m, err = s.getModel(ctx, tx, req.NewName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &RenameRegisteredModelResponse{RegisteredModel: m}, nil
}

// UpdateRegisteredModel sets a registered model's description (when
// given) and its last_updated_timestamp. Errors: RESOURCE_DOES_NOT_EXIST.
func (s *Store) UpdateRegisteredModel(ctx context.Context, req *UpdateRegisteredModel) (*UpdateRegisteredModelResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	var m *RegisteredModel
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.modelID(ctx, tx, req.Name)
		if err != nil {
			return err
		}
		if req.Description != nil {
			_, err = tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_models SET description = ?, last_updated_timestamp = ? WHERE id = ?"), *req.Description, s.millis(), id)
		} else {
			_, err = tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_models SET last_updated_timestamp = ? WHERE id = ?"), s.millis(), id)
		}
		if err != nil {
			return fmt.Errorf("registry: update model %s: %w", req.Name, err)
		}
		m, err = s.getModel(ctx, tx, req.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &UpdateRegisteredModelResponse{RegisteredModel: m}, nil
}

// DeleteRegisteredModel deletes a registered model with its versions, tags
// and aliases. Errors: RESOURCE_DOES_NOT_EXIST.
func (s *Store) DeleteRegisteredModel(ctx context.Context, req *DeleteRegisteredModel) (*DeleteRegisteredModelResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.modelID(ctx, tx, req.Name)
		if err != nil {
			return err
		}
		for _, table := range []string{"registry_aliases", "registry_version_tags", "registry_versions", "registry_model_tags"} {
			if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM "+table+" WHERE model_id = ?"), id); err != nil {
				return fmt.Errorf("registry: delete model %s: %w", req.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM registry_models WHERE id = ?"), id); err != nil {
			return fmt.Errorf("registry: delete model %s: %w", req.Name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRegisteredModelResponse{}, nil
}

// SetRegisteredModelTag sets (or replaces) a tag of a registered model.
// Errors: RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE.
func (s *Store) SetRegisteredModelTag(ctx context.Context, req *SetRegisteredModelTag) (*SetRegisteredModelTagResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if err := checkTag(req.Key, req.Value); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.modelID(ctx, tx, req.Name)
		if err != nil {
			return err
		}
		return s.upsertModelTag(ctx, tx, id, req.Key, req.Value)
	})
	if err != nil {
		return nil, err
	}
	return &SetRegisteredModelTagResponse{}, nil
}

// DeleteRegisteredModelTag deletes a tag of a registered model; a tag that
// is not set is not an error. Errors: RESOURCE_DOES_NOT_EXIST for the
// model, INVALID_PARAMETER_VALUE.
func (s *Store) DeleteRegisteredModelTag(ctx context.Context, req *DeleteRegisteredModelTag) (*DeleteRegisteredModelTagResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if req.Key == "" {
		return nil, missing("key")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.modelID(ctx, tx, req.Name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM registry_model_tags WHERE model_id = ? AND key = ?"), id, req.Key); err != nil {
			return fmt.Errorf("registry: delete model tag %s: %w", req.Key, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRegisteredModelTagResponse{}, nil
}

// GetLatestVersions returns the newest version in each of the requested
// stages (every stage when none is given) that has one: in the requested
// order, else in MLflow's stage order. Stage names match
// case-insensitively. Errors: RESOURCE_DOES_NOT_EXIST,
// INVALID_PARAMETER_VALUE for an unknown stage.
func (s *Store) GetLatestVersions(ctx context.Context, req *GetLatestVersions) (*GetLatestVersionsResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	var stages []string
	for _, st := range req.Stages {
		c, err := canonicalStage(st)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(stages, c) {
			stages = append(stages, c)
		}
	}
	if len(stages) == 0 {
		stages = Stages
	}
	id, err := s.modelID(ctx, s.db, req.Name)
	if err != nil {
		return nil, err
	}
	rows, err := s.queryVersions(ctx, s.db, `WHERE v.model_id = ? AND v.version = (
	SELECT max(w.version) FROM registry_versions w WHERE w.model_id = v.model_id AND w.current_stage = v.current_stage)`, id)
	if err != nil {
		return nil, err
	}
	resp := &GetLatestVersionsResponse{}
	for _, st := range stages {
		for _, r := range rows {
			if r.mv.CurrentStage == st {
				resp.ModelVersions = append(resp.ModelVersions, r.mv)
			}
		}
	}
	return resp, nil
}
