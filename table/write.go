package table

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

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
	// committed; the files Append and Rewrite wrote are orphans for
	// RemoveOrphans, while AppendFiles and RewriteFiles delete theirs).
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
		// The catalog may have accepted the commit (iceberg-go returns the
		// new table with an error from its post-commit steps).
		return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, &uncertainError{err})
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
//
// The rows are written to data files once; when another writer commits
// first, Append reloads the table and commits the same files on top of the
// new version, up to the table's commit.retry.num-retries times, waiting
// between commit.retry.min-wait-ms and commit.retry.max-wait-ms (growing
// exponentially, with jitter) and giving up after
// commit.retry.total-timeout-ms. ctx bounds the writes and the waits.
// BeforeCommit runs once, before the first attempt. A retry fails with
// ErrConflict when the concurrent commit changed the table schema or
// partition spec in a way the written files do not match.
func (t *Table) Append(ctx context.Context, rdr array.RecordReader, opts WriteOptions) (*Table, CommitInfo, error) {
	ev, err := checkSchema(t.id, t.Schema(), rdr.Schema(), opts.MergeSchema)
	if err != nil {
		return nil, CommitInfo{}, err
	}
	retry, err := readRetryPolicy(t.t.Properties())
	if err != nil {
		return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, err)
	}
	tx := t.t.NewTransaction()
	sc, err := evolve(tx, t.Schema(), ev)
	if err != nil {
		return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, err)
	}
	st, err := tx.StagedTable()
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
	files, inErr, err := writeFiles(ctx, st.Table, []*conformer{conf}, []array.RecordReader{rdr})
	if inErr != nil {
		return nil, CommitInfo{}, inErr
	}
	if err != nil {
		return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, err)
	}
	rows := conf.rows.Load()
	if rows == 0 && ev.empty() {
		if opts.BeforeCommit != nil {
			if err := opts.BeforeCommit(); err != nil {
				return nil, CommitInfo{}, err
			}
		}
		return t, CommitInfo{Version: t.CurrentVersion()}, nil
	}
	return t.commitAppend(ctx, tx, files, rows, retry, opts, func(base *Table) (*itable.Transaction, error) {
		return replayAppend(t, base, rdr.Schema(), sc, files, opts.MergeSchema)
	})
}

// commitAppend commits tx, which adds files (holding rows rows) to t, as
// Append does: when another writer commits first, it waits as retry says,
// reloads the table and commits the same files on top of the new current
// version with the transaction replay builds for it. BeforeCommit runs
// once, before the first attempt.
func (t *Table) commitAppend(ctx context.Context, tx *itable.Transaction, files []iceberg.DataFile, rows int64, retry retryPolicy, opts WriteOptions, replay func(base *Table) (*itable.Transaction, error)) (*Table, CommitInfo, error) {
	deadline := time.Now().Add(retry.total)
	base, before := t, opts.BeforeCommit
	for attempt := 0; ; attempt++ {
		if len(files) > 0 {
			err := tx.AddDataFiles(ctx, files, opts.props(), itable.WithoutDuplicateCheck(), itable.WithoutAutoNameMapping())
			if err != nil {
				return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, err)
			}
		}
		nt, info, err := base.commit(ctx, tx, "append to", before)
		before = nil
		if err == nil {
			info.RowsWritten = rows
			return nt, info, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, CommitInfo{}, err
		}
		if attempt >= retry.retries || !retry.wait(ctx, attempt, deadline) {
			if ctx.Err() != nil {
				return nil, CommitInfo{}, fmt.Errorf("append to %s: %w", t.id, ctx.Err())
			}
			return nil, CommitInfo{}, fmt.Errorf("append to %s: %w: other writers kept committing first (%d attempts); nothing was committed, run it again or raise the table property %s", t.id, ErrConflict, attempt+1, itable.CommitNumRetriesKey)
		}
		// Replay: the same files on top of the table's new current version.
		if base, err = t.cat.Load(ctx, t.id); err != nil {
			return nil, CommitInfo{}, fmt.Errorf("append to %s: retry after a concurrent commit: %w", t.id, err)
		}
		if tx, err = replay(base); err != nil {
			return nil, CommitInfo{}, err
		}
	}
}

// replayAppend starts the transaction that commits files, written with
// the schema written, to base: it evolves base's schema again if needed
// and checks that the files are still valid in the table (see
// checkReplay).
func replayAppend(orig, base *Table, in *arrow.Schema, written *iceberg.Schema, files []iceberg.DataFile, merge bool) (*itable.Transaction, error) {
	if err := sameTable(orig, base); err != nil {
		return nil, err
	}
	ev, err := checkSchema(base.id, base.Schema(), in, merge)
	if err != nil {
		return nil, err
	}
	tx := base.t.NewTransaction()
	sc, err := evolve(tx, base.Schema(), ev)
	if err != nil {
		return nil, fmt.Errorf("append to %s: %w", base.id, err)
	}
	if err := checkReplay(base, sc, written, files); err != nil {
		return nil, err
	}
	return tx, nil
}

// sameTable fails with ErrConflict when base, a reload of orig, is
// another table of the same name.
func sameTable(orig, base *Table) error {
	if base.t.Metadata().TableUUID() != orig.t.Metadata().TableUUID() {
		return fmt.Errorf("append to %s: %w: the table was dropped and created again meanwhile; nothing was committed, run it again", base.id, ErrConflict)
	}
	return nil
}

// checkReplay checks that files, written with the schema written, are
// still valid in base, whose schema is now sc. Files written with an older
// schema are (Iceberg never reuses field ids and only widens types) unless
// another engine redefined or dropped a column or added a required one,
// or the files' partition spec is gone.
func checkReplay(base *Table, sc, written *iceberg.Schema, files []iceberg.DataFile) error {
	conflict := func(what string) error {
		return fmt.Errorf("append to %s: %w: another writer %s meanwhile; nothing was committed, run it again", base.id, ErrConflict, what)
	}
	for _, f := range written.Fields() {
		now, ok := sc.FindFieldByID(f.ID)
		if !ok || now.Name != f.Name || !fits(f.Type, now.Type) {
			return conflict("changed column " + f.Name)
		}
	}
	for _, f := range sc.Fields() {
		if _, ok := written.FindFieldByID(f.ID); !ok && f.Required {
			return conflict("added the required column " + f.Name)
		}
	}
	specs := base.t.Metadata().PartitionSpecs()
	for _, f := range files {
		if !slices.ContainsFunc(specs, func(s iceberg.PartitionSpec) bool { return int32(s.ID()) == f.SpecID() }) {
			return conflict("changed the partitioning")
		}
	}
	return nil
}

// retryPolicy is how Append retries after losing a commit race; it comes
// from the same table properties iceberg-go's own retry loop reads.
type retryPolicy struct {
	retries          int
	minWait, maxWait time.Duration
	total            time.Duration
}

func readRetryPolicy(props iceberg.Properties) (retryPolicy, error) {
	get := func(key string, def int) (int, error) {
		v, ok := props[key]
		if !ok {
			return def, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("table property %s=%q: want a whole number >= 0", key, v)
		}
		return n, nil
	}
	var p retryPolicy
	var err error
	if p.retries, err = get(itable.CommitNumRetriesKey, itable.CommitNumRetriesDefault); err != nil {
		return p, err
	}
	ms := make([]int, 3)
	for i, kd := range []struct {
		key string
		def int
	}{
		{itable.CommitMinRetryWaitMsKey, itable.CommitMinRetryWaitMsDefault},
		{itable.CommitMaxRetryWaitMsKey, itable.CommitMaxRetryWaitMsDefault},
		{itable.CommitTotalRetryTimeoutMsKey, itable.CommitTotalRetryTimeoutMsDefault},
	} {
		if ms[i], err = get(kd.key, kd.def); err != nil {
			return p, err
		}
		if ms[i] == 0 {
			ms[i] = kd.def
		}
	}
	p.minWait, p.maxWait, p.total = time.Duration(ms[0])*time.Millisecond, time.Duration(ms[1])*time.Millisecond, time.Duration(ms[2])*time.Millisecond
	if p.minWait > p.maxWait {
		p.minWait = p.maxWait
	}
	return p, nil
}

// wait sleeps before retry attempt+1: a random time between minWait and
// minWait<<attempt (at most maxWait). It returns false, without waiting,
// when ctx ends first or the wait would pass the deadline.
func (p retryPolicy) wait(ctx context.Context, attempt int, deadline time.Time) bool {
	ceil := p.maxWait
	if attempt < 30 && p.minWait<<attempt < ceil {
		ceil = p.minWait << attempt
	}
	d := p.minWait
	if ceil > d {
		d += rand.N(ceil - d + 1)
	}
	if time.Now().Add(d).After(deadline) {
		return false
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

// writeFiles writes the rows of rdrs, conformed by confs, as data files of
// st (a staged table whose schema is the conformers' output schema). An
// error of the incoming data (a reader's or a conformer's, which names the
// table and column) is returned as inErr; others as err, prefixed with
// "write data files".
func writeFiles(ctx context.Context, st *itable.Table, confs []*conformer, rdrs []array.RecordReader) (files []iceberg.DataFile, inErr, err error) {
	batches := func(yield func(arrow.RecordBatch, error) bool) {
		for i, r := range rdrs {
			cr := confs[i].reader(r)
			for cr.Next() {
				rec := cr.RecordBatch()
				rec.Retain() // WriteRecords releases the batches it consumes
				if !yield(rec, nil) {
					cr.Release()
					return
				}
			}
			inErr = cr.Err()
			cr.Release()
			if inErr != nil {
				yield(nil, inErr)
				return
			}
		}
	}
	files, err = collectFiles(itable.WriteRecords(ctx, st, confs[0].out, iter.Seq2[arrow.RecordBatch, error](batches)))
	if inErr != nil {
		return nil, inErr, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("write data files: %w", err)
	}
	return files, nil, nil
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
		files, inErr, err := writeFiles(ctx, st.Table, confs, add)
		if inErr != nil {
			return nil, CommitInfo{}, inErr
		}
		if err != nil {
			return nil, CommitInfo{}, fmt.Errorf("%s %s: %w", what, t.id, err)
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
// compare-and-swap, and a plain error starting "requirement failed" or
// "Requirement failed" (both spellings occur) when the catalog's check of
// a requirement (the base snapshot, schema id, last column id …) fails.
func isConflict(err error) bool {
	return errors.Is(err, itable.ErrCommitFailed) || strings.Contains(strings.ToLower(err.Error()), "requirement failed")
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
