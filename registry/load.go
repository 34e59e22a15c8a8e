package registry

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// versionSelect selects model version rows; append WHERE/ORDER BY/LIMIT.
const versionSelect = `SELECT v.model_id, m.name, v.version, v.creation_timestamp, v.last_updated_timestamp,
	v.user_id, v.current_stage, v.description, v.source, v.run_id, v.run_link, v.status, v.status_message
FROM registry_versions v JOIN registry_models m ON m.id = v.model_id `

// versionRow is a model version and its row key.
type versionRow struct {
	key versionKey
	mv  ModelVersion
}

// queryVersions runs versionSelect+rest and decorates the versions with
// their tags and aliases.
func (s *Store) queryVersions(ctx context.Context, q querier, rest string, args ...any) ([]versionRow, error) {
	rows, err := q.QueryContext(ctx, s.db.Rebind(versionSelect+rest), args...)
	if err != nil {
		return nil, fmt.Errorf("registry: query model versions: %w", err)
	}
	defer rows.Close()
	var out []versionRow
	for rows.Next() {
		var r versionRow
		var status string
		if err := rows.Scan(&r.key.model, &r.mv.Name, &r.key.version, &r.mv.CreationTimestamp, &r.mv.LastUpdatedTimestamp,
			&r.mv.UserID, &r.mv.CurrentStage, &r.mv.Description, &r.mv.Source, &r.mv.RunID, &r.mv.RunLink,
			&status, &r.mv.StatusMessage); err != nil {
			return nil, fmt.Errorf("registry: read model versions: %w", err)
		}
		r.mv.Version = strconv.FormatInt(r.key.version, 10)
		r.mv.Status = ModelVersionStatus(status)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: read model versions: %w", err)
	}
	rows.Close()
	if err := s.decorateVersions(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// decorateVersions fills the tags and aliases of rows.
func (s *Store) decorateVersions(ctx context.Context, q querier, rows []versionRow) error {
	if len(rows) == 0 {
		return nil
	}
	at := make(map[versionKey]*ModelVersion, len(rows))
	var ids []int64
	seen := map[int64]bool{}
	for i := range rows {
		at[rows[i].key] = &rows[i].mv
		if !seen[rows[i].key.model] {
			seen[rows[i].key.model] = true
			ids = append(ids, rows[i].key.model)
		}
	}
	tagQ, aliasQ := "SELECT model_id, version, key, value FROM registry_version_tags WHERE ",
		"SELECT model_id, version, alias FROM registry_aliases WHERE "
	collect := func(where string, args []any) error {
		tr, err := q.QueryContext(ctx, s.db.Rebind(tagQ+where+" ORDER BY model_id, version, key"), args...)
		if err != nil {
			return fmt.Errorf("registry: query model version tags: %w", err)
		}
		defer tr.Close()
		for tr.Next() {
			var k versionKey
			var t ModelVersionTag
			if err := tr.Scan(&k.model, &k.version, &t.Key, &t.Value); err != nil {
				return fmt.Errorf("registry: read model version tags: %w", err)
			}
			if mv := at[k]; mv != nil {
				mv.Tags = append(mv.Tags, t)
			}
		}
		if err := tr.Err(); err != nil {
			return fmt.Errorf("registry: read model version tags: %w", err)
		}
		tr.Close()
		ar, err := q.QueryContext(ctx, s.db.Rebind(aliasQ+where+" ORDER BY model_id, version, alias"), args...)
		if err != nil {
			return fmt.Errorf("registry: query aliases: %w", err)
		}
		defer ar.Close()
		for ar.Next() {
			var k versionKey
			var a string
			if err := ar.Scan(&k.model, &k.version, &a); err != nil {
				return fmt.Errorf("registry: read aliases: %w", err)
			}
			if mv := at[k]; mv != nil {
				mv.Aliases = append(mv.Aliases, a)
			}
		}
		return ar.Err()
	}
	if len(rows) == 1 {
		return collect("model_id = ? AND version = ?", []any{rows[0].key.model, rows[0].key.version})
	}
	return chunks(ids, func(part []any) error {
		return collect("model_id IN ("+placeholders(len(part))+")", part)
	})
}

// getVersion returns one model version of the model called name.
func (s *Store) getVersion(ctx context.Context, q querier, name string, version int64) (*ModelVersion, error) {
	rows, err := s.queryVersions(ctx, q, "WHERE m.name = ? AND v.version = ?", name, version)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		if _, err := s.modelID(ctx, q, name); err != nil {
			return nil, err
		}
		return nil, versionNotFound(name, version)
	}
	return &rows[0].mv, nil
}

// stageRank orders stages as MLflow lists them.
func stageRank(stage string) int {
	if i := slices.Index(Stages, stage); i >= 0 {
		return i
	}
	return len(Stages)
}

// loadModels returns the registered models with ids, in that order, with
// their tags, aliases and latest version per stage. Ids that no longer
// exist are skipped.
func (s *Store) loadModels(ctx context.Context, q querier, ids []int64) ([]RegisteredModel, error) {
	byID := make(map[int64]*RegisteredModel, len(ids))
	err := chunks(ids, func(part []any) error {
		in := " IN (" + placeholders(len(part)) + ")"
		rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT id, name, creation_timestamp, last_updated_timestamp, user_id, description
FROM registry_models WHERE id`+in), part...)
		if err != nil {
			return fmt.Errorf("registry: query models: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			m := &RegisteredModel{}
			if err := rows.Scan(&id, &m.Name, &m.CreationTimestamp, &m.LastUpdatedTimestamp, &m.UserID, &m.Description); err != nil {
				return fmt.Errorf("registry: read models: %w", err)
			}
			byID[id] = m
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("registry: read models: %w", err)
		}
		rows.Close()

		tr, err := q.QueryContext(ctx, s.db.Rebind("SELECT model_id, key, value FROM registry_model_tags WHERE model_id"+in+" ORDER BY model_id, key"), part...)
		if err != nil {
			return fmt.Errorf("registry: query model tags: %w", err)
		}
		defer tr.Close()
		for tr.Next() {
			var id int64
			var t RegisteredModelTag
			if err := tr.Scan(&id, &t.Key, &t.Value); err != nil {
				return fmt.Errorf("registry: read model tags: %w", err)
			}
			if m := byID[id]; m != nil {
				m.Tags = append(m.Tags, t)
			}
		}
		if err := tr.Err(); err != nil {
			return fmt.Errorf("registry: read model tags: %w", err)
		}
		tr.Close()

		ar, err := q.QueryContext(ctx, s.db.Rebind("SELECT model_id, alias, version FROM registry_aliases WHERE model_id"+in+" ORDER BY model_id, alias"), part...)
		if err != nil {
			return fmt.Errorf("registry: query aliases: %w", err)
		}
		defer ar.Close()
		for ar.Next() {
			var id, v int64
			var a string
			if err := ar.Scan(&id, &a, &v); err != nil {
				return fmt.Errorf("registry: read aliases: %w", err)
			}
			if m := byID[id]; m != nil {
				m.Aliases = append(m.Aliases, RegisteredModelAlias{Alias: a, Version: strconv.FormatInt(v, 10)})
			}
		}
		if err := ar.Err(); err != nil {
			return fmt.Errorf("registry: read aliases: %w", err)
		}
		ar.Close()

		latest, err := s.queryVersions(ctx, q, `WHERE v.model_id`+in+` AND v.version = (
	SELECT max(w.version) FROM registry_versions w WHERE w.model_id = v.model_id AND w.current_stage = v.current_stage)`, part...)
		if err != nil {
			return err
		}
		slices.SortFunc(latest, func(a, b versionRow) int { return stageRank(a.mv.CurrentStage) - stageRank(b.mv.CurrentStage) })
		for _, r := range latest {
			if m := byID[r.key.model]; m != nil {
				m.LatestVersions = append(m.LatestVersions, r.mv)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]RegisteredModel, 0, len(ids))
	for _, id := range ids {
		if m := byID[id]; m != nil {
			out = append(out, *m)
		}
	}
	return out, nil
}

// getModel returns the full registered model called name.
func (s *Store) getModel(ctx context.Context, q querier, name string) (*RegisteredModel, error) {
	id, err := s.modelID(ctx, q, name)
	if err != nil {
		return nil, err
	}
	ms, err := s.loadModels(ctx, q, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, modelNotFound(name)
	}
	return &ms[0], nil
}
