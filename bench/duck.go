package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// Duck is a plain duckdb-go database, in memory, on one connection: DuckDB
// with nothing of Sluice in between. Rows come back through duckdb-go's
// Arrow interface, as Sluice's do, so both sides pay the same to hand
// results to Go. It is not safe for concurrent use.
type Duck struct {
	connector *duckdb.Connector
	db        *sql.DB
	conn      *sql.Conn
	closed    bool
}

// OpenDuck starts an in-memory DuckDB using threads worker threads (0:
// DuckDB's default, one per core). Extension autoloading is off, as in
// Sluice's engine. Close releases it.
func OpenDuck(ctx context.Context, threads int) (*Duck, error) {
	if threads < 0 {
		return nil, fmt.Errorf("open duckdb: threads = %d, want >= 0", threads)
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open duckdb: %w", err), db.Close(), connector.Close())
	}
	d := &Duck{connector: connector, db: db, conn: conn}
	settings := []string{"SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false"}
	if threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", threads))
	}
	for _, s := range settings {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return nil, errors.Join(fmt.Errorf("configure duckdb (%s): %w", s, err), d.Close())
		}
	}
	return d, nil
}

// Query runs query and passes its rows to fn; the reader is valid only
// during fn. ctx bounds the query.
func (d *Duck) Query(ctx context.Context, query string, fn func(array.RecordReader) error) error {
	return d.conn.Raw(func(dc any) error { return arrowQuery(ctx, dc.(driver.Conn), query, fn) })
}

// Drain runs query and reads every row, returning how many there were.
func (d *Duck) Drain(ctx context.Context, query string) (int64, error) {
	var n int64
	err := d.Query(ctx, query, func(rdr array.RecordReader) error {
		var err error
		n, err = Drain(rdr)
		return err
	})
	return n, err
}

// Version returns DuckDB's version, such as "v1.4.3".
func (d *Duck) Version(ctx context.Context) (string, error) {
	var v string
	err := d.conn.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	return strings.TrimSpace(v), err
}

// Close releases DuckDB. It is idempotent.
func (d *Duck) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	return errors.Join(d.conn.Close(), d.db.Close(), d.connector.Close())
}

// Drain reads every batch of rdr and returns the number of rows. The
// caller keeps ownership of rdr.
func Drain(rdr array.RecordReader) (int64, error) {
	var n int64
	for rdr.Next() {
		n += rdr.RecordBatch().NumRows()
	}
	return n, rdr.Err()
}
