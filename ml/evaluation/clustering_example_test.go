package evaluation_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

// The silhouette of clusters {0, 1} and {10, 11} on a line, with Spark's
// squared euclidean distance.
func ExampleClusteringEvaluator() {
	points := []ml.Vector{ml.Dense(0), ml.Dense(1), ml.Dense(10), ml.Dense(11)}
	clusters := []float64{0, 0, 1, 1}
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "prediction", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil), []*arrow.Chunked{ml.VectorsColumn(points), ml.Float64Column(clusters)})
	if err != nil {
		panic(err)
	}
	e := evaluation.NewClusteringEvaluator()
	s, err := e.Evaluate(context.Background(), f)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s (%s): %.4f\n", e.MetricName(), e.P.DistanceMeasure, s)
	// Output:
	// silhouette (squaredEuclidean): 0.9900
}
