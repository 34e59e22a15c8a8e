package tracking

import (
	"context"
	"database/sql"
	"fmt"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/apierr"
)

func validateDatasetInput(i int, in DatasetInput) error {
	field := func(name string) string { return fmt.Sprintf("datasets[%d].%s", i, name) }
	d := in.Dataset
	if d == nil {
		return missing(field("dataset"))
	}
	for _, f := range []struct {
		name, value string
		limit       int
		required    bool
	}{
		{"dataset.name", d.Name, MaxDatasetNameLen, true},
		{"dataset.digest", d.Digest, MaxDatasetDigestLen, true},
		{"dataset.source_type", d.SourceType, MaxDatasetSourceLen, true},
		{"dataset.source", d.Source, MaxDatasetSourceLen, true},
		{"dataset.schema", d.Schema, MaxDatasetSchemaLen, false},
		{"dataset.profile", d.Profile, MaxDatasetProfileLen, false},
	} {
		if f.required && f.value == "" {
			return missing(field(f.name))
		}
		if n := utf8.RuneCountInString(f.value); n > f.limit {
			return apierr.Invalid("%s is %d characters long, more than the limit of %d", field(f.name), n, f.limit)
		}
	}
	for j, t := range in.Tags {
		tf := func(name string) string { return field(fmt.Sprintf("tags[%d].%s", j, name)) }
		if t.Key == "" {
			return missing(tf("key"))
		}
		if t.Value == "" {
			return missing(tf("value"))
		}
		if n := utf8.RuneCountInString(t.Key); n > MaxInputTagKeyLen {
			return apierr.Invalid("%s is %d characters long, more than the limit of %d", tf("key"), n, MaxInputTagKeyLen)
		}
		if n := utf8.RuneCountInString(t.Value); n > MaxInputTagValueLen {
			return apierr.Invalid("%s is %d characters long, more than the limit of %d", tf("value"), n, MaxInputTagValueLen)
		}
	}
	return nil
}

// LogInputs records the datasets an active run used. A dataset is stored
// once per experiment by (name, digest); logging the same dataset to a run
// again updates the input's tags.
func (s *Store) LogInputs(ctx context.Context, req *LogInputs) (*LogInputsResponse, error) {
	if req.RunID == "" {
		return nil, missing("run_id")
	}
	for i, in := range req.Datasets {
		if err := validateDatasetInput(i, in); err != nil {
			return nil, err
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		exp, err := s.checkRunActive(ctx, tx, req.RunID)
		if err != nil {
			return err
		}
		for _, in := range req.Datasets {
			d := in.Dataset
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO NOTHING`),
				newRunID(), exp, d.Name, d.Digest, d.SourceType, d.Source, d.Schema, d.Profile); err != nil {
				return err
			}
			var dsID string
			if err := tx.QueryRowContext(ctx, s.q("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?"), exp, d.Name, d.Digest).Scan(&dsID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO inputs (input_uuid, dataset_uuid, run_uuid) VALUES (?, ?, ?) ON CONFLICT (run_uuid, dataset_uuid) DO NOTHING"), newRunID(), dsID, req.RunID); err != nil {
				return err
			}
			var inID string
			if err := tx.QueryRowContext(ctx, s.q("SELECT input_uuid FROM inputs WHERE run_uuid = ? AND dataset_uuid = ?"), req.RunID, dsID).Scan(&inID); err != nil {
				return err
			}
			for _, t := range in.Tags {
				if _, err := tx.ExecContext(ctx, s.q("INSERT INTO input_tags (input_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (input_uuid, key) DO UPDATE SET value = excluded.value"), inID, t.Key, t.Value); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("log inputs of run %s: %w", req.RunID, err)
	}
	return &LogInputsResponse{}, nil
}

// loadInputs fills the dataset inputs of runs; in and args select them.
func (s *Store) loadInputs(ctx context.Context, runs []Run, idx map[string]int, in string, args []any) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT i.run_uuid, i.input_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
		FROM inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid
		WHERE i.run_uuid IN `+in+` ORDER BY i.run_uuid, d.name, d.digest`), args...)
	if err != nil {
		return err
	}
	type ref struct{ run, input int }
	byInput := map[string]ref{}
	for rows.Next() {
		var run, input string
		d := &Dataset{}
		if err := rows.Scan(&run, &input, &d.Name, &d.Digest, &d.SourceType, &d.Source, &d.Schema, &d.Profile); err != nil {
			rows.Close()
			return err
		}
		r := &runs[idx[run]]
		byInput[input] = ref{idx[run], len(r.Inputs.DatasetInputs)}
		r.Inputs.DatasetInputs = append(r.Inputs.DatasetInputs, DatasetInput{Dataset: d})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(byInput) == 0 {
		return err
	}
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT t.input_uuid, t.key, t.value FROM input_tags t JOIN inputs i ON i.input_uuid = t.input_uuid
		WHERE i.run_uuid IN `+in+` ORDER BY t.input_uuid, t.key`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var input string
		var t InputTag
		if err := rows.Scan(&input, &t.Key, &t.Value); err != nil {
			return err
		}
		if r, ok := byInput[input]; ok {
			di := &runs[r.run].Inputs.DatasetInputs[r.input]
			di.Tags = append(di.Tags, t)
		}
	}
	return rows.Err()
}
