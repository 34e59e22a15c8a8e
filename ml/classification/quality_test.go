package classification_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"testing"

	"github.com/sluice-dev/sluice/examples"
	"github.com/sluice-dev/sluice/ml/classification"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// churnFeatures are the churn columns the quality checks use: the numeric
// columns except the *_charge ones (minutes times a rate), plus the two
// yes/no plans as 0/1.
var churnFeatures = []string{
	"account_length", "international_plan", "voice_mail_plan", "number_vmail_messages",
	"total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls",
	"total_night_minutes", "total_night_calls", "total_intl_minutes", "total_intl_calls",
	"number_customer_service_calls",
}

// churnData returns the churn train (rows 1–3,333) and test (3,334–5,000)
// sets: features, label (churn yes = 1).
func churnData(tb testing.TB) (trX [][]float64, trY []float64, teX [][]float64, teY []float64) {
	tb.Helper()
	recs, err := csv.NewReader(bytes.NewReader(examples.ChurnCSV)).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	for r, rec := range recs[1:] {
		x := make([]float64, len(churnFeatures))
		for j, c := range churnFeatures {
			s := rec[idx[c]]
			switch s {
			case "yes":
				x[j] = 1
			case "no":
				x[j] = 0
			default:
				if x[j], err = strconv.ParseFloat(s, 64); err != nil {
					tb.Fatalf("row %d column %s: %v", r+1, c, err)
				}
			}
		}
		y := 0.0
		if rec[idx["churn"]] == "yes" {
			y = 1
		}
		if r < 3333 {
			trX, trY = append(trX, x), append(trY, y)
		} else {
			teX, teY = append(teX, x), append(teY, y)
		}
	}
	return trX, trY, teX, teY
}

// TestChurnQuality: logistic regression with scikit-learn's default
// penalty (C = 1 ↔ regParam = 1/n on standardized features) reaches the
// test AUC scikit-learn does on this feature set.
func TestChurnQuality(t *testing.T) {
	ctx := context.Background()
	trX, trY, teX, teY := churnData(t)
	train, test := frameOf(t, trX, trY, nil), frameOf(t, teX, teY, nil)
	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 1.0 / float64(len(trY))
	m, err := lr.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	auc, err := evaluation.AreaUnderROC(positiveScores(t, out, "probability"), teY, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.(*classification.LogisticRegressionModel).Summary()
	trainAUC, err := s.AreaUnderROC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := s.Accuracy(ctx)
	t.Logf("logistic regression: test AUC %.4f, train AUC %.4f, train accuracy %.4f, %d iterations", auc, trainAUC, acc, s.TotalIterations)
	if auc < 0.830 {
		t.Errorf("test AUC %.4f, want >= 0.830", auc)
	}
	if math.Abs(trainAUC-auc) > 0.05 {
		t.Errorf("train AUC %.4f far from test AUC %.4f", trainAUC, auc)
	}
}

var positiveScores = mltest.Positive
