package sqlengine

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"
)

// ArrowToSchema converts the Arrow schema of a query result into an Iceberg
// schema for a new table, all columns nullable. Columns whose type Iceberg
// lacks (HUGEINT, unsigned BIGINT, INTERVAL, …) are all listed in the
// error with a hint to cast them.
func ArrowToSchema(sc *arrow.Schema) (*iceberg.Schema, error) {
	var bad []string
	fields := make([]arrow.Field, len(sc.Fields()))
	seen := map[string]bool{}
	for i, f := range sc.Fields() {
		if seen[strings.ToLower(f.Name)] {
			bad = append(bad, fmt.Sprintf("%s: duplicate column name; give it an alias", f.Name))
		}
		seen[strings.ToLower(f.Name)] = true
		// Checked with fresh IDs: nested types (lists, structs) need them.
		if _, err := itable.ArrowSchemaToIcebergWithFreshIDs(arrow.NewSchema([]arrow.Field{f}, nil), true); err != nil {
			bad = append(bad, fmt.Sprintf("%s: type %s has no Iceberg equivalent; CAST it to BIGINT, DOUBLE, DECIMAL(38,0) or VARCHAR", f.Name, f.Type))
		}
		f.Nullable = true
		fields[i] = f
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%d column(s) cannot be stored:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	out, err := itable.ArrowSchemaToIcebergWithFreshIDs(arrow.NewSchema(fields, nil), true)
	if err != nil {
		return nil, err
	}
	// Timestamps are stored with microsecond precision, as DuckDB and Spark do.
	return out, nil
}
