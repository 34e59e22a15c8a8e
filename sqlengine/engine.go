package sqlengine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/sluice-dev/sluice/table"
)

// Config configures an Engine.
type Config struct {
	// Threads bounds DuckDB's worker threads. Default: GOMAXPROCS.
	Threads int
	// MemoryLimit is DuckDB's memory_limit (e.g. "4GB"). Default: DuckDB's
	// own (80% of RAM).
	MemoryLimit string
	// TempDir is where DuckDB spills when over the memory limit. Default:
	// DuckDB's own.
	TempDir string
}

// DefaultConfig returns the defaults described on Config's fields.
func DefaultConfig() Config { return Config{Threads: runtime.GOMAXPROCS(0)} }

// Validate checks the config.
func (c Config) Validate() error {
	if c.Threads < 0 {
		return fmt.Errorf("sqlengine config: Threads = %d, want >= 0", c.Threads)
	}
	return nil
}

// Engine runs SQL statements over a table catalog. Its methods are safe for
// concurrent use; statements run one at a time.
type Engine struct {
	tables    *table.Catalog
	connector *duckdb.Connector
	db        *sql.DB
	conn      *sql.Conn

	mu      sync.Mutex
	bound   map[string]string            // DuckDB view name → bound plan key (metadata location + snapshot)
	shadow  map[string]bool              // lower-cased names QueryWith's relations hide from the catalog
	raw     driver.Conn                  // set while a call holds the connection (see withDriver)
	loaded  map[table.Ident]*table.Table // tables by identity, current as of their metadata location
	sources map[string]string            // plan key → table expression scanning it
	closed  bool
}

// Open starts an in-memory DuckDB bound to tables. Close releases it.
func Open(ctx context.Context, tables *table.Catalog, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Threads == 0 {
		cfg.Threads = runtime.GOMAXPROCS(0)
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("start duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		connector.Close()
		return nil, fmt.Errorf("start duckdb: %w", err)
	}
	e := &Engine{tables: tables, connector: connector, db: db, conn: conn, bound: map[string]string{}, loaded: map[table.Ident]*table.Table{}, sources: map[string]string{}}
	settings := []string{fmt.Sprintf("SET threads = %d", cfg.Threads), "SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false"}
	if cfg.MemoryLimit != "" {
		settings = append(settings, fmt.Sprintf("SET memory_limit = %s", quoteString(cfg.MemoryLimit)))
	}
	if cfg.TempDir != "" {
		settings = append(settings, fmt.Sprintf("SET temp_directory = %s", quoteString(cfg.TempDir)))
	}
	for _, s := range settings {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			e.Close()
			return nil, fmt.Errorf("configure duckdb (%s): %w", s, err)
		}
	}
	return e, nil
}

// Close releases DuckDB. It is idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return errors.Join(e.conn.Close(), e.db.Close(), e.connector.Close())
}

// Tables returns the catalog the engine reads.
func (e *Engine) Tables() *table.Catalog { return e.tables }

// withDriver runs fn on the engine's DuckDB driver connection. Calls
// nested inside fn (a query issued while another's rows are being read,
// e.g. from a commit hook) reuse the same connection rather than
// deadlocking on it. The caller holds e.mu.
func (e *Engine) withDriver(fn func(driver.Conn) error) error {
	if e.raw != nil {
		return fn(e.raw)
	}
	return e.conn.Raw(func(dc any) error {
		e.raw = dc.(driver.Conn)
		defer func() { e.raw = nil }()
		return fn(e.raw)
	})
}

// queryArrow runs query and passes its rows to fn. The caller holds e.mu.
func (e *Engine) queryArrow(ctx context.Context, query string, fn func(array.RecordReader) error) error {
	return e.withDriver(func(dc driver.Conn) error { return arrowQuery(ctx, dc, query, fn) })
}

func queryArrowOn(ctx context.Context, conn *sql.Conn, query string, fn func(array.RecordReader) error) error {
	return conn.Raw(func(dc any) error { return arrowQuery(ctx, dc.(driver.Conn), query, fn) })
}

// exec runs a statement that returns no rows. The caller holds e.mu.
func (e *Engine) exec(ctx context.Context, stmt string) error {
	return e.withDriver(func(dc driver.Conn) error {
		_, err := dc.(driver.ExecerContext).ExecContext(ctx, stmt, nil)
		return err
	})
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return table.QuoteIdent(s) }

// Conn is exclusive use of the engine's DuckDB connection, for work that
// spans several statements (an ingest reading a file, then DuckDB's
// rejects tables). It is valid only inside Engine.Do.
type Conn struct{ e *Engine }

// Do runs fn with exclusive use of the engine's connection.
func (e *Engine) Do(ctx context.Context, fn func(c *Conn) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("sql engine is closed")
	}
	return fn(&Conn{e: e})
}

// Query runs a read statement, with catalog tables bound, and passes its
// rows to fn. The reader is valid only during fn.
func (c *Conn) Query(ctx context.Context, query string, fn func(array.RecordReader) error) error {
	bound, err := c.e.bind(ctx, query)
	if err != nil {
		return err
	}
	return c.e.queryArrow(ctx, bound, fn)
}

// Exec runs a statement that returns no rows, as DuckDB SQL (no binding).
func (c *Conn) Exec(ctx context.Context, stmt string) error { return c.e.exec(ctx, stmt) }

// CopyTo runs one query and writes its rows to a Parquet file at path with
// DuckDB's writer. It returns the number of rows written.
func (e *Engine) CopyTo(ctx context.Context, query, path string) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errors.New("sql engine is closed")
	}
	q := strings.TrimSpace(query)
	q = strings.TrimRight(q, "; \n\t")
	bound, err := e.bind(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int64
	err = e.queryArrow(ctx, fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", bound, quoteString(path)), func(rdr array.RecordReader) error {
		for rdr.Next() {
			if c, ok := rdr.RecordBatch().Column(0).(*array.Int64); ok && c.Len() > 0 {
				n = c.Value(0)
			}
		}
		return nil
	})
	return n, err
}
