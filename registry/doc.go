// Package registry is Sluice's MLflow-compatible model registry:
// registered models, their numbered versions, tags, stages and aliases,
// stored in the metadata database (metastore.DB, SQLite or PostgreSQL;
// component "registry").
//
// Message types are those of MLflow's model_registry.proto with the
// proto's JSON field names (RegisteredModel, ModelVersion,
// CreateRegisteredModel and CreateRegisteredModelResponse, …), and each
// Store method is named after the RPC it implements, taking the request
// and returning the response. mlflowapi.RegisterRegistry serves them over
// HTTP.
//
// Beyond the RPCs, AliasVersion and LatestVersion answer "which version
// does models:/NAME@ALIAS (or models:/NAME/latest) name" with one indexed
// query, for the serving layer to poll; Config.Runs (a RunArtifacts, which
// the server wires from the tracking store) lets
// GetModelVersionDownloadURI turn a "runs:/RUN_ID/path" source into the
// run's artifact location.
//
// Search filters are parsed by tracking/filter (MLflow's grammar: AND of
// comparisons) and translated to SQL here; LIKE is case-sensitive on both
// backends (GLOB on SQLite), ILIKE is not.
//
// Invariants:
//   - model version numbers are 1, 2, 3, … per registered model and are
//     never reused, even after a version is deleted;
//   - renaming a registered model carries its versions, tags and aliases;
//     deleting it deletes them;
//   - an alias names exactly one version of its model; deleting the version
//     deletes the aliases pointing to it;
//   - every version Sluice creates is READY, in stage "None".
//
// Errors caused by the request are *apierr.Error with MLflow's error codes
// (RESOURCE_ALREADY_EXISTS, RESOURCE_DOES_NOT_EXIST,
// INVALID_PARAMETER_VALUE) and messages naming the field or resource.
// A *Store is safe for concurrent use.
package registry
