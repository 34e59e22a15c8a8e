package table

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"
)

// ErrNotLocal is wrapped by NewDataLocation when the table's data files do
// not live on the local file system (only file:// locations are written by
// other programs yet); callers fall back to writing through Append.
var ErrNotLocal = errors.New("table data location is not on the local file system")

// NewDataLocation returns a fresh local path under the table's data
// location (write.data.path, default <table location>/data) where nothing
// exists yet, for another program (such as DuckDB's COPY) to write data
// files to, as one file or as a directory of files, which AppendFiles or
// RewriteFiles then commit. It creates the directory the path is in. The
// name is random, so concurrent writers never collide. It returns
// ErrNotLocal (wrapped) for tables whose files are not on the local file
// system.
func (t *Table) NewDataLocation() (string, error) {
	lp, err := t.t.LocationProvider()
	if err != nil {
		return "", fmt.Errorf("table %s: data location: %w", t.id, err)
	}
	loc := lp.NewDataLocation("sluice-" + strings.ToLower(rand.Text()))
	p, ok := localPathOf(loc)
	if !ok {
		return "", fmt.Errorf("table %s: %s: %w", t.id, loc, ErrNotLocal)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("table %s: create data directory: %w", t.id, err)
	}
	return p, nil
}

// localPathOf returns the local file system path of a file:// URL or an
// absolute path; ok is false for other locations.
func localPathOf(loc string) (string, bool) {
	if filepath.IsAbs(loc) {
		return filepath.Clean(loc), true
	}
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) {
		return "", false
	}
	return filepath.Clean(u.Path), true
}

// ownedFile is a data file handed to AppendFiles or RewriteFiles.
type ownedFile struct {
	path string // on the local file system
	loc  string // as the table's manifests record it
}

// ownFiles resolves paths (local paths or file:// URLs) to files under the
// table's location, and returns the local data directory. It fails,
// without touching any file, when one is not there: those files are not
// the table's to delete.
func (t *Table) ownFiles(what string, paths []string) ([]ownedFile, string, error) {
	root, ok := localPathOf(t.t.Location())
	if !ok {
		return nil, "", fmt.Errorf("%s %s: %s: %w", what, t.id, t.t.Location(), ErrNotLocal)
	}
	fileURL := strings.HasPrefix(t.t.Location(), "file:")
	out := make([]ownedFile, 0, len(paths))
	for _, p := range paths {
		lp, ok := localPathOf(p)
		if !ok {
			return nil, "", fmt.Errorf("%s %s: data file %q is not a local path or file:// URL", what, t.id, p)
		}
		rel, err := filepath.Rel(root, lp)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, "", fmt.Errorf("%s %s: data file %s is not under the table's location %s; write it to a path from NewDataLocation", what, t.id, lp, root)
		}
		loc := lp
		if fileURL {
			loc = (&url.URL{Scheme: "file", Path: filepath.ToSlash(lp)}).String()
		}
		out = append(out, ownedFile{path: lp, loc: loc})
	}
	// Empty directories are removed below the data directory only: another
	// writer may be about to write to a fresh path in it.
	dataDir := ""
	if lp, err := t.t.LocationProvider(); err == nil {
		if p, ok := localPathOf(lp.NewDataLocation("x")); ok {
			dataDir = filepath.Dir(p)
		}
	}
	return out, dataDir, nil
}

// removeOwned deletes files and then the directories they were in, up to
// (not including) root, when that leaves them empty.
func removeOwned(files []ownedFile, root string) error {
	var errs []error
	dirs := map[string]bool{}
	for _, f := range files {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		dirs[filepath.Dir(f.path)] = true
	}
	for d := range dirs {
		for root != "" && d != root && strings.HasPrefix(d, root+string(filepath.Separator)) {
			if os.Remove(d) != nil {
				break // not empty, or gone
			}
			d = filepath.Dir(d)
		}
	}
	return errors.Join(errs...)
}

// uncertainError marks a commit error after which the catalog may have
// accepted the commit anyway, so the files it adds must stay.
type uncertainError struct{ err error }

func (e *uncertainError) Error() string { return e.err.Error() }
func (e *uncertainError) Unwrap() error { return e.err }

// cleanUpAfter deletes files after a failed commit of them, unless the
// commit may have happened; the deletion's error is joined to err.
func cleanUpAfter(err error, files []ownedFile, root string) error {
	var ue *uncertainError
	if errors.As(err, &ue) {
		return err
	}
	if rerr := removeOwned(files, root); rerr != nil {
		return errors.Join(err, fmt.Errorf("delete the data files of the failed write: %w", rerr))
	}
	return err
}

// dataFiles checks that every file fits the table's current schema (see
// checkFileSchema) and builds its manifest entry from its Parquet footer:
// record count, sizes, value and null counts, and lower and upper bounds
// (iceberg-go's FileToDataFile, truncated as the table's metrics
// properties say). Files without rows are left out, and returned as
// empty. rows counts the rows of the files kept.
func (t *Table) dataFiles(ctx context.Context, what string, files []ownedFile) (_ []iceberg.DataFile, rows int64, empty []ownedFile, err error) {
	if !t.t.Spec().Equals(*iceberg.UnpartitionedSpec) {
		return nil, 0, nil, fmt.Errorf("%s %s: the table is partitioned (%s); data files written elsewhere can only be added to unpartitioned tables", what, t.id, t.Partition())
	}
	fs, err := t.t.FS(ctx)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	sc := t.Schema()
	var out []iceberg.DataFile
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, 0, nil, fmt.Errorf("%s %s: %w", what, t.id, err)
		}
		if err := checkFileSchema(sc, f.path); err != nil {
			return nil, 0, nil, fmt.Errorf("%s %s: %w", what, t.id, err)
		}
		df, err := itable.FileToDataFile(ctx, fs, f.loc, sc, *iceberg.UnpartitionedSpec, 0, t.t.Properties())
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%s %s: data file %s: %w", what, t.id, f.path, err)
		}
		if df.Count() == 0 {
			empty = append(empty, f)
			continue
		}
		rows += df.Count()
		out = append(out, df)
	}
	return out, rows, empty, nil
}

// checkFileSchema checks the Parquet schema of the file at path against
// the table schema sc: every column carries the field id of a table
// column, under that column's Parquet name (its name sanitized as
// iceberg.SanitizeColumnNames does, the name Sluice's SQL engine reads),
// with exactly its type; NOT NULL table columns are present and required.
// Table columns the file lacks read as NULL. The error lists every
// problem.
func checkFileSchema(sc *iceberg.Schema, path string) error {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("data file %s: %w", path, err)
	}
	defer r.Close()
	as, err := pqarrow.FromParquet(r.MetaData().Schema, &pqarrow.ArrowReadProperties{}, r.MetaData().KeyValueMetadata())
	if err != nil {
		return fmt.Errorf("data file %s: %w", path, err)
	}
	fsc, err := itable.ArrowSchemaToIceberg(as, false, nil)
	if err != nil {
		return fmt.Errorf("data file %s: %w; write every column with the table column's Iceberg field id", path, err)
	}
	safe, err := iceberg.SanitizeColumnNames(sc)
	if err != nil {
		return fmt.Errorf("data file %s: %w", path, err)
	}
	var bad []string
	seen := map[int]bool{}
	for _, f := range fsc.Fields() {
		tf, ok := sc.FindFieldByID(f.ID)
		if !ok {
			bad = append(bad, fmt.Sprintf("column %s has field id %d, which no table column has", f.Name, f.ID))
			continue
		}
		if seen[f.ID] {
			bad = append(bad, fmt.Sprintf("column %s repeats field id %d", f.Name, f.ID))
			continue
		}
		seen[f.ID] = true
		if sf, _ := safe.FindFieldByID(f.ID); f.Name != sf.Name {
			bad = append(bad, fmt.Sprintf("column %s (field id %d) must be named %s, the Parquet name of table column %s", f.Name, f.ID, sf.Name, tf.Name))
		}
		if !f.Type.Equals(tf.Type) {
			bad = append(bad, fmt.Sprintf("column %s is %s, table column %s is %s", f.Name, SQLType(f.Type), tf.Name, SQLType(tf.Type)))
		}
		if tf.Required && !f.Required {
			bad = append(bad, fmt.Sprintf("column %s is optional, table column %s is NOT NULL", f.Name, tf.Name))
		}
	}
	for _, tf := range sc.Fields() {
		if tf.Required && !seen[tf.ID] {
			bad = append(bad, fmt.Sprintf("NOT NULL table column %s (field id %d) is missing", tf.Name, tf.ID))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("data file %s does not fit the table schema:\n  %s", path, strings.Join(bad, "\n  "))
	}
	return nil
}

// AppendFiles commits Parquet data files written by another program (to
// paths from NewDataLocation) to the table in one commit, like Append:
// the files' manifest entries (record counts, sizes, column statistics
// and bounds) come from their footers, and when another writer commits
// first they are committed again on top of the new version, as Append's
// retries do. paths are local paths or file:// URLs under the table's
// location; the table must be unpartitioned.
//
// Each file must carry the table's current schema by field id: its
// columns named by their Parquet names (see iceberg.SanitizeColumnNames),
// with the table's exact types (no promotion), NOT NULL columns required;
// missing nullable columns read as NULL. Files without rows are not
// committed. MergeSchema does not apply. BeforeCommit runs once, after
// the files are checked and before the first commit attempt.
//
// AppendFiles owns the files: when it fails before committing (a schema
// mismatch, an unreadable footer, a BeforeCommit error, ErrConflict after
// the retries, ctx ending) it deletes them, and the directories under the
// table's data location they leave empty, so nothing is left behind.
// The one exception is a commit error after which the catalog may have
// accepted the commit: the files then stay (orphans for RemoveOrphans if
// it did not). Files without rows are deleted after a commit too. A path
// outside the table's location fails with an error, deleting nothing.
func (t *Table) AppendFiles(ctx context.Context, paths []string, opts WriteOptions) (*Table, CommitInfo, error) {
	owned, root, err := t.ownFiles("append to", paths)
	if err != nil {
		return nil, CommitInfo{}, err
	}
	nt, info, empty, err := t.appendFiles(ctx, owned, opts)
	if err != nil {
		return nil, CommitInfo{}, cleanUpAfter(err, owned, root)
	}
	_ = removeOwned(empty, root) // not committed; orphans at worst
	return nt, info, nil
}

func (t *Table) appendFiles(ctx context.Context, owned []ownedFile, opts WriteOptions) (*Table, CommitInfo, []ownedFile, error) {
	retry, err := readRetryPolicy(t.t.Properties())
	if err != nil {
		return nil, CommitInfo{}, nil, fmt.Errorf("append to %s: %w", t.id, err)
	}
	files, rows, empty, err := t.dataFiles(ctx, "append to", owned)
	if err != nil {
		return nil, CommitInfo{}, nil, err
	}
	if len(files) == 0 {
		if opts.BeforeCommit != nil {
			if err := opts.BeforeCommit(); err != nil {
				return nil, CommitInfo{}, nil, err
			}
		}
		return t, CommitInfo{Version: t.CurrentVersion()}, empty, nil
	}
	if opts.Operation == "" {
		opts.Operation = "APPEND"
	}
	written := t.Schema()
	nt, info, err := t.commitAppend(ctx, t.t.NewTransaction(), files, rows, retry, opts, func(base *Table) (*itable.Transaction, error) {
		if err := sameTable(t, base); err != nil {
			return nil, err
		}
		if err := checkReplay(base, base.Schema(), written, files); err != nil {
			return nil, err
		}
		return base.t.NewTransaction(), nil
	})
	return nt, info, empty, err
}

// RewriteFiles is Rewrite with data files written by another program: in
// one commit it removes the data files named in remove (paths from Plan
// of the current version) and adds the Parquet files at paths, checked
// and described as AppendFiles does. It fails with ErrConflict, committing
// nothing, when the table's current snapshot is no longer baseSnapshot (0:
// the table was empty) or another writer commits before it does. Like
// AppendFiles, it owns the files at paths and deletes them when it fails.
func (t *Table) RewriteFiles(ctx context.Context, baseSnapshot int64, remove []string, paths []string, opts WriteOptions) (*Table, CommitInfo, error) {
	what := "rewrite"
	if opts.Operation != "" {
		what = opts.Operation + " on"
	}
	owned, root, err := t.ownFiles(what, paths)
	if err != nil {
		return nil, CommitInfo{}, err
	}
	nt, info, empty, err := t.rewriteFiles(ctx, what, baseSnapshot, remove, owned, opts)
	if err != nil {
		return nil, CommitInfo{}, cleanUpAfter(err, owned, root)
	}
	_ = removeOwned(empty, root) // not committed; orphans at worst
	return nt, info, nil
}

func (t *Table) rewriteFiles(ctx context.Context, what string, baseSnapshot int64, remove []string, owned []ownedFile, opts WriteOptions) (*Table, CommitInfo, []ownedFile, error) {
	var cur int64
	if s := t.t.CurrentSnapshot(); s != nil {
		cur = s.SnapshotID
	}
	if cur != baseSnapshot {
		return nil, CommitInfo{}, nil, fmt.Errorf("%s %s: %w: the table changed after the statement was planned; nothing was written, run it again", what, t.id, ErrConflict)
	}
	tx := t.t.NewTransaction()
	if err := tx.AssertRefSnapshotID(itable.MainBranch); err != nil {
		return nil, CommitInfo{}, nil, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	del, err := t.filesToRemove(ctx, what, remove)
	if err != nil {
		return nil, CommitInfo{}, nil, err
	}
	added, rows, empty, err := t.dataFiles(ctx, what, owned)
	if err != nil {
		return nil, CommitInfo{}, nil, err
	}
	if len(del) == 0 && len(added) == 0 {
		if opts.BeforeCommit != nil {
			if err := opts.BeforeCommit(); err != nil {
				return nil, CommitInfo{}, nil, err
			}
		}
		return t, CommitInfo{Version: t.CurrentVersion()}, empty, nil
	}
	noDup := itable.WithoutDuplicateCheck()
	if len(del) == 0 {
		err = tx.AddDataFiles(ctx, added, opts.props(), noDup, itable.WithoutAutoNameMapping())
	} else {
		err = tx.ReplaceDataFilesWithDataFiles(ctx, del, added, opts.props(), noDup)
	}
	if err != nil {
		return nil, CommitInfo{}, nil, fmt.Errorf("%s %s: %w", what, t.id, err)
	}
	nt, info, err := t.commit(ctx, tx, what, opts.BeforeCommit)
	info.RowsWritten = rows
	return nt, info, empty, err
}

// filesToRemove finds the manifest entries of the current version's data
// files named in remove; ErrConflict when one is no longer there.
func (t *Table) filesToRemove(ctx context.Context, what string, remove []string) ([]iceberg.DataFile, error) {
	if len(remove) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	for _, p := range remove {
		want[p] = true
	}
	tasks, err := t.t.Scan().PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s %s: plan: %w", what, t.id, err)
	}
	var del []iceberg.DataFile
	for _, task := range tasks {
		if want[task.File.FilePath()] {
			del = append(del, task.File)
			delete(want, task.File.FilePath())
		}
	}
	for p := range want {
		return nil, fmt.Errorf("%s %s: %w: data file %s is no longer in the table", what, t.id, ErrConflict, p)
	}
	return del, nil
}

// OverwriteFiles replaces all rows of the table with the rows of the
// Parquet files at paths in one commit (RewriteFiles of every data file of
// the version t was loaded at). See RewriteFiles for conflicts and
// AppendFiles for what the files must hold; the files are deleted when it
// fails.
func (t *Table) OverwriteFiles(ctx context.Context, paths []string, opts WriteOptions) (*Table, CommitInfo, error) {
	if opts.Operation == "" {
		opts.Operation = "OVERWRITE"
	}
	plan, err := t.Plan(ctx, nil)
	if err != nil {
		if owned, root, oerr := t.ownFiles("overwrite", paths); oerr == nil {
			return nil, CommitInfo{}, cleanUpAfter(err, owned, root)
		}
		return nil, CommitInfo{}, err
	}
	remove := make([]string, len(plan.Files))
	for i, f := range plan.Files {
		remove[i] = f.Path
	}
	return t.RewriteFiles(ctx, plan.Snapshot, remove, paths, opts)
}
