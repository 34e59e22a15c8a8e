// Package server is `sluice server`: one long-running HTTP process that
// composes
//
//   - MLflow's REST API 2.0 (package mlflowapi) over the tracking store,
//     the model registry and the artifact store, under /api/2.0/mlflow/,
//     /ajax-api/2.0/mlflow/ and /api/2.0/mlflow-artifacts/;
//   - model serving under /serving/NAME/… (package serving): /ping,
//     /health, /version and /invocations of registered model NAME at the
//     version its Config.ServingAlias (default "champion") points to, else
//     its latest version. Models load on their first request and are
//     re-resolved every Config.ServingPoll — and at once when an alias is
//     set or deleted through this server — and a new version is swapped
//     in without failing requests;
//   - GET /health ("OK"), GET /version and GET /metrics (Prometheus text
//     format, from a registry of the server's own unless Config.Registerer
//     is given).
//
// Every request is counted and timed per route — the ServeMux pattern that
// matched, never the raw path, so label cardinality stays bounded — as
// sluice_http_requests_total{route,method,code} and
// sluice_http_request_duration_seconds{route,method}, and logged as one
// structured log/slog record.
//
// When Config.Token is set, every request except GET /health must carry
// "Authorization: Bearer <token>"; others get 401 with MLflow's error body
// (error_code UNAUTHENTICATED). /health stays open so that load balancers
// and orchestrators can probe liveness without the secret. Tokens are
// compared in constant time.
//
// Lifecycle: New (stores owned by the caller, e.g. a workspace) or Open
// (stores named by Config and owned by the server) → Run/Serve until the
// ctx is cancelled, which shuts down gracefully (in-flight requests finish
// within Config.ShutdownTimeout) → Close.
//
// LocalClient gives an *http.Client whose transport calls a handler in
// process, so CLI commands speak the same HTTP API to a workspace with no
// server running.
package server
