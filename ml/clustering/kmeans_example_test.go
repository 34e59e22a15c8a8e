package clustering_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
)

// pointsFrame builds a frame with a "features" vector column and a
// "weight" column.
func pointsFrame(points [][]float64, weights []float64) *ml.Frame {
	vs := make([]ml.Vector, len(points))
	for i, p := range points {
		vs[i] = ml.Dense(p...)
	}
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "weight", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil), []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(weights)})
	if err != nil {
		panic(err)
	}
	return f
}

// KMeans on pyspark's example data: two pairs of weighted points. The
// distance column scores how far each row lies from its cluster's centre,
// e.g. for anomaly detection.
func ExampleKMeans() {
	ctx := context.Background()
	train := pointsFrame([][]float64{{0, 0}, {1, 1}, {9, 8}, {8, 9}}, []float64{2, 2, 2, 2})
	km := clustering.NewKMeans()
	km.P.K, km.P.Seed, km.P.WeightCol = 2, 1, "weight"
	km.P.DistanceCol = "distance"
	m, err := km.Fit(ctx, train)
	if err != nil {
		panic(err)
	}
	model := m.(*clustering.KMeansModel)
	fmt.Printf("trainingCost %.1f, cluster sizes %v\n", model.TrainingCost, model.ClusterSizes)

	test := pointsFrame([][]float64{{0.5, 0.5}, {9, 9}, {30, 30}}, []float64{1, 1, 1})
	out, err := model.Transform(ctx, test)
	if err != nil {
		panic(err)
	}
	predCol, _ := out.Column("prediction")
	distCol, _ := out.Column("distance")
	pred := predCol.Chunk(0).(*array.Int32)
	dist := distCol.Chunk(0).(*array.Float64)
	for i := range pred.Len() {
		fmt.Printf("row %d: centre %v, distance %.2f\n", i, model.Centers[pred.Value(i)], dist.Value(i))
	}
	// Output:
	// trainingCost 4.0, cluster sizes [2 2]
	// row 0: centre [0.5 0.5], distance 0.00
	// row 1: centre [8.5 8.5], distance 0.71
	// row 2: centre [8.5 8.5], distance 30.41
}

// BisectingKMeans divides the data top-down: first left from right, then
// each half in two.
func ExampleBisectingKMeans() {
	var points [][]float64
	for _, o := range [][2]float64{{0, 0}, {0, 20}, {100, 0}, {100, 20}} {
		for _, d := range [][2]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
			points = append(points, []float64{o[0] + d[0], o[1] + d[1]})
		}
	}
	weights := make([]float64, len(points))
	for i := range weights {
		weights[i] = 1
	}
	b := clustering.NewBisectingKMeans()
	b.P.K = 4
	m, err := b.Fit(context.Background(), pointsFrame(points, weights))
	if err != nil {
		panic(err)
	}
	model := m.(*clustering.BisectingKMeansModel)
	fmt.Printf("%d clusters, trainingCost %.1f\n", len(model.Centers), model.TrainingCost)
	for j, c := range model.Centers {
		fmt.Printf("cluster %d: [%.1f %.1f], %d rows\n", j, c[0], c[1], model.ClusterSizes[j])
	}
	// Output:
	// 4 clusters, trainingCost 8.0
	// cluster 0: [0.5 0.5], 4 rows
	// cluster 1: [0.5 20.5], 4 rows
	// cluster 2: [100.5 0.5], 4 rows
	// cluster 3: [100.5 20.5], 4 rows
}
