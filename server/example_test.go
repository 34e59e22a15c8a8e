package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// LocalClient serves requests with a handler in process: no listener.
func ExampleLocalClient() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})
	resp, err := server.LocalClient(mux).Get(server.LocalURL + "/hello/sluice")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b))
	// Output: 200 hello, sluice
}

// NewAPI and LocalClient give an MLflow client of a workspace's stores
// with no server running, as the CLI does.
func ExampleNewAPI() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sluice-example-")
	defer os.RemoveAll(dir)
	st, err := stores.New(stores.Config{Dir: dir})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	api, err := server.NewAPI(ctx, st, nil)
	if err != nil {
		panic(err)
	}
	cl, err := mlflowclient.New(server.LocalURL, mlflowclient.WithHTTPClient(server.LocalClient(api)))
	if err != nil {
		panic(err)
	}
	id, err := cl.GetOrCreateExperiment(ctx, "churn")
	if err != nil {
		panic(err)
	}
	got, err := cl.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: id})
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Experiment.Name, got.Experiment.ArtifactLocation)
	// Output: churn mlflow-artifacts:/1
}
