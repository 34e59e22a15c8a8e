package clustering_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// gmmReference is testdata/gmm_reference.json, written by
// testdata/gmm_gen_reference.py with scikit-learn 1.2.
type gmmReference struct {
	GMM []struct {
		Name         string      `json:"name"`
		K            int         `json:"k"`
		X            [][]float64 `json:"X"`
		Weights      []float64   `json:"weights"`
		Means        [][]float64 `json:"means"`
		Covs         [][]float64 `json:"covs"`
		Score        float64     `json:"score"`
		ScoreSamples []float64   `json:"scoreSamples"`
		Probability  [][]float64 `json:"probability"`
	} `json:"gmm"`
}

func TestGaussianMixtureReference(t *testing.T) {
	b, err := os.ReadFile("testdata/gmm_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref gmmReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, rc := range ref.GMM {
		t.Run(rc.Name, func(t *testing.T) {
			f := mltest.Frame(t, rc.X, nil, nil, nil)
			ctx := context.Background()

			// scikit-learn's parameters in a Sluice model: the same
			// densities and posteriors, whatever the initialisation.
			sk := &clustering.GaussianMixtureModel{P: clustering.NewGaussianMixture().P, Weights: rc.Weights, Means: rc.Means, Covs: rc.Covs}
			sk.P.K = rc.K
			score, err := sk.Score(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			gmmClose(t, "score with scikit-learn's parameters", score, rc.Score, 1e-9*math.Abs(rc.Score))
			out, err := sk.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range mltest.Vectors(t, out, "probability") {
				for c := range p {
					if math.Abs(p[c]-rc.Probability[i][c]) > 1e-9 {
						t.Fatalf("row %d: probability %v, scikit-learn %v", i+1, p, rc.Probability[i])
					}
				}
			}
			one := mltest.Frame(t, rc.X[:1], nil, nil, nil)
			if s, _ := sk.Score(ctx, one); math.Abs(s-rc.ScoreSamples[0]) > 1e-9*math.Abs(s) {
				t.Errorf("row 1 log-density %v, scikit-learn %v", s, rc.ScoreSamples[0])
			}

			// Sluice's own fit, run to EM's fixed point like the reference:
			// the same optimum, so the same parameters up to component order.
			g := clustering.NewGaussianMixture()
			g.P.K, g.P.Tol, g.P.MaxIter = rc.K, 1e-10*float64(len(rc.X)), 1000
			m := gmmFit(t, g, rc.X, nil)
			mine, err := m.Score(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			gmmClose(t, "mean log-likelihood", mine, rc.Score, 1e-6*math.Abs(rc.Score))
			om, or := gmmSorted(m.Means), gmmSorted(rc.Means)
			for i := range om {
				a, b := om[i], or[i]
				gmmClose(t, "weight", m.Weights[a], rc.Weights[b], 1e-5)
				for j := range rc.Means[b] {
					gmmClose(t, "mean", m.Means[a][j], rc.Means[b][j], 1e-5)
				}
				for j := range rc.Covs[b] {
					gmmClose(t, "cov", m.Covs[a][j], rc.Covs[b][j], 1e-5)
				}
			}
		})
	}
}
