//go:build duckdb_arrow

package sqlengine

import (
	"context"
	"database/sql/driver"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// arrowQuery runs query on a DuckDB driver connection and passes its rows,
// as Arrow, to fn.
func arrowQuery(ctx context.Context, dc driver.Conn, query string, fn func(array.RecordReader) error) error {
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		return err
	}
	rdr, err := ar.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rdr.Release()
	if err := fn(rdr); err != nil {
		return err
	}
	return rdr.Err()
}

// registerArrowView makes rdr visible to DuckDB as the view name until
// release is called.
func registerArrowView(dc driver.Conn, rdr array.RecordReader, name string) (release func(), err error) {
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		return nil, err
	}
	return ar.RegisterView(rdr, name)
}
