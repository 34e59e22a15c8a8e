package clustering_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
)

func ExampleGaussianMixture() {
	// Ride pickups along one street: a cluster near the station (x ≈ 1),
	// a wider one around the market (x ≈ 8).
	xs := []float64{0.8, 1.0, 1.1, 0.9, 1.2, 7.0, 8.5, 9.0, 7.5, 8.0}
	vs := make([]ml.Vector, len(xs))
	for i, x := range xs {
		vs[i] = ml.Dense(x)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType}}, nil)
	train, err := ml.NewFrame(schema, []*arrow.Chunked{ml.VectorsColumn(vs)})
	if err != nil {
		fmt.Println(err)
		return
	}

	gm := clustering.NewGaussianMixture()
	gm.P.K = 2
	model, err := gm.Fit(context.Background(), train)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*clustering.GaussianMixtureModel)
	for c, g := range m.Gaussians() {
		fmt.Printf("component %d: weight %.2f, mean %.2f, variance %.3f\n", c, g.Weight, g.Mean[0], g.Cov.At(0, 0))
	}

	probe, _ := ml.NewFrame(schema, []*arrow.Chunked{ml.VectorsColumn([]ml.Vector{ml.Dense(1.05), ml.Dense(6.0)})})
	out, err := m.Transform(context.Background(), probe)
	if err != nil {
		fmt.Println(err)
		return
	}
	predCol, _ := out.Column("prediction")
	probCol, _ := out.Column("probability")
	preds := predCol.Chunk(0).(interface{ Value(int) int32 })
	probs, _ := ml.NewVectorColumn(probCol.Chunk(0))
	for i, x := range []float64{1.05, 6.0} {
		p := probs.At(i).Values
		fmt.Printf("x=%.2f: component %d, probabilities [%.3f %.3f]\n", x, preds.Value(i), p[0], p[1])
	}
	// Output:
	// component 0: weight 0.50, mean 1.00, variance 0.020
	// component 1: weight 0.50, mean 8.00, variance 0.500
	// x=1.05: component 0, probabilities [1.000 0.000]
	// x=6.00: component 1, probabilities [0.000 1.000]
}
