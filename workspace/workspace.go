// Package workspace opens everything Sluice keeps for one project: the
// metadata database (SQLite by default), the Iceberg table catalog in it,
// the warehouse holding table files, and the SQL engine over them. The CLI,
// servers and tests all build the same *Workspace with Open.
//
// Layout of a workspace directory:
//
//	catalog.db    SQLite: the Iceberg SQL catalog (and later jobs)
//	meta.db       SQLite: MLflow tracking and the model registry (opened on
//	              first use; Config.MetaDB = postgres://… moves it)
//	artifacts/    run artifacts and logged models (opened on first use;
//	              Config.Artifacts = s3://… moves them)
//	warehouse/    table data and metadata files (namespace.db/table/…)
//	tmp/          DuckDB spill space
//
// Tracking and the registry live in meta.db, not catalog.db, so that their
// write load and table commits take separate SQLite write locks; see
// package workspace/stores, which opens them.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow/array"
	"os"
	"path/filepath"
	"sync"

	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// EnvHome names the environment variable that sets the default workspace.
const EnvHome = "SLUICE_HOME"

// DefaultDir is the workspace used when neither --workspace nor SLUICE_HOME
// is given: ~/.sluice.
func DefaultDir() string {
	if d := os.Getenv(EnvHome); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".sluice"
	}
	return filepath.Join(home, ".sluice")
}

// Config configures a workspace.
type Config struct {
	// Dir is the workspace directory, created if missing. Default: DefaultDir().
	Dir string
	// Warehouse is where new tables' files go, as a URL. Default:
	// file://DIR/warehouse.
	Warehouse string
	// Engine configures the SQL engine.
	Engine sqlengine.Config
	// MetaDB is the database holding tracking and the model registry: ""
	// for the SQLite file DIR/meta.db, or a postgres:// URL. The Iceberg
	// catalog stays in DIR/catalog.db either way.
	MetaDB string
	// Artifacts is where run artifacts and logged models go: "" for the
	// directory DIR/artifacts, a directory, file:///dir, or
	// s3://bucket/prefix?endpoint=…&region=….
	Artifacts string
}

// DefaultConfig returns the defaults described on Config's fields.
func DefaultConfig() Config {
	return Config{Dir: DefaultDir(), Engine: sqlengine.DefaultConfig()}
}

// Workspace is an open workspace. It is safe for concurrent use.
type Workspace struct {
	cfg    Config
	db     *metastore.DB
	tables *table.Catalog
	stores *stores.Stores

	engOnce sync.Once
	eng     *sqlengine.Engine
	engErr  error

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the workspace.
func Open(ctx context.Context, cfg Config) (*Workspace, error) {
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir()
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", cfg.Dir, err)
	}
	cfg.Dir = dir
	if err := os.MkdirAll(filepath.Join(dir, "warehouse"), 0o755); err != nil {
		return nil, fmt.Errorf("create workspace %s: %w", dir, err)
	}
	if cfg.Warehouse == "" {
		cfg.Warehouse = "file://" + filepath.Join(dir, "warehouse")
	}
	if cfg.Engine.TempDir == "" {
		cfg.Engine.TempDir = filepath.Join(dir, "tmp")
	}
	st, err := stores.New(stores.Config{Dir: dir, DB: cfg.MetaDB, Artifacts: cfg.Artifacts})
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return nil, err
	}
	tables, err := table.Open(ctx, db.DB, db.Dialect, cfg.Warehouse)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	return &Workspace{cfg: cfg, db: db, tables: tables, stores: st}, nil
}

// Tracking returns the MLflow tracking store, opening the metadata
// database (Config.MetaDB) and applying its migrations on first use; ctx
// bounds that. A failed open is retried on the next call.
func (w *Workspace) Tracking(ctx context.Context) (*tracking.Store, error) {
	return w.stores.Tracking(ctx)
}

// Registry returns the model registry, opening it like Tracking.
func (w *Workspace) Registry(ctx context.Context) (*registry.Store, error) {
	return w.stores.Registry(ctx)
}

// Jobs returns the jobs state store (in the metadata database, like
// Tracking), opening it on first use; ctx bounds that.
func (w *Workspace) Jobs(ctx context.Context) (*state.Store, error) {
	return w.stores.Jobs(ctx)
}

// Artifacts returns the artifact store (Config.Artifacts), opening it on
// first use; ctx bounds that.
func (w *Workspace) Artifacts(ctx context.Context) (*artifacts.Store, error) {
	return w.stores.Artifacts(ctx)
}

// Dir returns the workspace directory.
func (w *Workspace) Dir() string { return w.cfg.Dir }

// Tables returns the table catalog.
func (w *Workspace) Tables() *table.Catalog { return w.tables }

// SQL returns the SQL engine, starting it on first use.
func (w *Workspace) SQL(ctx context.Context) (*sqlengine.Engine, error) {
	w.engOnce.Do(func() {
		w.eng, w.engErr = sqlengine.Open(ctx, w.tables, w.cfg.Engine)
	})
	return w.eng, w.engErr
}

// Frame runs query on the SQL engine, with each files[name] readable as
// relation name (see sqlengine.Relations), and returns all its rows as an
// ML frame. It serves ML specs their input (spec.Data).
func (w *Workspace) Frame(ctx context.Context, query string, files map[string]string) (*ml.Frame, error) {
	eng, err := w.SQL(ctx)
	if err != nil {
		return nil, err
	}
	var f *ml.Frame
	err = eng.QueryWith(ctx, query, sqlengine.Relations{Files: files}, func(rdr array.RecordReader) error {
		var err error
		f, err = ml.FrameFromReader(rdr)
		return err
	})
	return f, err
}

// Close releases the engine, the tracking, registry and artifact stores,
// the catalog and the database. It is
// idempotent; calls after the first return the first's result.
func (w *Workspace) Close() error {
	w.closeOnce.Do(func() {
		// Stop a concurrent first SQL call from starting an engine now.
		w.engOnce.Do(func() { w.engErr = errors.New("workspace is closed") })
		var errs []error
		if w.eng != nil {
			errs = append(errs, w.eng.Close())
		}
		errs = append(errs, w.stores.Close(), w.tables.Close(), w.db.Close())
		w.closeErr = errors.Join(errs...)
	})
	return w.closeErr
}
