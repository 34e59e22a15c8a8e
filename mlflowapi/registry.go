package mlflowapi

import (
	"context"
	"net/http"

	"github.com/sluice-dev/sluice/registry"
)

// RegisterRegistry mounts the model registry endpoints of MLflow's
// model_registry.proto on api, served by s:
//
//	POST        registered-models/create
//	GET         registered-models/get
//	POST        registered-models/rename
//	PATCH       registered-models/update
//	DELETE      registered-models/delete
//	GET         registered-models/search
//	POST, GET   registered-models/get-latest-versions
//	POST        registered-models/set-tag
//	DELETE      registered-models/delete-tag
//	POST        registered-models/alias   (set)
//	DELETE      registered-models/alias   (delete)
//	GET         registered-models/alias   (get model version by alias)
//	POST        model-versions/create
//	GET         model-versions/get
//	PATCH       model-versions/update
//	DELETE      model-versions/delete
//	GET         model-versions/search
//	POST        model-versions/set-tag
//	DELETE      model-versions/delete-tag
//	POST        model-versions/transition-stage
//	GET         model-versions/get-download-uri
//
// Requests are decoded with Decode (JSON body, or the query string for
// GET and for DELETE without a body); the store's *apierr.Error values
// become MLflow's error bodies and statuses.
func RegisterRegistry(api *API, s *registry.Store) {
	post, get, patch, del := []string{http.MethodPost}, []string{http.MethodGet}, []string{http.MethodPatch}, []string{http.MethodDelete}
	registryRPC(api, "registered-models/create", post, s.CreateRegisteredModel)
	registryRPC(api, "registered-models/get", get, s.GetRegisteredModel)
	registryRPC(api, "registered-models/rename", post, s.RenameRegisteredModel)
	registryRPC(api, "registered-models/update", patch, s.UpdateRegisteredModel)
	registryRPC(api, "registered-models/delete", del, s.DeleteRegisteredModel)
	registryRPC(api, "registered-models/search", get, s.SearchRegisteredModels)
	registryRPC(api, "registered-models/get-latest-versions", []string{http.MethodPost, http.MethodGet}, s.GetLatestVersions)
	registryRPC(api, "registered-models/set-tag", post, s.SetRegisteredModelTag)
	registryRPC(api, "registered-models/delete-tag", del, s.DeleteRegisteredModelTag)
	registryRPC(api, "registered-models/alias", post, s.SetRegisteredModelAlias)
	registryRPC(api, "registered-models/alias", del, s.DeleteRegisteredModelAlias)
	registryRPC(api, "registered-models/alias", get, s.GetModelVersionByAlias)
	registryRPC(api, "model-versions/create", post, s.CreateModelVersion)
	registryRPC(api, "model-versions/get", get, s.GetModelVersion)
	registryRPC(api, "model-versions/update", patch, s.UpdateModelVersion)
	registryRPC(api, "model-versions/delete", del, s.DeleteModelVersion)
	registryRPC(api, "model-versions/search", get, s.SearchModelVersions)
	registryRPC(api, "model-versions/set-tag", post, s.SetModelVersionTag)
	registryRPC(api, "model-versions/delete-tag", del, s.DeleteModelVersionTag)
	registryRPC(api, "model-versions/transition-stage", post, s.TransitionModelVersionStage)
	registryRPC(api, "model-versions/get-download-uri", get, s.GetModelVersionDownloadURI)
}

// registryRPC mounts one store method: decode the request message, call
// fn with the request's context, answer its response.
func registryRPC[Req, Resp any](api *API, path string, methods []string, fn func(context.Context, *Req) (*Resp, error)) {
	api.Handle(path, methods, func(r *http.Request) (any, error) {
		var req Req
		if err := Decode(r, &req); err != nil {
			return nil, err
		}
		resp, err := fn(r.Context(), &req)
		if err != nil {
			return nil, err
		}
		return resp, nil
	})
}
