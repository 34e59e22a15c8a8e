//go:build !duckdb_arrow

package sqlengine

import (
	"context"
	"database/sql/driver"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// ErrNoArrowTag is returned by every query of a binary built without the
// duckdb_arrow build tag, which DuckDB's Arrow interface needs.
var ErrNoArrowTag = errorString("this sluice was built without the duckdb_arrow build tag, which DuckDB's Arrow interface needs; build it with `make build` (go build -tags duckdb_arrow ./cmd/sluice)")

type errorString string

func (e errorString) Error() string { return string(e) }

func arrowQuery(context.Context, driver.Conn, string, func(array.RecordReader) error) error {
	return ErrNoArrowTag
}

func registerArrowView(driver.Conn, array.RecordReader, string) (func(), error) {
	return nil, ErrNoArrowTag
}
