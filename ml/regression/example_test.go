package regression_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/regression"
)

func ExampleLinearRegression() {
	// Five rows: features (x0, x1) and a label y = 1 + 2·x0 − x1 plus noise.
	x := [][]float64{{1, 0}, {2, 1}, {3, 0}, {4, 2}, {5, 1}}
	y := []float64{3.1, 3.9, 7.0, 6.9, 10.1}
	vs := make([]ml.Vector, len(x))
	for i, r := range x {
		vs[i] = ml.Dense(r...)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(y)})
	if err != nil {
		fmt.Println(err)
		return
	}

	lr := regression.NewLinearRegression() // Spark's defaults: normal equations here, no penalty
	m, err := lr.Fit(context.Background(), f)
	if err != nil {
		fmt.Println(err)
		return
	}
	model := m.(*regression.LinearRegressionModel)
	s := model.Summary
	fmt.Printf("coefficients [%.3f %.3f] intercept %.3f\n", model.Coefficients[0], model.Coefficients[1], model.Intercept)
	fmt.Printf("rmse %.4f r2 %.4f\n", s.RMSE, s.R2)
	fmt.Printf("p values [%.4f %.4f %.4f]\n", s.PValues[0], s.PValues[1], s.PValues[2])

	out, err := model.Transform(context.Background(), f)
	if err != nil {
		fmt.Println(err)
		return
	}
	col, _ := out.Column("prediction")
	pred, _ := ml.Flatten(col)
	defer pred.Release()
	vals, _, _ := ml.Float64s(pred)
	fmt.Printf("first prediction %.3f\n", vals[0])
	// Output:
	// coefficients [2.032 -1.105] intercept 0.989
	// rmse 0.0616 r2 0.9994
	// p values [0.0003 0.0041 0.0105]
	// first prediction 3.021
}
