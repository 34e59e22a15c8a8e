package stat_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stat"
)

func exampleFrame() *ml.Frame {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{
		ml.VectorsColumn([]ml.Vector{ml.Dense(1, 0), ml.Dense(2, 1), ml.Sparse(2, []int32{0, 1}, []float64{4, 1}), ml.Dense(3, 1)}),
		ml.Float64Column([]float64{0, 1, 0, 1}),
	})
	if err != nil {
		panic(err)
	}
	return f
}

func ExampleSummarize() {
	s, err := stat.Summarize(context.Background(), exampleFrame(), "features", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("count %d mean %.2f variance %.4f max %v numNonZeros %v\n", s.Count, s.Mean, s.Variance, s.Max, s.NumNonZeros)
	// Output: count 4 mean [2.50 0.75] variance [1.6667 0.2500] max [4 1] numNonZeros [4 3]
}

func ExampleCorrelation() {
	c, err := stat.Correlation(context.Background(), exampleFrame(), "features", stat.Spearman)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", c.At(0, 1))
	// Output: 0.7746
}

func ExampleChiSquareTest() {
	r, err := stat.ChiSquareTest(context.Background(), exampleFrame(), "features", "label")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("pValues %.4f df %v statistics %.1f\n", r.PValues, r.DegreesOfFreedom, r.Statistics)
	// Output: pValues [0.2615 0.2482] df [3 1] statistics [4.0 1.3]
}
