package evaluation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// reference mirrors testdata/reference.json, written by
// testdata/gen_reference.py (scikit-learn, plus numpy where Spark's
// definition differs from scikit-learn's; the script explains each case).
type reference struct {
	Binary []struct {
		Name          string
		Scores        []float64
		Labels        []float64
		Weights       []float64
		ROCAUC        float64   `json:"roc_auc"`
		ROCFPR        []float64 `json:"roc_fpr"`
		ROCTPR        []float64 `json:"roc_tpr"`
		ROCThresholds []float64 `json:"roc_thresholds"`
		SparkPRAUC    float64   `json:"spark_pr_auc"`
		SparkBinned   []struct {
			NumBins    int     `json:"num_bins"`
			ROCAUC     float64 `json:"roc_auc"`
			PRAUC      float64 `json:"pr_auc"`
			Thresholds int
		} `json:"spark_binned"`
	}
	Multiclass []struct {
		Name             string
		Predictions      []float64
		Labels           []float64
		Weights          []float64
		Probabilities    [][]float64
		Classes          []float64
		Accuracy         float64
		HammingLoss      float64 `json:"hamming_loss"`
		LogLoss          float64 `json:"log_loss"`
		Beta1            refFBeta
		Beta05           refFBeta  `json:"beta0.5"`
		SparkFPR         []float64 `json:"spark_fpr"`
		SparkWeightedFPR float64   `json:"spark_weighted_fpr"`
	}
	Regression []struct {
		Name                   string
		Predictions            []float64
		Labels                 []float64
		Weights                []float64
		MSE, RMSE, MAE         float64
		SklearnR2              float64 `json:"sklearn_r2"`
		SparkR2                float64 `json:"spark_r2"`
		SparkExplainedVariance float64 `json:"spark_explained_variance"`
		SparkR2ThroughOrigin   float64 `json:"spark_r2_through_origin"`
	}
}

type refFBeta struct {
	Beta              float64
	Precision         []float64
	Recall            []float64
	F                 []float64
	WeightedPrecision float64 `json:"weighted_precision"`
	WeightedRecall    float64 `json:"weighted_recall"`
	WeightedF         float64 `json:"weighted_f"`
}

const refTol = 1e-12

func loadReference(tb testing.TB) *reference {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		tb.Fatalf("read reference (regenerate with testdata/gen_reference.py): %v", err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatalf("parse reference.json: %v", err)
	}
	if len(r.Binary) == 0 || len(r.Multiclass) == 0 || len(r.Regression) == 0 {
		tb.Fatal("reference.json has an empty section")
	}
	return &r
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want, refTol) {
		t.Errorf("%s: got %.17g, want %.17g", what, got, want)
	}
}

func TestReferenceBinary(t *testing.T) {
	for _, c := range loadReference(t).Binary {
		t.Run(c.Name, func(t *testing.T) {
			auc, err := AreaUnderROC(c.Scores, c.Labels, c.Weights)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "areaUnderROC vs sklearn roc_auc_score", auc, c.ROCAUC)
			pr, err := AreaUnderPR(c.Scores, c.Labels, c.Weights)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "areaUnderPR vs Spark-rule trapezoid", pr, c.SparkPRAUC)

			// sklearn's roc_curve(drop_intermediate=False) is our curve without
			// the trailing (1, 1) point Spark appends.
			roc, err := ROCCurve(c.Scores, c.Labels, c.Weights)
			if err != nil {
				t.Fatal(err)
			}
			if len(roc) != len(c.ROCFPR)+1 {
				t.Fatalf("ROC curve: got %d points, want %d", len(roc), len(c.ROCFPR)+1)
			}
			for i := range c.ROCFPR {
				checkNear(t, "FPR", roc[i].FPR, c.ROCFPR[i])
				checkNear(t, "TPR", roc[i].TPR, c.ROCTPR[i])
				if i > 0 && roc[i].Threshold != c.ROCThresholds[i-1] {
					t.Errorf("threshold %d: got %v, want %v", i, roc[i].Threshold, c.ROCThresholds[i-1])
				}
			}
		})
	}
}

func TestReferenceMulticlass(t *testing.T) {
	for _, c := range loadReference(t).Multiclass {
		t.Run(c.Name, func(t *testing.T) {
			m := MustConfusion(t, c.Predictions, c.Labels, c.Weights)
			checkNear(t, "accuracy", m.Accuracy(), c.Accuracy)
			checkNear(t, "hammingLoss", m.HammingLoss(), c.HammingLoss)
			checkNear(t, "weightedFalsePositiveRate", m.WeightedFalsePositiveRate(), c.SparkWeightedFPR)
			ll, err := LogLoss(c.Probabilities, c.Labels, c.Weights, DefaultLogLossEps)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "logLoss", ll, c.LogLoss)
			for _, fb := range []refFBeta{c.Beta1, c.Beta05} {
				wf, err := m.WeightedFMeasure(fb.Beta)
				if err != nil {
					t.Fatal(err)
				}
				checkNear(t, "weightedFMeasure", wf, fb.WeightedF)
				checkNear(t, "weightedPrecision", m.WeightedPrecision(), fb.WeightedPrecision)
				checkNear(t, "weightedRecall", m.WeightedRecall(), fb.WeightedRecall)
				for i, l := range c.Classes {
					p, err1 := m.Precision(l)
					r, err2 := m.Recall(l)
					f, err3 := m.FMeasure(l, fb.Beta)
					fpr, err4 := m.FalsePositiveRate(l)
					if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
						t.Fatalf("label %v: %v %v %v %v", l, err1, err2, err3, err4)
					}
					checkNear(t, "precision", p, fb.Precision[i])
					checkNear(t, "recall", r, fb.Recall[i])
					checkNear(t, "fMeasure", f, fb.F[i])
					checkNear(t, "falsePositiveRate", fpr, c.SparkFPR[i])
				}
			}
			if fb := c.Beta1; !near(m.F1(), fb.WeightedF, refTol) {
				t.Errorf("f1: got %v, want %v", m.F1(), fb.WeightedF)
			}
		})
	}
}

func TestReferenceRegression(t *testing.T) {
	for _, c := range loadReference(t).Regression {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Regression(c.Predictions, c.Labels, c.Weights)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "mse", got.MSE, c.MSE)
			checkNear(t, "rmse", got.RMSE, c.RMSE)
			checkNear(t, "mae", got.MAE, c.MAE)
			checkNear(t, "r2 vs Spark rule", got.R2, c.SparkR2)
			if c.Weights == nil {
				checkNear(t, "r2 vs sklearn (unit weights)", got.R2, c.SklearnR2)
			}
			checkNear(t, "var", got.ExplainedVariance, c.SparkExplainedVariance)
		})
	}
}
