package mlrun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/mlrun"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// ExampleLogFit fits a cross-validated spec and logs it, in process, to
// a fresh tracking store: a parent run, one child per grid point, and a
// registered model version behind an alias.
func ExampleLogFit() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "mlrun-example-")
	defer os.RemoveAll(dir)

	// The tracking server's API over stores in dir, called in process.
	st, _ := stores.New(stores.Config{Dir: dir})
	defer st.Close()
	api, err := server.NewAPI(ctx, st, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := mlflowclient.New(server.LocalURL, mlflowclient.WithHTTPClient(server.LocalClient(api)))

	// Fit a spec on a small frame.
	path := filepath.Join(dir, "spec.yaml")
	os.WriteFile(path, []byte(cvSpec), 0o644)
	sp, _ := spec.ParseFile(path)
	pl, _ := sp.Build(stages.Registry(nil))
	res, err := pl.Run(ctx, exampleData{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	lg, err := mlrun.LogFit(ctx, c, mlrun.Options{
		Experiment: "toy", Plan: pl, Result: res, RegisterModel: "toy", Alias: "champion",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("experiment:", lg.Experiment, lg.ExperimentID)
	fmt.Println("child runs:", len(lg.ChildRunIDs))
	fmt.Println("registered:", lg.RegisteredURI, "version", lg.ModelVersion)
	// Output:
	// experiment: toy 1
	// child runs: 3
	// registered: models:/toy@champion version 1
}

// exampleData serves the same 40 rows to every query.
type exampleData struct{}

func (exampleData) Frame(context.Context, string, map[string]string) (*ml.Frame, error) {
	n := 40
	x1, x2, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x1[i], x2[i] = float64(i%7)-3, float64(i%5)-2
		if x1[i]+x2[i]+float64(i%3-1)*0.5 > 0 {
			y[i] = 1
		}
	}
	f64 := arrow.PrimitiveTypes.Float64
	return ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "x1", Type: f64}, {Name: "x2", Type: f64}, {Name: "label", Type: f64}}, nil),
		[]*arrow.Chunked{ml.Float64Column(x1), ml.Float64Column(x2), ml.Float64Column(y)})
}
