package clustering_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
	"github.com/sluice-dev/sluice/ml/stages"
)

// TestKMeansPersistence saves fitted models and estimators with ml.Save
// and loads them with the full registry: params, centres, summary and
// predictions survive the round trip.
func TestKMeansPersistence(t *testing.T) {
	x := blobs(400, 3, 4, 5, 1, 2)
	f := mltest.Frame(t, x, nil, nil, nil)
	reg := stages.Registry(nil)
	km := clustering.NewKMeans()
	km.P.K, km.P.DistanceCol, km.P.DistanceMeasure = 4, "dist", "cosine"
	bk := clustering.NewBisectingKMeans()
	bk.P.K, bk.P.DistanceCol, bk.P.MinDivisibleClusterSize = 5, "dist", 0.01
	for _, est := range []ml.Estimator{km, bk} {
		t.Run(est.StageName(), func(t *testing.T) {
			m, err := est.Fit(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "model")
			if err := ml.Save(dir, m); err != nil {
				t.Fatal(err)
			}
			loaded, err := ml.Load(dir, reg)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.StageName() != m.StageName() {
				t.Fatalf("loaded %s, saved %s", loaded.StageName(), m.StageName())
			}
			want := transform(t, m, f)
			got := transform(t, loaded.(ml.Model), f)
			if !slices.Equal(mltest.Floats(t, got, "prediction"), mltest.Floats(t, want, "prediction")) ||
				!slices.Equal(mltest.Floats(t, got, "dist"), mltest.Floats(t, want, "dist")) {
				t.Error("the loaded model predicts differently")
			}
			type summary struct {
				centers [][]float64
				cost    float64
				iter    int
				sizes   []int64
				debug   string
			}
			sum := func(s ml.Stage) summary {
				switch m := s.(type) {
				case *clustering.KMeansModel:
					return summary{m.Centers, m.TrainingCost, m.NumIter, m.ClusterSizes, m.DebugString()}
				case *clustering.BisectingKMeansModel:
					return summary{m.Centers, m.TrainingCost, m.NumIter, m.ClusterSizes, m.DebugString()}
				}
				t.Fatalf("unexpected model %T", s)
				return summary{}
			}
			a, b := sum(m), sum(loaded)
			if a.cost != b.cost || a.iter != b.iter || !slices.Equal(a.sizes, b.sizes) || a.debug != b.debug || len(a.centers) != len(b.centers) {
				t.Errorf("summary changed:\n%s\nloaded:\n%s", a.debug, b.debug)
			}
			for j := range a.centers {
				if !slices.Equal(a.centers[j], b.centers[j]) {
					t.Errorf("centre %d: %v, loaded %v", j, a.centers[j], b.centers[j])
				}
			}
			// The estimator round-trips too, params included.
			edir := filepath.Join(t.TempDir(), "estimator")
			if err := ml.Save(edir, est); err != nil {
				t.Fatal(err)
			}
			le, err := ml.Load(edir, reg)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ml.ParamList(le), ml.ParamList(est); len(got) != len(want) {
				t.Fatalf("params %v, want %v", got, want)
			} else {
				for i := range got {
					if got[i].Name != want[i].Name || got[i].Value != want[i].Value {
						t.Errorf("param %s = %v after loading, want %v", got[i].Name, got[i].Value, want[i].Value)
					}
				}
			}
		})
	}
}

// TestKMeansRegistry sets params by Spark name, as YAML specs do.
func TestKMeansRegistry(t *testing.T) {
	reg := stages.Registry(nil)
	for _, name := range []string{"KMeans", "KMeansModel", "BisectingKMeans", "BisectingKMeansModel"} {
		if _, err := reg.New(name); err != nil {
			t.Errorf("registry: %v", err)
		}
	}
	s, err := reg.New("KMeans")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"k": 3.0, "initMode": "random", "distanceMeasure": "cosine", "tol": 0, "distanceCol": "d", "maxIter": 7.0} {
		if err := ml.SetParam(s, k, v); err != nil {
			t.Fatal(err)
		}
	}
	p := s.(*clustering.KMeans).P
	if p.K != 3 || p.InitMode != "random" || p.DistanceMeasure != "cosine" || p.MaxIter != 7 || p.DistanceCol != "d" {
		t.Errorf("params after SetParam: %+v", p)
	}
	if err := ml.SetParam(s, "initSteps", 0.5); err == nil {
		t.Error("initSteps 0.5 accepted")
	}
}
