package evaluation_test

import (
	"fmt"

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
