package evaluation_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

func ExampleAreaUnderROC() {
	scores := []float64{0.9, 0.5, 0.5, 0.1}
	labels := []float64{1, 1, 0, 0}
	auc, err := evaluation.AreaUnderROC(scores, labels, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f\n", auc)
	// Output: 0.875
}

func ExampleAreaUnderPR() {
	scores := []float64{0.9, 0.8, 0.7, 0.6}
	labels := []float64{1, 0, 1, 0}
	area, err := evaluation.AreaUnderPR(scores, labels, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", area)
	// Output: 0.7917
}

func ExampleROCCurve() {
	pts, err := evaluation.ROCCurve([]float64{0.9, 0.5, 0.5, 0.1}, []float64{1, 1, 0, 0}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pts {
		fmt.Printf("threshold %v: FPR %.2f TPR %.2f\n", p.Threshold, p.FPR, p.TPR)
	}
	// Output:
	// threshold +Inf: FPR 0.00 TPR 0.00
	// threshold 0.9: FPR 0.00 TPR 0.50
	// threshold 0.5: FPR 0.50 TPR 1.00
	// threshold 0.1: FPR 1.00 TPR 1.00
	// threshold -Inf: FPR 1.00 TPR 1.00
}

func ExamplePRCurve() {
	pts, err := evaluation.PRCurve([]float64{0.9, 0.8}, []float64{0, 1}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pts {
		fmt.Printf("threshold %v: recall %.2f precision %.2f\n", p.Threshold, p.Recall, p.Precision)
	}
	// Output:
	// threshold +Inf: recall 0.00 precision 0.00
	// threshold 0.9: recall 0.00 precision 0.00
	// threshold 0.8: recall 1.00 precision 0.50
}

func ExampleNewConfusion() {
	preds := []float64{0, 1, 1, 2, 0}
	labels := []float64{0, 1, 2, 2, 1}
	c, err := evaluation.NewConfusion(preds, labels, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := c.Precision(2)
	fmt.Printf("labels %v accuracy %.2f f1 %.2f weightedPrecision %.2f precision(2) %.2f\n",
		c.Labels(), c.Accuracy(), c.F1(), c.WeightedPrecision(), p)
	// Output: labels [0 1 2] accuracy 0.60 f1 0.60 weightedPrecision 0.70 precision(2) 1.00
}

func ExampleLogLoss() {
	probs := [][]float64{{0.8, 0.2}, {0.3, 0.7}}
	ll, err := evaluation.LogLoss(probs, []float64{0, 1}, nil, evaluation.DefaultLogLossEps)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", ll)
	// Output: 0.2899
}

func ExampleRegression() {
	m, err := evaluation.Regression([]float64{1, 2, 3}, []float64{1, 3, 5}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mse %.4f rmse %.4f mae %.4f r2 %.4f var %.4f\n", m.MSE, m.RMSE, m.MAE, m.R2, m.ExplainedVariance)
	// Output: mse 1.6667 rmse 1.2910 mae 1.0000 r2 0.3750 var 1.6667
}

func ExampleBinaryClassificationEvaluator() {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "rawPrediction", Type: ml.VectorType},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{
		ml.VectorsColumn([]ml.Vector{ml.Dense(-0.9, 0.9), ml.Dense(-0.5, 0.5), ml.Dense(-0.5, 0.5), ml.Dense(-0.1, 0.1)}),
		ml.Float64Column([]float64{1, 1, 0, 0}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	e := evaluation.NewBinaryClassificationEvaluator() // areaUnderROC of element 1
	auc, err := e.Evaluate(context.Background(), f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %.3f (larger is better: %v)\n", e.MetricName(), auc, e.IsLargerBetter())
	// Output: areaUnderROC 0.875 (larger is better: true)
}

func ExampleRegressionEvaluator() {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "prediction", Type: arrow.PrimitiveTypes.Float64},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, _ := ml.NewFrame(sc, []*arrow.Chunked{ml.Float64Column([]float64{1, 2, 3}), ml.Float64Column([]float64{1, 3, 5})})
	e := evaluation.NewRegressionEvaluator()
	for _, metric := range []string{"rmse", "r2"} {
		e.P.MetricName = metric
		v, err := e.Evaluate(context.Background(), f)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %.4f\n", metric, v)
	}
	// Output:
	// rmse 1.2910
	// r2 0.3750
}

func ExampleConfusionFrame() {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "prediction", Type: arrow.PrimitiveTypes.Float64},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, _ := ml.NewFrame(sc, []*arrow.Chunked{ml.Float64Column([]float64{0, 1, 1, 0}), ml.Float64Column([]float64{0, 1, 0, 0})})
	cf, err := evaluation.ConfusionFrame(context.Background(), f, "prediction", "label")
	if err != nil {
		fmt.Println(err)
		return
	}
	tbl := cf.Table()
	defer tbl.Release()
	rdr := array.NewTableReader(tbl, 0)
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := range int(rec.NumRows()) {
			fmt.Printf("label %s predicted %s: %s\n", rec.Column(0).ValueStr(i), rec.Column(1).ValueStr(i), rec.Column(2).ValueStr(i))
		}
	}
	// Output:
	// label 0 predicted 0: 2
	// label 0 predicted 1: 1
	// label 1 predicted 1: 1
}
