package classification_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
)

func ExampleLogisticRegression() {
	// Hours studied → passed the exam.
	hours := []float64{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5}
	passed := []float64{0, 0, 0, 1, 0, 1, 0, 1, 1, 1}
	vs := make([]ml.Vector, len(hours))
	for i, h := range hours {
		vs[i] = ml.Dense(h)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	train, err := ml.NewFrame(schema, []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(passed)})
	if err != nil {
		fmt.Println(err)
		return
	}

	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 0.01
	model, err := lr.Fit(context.Background(), train)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*classification.LogisticRegressionModel)
	coef, _ := m.Coefficients()
	b, _ := m.Intercept()
	fmt.Printf("coefficient %.3f, intercept %.3f\n", coef[0], b)

	out, err := m.Transform(context.Background(), train)
	if err != nil {
		fmt.Println(err)
		return
	}
	probCol, _ := out.Column("probability")
	probArr, _ := ml.Flatten(probCol)
	defer probArr.Release()
	probs, _ := ml.NewVectorColumn(probArr)
	predCol, _ := out.Column("prediction")
	predArr, _ := ml.Flatten(predCol)
	defer predArr.Release()
	preds, _, _ := ml.Float64s(predArr)
	for _, i := range []int{1, 7} {
		fmt.Printf("%.1f hours: P(pass) %.3f, prediction %v\n", hours[i], probs.At(i).Values[1], preds[i])
	}
	// Output:
	// coefficient 1.197, intercept -3.291
	// 1.0 hours: P(pass) 0.110, prediction 0
	// 4.0 hours: P(pass) 0.817, prediction 1
}
