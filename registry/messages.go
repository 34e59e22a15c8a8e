package registry

// Messages of MLflow's model_registry.proto. JSON field names are the
// proto's; int64 fields are JSON numbers, enums their names; unset fields
// and empty lists are omitted, as MLflow's server does.

// ModelVersionStatus is the proto enum ModelVersionStatus, as its name.
type ModelVersionStatus string

// The model version statuses. Sluice registers versions synchronously, so
// every version it creates is READY.
const (
	StatusPendingRegistration ModelVersionStatus = "PENDING_REGISTRATION"
	StatusFailedRegistration  ModelVersionStatus = "FAILED_REGISTRATION"
	StatusReady               ModelVersionStatus = "READY"
)

// The model version stages (current_stage), with MLflow's spelling. Stage
// names in requests are matched case-insensitively and stored in this form.
const (
	StageNone       = "None"
	StageStaging    = "Staging"
	StageProduction = "Production"
	StageArchived   = "Archived"
)

// Stages lists every stage in MLflow's order.
var Stages = []string{StageNone, StageStaging, StageProduction, StageArchived}

// RegisteredModel is a named model and its metadata.
type RegisteredModel struct {
	Name                 string `json:"name,omitempty"`
	CreationTimestamp    int64  `json:"creation_timestamp,omitempty"`     // ms since the epoch
	LastUpdatedTimestamp int64  `json:"last_updated_timestamp,omitempty"` // ms since the epoch
	UserID               string `json:"user_id,omitempty"`
	Description          string `json:"description,omitempty"`
	// LatestVersions holds the newest version in each stage that has one.
	LatestVersions []ModelVersion         `json:"latest_versions,omitempty"`
	Tags           []RegisteredModelTag   `json:"tags,omitempty"`
	Aliases        []RegisteredModelAlias `json:"aliases,omitempty"`
}

// ModelVersion is one numbered version of a registered model.
type ModelVersion struct {
	Name                 string             `json:"name,omitempty"`
	Version              string             `json:"version,omitempty"` // "1", "2", …
	CreationTimestamp    int64              `json:"creation_timestamp,omitempty"`
	LastUpdatedTimestamp int64              `json:"last_updated_timestamp,omitempty"`
	UserID               string             `json:"user_id,omitempty"`
	CurrentStage         string             `json:"current_stage,omitempty"`
	Description          string             `json:"description,omitempty"`
	Source               string             `json:"source,omitempty"`
	RunID                string             `json:"run_id,omitempty"`
	Status               ModelVersionStatus `json:"status,omitempty"`
	StatusMessage        string             `json:"status_message,omitempty"`
	Tags                 []ModelVersionTag  `json:"tags,omitempty"`
	RunLink              string             `json:"run_link,omitempty"`
	Aliases              []string           `json:"aliases,omitempty"`
}

// RegisteredModelTag is a key-value tag of a registered model.
type RegisteredModelTag struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// ModelVersionTag is a key-value tag of a model version.
type ModelVersionTag struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// RegisteredModelAlias names a version of a registered model.
type RegisteredModelAlias struct {
	Alias   string `json:"alias,omitempty"`
	Version string `json:"version,omitempty"`
}

// CreateRegisteredModel is the request of registered-models/create.
type CreateRegisteredModel struct {
	Name        string               `json:"name,omitempty"`
	Tags        []RegisteredModelTag `json:"tags,omitempty"`
	Description string               `json:"description,omitempty"`
}

// CreateRegisteredModelResponse is the response of registered-models/create.
type CreateRegisteredModelResponse struct {
	RegisteredModel *RegisteredModel `json:"registered_model,omitempty"`
}

// RenameRegisteredModel is the request of registered-models/rename.
type RenameRegisteredModel struct {
	Name    string `json:"name,omitempty"`
	NewName string `json:"new_name,omitempty"`
}

// RenameRegisteredModelResponse is the response of registered-models/rename.
type RenameRegisteredModelResponse struct {
	RegisteredModel *RegisteredModel `json:"registered_model,omitempty"`
}

// UpdateRegisteredModel is the request of registered-models/update.
// Description nil leaves the description unchanged.
type UpdateRegisteredModel struct {
	Name        string  `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// UpdateRegisteredModelResponse is the response of registered-models/update.
type UpdateRegisteredModelResponse struct {
	RegisteredModel *RegisteredModel `json:"registered_model,omitempty"`
}

// DeleteRegisteredModel is the request of registered-models/delete.
type DeleteRegisteredModel struct {
	Name string `json:"name,omitempty"`
}

// DeleteRegisteredModelResponse is the (empty) response of registered-models/delete.
type DeleteRegisteredModelResponse struct{}

// GetRegisteredModel is the request of registered-models/get.
type GetRegisteredModel struct {
	Name string `json:"name,omitempty"`
}

// GetRegisteredModelResponse is the response of registered-models/get.
type GetRegisteredModelResponse struct {
	RegisteredModel *RegisteredModel `json:"registered_model,omitempty"`
}

// SearchRegisteredModels is the request of registered-models/search.
// MaxResults 0 means the default, 100; at most 1,000.
type SearchRegisteredModels struct {
	Filter     string   `json:"filter,omitempty"`
	MaxResults int64    `json:"max_results,omitempty"`
	OrderBy    []string `json:"order_by,omitempty"`
	PageToken  string   `json:"page_token,omitempty"`
}

// SearchRegisteredModelsResponse is the response of registered-models/search.
type SearchRegisteredModelsResponse struct {
	RegisteredModels []RegisteredModel `json:"registered_models,omitempty"`
	NextPageToken    string            `json:"next_page_token,omitempty"`
}

// GetLatestVersions is the request of registered-models/get-latest-versions.
// Empty Stages means every stage.
type GetLatestVersions struct {
	Name   string   `json:"name,omitempty"`
	Stages []string `json:"stages,omitempty"`
}

// GetLatestVersionsResponse is the response of
// registered-models/get-latest-versions.
type GetLatestVersionsResponse struct {
	ModelVersions []ModelVersion `json:"model_versions,omitempty"`
}

// CreateModelVersion is the request of model-versions/create.
type CreateModelVersion struct {
	Name        string            `json:"name,omitempty"`
	Source      string            `json:"source,omitempty"`
	RunID       string            `json:"run_id,omitempty"`
	Tags        []ModelVersionTag `json:"tags,omitempty"`
	RunLink     string            `json:"run_link,omitempty"`
	Description string            `json:"description,omitempty"`
}

// CreateModelVersionResponse is the response of model-versions/create.
type CreateModelVersionResponse struct {
	ModelVersion *ModelVersion `json:"model_version,omitempty"`
}

// UpdateModelVersion is the request of model-versions/update. Description
// nil leaves the description unchanged.
type UpdateModelVersion struct {
	Name        string  `json:"name,omitempty"`
	Version     string  `json:"version,omitempty"`
	Description *string `json:"description,omitempty"`
}

// UpdateModelVersionResponse is the response of model-versions/update.
type UpdateModelVersionResponse struct {
	ModelVersion *ModelVersion `json:"model_version,omitempty"`
}

// TransitionModelVersionStage is the request of
// model-versions/transition-stage.
type TransitionModelVersionStage struct {
	Name                    string `json:"name,omitempty"`
	Version                 string `json:"version,omitempty"`
	Stage                   string `json:"stage,omitempty"`
	ArchiveExistingVersions bool   `json:"archive_existing_versions,omitempty"`
}

// TransitionModelVersionStageResponse is the response of
// model-versions/transition-stage.
type TransitionModelVersionStageResponse struct {
	ModelVersion *ModelVersion `json:"model_version,omitempty"`
}

// DeleteModelVersion is the request of model-versions/delete.
type DeleteModelVersion struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// DeleteModelVersionResponse is the (empty) response of model-versions/delete.
type DeleteModelVersionResponse struct{}

// GetModelVersion is the request of model-versions/get.
type GetModelVersion struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// GetModelVersionResponse is the response of model-versions/get.
type GetModelVersionResponse struct {
	ModelVersion *ModelVersion `json:"model_version,omitempty"`
}

// SearchModelVersions is the request of model-versions/search. MaxResults
// 0 means the default, 10,000; at most 200,000.
type SearchModelVersions struct {
	Filter     string   `json:"filter,omitempty"`
	MaxResults int64    `json:"max_results,omitempty"`
	OrderBy    []string `json:"order_by,omitempty"`
	PageToken  string   `json:"page_token,omitempty"`
}

// SearchModelVersionsResponse is the response of model-versions/search.
type SearchModelVersionsResponse struct {
	ModelVersions []ModelVersion `json:"model_versions,omitempty"`
	NextPageToken string         `json:"next_page_token,omitempty"`
}

// GetModelVersionDownloadURI is the request of
// model-versions/get-download-uri (proto GetModelVersionDownloadUri).
type GetModelVersionDownloadURI struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// GetModelVersionDownloadURIResponse is the response of
// model-versions/get-download-uri.
type GetModelVersionDownloadURIResponse struct {
	ArtifactURI string `json:"artifact_uri,omitempty"`
}

// SetRegisteredModelTag is the request of registered-models/set-tag.
type SetRegisteredModelTag struct {
	Name  string `json:"name,omitempty"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// SetRegisteredModelTagResponse is the (empty) response of
// registered-models/set-tag.
type SetRegisteredModelTagResponse struct{}

// SetModelVersionTag is the request of model-versions/set-tag.
type SetModelVersionTag struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	Key     string `json:"key,omitempty"`
	Value   string `json:"value,omitempty"`
}

// SetModelVersionTagResponse is the (empty) response of
// model-versions/set-tag.
type SetModelVersionTagResponse struct{}

// DeleteRegisteredModelTag is the request of registered-models/delete-tag.
type DeleteRegisteredModelTag struct {
	Name string `json:"name,omitempty"`
	Key  string `json:"key,omitempty"`
}

// DeleteRegisteredModelTagResponse is the (empty) response of
// registered-models/delete-tag.
type DeleteRegisteredModelTagResponse struct{}

// DeleteModelVersionTag is the request of model-versions/delete-tag.
type DeleteModelVersionTag struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	Key     string `json:"key,omitempty"`
}

// DeleteModelVersionTagResponse is the (empty) response of
// model-versions/delete-tag.
type DeleteModelVersionTagResponse struct{}

// SetRegisteredModelAlias is the request of registered-models/alias (POST).
type SetRegisteredModelAlias struct {
	Name    string `json:"name,omitempty"`
	Alias   string `json:"alias,omitempty"`
	Version string `json:"version,omitempty"`
}

// SetRegisteredModelAliasResponse is the (empty) response of
// registered-models/alias (POST).
type SetRegisteredModelAliasResponse struct{}

// DeleteRegisteredModelAlias is the request of registered-models/alias
// (DELETE).
type DeleteRegisteredModelAlias struct {
	Name  string `json:"name,omitempty"`
	Alias string `json:"alias,omitempty"`
}

// DeleteRegisteredModelAliasResponse is the (empty) response of
// registered-models/alias (DELETE).
type DeleteRegisteredModelAliasResponse struct{}

// GetModelVersionByAlias is the request of registered-models/alias (GET).
type GetModelVersionByAlias struct {
	Name  string `json:"name,omitempty"`
	Alias string `json:"alias,omitempty"`
}

// GetModelVersionByAliasResponse is the response of registered-models/alias
// (GET).
type GetModelVersionByAliasResponse struct {
	ModelVersion *ModelVersion `json:"model_version,omitempty"`
}
