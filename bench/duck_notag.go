//go:build !duckdb_arrow

package bench

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/array"
)

func arrowQuery(context.Context, driver.Conn, string, func(array.RecordReader) error) error {
	return errors.New("bench: built without the duckdb_arrow build tag; run ./bench/run.sh or go test -tags duckdb_arrow ./bench/")
}
