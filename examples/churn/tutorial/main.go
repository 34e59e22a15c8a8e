// Command tutorial is the Spark ML churn tutorial written against Sluice's
// Go API: the same steps as ../pipeline.yaml (which `sluice ml fit` runs),
// with the same seeds, so it prints the same numbers.
//
//	go run -tags duckdb_arrow ./examples/churn/tutorial
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/tree"
	"github.com/sluice-dev/sluice/ml/tuning"
	"github.com/sluice-dev/sluice/workspace"
)

// query selects rows of the churn file: drop the charge columns (minutes
// times a rate) and state/area code, and turn churn into a 0/1 label.
const query = `SELECT * EXCLUDE (rownum, churn, state, area_code, total_day_charge,
                  total_eve_charge, total_night_charge, total_intl_charge),
       CASE WHEN churn THEN 1.0 ELSE 0.0 END AS label
FROM (SELECT row_number() OVER () AS rownum, * FROM churn)
WHERE %s`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// run fits and evaluates, printing to w, and returns the test AUC.
func run(ctx context.Context, w io.Writer) (float64, error) {
	_, file, _, _ := runtime.Caller(0)
	csv := filepath.Join(filepath.Dir(file), "..", "data", "mlc_churn.csv")

	// A throwaway workspace gives us the SQL engine to read the CSV.
	dir, err := os.MkdirTemp("", "churn-tutorial-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	cfg := workspace.DefaultConfig()
	cfg.Dir = dir
	ws, err := workspace.Open(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer ws.Close()
	load := func(where string) (*ml.Frame, error) {
		return ws.Frame(ctx, fmt.Sprintf(query, where), map[string]string{"churn": csv})
	}
	train, err := load("rownum <= 3333")
	if err != nil {
		return 0, err
	}
	test, err := load("rownum > 3333")
	if err != nil {
		return 0, err
	}

	// Stratified downsample of the non-churners (Spark's sampleBy).
	if train, err = train.SampleBy(ctx, "label", map[string]float64{"0": 0.1695, "1": 1.0}, 42); err != nil {
		return 0, err
	}

	intl := feature.NewStringIndexer()
	intl.P.InputCol, intl.P.OutputCol = "international_plan", "intl_plan_idx"
	vm := feature.NewStringIndexer()
	vm.P.InputCol, vm.P.OutputCol = "voice_mail_plan", "vm_plan_idx"
	assembler := feature.NewVectorAssembler()
	assembler.P.InputCols = []string{"account_length", "intl_plan_idx", "vm_plan_idx", "number_vmail_messages",
		"total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls",
		"total_night_minutes", "total_night_calls", "total_intl_minutes",
		"total_intl_calls", "number_customer_service_calls"}
	dt := tree.NewDecisionTreeClassifier()
	dt.P.Seed = 42
	pipeline := &ml.Pipeline{Stages: []ml.Stage{intl, vm, assembler, dt}}

	auc := evaluation.NewBinaryClassificationEvaluator()
	auc.P.RawPredictionCol = "probability" // a tree's rawPrediction is leaf counts
	grid := tuning.NewParamGridBuilder().AddGrid(dt, "maxDepth", []any{2, 3, 4, 5, 6, 7}).Build()
	cv := tuning.NewCrossValidator()
	cv.Estimator, cv.EstimatorParamMaps, cv.Evaluator = pipeline, grid, auc
	cv.P.NumFolds, cv.P.Seed = 3, 42

	m, err := cv.Fit(ctx, train)
	if err != nil {
		return 0, err
	}
	cvm := m.(*tuning.CrossValidatorModel)
	fmt.Fprint(w, cvm.Results().Table())

	scored, err := cvm.Transform(ctx, test)
	if err != nil {
		return 0, err
	}
	testAUC, err := auc.Evaluate(ctx, scored)
	if err != nil {
		return 0, err
	}
	best := cvm.BestModel.(*ml.PipelineModel)
	fmt.Fprintln(w, best.Stages[len(best.Stages)-1].(*tree.DecisionTreeClassificationModel).DebugString())
	conf, err := evaluation.ConfusionFrame(ctx, scored, "prediction", "label")
	if err != nil {
		return 0, err
	}
	fmt.Fprintln(w, "confusion counts (label, prediction, count):")
	tbl := conf.Table()
	defer tbl.Release()
	rdr := array.NewTableReader(tbl, 0)
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Fprintf(w, "  %s  %s  %s\n", rec.Column(0).ValueStr(i), rec.Column(1).ValueStr(i), rec.Column(2).ValueStr(i))
		}
	}
	fmt.Fprintf(w, "training rows %d, test rows %d, test areaUnderROC %.4f\n", train.NumRows(), test.NumRows(), testAUC)
	return testAUC, nil
}
