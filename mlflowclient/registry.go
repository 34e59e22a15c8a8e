package mlflowclient

// One method per MLflow RPC, named after it, taking the request message
// and returning the response message. Each is safe for concurrent use;
// ctx bounds the request; errors are as Call describes.

import (
	"context"

	"github.com/sluice-dev/sluice/registry"
)

// CreateRegisteredModel calls POST registered-models/create: creates a registered model; RESOURCE_ALREADY_EXISTS when the name is taken.
func (c *Client) CreateRegisteredModel(ctx context.Context, req *registry.CreateRegisteredModel) (*registry.CreateRegisteredModelResponse, error) {
	return call[registry.CreateRegisteredModelResponse](ctx, c, "POST", "registered-models/create", req)
}

// GetRegisteredModel calls GET registered-models/get: returns a registered model.
func (c *Client) GetRegisteredModel(ctx context.Context, req *registry.GetRegisteredModel) (*registry.GetRegisteredModelResponse, error) {
	return call[registry.GetRegisteredModelResponse](ctx, c, "GET", "registered-models/get", req)
}

// SearchRegisteredModels calls GET registered-models/search: lists registered models matching a filter.
func (c *Client) SearchRegisteredModels(ctx context.Context, req *registry.SearchRegisteredModels) (*registry.SearchRegisteredModelsResponse, error) {
	return call[registry.SearchRegisteredModelsResponse](ctx, c, "GET", "registered-models/search", req)
}

// UpdateRegisteredModel calls PATCH registered-models/update: updates a registered model's description.
func (c *Client) UpdateRegisteredModel(ctx context.Context, req *registry.UpdateRegisteredModel) (*registry.UpdateRegisteredModelResponse, error) {
	return call[registry.UpdateRegisteredModelResponse](ctx, c, "PATCH", "registered-models/update", req)
}

// RenameRegisteredModel calls POST registered-models/rename: renames a registered model.
func (c *Client) RenameRegisteredModel(ctx context.Context, req *registry.RenameRegisteredModel) (*registry.RenameRegisteredModelResponse, error) {
	return call[registry.RenameRegisteredModelResponse](ctx, c, "POST", "registered-models/rename", req)
}

// DeleteRegisteredModel calls DELETE registered-models/delete: deletes a registered model and its versions.
func (c *Client) DeleteRegisteredModel(ctx context.Context, req *registry.DeleteRegisteredModel) (*registry.DeleteRegisteredModelResponse, error) {
	return call[registry.DeleteRegisteredModelResponse](ctx, c, "DELETE", "registered-models/delete", req)
}

// GetLatestVersions calls POST registered-models/get-latest-versions: returns the newest version in each (or each given) stage.
func (c *Client) GetLatestVersions(ctx context.Context, req *registry.GetLatestVersions) (*registry.GetLatestVersionsResponse, error) {
	return call[registry.GetLatestVersionsResponse](ctx, c, "POST", "registered-models/get-latest-versions", req)
}

// SetRegisteredModelTag calls POST registered-models/set-tag: sets a tag on a registered model.
func (c *Client) SetRegisteredModelTag(ctx context.Context, req *registry.SetRegisteredModelTag) (*registry.SetRegisteredModelTagResponse, error) {
	return call[registry.SetRegisteredModelTagResponse](ctx, c, "POST", "registered-models/set-tag", req)
}

// DeleteRegisteredModelTag calls DELETE registered-models/delete-tag: deletes a tag of a registered model.
func (c *Client) DeleteRegisteredModelTag(ctx context.Context, req *registry.DeleteRegisteredModelTag) (*registry.DeleteRegisteredModelTagResponse, error) {
	return call[registry.DeleteRegisteredModelTagResponse](ctx, c, "DELETE", "registered-models/delete-tag", req)
}

// SetRegisteredModelAlias calls POST registered-models/alias: points an alias at a version (moving it if set).
func (c *Client) SetRegisteredModelAlias(ctx context.Context, req *registry.SetRegisteredModelAlias) (*registry.SetRegisteredModelAliasResponse, error) {
	return call[registry.SetRegisteredModelAliasResponse](ctx, c, "POST", "registered-models/alias", req)
}

// DeleteRegisteredModelAlias calls DELETE registered-models/alias: deletes an alias.
func (c *Client) DeleteRegisteredModelAlias(ctx context.Context, req *registry.DeleteRegisteredModelAlias) (*registry.DeleteRegisteredModelAliasResponse, error) {
	return call[registry.DeleteRegisteredModelAliasResponse](ctx, c, "DELETE", "registered-models/alias", req)
}

// GetModelVersionByAlias calls GET registered-models/alias: returns the version an alias points at.
func (c *Client) GetModelVersionByAlias(ctx context.Context, req *registry.GetModelVersionByAlias) (*registry.GetModelVersionByAliasResponse, error) {
	return call[registry.GetModelVersionByAliasResponse](ctx, c, "GET", "registered-models/alias", req)
}

// CreateModelVersion calls POST model-versions/create: creates the next version of a registered model from a source URI.
func (c *Client) CreateModelVersion(ctx context.Context, req *registry.CreateModelVersion) (*registry.CreateModelVersionResponse, error) {
	return call[registry.CreateModelVersionResponse](ctx, c, "POST", "model-versions/create", req)
}

// GetModelVersion calls GET model-versions/get: returns one model version.
func (c *Client) GetModelVersion(ctx context.Context, req *registry.GetModelVersion) (*registry.GetModelVersionResponse, error) {
	return call[registry.GetModelVersionResponse](ctx, c, "GET", "model-versions/get", req)
}

// SearchModelVersions calls GET model-versions/search: lists model versions matching a filter.
func (c *Client) SearchModelVersions(ctx context.Context, req *registry.SearchModelVersions) (*registry.SearchModelVersionsResponse, error) {
	return call[registry.SearchModelVersionsResponse](ctx, c, "GET", "model-versions/search", req)
}

// UpdateModelVersion calls PATCH model-versions/update: updates a version's description.
func (c *Client) UpdateModelVersion(ctx context.Context, req *registry.UpdateModelVersion) (*registry.UpdateModelVersionResponse, error) {
	return call[registry.UpdateModelVersionResponse](ctx, c, "PATCH", "model-versions/update", req)
}

// DeleteModelVersion calls DELETE model-versions/delete: deletes a model version.
func (c *Client) DeleteModelVersion(ctx context.Context, req *registry.DeleteModelVersion) (*registry.DeleteModelVersionResponse, error) {
	return call[registry.DeleteModelVersionResponse](ctx, c, "DELETE", "model-versions/delete", req)
}

// TransitionModelVersionStage calls POST model-versions/transition-stage: moves a version to a stage (None, Staging, Production, Archived).
func (c *Client) TransitionModelVersionStage(ctx context.Context, req *registry.TransitionModelVersionStage) (*registry.TransitionModelVersionStageResponse, error) {
	return call[registry.TransitionModelVersionStageResponse](ctx, c, "POST", "model-versions/transition-stage", req)
}

// GetModelVersionDownloadURI calls GET model-versions/get-download-uri: returns the artifact URI a version's files are at.
func (c *Client) GetModelVersionDownloadURI(ctx context.Context, req *registry.GetModelVersionDownloadURI) (*registry.GetModelVersionDownloadURIResponse, error) {
	return call[registry.GetModelVersionDownloadURIResponse](ctx, c, "GET", "model-versions/get-download-uri", req)
}

// SetModelVersionTag calls POST model-versions/set-tag: sets a tag on a model version.
func (c *Client) SetModelVersionTag(ctx context.Context, req *registry.SetModelVersionTag) (*registry.SetModelVersionTagResponse, error) {
	return call[registry.SetModelVersionTagResponse](ctx, c, "POST", "model-versions/set-tag", req)
}

// DeleteModelVersionTag calls DELETE model-versions/delete-tag: deletes a tag of a model version.
func (c *Client) DeleteModelVersionTag(ctx context.Context, req *registry.DeleteModelVersionTag) (*registry.DeleteModelVersionTagResponse, error) {
	return call[registry.DeleteModelVersionTagResponse](ctx, c, "DELETE", "model-versions/delete-tag", req)
}
