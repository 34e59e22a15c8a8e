package recommendation

import (
	"context"
	"errors"

	"github.com/sluice-dev/sluice/ml"
)

// IDColumn reads the user or item ids in column name of f (its first
// column when name is ""), for RecommendOptions.IDs: integer columns, or
// floating point ones holding integers, within int32 (Spark's rule).
// NULL, fractional and out-of-range ids are errors naming the row.
func IDColumn(ctx context.Context, f *ml.Frame, name string) ([]int32, error) {
	if name == "" {
		if f.Schema().NumFields() == 0 {
			return nil, errors.New("the ids query returned no columns; select the ids as its first column")
		}
		name = f.Schema().Field(0).Name
	}
	return readIDs(ctx, f, "id", name)
}
