package server

import (
	"context"
	"strconv"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
)

// Resolver is a models.Resolver over a workspace's stores, in process:
// model versions and aliases from the registry, run artifact roots from
// the tracking store, files from the artifact store. It resolves
// mlflow-artifacts:/ sources (those of models logged through this server);
// other schemes are an INVALID_PARAMETER_VALUE error. It is safe for
// concurrent use.
type Resolver struct {
	st Stores
}

var _ models.Resolver = (*Resolver)(nil)

// NewResolver returns a Resolver over st.
func NewResolver(st Stores) *Resolver { return &Resolver{st: st} }

func versionInfo(v *registry.ModelVersion, what string) (models.VersionInfo, error) {
	if v == nil {
		return models.VersionInfo{}, apierr.NotFound("%s not found", what)
	}
	return models.VersionInfo{Name: v.Name, Version: v.Version, Source: v.Source, RunID: v.RunID}, nil
}

// ModelVersion returns version of registered model name.
func (r *Resolver) ModelVersion(ctx context.Context, name, version string) (models.VersionInfo, error) {
	reg, err := r.st.Registry(ctx)
	if err != nil {
		return models.VersionInfo{}, err
	}
	resp, err := reg.GetModelVersion(ctx, &registry.GetModelVersion{Name: name, Version: version})
	if err != nil {
		return models.VersionInfo{}, err
	}
	return versionInfo(resp.ModelVersion, "registered model "+name+" version "+version)
}

// ModelVersionByAlias returns the version alias of name points to.
func (r *Resolver) ModelVersionByAlias(ctx context.Context, name, alias string) (models.VersionInfo, error) {
	reg, err := r.st.Registry(ctx)
	if err != nil {
		return models.VersionInfo{}, err
	}
	resp, err := reg.GetModelVersionByAlias(ctx, &registry.GetModelVersionByAlias{Name: name, Alias: alias})
	if err != nil {
		return models.VersionInfo{}, err
	}
	return versionInfo(resp.ModelVersion, "alias "+alias+" of registered model "+name)
}

// LatestModelVersion returns the highest version of name, in stage when
// stage is set.
func (r *Resolver) LatestModelVersion(ctx context.Context, name, stage string) (models.VersionInfo, error) {
	reg, err := r.st.Registry(ctx)
	if err != nil {
		return models.VersionInfo{}, err
	}
	req := &registry.GetLatestVersions{Name: name}
	if stage != "" {
		req.Stages = []string{stage}
	}
	resp, err := reg.GetLatestVersions(ctx, req)
	if err != nil {
		return models.VersionInfo{}, err
	}
	// The latest version of each stage: the highest of them is the latest.
	var best *registry.ModelVersion
	var bestN int64 = -1
	for i := range resp.ModelVersions {
		v := &resp.ModelVersions[i]
		if n, err := strconv.ParseInt(v.Version, 10, 64); err == nil && n > bestN {
			best, bestN = v, n
		}
	}
	what := "a version of registered model " + name
	if stage != "" {
		what = "a version of registered model " + name + " in stage " + stage
	}
	return versionInfo(best, what)
}

// RunArtifactURI returns the artifact root URI of runID.
func (r *Resolver) RunArtifactURI(ctx context.Context, runID string) (string, error) {
	t, err := r.st.Tracking(ctx)
	if err != nil {
		return "", err
	}
	resp, err := t.GetRun(ctx, &tracking.GetRun{RunID: runID})
	if err != nil {
		return "", err
	}
	if resp.Run == nil {
		return "", apierr.NotFound("run %s not found", runID)
	}
	return resp.Run.Info.ArtifactURI, nil
}

// Download copies the directory or file at artifactURI (an
// mlflow-artifacts:/ URI) into localDir.
func (r *Resolver) Download(ctx context.Context, artifactURI, localDir string) error {
	key, err := artifacts.KeyForURI(artifactURI)
	if err != nil {
		return err
	}
	a, err := r.st.Artifacts(ctx)
	if err != nil {
		return err
	}
	return a.DownloadDir(ctx, key, localDir)
}
