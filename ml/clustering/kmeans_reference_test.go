package clustering_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// TestKMeansOptimumReference fits the reference's well-separated blobs
// with k-means|| and compares centres and cost with scikit-learn's best
// of 10 k-means++ runs (testdata/kmeans_gen_reference.py).
func TestKMeansOptimumReference(t *testing.T) {
	b, err := os.ReadFile("testdata/kmeans_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Optimum []struct {
			Name    string      `json:"name"`
			X       [][]float64 `json:"X"`
			K       int         `json:"k"`
			Centers [][]float64 `json:"centers"`
			Cost    float64     `json:"cost"`
		} `json:"optimum"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Optimum {
		t.Run(c.Name, func(t *testing.T) {
			km := clustering.NewKMeans()
			km.P.K, km.P.Tol = c.K, 0
			m := fitKMeans(t, km, mltest.Frame(t, c.X, nil, nil, nil))
			if !near(m.TrainingCost, c.Cost, 1e-9) {
				t.Errorf("cost %.12g, scikit-learn %.12g", m.TrainingCost, c.Cost)
			}
			got := sortedCenters(m.Centers)
			for j := range c.Centers {
				for q, v := range c.Centers[j] {
					if !near(got[j][q], v, 1e-9) {
						t.Fatalf("centres %v, scikit-learn %v", got, c.Centers)
					}
				}
			}
		})
	}
}
