package table

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"
)

// ErrNoVersion is wrapped by lookups of a version or time the table has no
// snapshot for.
var ErrNoVersion = errors.New("no such version")

// Version is one commit of a table, as `sluice tables history` shows it.
type Version struct {
	Version      int64 // the snapshot's sequence number: 1, 2, 3 … in commit order
	SnapshotID   int64
	ParentID     int64 // 0 when none
	Time         time.Time
	Operation    string // append, overwrite, delete, replace
	Current      bool   // the table's current version
	AddedRows    int64
	DeletedRows  int64
	AddedFiles   int64
	RemovedFiles int64
	TotalRows    int64
	TotalFiles   int64
	Summary      map[string]string
}

func summaryInt(s *itable.Summary, key string) int64 {
	if s == nil {
		return 0
	}
	v, _ := strconv.ParseInt(s.Properties[key], 10, 64)
	return v
}

func versionOf(s *itable.Snapshot, current int64) Version {
	v := Version{
		Version:    s.SequenceNumber,
		SnapshotID: s.SnapshotID,
		Time:       time.UnixMilli(s.TimestampMs).UTC(),
		Current:    s.SnapshotID == current,
	}
	if s.ParentSnapshotID != nil {
		v.ParentID = *s.ParentSnapshotID
	}
	if s.Summary != nil {
		v.Operation = string(s.Summary.Operation)
		v.AddedRows = summaryInt(s.Summary, "added-records")
		v.DeletedRows = summaryInt(s.Summary, "deleted-records")
		v.AddedFiles = summaryInt(s.Summary, "added-data-files")
		v.RemovedFiles = summaryInt(s.Summary, "deleted-data-files")
		v.TotalRows = summaryInt(s.Summary, "total-records")
		v.TotalFiles = summaryInt(s.Summary, "total-data-files")
		v.Summary = map[string]string(s.Summary.Properties)
	}
	return v
}

// History lists the table's versions (the snapshots still kept) in commit
// order.
func (t *Table) History() []Version {
	var cur int64 = -1
	if s := t.t.CurrentSnapshot(); s != nil {
		cur = s.SnapshotID
	}
	snaps := t.t.Metadata().Snapshots()
	out := make([]Version, 0, len(snaps))
	for i := range snaps {
		out = append(out, versionOf(&snaps[i], cur))
	}
	slices.SortFunc(out, func(a, b Version) int { return int(a.Version - b.Version) })
	return out
}

// CurrentVersion returns the current version, or 0 for a table without
// commits.
func (t *Table) CurrentVersion() int64 {
	if s := t.t.CurrentSnapshot(); s != nil {
		return s.SequenceNumber
	}
	return 0
}

// SnapshotAtVersion returns the snapshot with the given version number.
func (t *Table) SnapshotAtVersion(v int64) (*itable.Snapshot, error) {
	snaps := t.t.Metadata().Snapshots()
	for i := range snaps {
		if snaps[i].SequenceNumber == v {
			return &snaps[i], nil
		}
	}
	var have []int64
	for _, h := range t.History() {
		have = append(have, h.Version)
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("table %s: version %d: %w; the table has no versions yet", t.id, v, ErrNoVersion)
	}
	return nil, fmt.Errorf("table %s: version %d: %w; versions kept are %s (see `sluice tables history %s`)", t.id, v, ErrNoVersion, rangesOf(have), t.id)
}

// SnapshotAsOf returns the snapshot that was current at ts (inclusive).
func (t *Table) SnapshotAsOf(ts time.Time) (*itable.Snapshot, error) {
	s := t.t.SnapshotAsOf(ts.UnixMilli(), true)
	if s == nil {
		first := "never"
		if h := t.History(); len(h) > 0 {
			first = h[0].Time.Format(time.RFC3339Nano)
		}
		return nil, fmt.Errorf("table %s: no version was current at %s: %w; the oldest kept version is from %s", t.id, ts.UTC().Format(time.RFC3339Nano), ErrNoVersion, first)
	}
	return s, nil
}

func rangesOf(vs []int64) string {
	if len(vs) == 0 {
		return "none"
	}
	out := ""
	start, prev := vs[0], vs[0]
	flush := func() {
		if out != "" {
			out += ", "
		}
		if start == prev {
			out += strconv.FormatInt(start, 10)
		} else {
			out += fmt.Sprintf("%d-%d", start, prev)
		}
	}
	for _, v := range vs[1:] {
		if v == prev+1 {
			prev = v
			continue
		}
		flush()
		start, prev = v, v
	}
	flush()
	return out
}

// DataFile is one Parquet file of a snapshot.
type DataFile struct {
	Path    string
	Records int64
	Size    int64
}

// ScanPlan is what an engine needs to read one version of a table: its
// schema at that version and its data files.
type ScanPlan struct {
	Table    Ident
	Version  int64 // 0 for an empty table
	Snapshot int64 // 0 for an empty table
	Schema   *iceberg.Schema
	Files    []DataFile
	// SchemaChanged is true when the table's schema has ever evolved, so
	// older files may lack columns or hold narrower types than Schema.
	SchemaChanged bool
	// Key identifies this plan (table metadata and snapshot) for caching.
	Key string
}

// Plan lists the data files of the given snapshot (nil: the current one).
// It fails when a file carries merge-on-read deletes, which Sluice never
// writes but another engine may have: compact the table first.
func (t *Table) Plan(ctx context.Context, snap *itable.Snapshot) (*ScanPlan, error) {
	if snap == nil {
		snap = t.t.CurrentSnapshot()
	}
	plan := &ScanPlan{Table: t.id, Schema: t.t.Schema(), SchemaChanged: len(t.t.Schemas()) > 1}
	if snap == nil {
		plan.Key = t.PlanKey(nil)
		return plan, nil
	}
	plan.Version, plan.Snapshot = snap.SequenceNumber, snap.SnapshotID
	if snap.SchemaID != nil {
		if sc, ok := t.t.Schemas()[*snap.SchemaID]; ok && !isCurrent(t, snap) {
			plan.Schema = sc
		}
	}
	tasks, err := t.t.Scan(itable.WithSnapshotID(snap.SnapshotID)).PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan scan of %s version %d: %w", t.id, snap.SequenceNumber, err)
	}
	// iceberg-go splits a file larger than read.split.target-size (128 MiB)
	// into several tasks, one per range of row groups; engines read whole
	// files, so each file is listed once.
	seen := make(map[string]bool, len(tasks))
	for _, task := range tasks {
		if len(task.DeleteFiles)+len(task.EqualityDeleteFiles)+len(task.DeletionVectorFiles) > 0 {
			return nil, fmt.Errorf("table %s version %d: data file %s has merge-on-read delete files, which Sluice's SQL engine does not apply; run `sluice tables compact %s` first", t.id, snap.SequenceNumber, task.File.FilePath(), t.id)
		}
		if p := task.File.FilePath(); !seen[p] {
			seen[p] = true
			plan.Files = append(plan.Files, DataFile{Path: p, Records: task.File.Count(), Size: task.File.FileSizeBytes()})
		}
	}
	plan.Key = t.PlanKey(snap)
	return plan, nil
}

// PlanKey identifies what Plan(snap) returns without planning: equal keys
// mean equal plans (snapshots are immutable), so engines can cache views.
func (t *Table) PlanKey(snap *itable.Snapshot) string {
	if snap == nil {
		snap = t.t.CurrentSnapshot()
	}
	var id int64
	if snap != nil {
		id = snap.SnapshotID
	}
	return fmt.Sprintf("%s#%d#%d#%d", t.t.Metadata().TableUUID(), id, t.t.Schema().ID, len(t.t.Schemas()))
}

// isCurrent reports whether snap is the table's current snapshot; reads of
// the current snapshot use the current schema (which may have evolved since
// the snapshot was written: new columns read as NULL).
func isCurrent(t *Table, snap *itable.Snapshot) bool {
	cur := t.t.CurrentSnapshot()
	return cur != nil && cur.SnapshotID == snap.SnapshotID
}

// Description is what `sluice tables describe` shows.
type Description struct {
	Table          Ident
	Location       string
	FormatVersion  int
	Schema         *iceberg.Schema
	Partition      []PartitionField
	Properties     map[string]string
	CurrentVersion int64
	SnapshotID     int64
	LastUpdated    time.Time
	Rows           int64
	Files          int64
	SizeBytes      int64
	Versions       int
}

// Describe summarizes the table. Counts come from the current snapshot's
// summary, so it reads no data files.
func (t *Table) Describe() Description {
	md := t.t.Metadata()
	d := Description{
		Table:         t.id,
		Location:      md.Location(),
		FormatVersion: md.Version(),
		Schema:        t.t.Schema(),
		Partition:     t.Partition(),
		Properties:    map[string]string(t.t.Properties()),
		LastUpdated:   time.UnixMilli(md.LastUpdatedMillis()).UTC(),
		Versions:      len(md.Snapshots()),
	}
	if s := t.t.CurrentSnapshot(); s != nil {
		d.CurrentVersion, d.SnapshotID = s.SequenceNumber, s.SnapshotID
		d.Rows = summaryInt(s.Summary, "total-records")
		d.Files = summaryInt(s.Summary, "total-data-files")
		d.SizeBytes = summaryInt(s.Summary, "total-files-size")
	}
	return d
}

// Rollback makes version v current again. Versions after it stay in the
// history (and can be made current the same way) until expired.
func (t *Table) Rollback(ctx context.Context, v int64) (*Table, error) {
	snap, err := t.SnapshotAtVersion(v)
	if err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	cur := t.t.CurrentSnapshot()
	if cur != nil && cur.SnapshotID == snap.SnapshotID {
		return t, nil
	}
	var curID *int64
	if cur != nil {
		curID = &cur.SnapshotID
	}
	reqs := []itable.Requirement{itable.AssertRefSnapshotID(itable.MainBranch, curID)}
	upd := []itable.Update{itable.NewSetSnapshotRefUpdate(itable.MainBranch, snap.SnapshotID, itable.BranchRef, -1, -1, -1)}
	if _, _, err := t.cat.cat.CommitTable(ctx, t.id.parts(), reqs, upd); err != nil {
		if isConflict(err) {
			return nil, fmt.Errorf("rollback %s to version %d: %w: the table changed meanwhile; look at `sluice tables history` and retry", t.id, v, ErrConflict)
		}
		return nil, fmt.Errorf("rollback %s to version %d: %w", t.id, v, err)
	}
	return t.cat.Load(ctx, t.id)
}
