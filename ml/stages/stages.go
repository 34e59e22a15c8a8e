// Package stages builds the registry of every ML stage, model and
// evaluator Sluice has, for YAML specs, param grids and model loading.
package stages

import (
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/sqlstage"
)

// Registry returns a registry of all stages. q runs SQLTransformer's
// statements (the workspace's SQL engine); with q nil, SQLTransformer is
// still known but fails when it runs.
func Registry(q sqlstage.Querier) *ml.Registry {
	r := ml.NewRegistry()
	feature.Register(r)
	evaluation.Register(r)
	sqlstage.Register(r, q)
	return r
}
