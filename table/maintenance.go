package table

import (
	"context"
	"errors"
	"fmt"
	"time"

	itable "github.com/apache/iceberg-go/table"
	"github.com/apache/iceberg-go/table/compaction"
)

// CompactOptions configures Compact.
type CompactOptions struct {
	// TargetFileSize is the size of the files compaction writes, in bytes.
	// Default 128 MiB. Files under 75% of it are candidates.
	TargetFileSize int64
	// MinInputFiles is the least number of small files in a partition worth
	// rewriting. Default 2.
	MinInputFiles int
}

// CompactResult reports what Compact did.
type CompactResult struct {
	Version      int64
	FilesRemoved int
	FilesAdded   int
	BytesBefore  int64
	BytesAfter   int64
}

// Compact rewrites small data files of the current version into files of
// about TargetFileSize, per partition, in one commit (Iceberg's
// rewrite_data_files with bin packing). The table's rows do not change.
// A table with nothing to compact is left as it is.
func (t *Table) Compact(ctx context.Context, opts CompactOptions) (*Table, CompactResult, error) {
	if opts.TargetFileSize <= 0 {
		opts.TargetFileSize = 128 << 20
	}
	if opts.MinInputFiles <= 0 {
		opts.MinInputFiles = 2
	}
	if t.t.CurrentSnapshot() == nil {
		return t, CompactResult{}, nil
	}
	cfg := compaction.DefaultConfig()
	cfg.TargetFileSizeBytes = opts.TargetFileSize
	cfg.MinFileSizeBytes = opts.TargetFileSize * 3 / 4
	cfg.MaxFileSizeBytes = opts.TargetFileSize * 18 / 10
	cfg.MinInputFiles = uint(opts.MinInputFiles)
	tasks, err := t.t.Scan().PlanFiles(ctx)
	if err != nil {
		return nil, CompactResult{}, fmt.Errorf("compact %s: plan: %w", t.id, err)
	}
	plan, err := cfg.PlanCompaction(tasks)
	if err != nil {
		return nil, CompactResult{}, fmt.Errorf("compact %s: %w", t.id, err)
	}
	if len(plan.Groups) == 0 {
		return t, CompactResult{Version: t.CurrentVersion()}, nil
	}
	groups := make([]itable.CompactionTaskGroup, len(plan.Groups))
	for i, g := range plan.Groups {
		groups[i] = itable.CompactionTaskGroup{PartitionKey: g.PartitionKey, Tasks: g.Tasks, TotalSizeBytes: g.TotalSizeBytes}
	}
	tx := t.t.NewTransaction()
	res, err := tx.RewriteDataFiles(ctx, groups, itable.RewriteDataFilesOptions{})
	if err != nil {
		return nil, CompactResult{}, fmt.Errorf("compact %s: %w", t.id, err)
	}
	nt, info, err := t.commit(ctx, tx, "compact", nil)
	if err != nil {
		return nil, CompactResult{}, err
	}
	return nt, CompactResult{
		Version:      info.Version,
		FilesRemoved: res.RemovedDataFiles,
		FilesAdded:   res.AddedDataFiles,
		BytesBefore:  res.BytesBefore,
		BytesAfter:   res.BytesAfter,
	}, nil
}

// ExpireOptions selects the versions Expire removes. Versions older than
// OlderThan are removed unless among the RetainLast newest; the current
// version is always kept. At least one of the two must be set.
type ExpireOptions struct {
	OlderThan  time.Time // zero: no age limit
	RetainLast int       // 0: no count limit
}

// Expire removes old versions from the table's history and deletes the
// files only they referenced. Time travel to an expired version fails
// afterwards. It returns the versions removed.
func (t *Table) Expire(ctx context.Context, opts ExpireOptions) (*Table, []int64, error) {
	if opts.OlderThan.IsZero() && opts.RetainLast <= 0 {
		return nil, nil, errors.New("expire snapshots: give --older-than or --retain-last")
	}
	var eopts []itable.ExpireSnapshotsOpt
	if opts.RetainLast > 0 {
		eopts = append(eopts, itable.WithRetainLast(opts.RetainLast))
	} else {
		eopts = append(eopts, itable.WithRetainLast(1))
	}
	if !opts.OlderThan.IsZero() {
		age := time.Since(opts.OlderThan)
		if age < 0 {
			age = 0
		}
		eopts = append(eopts, itable.WithOlderThan(age))
	} else {
		eopts = append(eopts, itable.WithOlderThan(0))
	}
	before := map[int64]int64{}
	for _, v := range t.History() {
		before[v.SnapshotID] = v.Version
	}
	tx := t.t.NewTransaction()
	if err := tx.ExpireSnapshots(eopts...); err != nil {
		return nil, nil, fmt.Errorf("expire snapshots of %s: %w", t.id, err)
	}
	nt, _, err := t.commit(ctx, tx, "expire snapshots of", nil)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range nt.History() {
		delete(before, v.SnapshotID)
	}
	var removed []int64
	for _, v := range before {
		removed = append(removed, v)
	}
	return nt, removed, nil
}

// OrphanResult reports RemoveOrphans' work.
type OrphanResult struct {
	Files     []string
	SizeBytes int64
	DryRun    bool
}

// RemoveOrphans deletes files under the table's location that no version
// references (left by failed or killed writers), if they are older than
// olderThan ago (default 1 hour if zero, so in-flight writes are safe).
// With dryRun it only lists them.
func (t *Table) RemoveOrphans(ctx context.Context, olderThan time.Duration, dryRun bool) (OrphanResult, error) {
	if olderThan <= 0 {
		olderThan = time.Hour
	}
	res, err := t.t.DeleteOrphanFiles(ctx, itable.WithFilesOlderThan(olderThan), itable.WithDryRun(dryRun))
	if err != nil {
		return OrphanResult{}, fmt.Errorf("remove orphan files of %s: %w", t.id, err)
	}
	return OrphanResult{Files: res.OrphanFileLocations, SizeBytes: res.TotalSizeBytes, DryRun: dryRun}, nil
}
