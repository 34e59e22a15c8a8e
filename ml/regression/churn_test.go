package regression_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/csv"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/regression"
)

const churnCSV = "/work/shared/data/churn/mlc_churn.csv"

var churnNumeric = []string{"account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
	"total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
	"total_intl_minutes", "total_intl_calls", "number_customer_service_calls"}

func loadChurnFrame(t *testing.T) *ml.Frame {
	t.Helper()
	fh, err := os.Open(churnCSV)
	if err != nil {
		t.Skipf("churn data not available: %v", err)
	}
	defer fh.Close()
	types := map[string]arrow.DataType{}
	for _, c := range []string{"account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls", "total_day_charge",
		"total_eve_minutes", "total_eve_calls", "total_eve_charge", "total_night_minutes", "total_night_calls", "total_night_charge",
		"total_intl_minutes", "total_intl_calls", "total_intl_charge", "number_customer_service_calls"} {
		types[c] = arrow.PrimitiveTypes.Float64
	}
	f, err := ml.FrameFromReader(csv.NewInferringReader(fh, csv.WithHeader(true), csv.WithChunk(-1), csv.WithColumnTypes(types)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestChurnPipeline fits LinearRegression and GeneralizedLinearRegression
// (binomial, poisson) inside one Pipeline on the 5,000-row churn data,
// checks them against numpy/scikit-learn (testdata/gen_reference.py,
// churn section), and checks that the saved and loaded PipelineModel
// predicts identically.
func TestChurnPipeline(t *testing.T) {
	ref := loadReference(t)
	if ref.Churn == nil {
		t.Skip("reference.json has no churn section; run gen_reference.py where the data is")
	}
	c := ref.Churn
	ctx := context.Background()
	f := loadChurnFrame(t)

	var stages []ml.Stage
	for _, col := range []string{"international_plan", "voice_mail_plan", "churn"} {
		si := feature.NewStringIndexer()
		si.P.InputCol, si.P.OutputCol, si.P.StringOrderType = col, col+"_idx", "alphabetAsc" // no = 0, yes = 1
		stages = append(stages, si)
	}
	assemble := func(out string, cols []string) {
		va := feature.NewVectorAssembler()
		va.P.InputCols, va.P.OutputCol = cols, out
		stages = append(stages, va)
	}
	glmCols := append(slices.Clone(churnNumeric), "international_plan_idx", "voice_mail_plan_idx")
	poisCols := slices.DeleteFunc(slices.Clone(glmCols), func(s string) bool { return s == "number_customer_service_calls" })
	assemble("lin", c.LinearColumns)
	assemble("glm", glmCols)
	assemble("pois", poisCols)

	ols := regression.NewLinearRegression()
	ols.P.FeaturesCol, ols.P.LabelCol, ols.P.PredictionCol = "lin", "total_day_charge", "ols"
	enet := regression.NewLinearRegression()
	enet.P.FeaturesCol, enet.P.LabelCol, enet.P.PredictionCol = "lin", "total_day_charge", "enet"
	enet.P.RegParam, enet.P.ElasticNetParam = c.ElasticNet.RegParam, c.ElasticNet.ElasticNetParam
	enet.P.MaxIter, enet.P.Tol = 100000, 1e-12
	logit := regression.NewGeneralizedLinearRegression()
	logit.P.Family, logit.P.FeaturesCol, logit.P.LabelCol, logit.P.PredictionCol = "binomial", "glm", "churn_idx", "p_churn"
	logit.P.Tol = 1e-10
	pois := regression.NewGeneralizedLinearRegression()
	pois.P.Family, pois.P.FeaturesCol, pois.P.LabelCol, pois.P.PredictionCol = "poisson", "pois", "number_customer_service_calls", "calls"
	pois.P.Tol = 1e-10
	stages = append(stages, ols, enet, logit, pois)

	pm, err := (&ml.Pipeline{Stages: stages}).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	fitted := pm.(*ml.PipelineModel).Stages
	n := len(fitted)
	lm := fitted[n-4].(*regression.LinearRegressionModel)
	checkSlice(t, "ols coefficients", lm.Coefficients, c.OLS.Coefficients, 1e-6, 1e-9)
	checkValue(t, "ols intercept", lm.Intercept, c.OLS.Intercept, 1e-6, 1e-9)
	checkSlice(t, "ols standard errors", lm.Summary.CoefficientStandardErrors, c.OLS.StdErrors, 1e-6, 0)
	em := fitted[n-3].(*regression.LinearRegressionModel)
	checkSlice(t, "elastic net coefficients", em.Coefficients, c.ElasticNet.Coefficients, 1e-6, 1e-9)
	checkValue(t, "elastic net intercept", em.Intercept, c.ElasticNet.Intercept, 1e-6, 1e-9)
	for _, g := range []struct {
		m   *regression.GeneralizedLinearRegressionModel
		ref glmCase
	}{{fitted[n-2].(*regression.GeneralizedLinearRegressionModel), c.Binomial}, {fitted[n-1].(*regression.GeneralizedLinearRegressionModel), c.Poisson}} {
		checkSlice(t, g.ref.Name+" coefficients", g.m.Coefficients, g.ref.Coefficients, 1e-6, 1e-9)
		checkValue(t, g.ref.Name+" intercept", g.m.Intercept, g.ref.Intercept, 1e-6, 1e-9)
		s := g.m.Summary
		checkValue(t, g.ref.Name+" deviance", s.Deviance, g.ref.Deviance, 1e-9, 0)
		checkValue(t, g.ref.Name+" null deviance", s.NullDeviance, g.ref.NullDeviance, 1e-9, 0)
		checkValue(t, g.ref.Name+" aic", s.AIC, *g.ref.AIC, 1e-9, 0)
		checkSlice(t, g.ref.Name+" standard errors", s.CoefficientStandardErrors, g.ref.StdErrors, 1e-5, 0)
	}

	dir := filepath.Join(t.TempDir(), "churn")
	if err := ml.Save(dir, pm); err != nil {
		t.Fatal(err)
	}
	r := ml.NewRegistry()
	feature.Register(r)
	regression.Register(r)
	loaded, err := ml.Load(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pm.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := loaded.(ml.Transformer).Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"ols", "enet", "p_churn", "calls"} {
		checkSlice(t, "loaded "+col, floats(t, got, col), floats(t, want, col), 0, 0)
	}
}
