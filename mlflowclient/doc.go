// Package mlflowclient is a typed Go client of MLflow's REST API 2.0 —
// Sluice's own tracking server or any MLflow server.
//
// New takes the server's root URL (what MLflow calls the tracking URI)
// and options: WithHTTPClient to send requests through another
// *http.Client (for example one whose transport calls the in-process
// handler of a workspace, so no server needs to run), and WithToken for
// the bearer token a server started with --token wants (the CLI reads it
// from SLUICE_TOKEN).
//
// Every RPC has a method named after it taking the request message and
// returning the response message of packages tracking (experiments, runs,
// metrics) and registry (registered models, model versions):
//
//	c, _ := mlflowclient.New("http://127.0.0.1:8080")
//	exp, err := c.GetExperimentByName(ctx, &tracking.GetExperimentByName{ExperimentName: "churn"})
//
// All of them go through Call, the one request path: GET requests carry
// the message as a query string, others as a JSON body; a non-2xx answer
// with MLflow's error body {"error_code", "message"} is returned as an
// *apierr.Error holding the server's code and message, so callers branch
// with apierr.IsNotFound and friends exactly as they would on the store.
//
// Artifacts travel through the server's mlflow-artifacts proxy
// (/api/2.0/mlflow-artifacts/artifacts/…): UploadArtifact, LogArtifact and
// LogArtifacts upload under a run's artifact_uri, DownloadArtifact(s)
// fetch, ListProxyArtifacts lists. Only mlflow-artifacts: URIs are
// accepted; artifact paths with "..", "." or absolute elements are
// refused before any request.
//
// Helpers built on the RPCs: GetOrCreateExperiment, LogBatchChunked
// (splits any number of metrics, params and tags into calls within
// MLflow's log-batch limits) and SearchAllRuns.
//
// A Client is safe for concurrent use.
package mlflowclient
