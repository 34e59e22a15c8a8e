package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/sluice-dev/sluice/apierr"
)

// SetRegisteredModelAlias points alias at a version of a registered model,
// moving it if it named another version. Errors: RESOURCE_DOES_NOT_EXIST
// (model or version), INVALID_PARAMETER_VALUE (a reserved or malformed
// alias: "latest" and "v<digits>" are reserved).
func (s *Store) SetRegisteredModelAlias(ctx context.Context, req *SetRegisteredModelAlias) (*SetRegisteredModelAliasResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if err := checkAlias(req.Alias); err != nil {
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
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO registry_aliases (model_id, alias, version) VALUES (?, ?, ?)
ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version`), id, req.Alias, v); err != nil {
			return fmt.Errorf("registry: set alias %s of %s: %w", req.Alias, req.Name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SetRegisteredModelAliasResponse{}, nil
}

// DeleteRegisteredModelAlias removes alias from a registered model; an
// alias that is not set is not an error. Errors: RESOURCE_DOES_NOT_EXIST
// for the model, INVALID_PARAMETER_VALUE.
func (s *Store) DeleteRegisteredModelAlias(ctx context.Context, req *DeleteRegisteredModelAlias) (*DeleteRegisteredModelAliasResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if req.Alias == "" {
		return nil, missing("alias")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.modelID(ctx, tx, req.Name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM registry_aliases WHERE model_id = ? AND alias = ?"), id, req.Alias); err != nil {
			return fmt.Errorf("registry: delete alias %s of %s: %w", req.Alias, req.Name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRegisteredModelAliasResponse{}, nil
}

// GetModelVersionByAlias returns the version alias names. Errors:
// RESOURCE_DOES_NOT_EXIST (model or alias), INVALID_PARAMETER_VALUE.
func (s *Store) GetModelVersionByAlias(ctx context.Context, req *GetModelVersionByAlias) (*GetModelVersionByAliasResponse, error) {
	if err := checkName("name", req.Name); err != nil {
		return nil, err
	}
	if req.Alias == "" {
		return nil, missing("alias")
	}
	v, err := s.aliasVersion(ctx, req.Name, req.Alias)
	if err != nil {
		return nil, err
	}
	mv, err := s.getVersion(ctx, s.db, req.Name, v)
	if err != nil {
		return nil, err
	}
	return &GetModelVersionByAliasResponse{ModelVersion: mv}, nil
}

// AliasVersion returns the version number ("3") that alias names on the
// registered model name, with one indexed query: cheap enough for the
// serving layer to poll. Errors: RESOURCE_DOES_NOT_EXIST when the model or
// the alias does not exist.
func (s *Store) AliasVersion(ctx context.Context, name, alias string) (string, error) {
	v, err := s.aliasVersion(ctx, name, alias)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(v, 10), nil
}

func (s *Store) aliasVersion(ctx context.Context, name, alias string) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, s.db.Rebind(`SELECT a.version FROM registry_aliases a JOIN registry_models m ON m.id = a.model_id
WHERE m.name = ? AND a.alias = ?`), name, alias).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.modelID(ctx, s.db, name); err != nil {
			return 0, err
		}
		return 0, apierr.NotFound("Registered model alias %s not found.", alias)
	}
	if err != nil {
		return 0, fmt.Errorf("registry: look up alias %s of %s: %w", alias, name, err)
	}
	return v, nil
}

// LatestVersion returns the highest version number ("7") of the
// registered model name, whatever its stage: what models:/NAME/latest
// names. Errors: RESOURCE_DOES_NOT_EXIST when the model does not exist or
// has no versions.
func (s *Store) LatestVersion(ctx context.Context, name string) (string, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.db.Rebind(`SELECT max(v.version) FROM registry_versions v JOIN registry_models m ON m.id = v.model_id
WHERE m.name = ?`), name).Scan(&v)
	if err != nil {
		return "", fmt.Errorf("registry: latest version of %s: %w", name, err)
	}
	if !v.Valid {
		if _, err := s.modelID(ctx, s.db, name); err != nil {
			return "", err
		}
		return "", apierr.NotFound("Registered Model with name=%s has no versions", name)
	}
	return strconv.FormatInt(v.Int64, 10), nil
}
