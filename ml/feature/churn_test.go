package feature_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/csv"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

const churnCSV = "/work/shared/data/churn/mlc_churn.csv"

type churnRef struct {
	NumericColumns     []string  `json:"numeric_columns"`
	CategoricalColumns []string  `json:"categorical_columns"`
	FClassifTop5       []int     `json:"f_classif_top5"`
	SklearnFpr01       []int     `json:"sklearn_fpr_0.01"`
	Chi2P              []float64 `json:"chi2_p"`
	MinMaxRow1         []float64 `json:"minmax_row1"`
	MinMaxRow5000      []float64 `json:"minmax_row5000"`
	PCARatio           []float64 `json:"pca_ratio"`
	DayMinutesSplits5  []float64 `json:"day_minutes_splits_5"`
}

func loadChurn(t *testing.T) (*ml.Frame, churnRef) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "feature_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct{ Churn churnRef }
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Churn.NumericColumns) == 0 {
		t.Skip("feature_reference.json has no churn section; run gen_feature_reference.py where the data is")
	}
	fh, err := os.Open(churnCSV)
	if err != nil {
		t.Skipf("churn data not available: %v", err)
	}
	defer fh.Close()
	types := map[string]arrow.DataType{}
	for _, c := range ref.Churn.NumericColumns {
		types[c] = arrow.PrimitiveTypes.Float64
	}
	f, err := ml.FrameFromReader(csv.NewInferringReader(fh, csv.WithHeader(true), csv.WithChunk(-1), csv.WithColumnTypes(types)))
	if err != nil {
		t.Fatal(err)
	}
	return f, ref.Churn
}

// On the 5,000-row churn data: indexing, assembling, selection, scaling,
// PCA and discretizing agree with scikit-learn (Spark's definitions
// where they differ).
func TestChurnAgainstSklearn(t *testing.T) {
	ctx := context.Background()
	f, ref := loadChurn(t)
	stages := []ml.Stage{}
	label := feature.NewStringIndexer()
	label.P.InputCol, label.P.OutputCol, label.P.StringOrderType = "churn", "label", "alphabetAsc" // no = 0, yes = 1
	stages = append(stages, label)
	var catIdx []string
	for _, c := range ref.CategoricalColumns {
		si := feature.NewStringIndexer()
		si.P.InputCol, si.P.OutputCol = c, c+"_idx"
		stages = append(stages, si)
		catIdx = append(catIdx, c+"_idx")
	}
	num := feature.NewVectorAssembler()
	num.P.InputCols, num.P.OutputCol = ref.NumericColumns, "num"
	cat := feature.NewVectorAssembler()
	cat.P.InputCols, cat.P.OutputCol = catIdx, "cat"
	anova := feature.NewUnivariateFeatureSelector()
	anova.P.FeaturesCol, anova.P.OutputCol = "num", "num_top5"
	anova.P.FeatureType, anova.P.LabelType, anova.P.SelectionThreshold = "continuous", "categorical", 5
	chi := feature.NewUnivariateFeatureSelector()
	chi.P.FeaturesCol, chi.P.OutputCol = "cat", "cat_fpr"
	chi.P.FeatureType, chi.P.LabelType, chi.P.SelectionMode, chi.P.SelectionThreshold = "categorical", "categorical", "fpr", 0.01
	mm := feature.NewMinMaxScaler()
	mm.P.InputCol, mm.P.OutputCol = "num", "num_scaled"
	pca := feature.NewPCA()
	pca.P.InputCol, pca.P.OutputCol, pca.P.K = "num_scaled", "pcs", 3
	qd := feature.NewQuantileDiscretizer()
	qd.P.InputCol, qd.P.OutputCol, qd.P.NumBuckets = "total_day_minutes", "day_bucket", 5
	stages = append(stages, num, cat, anova, chi, mm, pca, qd)

	pm, err := (&ml.Pipeline{Stages: stages}).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	models := pm.(*ml.PipelineModel).Stages
	top5 := models[len(models)-5].(*feature.UnivariateFeatureSelectorModel)
	if got, want := fmt.Sprint(top5.SelectedFeatures), fmt.Sprint(ref.FClassifTop5); got != want {
		t.Errorf("ANOVA top 5: %s, sklearn f_classif %s", got, want)
	}
	chiModel := models[len(models)-4].(*feature.UnivariateFeatureSelectorModel)
	var wantChi []int
	for j, p := range ref.Chi2P {
		if p < 0.01 {
			wantChi = append(wantChi, j)
		}
	}
	if got, want := fmt.Sprint(chiModel.SelectedFeatures), fmt.Sprint(wantChi); got != want {
		t.Errorf("chi-squared fpr 0.01: %s, scipy says %s", got, want)
	}
	pcaModel := models[len(models)-2].(*feature.PCAModel)
	checkVec(t, "PCA explained variance", pcaModel.ExplainedVariance, ref.PCARatio, 1e-9)
	bk := models[len(models)-1].(*feature.Bucketizer)
	checkVec(t, "day minutes splits", bk.P.Splits[1:len(bk.P.Splits)-1], ref.DayMinutesSplits5, 0)

	out, err := pm.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	scaled := vecs(t, out, "num_scaled")
	checkVec(t, "min-max row 1", scaled[0], ref.MinMaxRow1, 1e-12)
	checkVec(t, "min-max row 5000", scaled[len(scaled)-1], ref.MinMaxRow5000, 1e-12)
	field, _ := ml.FieldOf(out.Schema(), "num_top5")
	if got := ml.VectorAttrsOf(field).Names(5); got[4] != ref.NumericColumns[ref.FClassifTop5[4]] {
		t.Errorf("selected names %v", got)
	}

	// fpr at 0.01 on the numerics matches sklearn's SelectFpr.
	anova.P.SelectionMode, anova.P.SelectionThreshold = "fpr", 0.01
	assembled, err := num.Transform(ctx, mustTransform(t, mustFit(t, label, f), f))
	if err != nil {
		t.Fatal(err)
	}
	m := mustFit(t, anova, assembled).(*feature.UnivariateFeatureSelectorModel)
	if got, want := fmt.Sprint(m.SelectedFeatures), fmt.Sprint(ref.SklearnFpr01); got != want {
		t.Errorf("ANOVA fpr 0.01: %s, sklearn SelectFpr %s", got, want)
	}
}
