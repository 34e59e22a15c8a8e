package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// CreateModelVersion registers the next version (1, 2, 3, … per model,
// never reused) of an existing registered model, READY in stage "None".
// Errors: RESOURCE_DOES_NOT_EXIST when the model does not exist;
// INVALID_PARAMETER_VALUE for a missing name or source or a bad tag.
func (s *Store) CreateModelVersion(ctx context.Context, req *CreateModelVersion) (*CreateModelVersionResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if req.Source == "" {
		return nil, missing("source")
	}
	for _, t := range req.Tags {
		if err := checkTag(t.Key, t.Value); err != nil {
			return nil, err
		}
	}
	var mv *ModelVersion
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.millis()
		var id, version int64
		err := tx.QueryRowContext(ctx, s.db.Rebind(`UPDATE registry_models SET last_version = last_version + 1, last_updated_timestamp = ?
WHERE name = ? RETURNING id, last_version`), now, req.Name).Scan(&id, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return modelNotFound(req.Name)
		}
		if err != nil {
			return fmt.Errorf("registry: create version of %s: %w", req.Name, err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO registry_versions
	(model_id, version, creation_timestamp, last_updated_timestamp, current_stage, description, source, run_id, run_link, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, version, now, now, StageNone, req.Description, req.Source, req.RunID, req.RunLink, string(StatusReady)); err != nil {
			return fmt.Errorf("registry: create version of %s: %w", req.Name, err)
		}
		for _, t := range req.Tags {
			if err := s.upsertVersionTag(ctx, tx, versionKey{id, version}, t.Key, t.Value); err != nil {
				return err
			}
		}
		mv, err = s.getVersion(ctx, tx, req.Name, version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateModelVersionResponse{ModelVersion: mv}, nil
}

func (s *Store) upsertVersionTag(ctx context.Context, q querier, k versionKey, key, value string) error {
	_, err := q.ExecContext(ctx, s.db.Rebind(`INSERT INTO registry_version_tags (model_id, version, key, value) VALUES (?, ?, ?, ?)
ON CONFLICT (model_id, version, key) DO UPDATE SET value = excluded.value`), k.model, k.version, key, value)
	if err != nil {
		return fmt.Errorf("registry: set model version tag %s: %w", key, err)
	}
	return nil
}

// GetModelVersion returns a model version with its tags and aliases.
// Errors: RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE.
func (s *Store) GetModelVersion(ctx context.Context, req *GetModelVersion) (*GetModelVersionResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	mv, err := s.getVersion(ctx, s.db, req.Name, v)
	if err != nil {
		return nil, err
	}
	return &GetModelVersionResponse{ModelVersion: mv}, nil
}

// UpdateModelVersion sets a version's description (when given) and its
// last_updated_timestamp. Errors: RESOURCE_DOES_NOT_EXIST,
// INVALID_PARAMETER_VALUE.
func (s *Store) UpdateModelVersion(ctx context.Context, req *UpdateModelVersion) (*UpdateModelVersionResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	var mv *ModelVersion
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.checkVersion(ctx, tx, req.Name, v)
		if err != nil {
			return err
		}
		if req.Description != nil {
			_, err = tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_versions SET description = ?, last_updated_timestamp = ? WHERE model_id = ? AND version = ?"),
				*req.Description, s.millis(), id, v)
		} else {
			_, err = tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_versions SET last_updated_timestamp = ? WHERE model_id = ? AND version = ?"),
				s.millis(), id, v)
		}
		if err != nil {
			return fmt.Errorf("registry: update %s version %d: %w", req.Name, v, err)
		}
		mv, err = s.getVersion(ctx, tx, req.Name, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &UpdateModelVersionResponse{ModelVersion: mv}, nil
}

// TransitionModelVersionStage moves a version to stage (None, Staging,
// Production or Archived, case-insensitive). With ArchiveExistingVersions
// (allowed for Staging and Production only) every other version in that
// stage moves to Archived in the same transaction. Errors:
// RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE.
func (s *Store) TransitionModelVersionStage(ctx context.Context, req *TransitionModelVersionStage) (*TransitionModelVersionStageResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	if req.Stage == "" {
		return nil, missing("stage")
	}
	stage, err := canonicalStage(req.Stage)
	if err != nil {
		return nil, err
	}
	if req.ArchiveExistingVersions && stage != StageStaging && stage != StageProduction {
		return nil, apierr.Invalid("Model version transition cannot archive existing model versions because '%s' is not an Active stage. Valid stages are %s and %s.", stage, StageStaging, StageProduction)
	}
	var mv *ModelVersion
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.checkVersion(ctx, tx, req.Name, v)
		if err != nil {
			return err
		}
		now := s.millis()
		if req.ArchiveExistingVersions {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE registry_versions SET current_stage = ?, last_updated_timestamp = ?
WHERE model_id = ? AND current_stage = ? AND version <> ?`), StageArchived, now, id, stage, v); err != nil {
				return fmt.Errorf("registry: archive %s versions in %s: %w", req.Name, stage, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_versions SET current_stage = ?, last_updated_timestamp = ? WHERE model_id = ? AND version = ?"),
			stage, now, id, v); err != nil {
			return fmt.Errorf("registry: transition %s version %d: %w", req.Name, v, err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_models SET last_updated_timestamp = ? WHERE id = ?"), now, id); err != nil {
			return fmt.Errorf("registry: transition %s version %d: %w", req.Name, v, err)
		}
		mv, err = s.getVersion(ctx, tx, req.Name, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &TransitionModelVersionStageResponse{ModelVersion: mv}, nil
}

// DeleteModelVersion deletes a version with its tags and the aliases
// pointing to it; its number is not reused. Errors:
// RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE.
func (s *Store) DeleteModelVersion(ctx context.Context, req *DeleteModelVersion) (*DeleteModelVersionResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.checkVersion(ctx, tx, req.Name, v)
		if err != nil {
			return err
		}
		for _, table := range []string{"registry_aliases", "registry_version_tags", "registry_versions"} {
			if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM "+table+" WHERE model_id = ? AND version = ?"), id, v); err != nil {
				return fmt.Errorf("registry: delete %s version %d: %w", req.Name, v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("UPDATE registry_models SET last_updated_timestamp = ? WHERE id = ?"), s.millis(), id); err != nil {
			return fmt.Errorf("registry: delete %s version %d: %w", req.Name, v, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteModelVersionResponse{}, nil
}

// GetModelVersionDownloadURI returns where a version's artifacts are: its
// source, except that a "runs:/RUN_ID/path" source becomes the run's
// artifact_uri joined with path when the Store has a RunArtifacts
// resolver. Errors: RESOURCE_DOES_NOT_EXIST (version, or the source's
// run), INVALID_PARAMETER_VALUE.
func (s *Store) GetModelVersionDownloadURI(ctx context.Context, req *GetModelVersionDownloadURI) (*GetModelVersionDownloadURIResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	var source string
	err = s.db.QueryRowContext(ctx, s.db.Rebind(`SELECT v.source FROM registry_versions v JOIN registry_models m ON m.id = v.model_id
WHERE m.name = ? AND v.version = ?`), req.Name, v).Scan(&source)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.modelID(ctx, s.db, req.Name); err != nil {
			return nil, err
		}
		return nil, versionNotFound(req.Name, v)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: download URI of %s version %d: %w", req.Name, v, err)
	}
	uri, err := s.resolveSource(ctx, source)
	if err != nil {
		return nil, err
	}
	return &GetModelVersionDownloadURIResponse{ArtifactURI: uri}, nil
}

// resolveSource maps a runs:/ source onto the run's artifact location.
func (s *Store) resolveSource(ctx context.Context, source string) (string, error) {
	rest, ok := strings.CutPrefix(source, "runs:/")
	if !ok || s.runs == nil {
		return source, nil
	}
	rest = strings.TrimLeft(rest, "/")
	runID, path, _ := strings.Cut(rest, "/")
	if runID == "" {
		return "", apierr.Invalid("Invalid model version source '%s': want runs:/RUN_ID/PATH.", source)
	}
	root, err := s.runs.RunArtifactURI(ctx, runID)
	if err != nil {
		return "", err
	}
	path = strings.Trim(path, "/")
	if path == "" {
		return root, nil
	}
	return strings.TrimRight(root, "/") + "/" + path, nil
}

// SetModelVersionTag sets (or replaces) a tag of a model version. Errors:
// RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE.
func (s *Store) SetModelVersionTag(ctx context.Context, req *SetModelVersionTag) (*SetModelVersionTagResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	if err := checkTag(req.Key, req.Value); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.checkVersion(ctx, tx, req.Name, v)
		if err != nil {
			return err
		}
		return s.upsertVersionTag(ctx, tx, versionKey{id, v}, req.Key, req.Value)
	})
	if err != nil {
		return nil, err
	}
	return &SetModelVersionTagResponse{}, nil
}

// DeleteModelVersionTag deletes a tag of a model version; a tag that is
// not set is not an error. Errors: RESOURCE_DOES_NOT_EXIST for the
// version, INVALID_PARAMETER_VALUE.
func (s *Store) DeleteModelVersionTag(ctx context.Context, req *DeleteModelVersionTag) (*DeleteModelVersionTagResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	if req.Key == "" {
		return nil, missing("key")
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.checkVersion(ctx, tx, req.Name, v)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM registry_version_tags WHERE model_id = ? AND version = ? AND key = ?"), id, v, req.Key); err != nil {
			return fmt.Errorf("registry: delete model version tag %s: %w", req.Key, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteModelVersionTagResponse{}, nil
}
