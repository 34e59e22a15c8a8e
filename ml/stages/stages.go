// Package stages builds the registry of every ML stage, model and
// evaluator Sluice has, for YAML specs, param grids and model loading.
package stages

import (
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/fpm"
	"github.com/sluice-dev/sluice/ml/recommendation"
	"github.com/sluice-dev/sluice/ml/regression"
	"github.com/sluice-dev/sluice/ml/sqlstage"
	"github.com/sluice-dev/sluice/ml/tree"
	"github.com/sluice-dev/sluice/ml/tuning"
)

// Registry returns a registry of all stages. q runs SQLTransformer's
// statements (the workspace's SQL engine); with q nil, SQLTransformer is
// still known but fails when it runs.
func Registry(q sqlstage.Querier) *ml.Registry {
	r := ml.NewRegistry()
	feature.Register(r)
	sqlstage.Register(r, q)
	classification.Register(r)
	regression.Register(r)
	tree.Register(r)
	evaluation.Register(r)
	tuning.Register(r)
	clustering.Register(r)
	recommendation.Register(r)
	fpm.Register(r)
	return r
}
