// Package workspace opens everything Sluice keeps for one project: the
// metadata database (SQLite by default), the Iceberg table catalog in it,
// the warehouse holding table files, and the SQL engine over them. The CLI,
// servers and tests all build the same *Workspace with Open.
//
// Layout of a workspace directory:
//
//	catalog.db    SQLite: the Iceberg SQL catalog (and later tracking, jobs)
//	warehouse/    table data and metadata files (namespace.db/table/…)
//	tmp/          DuckDB spill space
package workspace

import (
	"context"
	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow/array"
	"os"
	"path/filepath"
	"sync"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
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
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return nil, err
	}
	tables, err := table.Open(ctx, db.DB, db.Dialect, cfg.Warehouse)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	return &Workspace{cfg: cfg, db: db, tables: tables}, nil
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

// Close releases the engine, the catalog and the database. It is
// idempotent; calls after the first return the first's result.
func (w *Workspace) Close() error {
	w.closeOnce.Do(func() {
		// Stop a concurrent first SQL call from starting an engine now.
		w.engOnce.Do(func() { w.engErr = errors.New("workspace is closed") })
		var errs []error
		if w.eng != nil {
			errs = append(errs, w.eng.Close())
		}
		errs = append(errs, w.tables.Close(), w.db.Close())
		w.closeErr = errors.Join(errs...)
	})
	return w.closeErr
}
