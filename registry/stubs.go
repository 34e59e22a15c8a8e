package registry

import (
	"context"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
)

var migrations = []metastore.Migration{}

func todo() error { return apierr.New(apierr.NotImplemented, "not implemented yet") }

// CreateRegisteredModel creates a registered model with tags and description.
func (s *Store) CreateRegisteredModel(ctx context.Context, req *CreateRegisteredModel) (*CreateRegisteredModelResponse, error) {
	return nil, todo()
}

// RenameRegisteredModel renames a registered model; its versions follow.
func (s *Store) RenameRegisteredModel(ctx context.Context, req *RenameRegisteredModel) (*RenameRegisteredModelResponse, error) {
	return nil, todo()
}

// UpdateRegisteredModel updates a registered model's description.
func (s *Store) UpdateRegisteredModel(ctx context.Context, req *UpdateRegisteredModel) (*UpdateRegisteredModelResponse, error) {
	return nil, todo()
}

// DeleteRegisteredModel deletes a registered model, its versions, tags and aliases.
func (s *Store) DeleteRegisteredModel(ctx context.Context, req *DeleteRegisteredModel) (*DeleteRegisteredModelResponse, error) {
	return nil, todo()
}

// GetRegisteredModel returns a registered model with latest versions per stage, tags and aliases.
func (s *Store) GetRegisteredModel(ctx context.Context, req *GetRegisteredModel) (*GetRegisteredModelResponse, error) {
	return nil, todo()
}

// SearchRegisteredModels searches registered models.
func (s *Store) SearchRegisteredModels(ctx context.Context, req *SearchRegisteredModels) (*SearchRegisteredModelsResponse, error) {
	return nil, todo()
}

// GetLatestVersions returns the latest version per stage.
func (s *Store) GetLatestVersions(ctx context.Context, req *GetLatestVersions) (*GetLatestVersionsResponse, error) {
	return nil, todo()
}

// CreateModelVersion creates the next version of a registered model.
func (s *Store) CreateModelVersion(ctx context.Context, req *CreateModelVersion) (*CreateModelVersionResponse, error) {
	return nil, todo()
}

// UpdateModelVersion updates a version's description.
func (s *Store) UpdateModelVersion(ctx context.Context, req *UpdateModelVersion) (*UpdateModelVersionResponse, error) {
	return nil, todo()
}

// TransitionModelVersionStage moves a version to a stage.
func (s *Store) TransitionModelVersionStage(ctx context.Context, req *TransitionModelVersionStage) (*TransitionModelVersionStageResponse, error) {
	return nil, todo()
}

// DeleteModelVersion deletes a version.
func (s *Store) DeleteModelVersion(ctx context.Context, req *DeleteModelVersion) (*DeleteModelVersionResponse, error) {
	return nil, todo()
}

// GetModelVersion returns a version.
func (s *Store) GetModelVersion(ctx context.Context, req *GetModelVersion) (*GetModelVersionResponse, error) {
	return nil, todo()
}

// SearchModelVersions searches model versions.
func (s *Store) SearchModelVersions(ctx context.Context, req *SearchModelVersions) (*SearchModelVersionsResponse, error) {
	return nil, todo()
}

// GetModelVersionDownloadURI returns where a version's artifacts are.
func (s *Store) GetModelVersionDownloadURI(ctx context.Context, req *GetModelVersionDownloadURI) (*GetModelVersionDownloadURIResponse, error) {
	return nil, todo()
}

// SetRegisteredModelTag sets a registered model tag.
func (s *Store) SetRegisteredModelTag(ctx context.Context, req *SetRegisteredModelTag) (*SetRegisteredModelTagResponse, error) {
	return nil, todo()
}

// SetModelVersionTag sets a model version tag.
func (s *Store) SetModelVersionTag(ctx context.Context, req *SetModelVersionTag) (*SetModelVersionTagResponse, error) {
	return nil, todo()
}

// DeleteRegisteredModelTag deletes a registered model tag.
func (s *Store) DeleteRegisteredModelTag(ctx context.Context, req *DeleteRegisteredModelTag) (*DeleteRegisteredModelTagResponse, error) {
	return nil, todo()
}

// DeleteModelVersionTag deletes a model version tag.
func (s *Store) DeleteModelVersionTag(ctx context.Context, req *DeleteModelVersionTag) (*DeleteModelVersionTagResponse, error) {
	return nil, todo()
}

// SetRegisteredModelAlias points an alias at a version.
func (s *Store) SetRegisteredModelAlias(ctx context.Context, req *SetRegisteredModelAlias) (*SetRegisteredModelAliasResponse, error) {
	return nil, todo()
}

// DeleteRegisteredModelAlias deletes an alias.
func (s *Store) DeleteRegisteredModelAlias(ctx context.Context, req *DeleteRegisteredModelAlias) (*DeleteRegisteredModelAliasResponse, error) {
	return nil, todo()
}

// GetModelVersionByAlias returns the version an alias names.
func (s *Store) GetModelVersionByAlias(ctx context.Context, req *GetModelVersionByAlias) (*GetModelVersionByAliasResponse, error) {
	return nil, todo()
}

// AliasVersion returns the version number alias names on model name with
// one indexed query, for watchers such as the serving layer.
func (s *Store) AliasVersion(ctx context.Context, name, alias string) (string, error) {
	return "", todo()
}
