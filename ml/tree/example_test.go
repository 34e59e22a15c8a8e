package tree_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/tree"
)

// exampleFrame is a small table: minutes, calls to support and churned.
func exampleFrame() *ml.Frame {
	minutes := []float64{120, 250, 300, 90, 310, 200, 280, 60, 330, 150}
	calls := []float64{1, 0, 4, 5, 1, 2, 5, 0, 0, 4}
	churn := []float64{0, 0, 1, 1, 1, 0, 1, 0, 1, 1}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "minutes", Type: arrow.PrimitiveTypes.Float64},
		{Name: "calls", Type: arrow.PrimitiveTypes.Float64},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{ml.Float64Column(minutes), ml.Float64Column(calls), ml.Float64Column(churn)})
	if err != nil {
		panic(err)
	}
	return f
}

func ExampleDecisionTreeClassifier() {
	ctx := context.Background()
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"minutes", "calls"}
	dt := tree.NewDecisionTreeClassifier()
	dt.P.MaxDepth = 2
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{va, dt}}).Fit(ctx, exampleFrame())
	if err != nil {
		fmt.Println(err)
		return
	}
	m := pm.(*ml.PipelineModel).Stages[1].(*tree.DecisionTreeClassificationModel)
	m.UID = "DecisionTreeClassifier_example" // random per fit
	fmt.Print(m.DebugString())
	fmt.Println("importances:", m.FeatureImportances().Values)
	// Output:
	// DecisionTreeClassificationModel: uid=DecisionTreeClassifier_example, depth=2, numNodes=5, numClasses=2, numFeatures=2
	//   If (feature 0 <= 265.0)
	//    If (feature 1 <= 3.0)
	//     Predict: 0.0
	//    Else (feature 1 > 3.0)
	//     Predict: 1.0
	//   Else (feature 0 > 265.0)
	//    Predict: 1.0
	// importances: [0.44444444444444436 0.5555555555555556]
}

func ExampleGBTClassifier() {
	ctx := context.Background()
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"minutes", "calls"}
	gbt := tree.NewGBTClassifier()
	gbt.P.MaxIter, gbt.P.MaxDepth, gbt.P.StepSize = 20, 2, 0.3
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{va, gbt}}).Fit(ctx, exampleFrame())
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := pm.Transform(ctx, exampleFrame())
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := out.Column("prediction")
	fmt.Println("trees:", len(pm.(*ml.PipelineModel).Stages[1].(*tree.GBTClassificationModel).Trees))
	fmt.Println("predictions:", pred.Chunk(0))
	// Output:
	// trees: 20
	// predictions: [0 0 1 1 1 0 1 0 1 1]
}

func ExampleRandomForestClassifier() {
	ctx := context.Background()
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"minutes", "calls"}
	rf := tree.NewRandomForestClassifier()
	rf.P.NumTrees, rf.P.MaxDepth, rf.P.Seed = 50, 3, 7
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{va, rf}}).Fit(ctx, exampleFrame())
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := pm.Transform(ctx, exampleFrame())
	if err != nil {
		fmt.Println(err)
		return
	}
	m := pm.(*ml.PipelineModel).Stages[1].(*tree.RandomForestClassificationModel)
	pred, _ := out.Column("prediction")
	fmt.Println(m.StageName(), "with", len(m.Trees), "trees")
	fmt.Println("predictions:", pred.Chunk(0))
	// Output:
	// RandomForestClassificationModel with 50 trees
	// predictions: [0 0 1 1 1 0 1 0 1 1]
}
