package table

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"
)

// WriteOptions configures a write.
type WriteOptions struct {
	// MergeSchema lets the write evolve the table: incoming columns the
	// table lacks are added (nullable), and int/float/decimal columns are
	// widened to bigint/double/wider decimal. Off by default: a write whose
	// columns do not fit fails with *SchemaMismatchError.
	MergeSchema bool
	// Summary holds extra snapshot summary properties (e.g. the source).
	Summary map[string]string
	// Operation names the change in the summary's sluice.operation
	// (INSERT, OVERWRITE, DELETE, UPDATE, COMPACT …); the Iceberg operation
	// is derived from the files added and removed.
	Operation string
	// BeforeCommit, when set, runs after the data files are written and
	// before the commit; an error from it aborts the write (nothing is
	// committed; the written files are orphans for RemoveOrphans).
	BeforeCommit func() error
}

// CommitInfo describes a committed write.
type CommitInfo struct {
	Version     int64 // the new version (0 when nothing was committed)
	SnapshotID  int64
	RowsWritten int64 // rows in the files the write added
	Committed   bool  // false when the write changed nothing
}

func (o WriteOptions) props() iceberg.Properties {
	p := iceberg.Properties{}
	maps.Copy(p, o.Summary)
	if o.Operation != "" {
		p["sluice.operation"] = o.Operation
	}
	return p
}

// evolve applies a schema evolution inside tx and returns the schema to
// write with.
func evolve(tx *itable.Transaction, sc *iceberg.Schema, ev *evolution) (*iceberg.Schema, error) {
	if ev.empty() {
		return sc, nil
	}
	us := tx.UpdateSchema(false, false)
	for name, w := range ev.widen {
		us = us.UpdateColumn([]string{name}, itable.ColumnUpdate{FieldType: iceberg.Optional[iceberg.Type]{Val: w, Valid: true}})
	}
	for _, f := range ev.add {
		us = us.AddColumn([]string{f.Name}, f.Type, "", false, nil)
	}
	if err := us.Commit(); err != nil {
		return nil, fmt.Errorf("evolve schema: %w", err)
	}
	st, err := tx.StagedTable()
	if err != nil {
		return nil, fmt.Errorf("evolve schema: %w", err)
	}
	return st.Schema(), nil
}

func (t *Table) commit(ctx context.Context, tx *itable.Transaction, what string, before func() error) (*Table, CommitInfo, error) {
	if before != nil {
		if err := before(); err != nil {
			return nil, CommitInfo{}, err
		}
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		if isConflict(err) {
			return nil, CommitInfo{}, fmt.Errorf("%s %s: %w: another writer committed to the table first; nothing was written, run it again", what, t.id, ErrConflict)
		}
		return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	out := &Table{id: t.id, t: nt, cat: t.cat}
	info := CommitInfo{}
	if s := nt.CurrentSnapshot(); s != nil {
		info.Version, info.SnapshotID = s.SequenceNumber, s.SnapshotID
		if prev := t.t.CurrentSnapshot(); prev == nil || prev.SnapshotID != s.SnapshotID {
			info.Committed = true
		}
	}
	return out, info, nil
}

// Append adds the rows of rdr to the table in one commit. The reader's
// columns are matched to the table's by name (case-insensitively); missing
// nullable columns are NULL. It returns *SchemaMismatchError when the
// columns do not fit and ErrConflict only if retries on concurrent commits
// are exhausted. The caller keeps ownership of rdr.
func (t *Table) Append(ctx context.Context, rdr array.RecordReader, opts WriteOptions) (*Table, CommitInfo, error) {
	ev, err := checkSchema(t.id, t.Schema(), rdr.Schema(), opts.MergeSchema)
	if err != nil {
		return nil, CommitInfo{}, err
	}
	tx := t.t.NewTransaction()
	sc, err := evolve(tx, t.Schema(), ev)
	if err != nil {
		return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, err)
	}
	conf, err := newConformer(ctx, t.id, sc, rdr.Schema(), ev.byName)
	if err != nil {
		return nil, CommitInfo{}, err
	}
	if opts.Operation == "" {
		opts.Operation = "APPEND"
	}
	cr := conf.reader(rdr)
	defer cr.Release()
	if err := tx.Append(ctx, cr, opts.props()); err != nil {
		if cr.Err() != nil {
			return nil, CommitInfo{}, cr.Err()
		}
		return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, err)
	}
	if cr.Err() != nil {
		return nil, CommitInfo{}, cr.Err()
	}
	if conf.rows.Load() == 0 && ev.empty() {
		if opts.BeforeCommit != nil {
			if err := opts.BeforeCommit(); err != nil {
				return nil, CommitInfo{}, err
			}
		}
		return t, CommitInfo{Version: t.CurrentVersion()}, nil
	}
	nt, info, err := t.commit(ctx, tx, "append to", opts.BeforeCommit)
	info.RowsWritten = conf.rows.Load()
	return nt, info, err
}

// Rewrite is the copy-on-write primitive behind overwrite, DELETE and
// UPDATE: in one commit it removes the data files named in remove (paths
// from Plan of the current version) and adds files holding the rows of
// each reader in add. It fails with ErrConflict, committing nothing, when
// the table's current snapshot is no longer baseSnapshot (0: the table was
// empty) or another writer commits before it does. Readers are matched to
// the table schema like Append's; the caller keeps ownership of them.
func (t *Table) Rewrite(ctx context.Context, baseSnapshot int64, remove []string, add []array.RecordReader, opts WriteOptions) (*Table, CommitInfo, error) {
	what := "rewrite"
	if opts.Operation != "" {
		what = opts.Operation + " on"
	}
	var cur int64
	if s := t.t.CurrentSnapshot(); s != nil {
		cur = s.SnapshotID
	}
	if cur != baseSnapshot {
		return nil, CommitInfo{}, fmt.Errorf("%s %s: %w: the table changed after the statement was planned; nothing was written, run it again", what, t.id, ErrConflict)
	}
	tx := t.t.NewTransaction()
	if err := tx.AssertRefSnapshotID(itable.MainBranch); err != nil {
		return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	sc := t.Schema()
	evs := make([]*evolution, len(add))
	for i, r := range add {
		ev, err := checkSchema(t.id, sc, r.Schema(), opts.MergeSchema)
		if err != nil {
			return nil, CommitInfo{}, err
		}
		evs[i] = ev
		if !ev.empty() {
			if sc, err = evolve(tx, sc, ev); err != nil {
				return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, err)
			}
		}
	}
	st, err := tx.StagedTable()
	if err != nil {
		return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	var del []iceberg.DataFile
	if len(remove) > 0 {
		want := map[string]bool{}
		for _, p := range remove {
			want[p] = true
		}
		tasks, err := t.t.Scan().PlanFiles(ctx)
		if err != nil {
			return nil, CommitInfo{}, fmt.Errorf("%s %s: plan: %w", what, t.id, err)
		}
		for _, task := range tasks {
			if want[task.File.FilePath()] {
				del = append(del, task.File)
				delete(want, task.File.FilePath())
			}
		}
		for p := range want {
			return nil, CommitInfo{}, fmt.Errorf("%s %s: %w: data file %s is no longer in the table", what, t.id, ErrConflict, p)
		}
	}
	var rows int64
	var added []iceberg.DataFile
	if len(add) > 0 {
		confs := make([]*conformer, len(add))
		for i, r := range add {
			byName := map[string]string{}
			if evs[i] != nil {
				byName = evs[i].byName
			}
			if confs[i], err = newConformer(ctx, t.id, st.Schema(), r.Schema(), byName); err != nil {
				return nil, CommitInfo{}, err
			}
		}
		batches := func(yield func(arrow.RecordBatch, error) bool) {
			for i, r := range add {
				cr := confs[i].reader(r)
				for cr.Next() {
					rec := cr.RecordBatch()
					rec.Retain()
					if !yield(rec, nil) {
						cr.Release()
						return
					}
				}
				err := cr.Err()
				cr.Release()
				if err != nil {
					yield(nil, err)
					return
				}
			}
		}
		files, err := collectFiles(itable.WriteRecords(ctx, st.Table, confs[0].out, iter.Seq2[arrow.RecordBatch, error](batches)))
		if err != nil {
			return nil, CommitInfo{}, fmt.Errorf("%s %s: write data files: %w", what, t.id, err)
		}
		added = files
		for _, c := range confs {
			rows += c.rows.Load()
		}
	}
	if len(del) == 0 && len(added) == 0 && evsEmpty(evs) {
		if opts.BeforeCommit != nil {
			if err := opts.BeforeCommit(); err != nil {
				return nil, CommitInfo{}, err
			}
		}
		return t, CommitInfo{Version: t.CurrentVersion()}, nil
	}
	switch {
	case len(del) == 0 && len(added) > 0:
		err = tx.AddDataFiles(ctx, added, opts.props())
	case len(del) > 0:
		err = tx.ReplaceDataFilesWithDataFiles(ctx, del, added, opts.props())
	}
	if err != nil {
		return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	nt, info, err := t.commit(ctx, tx, what, opts.BeforeCommit)
	info.RowsWritten = rows
	return nt, info, err
}

// isConflict reports whether a commit failed because another writer
// committed first. iceberg-go returns ErrCommitFailed for a lost
// compare-and-swap, and a plain "requirement failed" error when the
// catalog's check of a requirement (like the base snapshot) fails.
func isConflict(err error) bool {
	return errors.Is(err, itable.ErrCommitFailed) || strings.Contains(err.Error(), "requirement failed")
}

func evsEmpty(evs []*evolution) bool {
	for _, e := range evs {
		if e != nil && !e.empty() {
			return false
		}
	}
	return true
}

func collectFiles(seq iter.Seq2[iceberg.DataFile, error]) ([]iceberg.DataFile, error) {
	var out []iceberg.DataFile
	for df, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, df)
	}
	return out, nil
}

// Overwrite replaces all rows of the table with the rows of rdr in one
// commit (INSERT OVERWRITE). See Rewrite for conflicts.
func (t *Table) Overwrite(ctx context.Context, rdr array.RecordReader, opts WriteOptions) (*Table, CommitInfo, error) {
	plan, err := t.Plan(ctx, nil)
	if err != nil {
		return nil, CommitInfo{}, err
	}
	remove := make([]string, len(plan.Files))
	for i, f := range plan.Files {
		remove[i] = f.Path
	}
	if opts.Operation == "" {
		opts.Operation = "OVERWRITE"
	}
	return t.Rewrite(ctx, plan.Snapshot, remove, []array.RecordReader{rdr}, opts)
}
