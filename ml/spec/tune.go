package spec

import (
	"context"
	"errors"

	"github.com/sluice-dev/sluice/ml"
)

// tune fits the pipeline under the tuning block.
func tune(ctx context.Context, pl *Plan, train *ml.Frame) (ml.Model, *TuningResult, error) {
	return nil, nil, errors.New("tuning is not wired yet")
}
