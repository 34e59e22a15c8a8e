package regression_test

import (
	"context"
	"fmt"
	"math"

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

// frameOf builds a frame with a one-feature "features" vector column and
// a "label" column.
func frameOf(x, y []float64) *ml.Frame {
	vs := make([]ml.Vector, len(x))
	for i, v := range x {
		vs[i] = ml.Dense(v)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(y)})
	if err != nil {
		panic(err)
	}
	return f
}

func ExampleGeneralizedLinearRegression() {
	// Counts in two groups (feature 0 and 1) with means 2 and 6: the
	// Poisson fit has e^intercept = 2 and e^coefficient = 6/2 = 3.
	f := frameOf([]float64{0, 0, 0, 1, 1, 1}, []float64{1, 2, 3, 4, 6, 8})
	glr := regression.NewGeneralizedLinearRegression()
	glr.P.Family = "poisson" // canonical link: log
	m, err := glr.Fit(context.Background(), f)
	if err != nil {
		fmt.Println(err)
		return
	}
	model := m.(*regression.GeneralizedLinearRegressionModel)
	s := model.Summary
	fmt.Printf("exp(coefficient) %.3f exp(intercept) %.3f\n", math.Exp(model.Coefficients[0]), math.Exp(model.Intercept))
	fmt.Printf("deviance %.4f null deviance %.4f aic %.3f iterations %d\n", s.Deviance, s.NullDeviance, s.AIC, s.NumIterations)
	fmt.Printf("standard errors [%.4f %.4f]\n", s.CoefficientStandardErrors[0], s.CoefficientStandardErrors[1])
	// Output:
	// exp(coefficient) 3.000 exp(intercept) 2.000
	// deviance 2.4057 null deviance 8.6847 aic 24.873 iterations 4
	// standard errors [0.4714 0.4082]
}

func ExampleIsotonicRegression() {
	f := frameOf([]float64{1, 2, 3, 4, 5, 6, 7}, []float64{1, 2, 3, 1, 6, 17, 16})
	m, err := regression.NewIsotonicRegression().Fit(context.Background(), f)
	if err != nil {
		fmt.Println(err)
		return
	}
	model := m.(*regression.IsotonicRegressionModel)
	fmt.Println("boundaries", model.Boundaries)
	fmt.Println("predictions", model.Predictions)
	fmt.Println("at 4.5:", model.Predict(4.5), "at 10:", model.Predict(10))
	// Output:
	// boundaries [1 2 4 5 6 7]
	// predictions [1 2 2 6 16.5 16.5]
	// at 4.5: 4 at 10: 16.5
}
