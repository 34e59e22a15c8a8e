package mlflowclient_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// Example logs a run's params and metrics and reads the run back.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "mlflowclient-example-")
	defer os.RemoveAll(dir)
	st, _ := stores.New(stores.Config{Dir: dir})
	defer st.Close()
	api, _ := server.NewAPI(ctx, st, nil)
	srv := httptest.NewServer(api) // or any MLflow tracking server's URL
	defer srv.Close()

	c, err := mlflowclient.New(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	exp, _ := c.GetOrCreateExperiment(ctx, "demo")
	run, err := c.CreateRun(ctx, &tracking.CreateRun{ExperimentID: exp, RunName: "first"})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := run.Run.Info.RunID
	err = c.LogBatchChunked(ctx, id,
		[]tracking.Metric{{Key: "rmse", Value: 0.25, Timestamp: 1}},
		[]tracking.Param{{Key: "alpha", Value: "0.5"}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := c.GetRun(ctx, &tracking.GetRun{RunID: id})
	fmt.Println(got.Run.Info.RunName, got.Run.Data.Params[0].Key, got.Run.Data.Params[0].Value, got.Run.Data.Metrics[0].Value)

	// Server errors are *apierr.Error with MLflow's code.
	_, err = c.GetRun(ctx, &tracking.GetRun{RunID: "nope"})
	fmt.Println(apierr.CodeOf(err))
	// Output:
	// first alpha 0.5 0.25
	// RESOURCE_DOES_NOT_EXIST
}
