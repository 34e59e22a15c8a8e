package mlflowapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
)

// ArtifactPrefixes are the prefixes under which the mlflow-artifacts proxy
// (mlflow_artifacts.proto) is mounted, as MLflow's server mounts it.
var ArtifactPrefixes = []string{"/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/"}

// DefaultMaxUploadBytes is the default bound of one proxied artifact
// upload: 5 GiB, S3's limit for a single PUT.
const DefaultMaxUploadBytes int64 = 5 << 30

// RunArtifactURIer looks up a run's artifact_uri
// ("mlflow-artifacts:/<experiment_id>/<run_id>/artifacts"); a missing run
// is a RESOURCE_DOES_NOT_EXIST *apierr.Error. The server implements it
// with the tracking store.
type RunArtifactURIer interface {
	RunArtifactURI(ctx context.Context, runID string) (string, error)
}

// RunArtifactURIFunc adapts a function to RunArtifactURIer.
type RunArtifactURIFunc func(ctx context.Context, runID string) (string, error)

// RunArtifactURI calls f.
func (f RunArtifactURIFunc) RunArtifactURI(ctx context.Context, runID string) (string, error) {
	return f(ctx, runID)
}

// ArtifactsOption configures RegisterArtifacts.
type ArtifactsOption func(*artifactsAPI)

// WithMaxUploadBytes bounds the size of one proxied upload (default
// DefaultMaxUploadBytes); a larger body is refused with status 413 and
// error_code REQUEST_LIMIT_EXCEEDED, and nothing is stored.
func WithMaxUploadBytes(n int64) ArtifactsOption {
	return func(a *artifactsAPI) {
		if n > 0 {
			a.maxUpload = n
		}
	}
}

// artifactsAPI serves artifact listing and the mlflow-artifacts proxy.
type artifactsAPI struct {
	api       *API
	store     *artifacts.Store
	runs      RunArtifactURIer
	maxUpload int64
}

// RegisterArtifacts mounts the artifact endpoints on api:
//
//   - GET artifacts/list (service.proto ListArtifacts) under Prefixes: the
//     files of a run's artifact directory, confined to the run's root;
//   - the mlflow-artifacts proxy (mlflow_artifacts.proto) under
//     ArtifactPrefixes: GET artifacts/{path} downloads (streamed, with a
//     Content-Type by extension), PUT artifacts/{path} uploads (streamed,
//     bounded by WithMaxUploadBytes), GET artifacts?path=… lists one level
//     (basenames, as MLflow answers), DELETE artifacts/{path} deletes a file
//     or a directory recursively; the multipart-upload endpoints
//     (mpu/create, mpu/complete, mpu/abort) answer NOT_IMPLEMENTED.
//
// Proxy paths are keys of store ("1/<run_id>/artifacts/model/MLmodel",
// what KeyForURI gives for a run's artifact_uri). Every path is checked by
// artifacts.CleanPath; one that could leave its root is refused with
// INVALID_PARAMETER_VALUE.
func RegisterArtifacts(api *API, store *artifacts.Store, runs RunArtifactURIer, opts ...ArtifactsOption) {
	a := &artifactsAPI{api: api, store: store, runs: runs, maxUpload: DefaultMaxUploadBytes}
	for _, o := range opts {
		o(a)
	}
	api.Handle("artifacts/list", []string{http.MethodGet}, a.listRunArtifacts)
	for _, p := range ArtifactPrefixes {
		api.HandleRaw("GET "+p+"artifacts", http.HandlerFunc(a.proxyList))
		api.HandleRaw("GET "+p+"artifacts/{path...}", http.HandlerFunc(a.proxyDownload))
		api.HandleRaw("PUT "+p+"artifacts/{path...}", http.HandlerFunc(a.proxyUpload))
		api.HandleRaw("DELETE "+p+"artifacts/{path...}", http.HandlerFunc(a.proxyDelete))
		api.HandleRaw("POST "+p+"mpu/{op}/{path...}", http.HandlerFunc(a.proxyMultipart))
	}
}

// ArtifactFileInfo is MLflow's FileInfo message (service.proto and
// mlflow_artifacts.proto): file_size is unset for directories.
type ArtifactFileInfo struct {
	Path     string `json:"path"`
	IsDir    bool   `json:"is_dir"`
	FileSize *int64 `json:"file_size,omitempty"`
}

// ListArtifactsRequest is service.proto's ListArtifacts.
type ListArtifactsRequest struct {
	RunID     string `json:"run_id,omitempty"`
	RunUUID   string `json:"run_uuid,omitempty"` // deprecated alias of run_id
	Path      string `json:"path,omitempty"`
	PageToken string `json:"page_token,omitempty"`
}

// ListArtifactsResponse is ListArtifacts.Response. Sluice lists a
// directory in one page, so next_page_token is never set.
type ListArtifactsResponse struct {
	RootURI       string             `json:"root_uri,omitempty"`
	Files         []ArtifactFileInfo `json:"files,omitempty"`
	NextPageToken string             `json:"next_page_token,omitempty"`
}

// ProxyListArtifactsResponse is mlflow_artifacts.proto's
// ListArtifacts.Response: paths are basenames within the listed directory.
type ProxyListArtifactsResponse struct {
	Files []ArtifactFileInfo `json:"files,omitempty"`
}

func fileInfo(fi artifacts.FileInfo, p string) ArtifactFileInfo {
	out := ArtifactFileInfo{Path: p, IsDir: fi.IsDir}
	if !fi.IsDir {
		out.FileSize = &fi.FileSize
	}
	return out
}

func (a *artifactsAPI) listRunArtifacts(r *http.Request) (any, error) {
	var req ListArtifactsRequest
	if err := Decode(r, &req); err != nil {
		return nil, err
	}
	runID := req.RunID
	if runID == "" {
		runID = req.RunUUID
	}
	if runID == "" {
		return nil, apierr.Invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.")
	}
	uri, err := a.runs.RunArtifactURI(r.Context(), runID)
	if err != nil {
		return nil, err
	}
	root, err := a.store.RunRoot(uri)
	if err != nil {
		if e := apierr.As(err); e != nil {
			return nil, apierr.Invalid("run %s: %s", runID, e.Message).WithHint("Sluice serves the artifacts of runs whose artifact_uri is mlflow-artifacts:/…")
		}
		return nil, err
	}
	files, err := root.List(r.Context(), req.Path)
	if err != nil {
		return nil, err
	}
	resp := &ListArtifactsResponse{RootURI: uri}
	for _, f := range files {
		resp.Files = append(resp.Files, fileInfo(f, f.Path))
	}
	return resp, nil
}

func (a *artifactsAPI) proxyList(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Path string `json:"path"`
	}
	if err := Decode(r, &req); err != nil {
		a.api.WriteError(w, r, err)
		return
	}
	files, err := a.store.List(r.Context(), req.Path)
	if err != nil {
		a.api.WriteError(w, r, err)
		return
	}
	var resp ProxyListArtifactsResponse
	for _, f := range files {
		resp.Files = append(resp.Files, fileInfo(f, path.Base(f.Path)))
	}
	WriteJSON(w, http.StatusOK, resp)
}

func (a *artifactsAPI) proxyDownload(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if p == "" {
		a.proxyList(w, r)
		return
	}
	rc, err := a.store.Get(r.Context(), p)
	if err != nil {
		if apierr.IsNotFound(err) {
			if fi, serr := a.store.Stat(r.Context(), p); serr == nil && fi.IsDir {
				err = apierr.Invalid("artifact %q is a directory; list it with GET %sartifacts?path=%s", fi.Path, ArtifactPrefixes[0], fi.Path)
			}
		}
		a.api.WriteError(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", artifacts.ContentType(p))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(p)}))
	h.Set("X-Content-Type-Options", "nosniff")
	if s, ok := rc.(interface{ Size() int64 }); ok {
		h.Set("Content-Length", strconv.FormatInt(s.Size(), 10))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil && r.Context().Err() == nil {
		// The status is sent; the client sees a short body.
		a.api.Logger().Error("artifact download failed midway", "path", p, "err", err)
	}
}

func (a *artifactsAPI) proxyUpload(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if p == "" {
		a.api.WriteError(w, r, apierr.Invalid("upload: no artifact path; PUT %sartifacts/<path>", ArtifactPrefixes[0]))
		return
	}
	if r.ContentLength > a.maxUpload {
		a.tooLarge(w, p)
		return
	}
	err := a.store.Put(r.Context(), p, http.MaxBytesReader(w, r.Body, a.maxUpload))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		a.tooLarge(w, p)
		return
	}
	if err != nil {
		a.api.WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, struct{}{})
}

func (a *artifactsAPI) tooLarge(w http.ResponseWriter, p string) {
	WriteJSON(w, http.StatusRequestEntityTooLarge, ErrorBody{
		ErrorCode: string(apierr.RequestLimitExceeded),
		Message:   fmt.Sprintf("artifact %q: upload larger than this server's limit of %d bytes", p, a.maxUpload),
	})
}

func (a *artifactsAPI) proxyDelete(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if clean, err := artifacts.CleanPath(p); err == nil && clean == "" {
		a.api.WriteError(w, r, apierr.Invalid("delete: artifact path %q names the artifact root; name a file or directory under it", p))
		return
	}
	if err := a.store.Delete(r.Context(), p); err != nil {
		a.api.WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, struct{}{})
}

func (a *artifactsAPI) proxyMultipart(w http.ResponseWriter, r *http.Request) {
	switch op := r.PathValue("op"); op {
	case "create", "complete", "abort":
		a.api.WriteError(w, r, apierr.New(apierr.NotImplemented,
			"multipart upload (mpu/%s) is not supported by this server", op).
			WithHint("upload each file with PUT %sartifacts/<path> (unset MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD)", ArtifactPrefixes[0]))
	default:
		a.api.WriteError(w, r, apierr.New(apierr.EndpointNotFound, "%s %s: no such endpoint", r.Method, r.URL.Path))
	}
}
