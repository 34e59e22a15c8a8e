package mlflowclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// proxyPrefix is the mlflow-artifacts proxy's mount point.
const proxyPrefix = "/api/2.0/mlflow-artifacts/artifacts"

// ArtifactFile is one entry of an artifact listing (MLflow's FileInfo).
type ArtifactFile struct {
	Path     string `json:"path"`
	IsDir    bool   `json:"is_dir,omitempty"`
	FileSize int64  `json:"file_size,omitempty"`
}

// ProxyPath maps an artifact URI served by the tracking server's proxy —
// "mlflow-artifacts:/1/<run>/artifacts" or
// "mlflow-artifacts://host:port/1/<run>/artifacts" — to its path under
// the proxy ("1/<run>/artifacts"). Other schemes are an
// INVALID_PARAMETER_VALUE error: the client reaches artifacts only through
// the server.
func ProxyPath(artifactURI string) (string, error) {
	u, err := url.Parse(artifactURI)
	if err != nil || u.Scheme != "mlflow-artifacts" {
		return "", apierr.Invalid("artifact URI %q is not served by the tracking server's artifact proxy; want mlflow-artifacts:/…", artifactURI)
	}
	p := u.Path
	if u.Opaque != "" {
		p = u.Opaque
	}
	p = strings.Trim(p, "/")
	if err := checkRel(p); err != nil {
		return "", apierr.Invalid("artifact URI %q: %v", artifactURI, err)
	}
	return p, nil
}

// checkRel rejects a relative artifact path with "..", "." or empty
// elements (an empty path is allowed).
func checkRel(p string) error {
	if p == "" {
		return nil
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return fmt.Errorf("path %q must be relative, with / separators", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("path %q has an empty, . or .. element", p)
		}
	}
	return nil
}

// join joins artifact path elements, skipping empty ones.
func join(elems ...string) string {
	var nonEmpty []string
	for _, e := range elems {
		if e = strings.Trim(e, "/"); e != "" {
			nonEmpty = append(nonEmpty, e)
		}
	}
	return strings.Join(nonEmpty, "/")
}

func (c *Client) proxyURL(p string) string {
	els := strings.Split(p, "/")
	for i, e := range els {
		els[i] = url.PathEscape(e)
	}
	return c.base + proxyPrefix + "/" + strings.Join(els, "/")
}

// UploadArtifact stores r's bytes as artifact artifactPath (a relative
// path with / separators) under artifactURI (a run's artifact_uri) via the
// server's mlflow-artifacts proxy (PUT). ctx bounds the upload.
func (c *Client) UploadArtifact(ctx context.Context, artifactURI, artifactPath string, r io.Reader) error {
	root, err := ProxyPath(artifactURI)
	if err != nil {
		return err
	}
	if artifactPath == "" {
		return apierr.Invalid("upload to %s: empty artifact path", artifactURI)
	}
	if err := checkRel(artifactPath); err != nil {
		return apierr.Invalid("upload to %s: %v", artifactURI, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPut, c.proxyURL(join(root, artifactPath)), r)
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(hr)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	return resp.Body.Close()
}

// LogArtifact uploads the local file localPath as
// artifactDir/<base name> under artifactURI (artifactDir may be empty).
func (c *Client) LogArtifact(ctx context.Context, artifactURI, localPath, artifactDir string) error {
	f, err := os.Open(localPath)
	if err != nil {
		return fmt.Errorf("log artifact: %w", err)
	}
	defer f.Close()
	return c.UploadArtifact(ctx, artifactURI, join(artifactDir, filepath.Base(localPath)), f)
}

// LogArtifacts uploads every regular file under localDir to
// artifactDir/<relative path> under artifactURI, in lexical order.
// Symbolic links are refused (an INVALID_PARAMETER_VALUE error), so a
// directory can never send files from outside itself.
func (c *Client) LogArtifacts(ctx context.Context, artifactURI, localDir, artifactDir string) error {
	return filepath.WalkDir(localDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("log artifacts: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return apierr.Invalid("log artifacts: %s is a symbolic link; copy the file instead", p)
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(localDir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("log artifacts: %w", err)
		}
		defer f.Close()
		return c.UploadArtifact(ctx, artifactURI, join(artifactDir, filepath.ToSlash(rel)), f)
	})
}

// ListProxyArtifacts lists the direct children of dir (relative, may be
// empty) under artifactURI through the proxy. Paths in the result are
// relative to dir's parent listing as the server gives them (MLflow's
// proxy returns base names).
func (c *Client) ListProxyArtifacts(ctx context.Context, artifactURI, dir string) ([]ArtifactFile, error) {
	root, err := ProxyPath(artifactURI)
	if err != nil {
		return nil, err
	}
	if err := checkRel(dir); err != nil {
		return nil, apierr.Invalid("list %s: %v", artifactURI, err)
	}
	u := c.base + proxyPrefix + "?" + url.Values{"path": {join(root, dir)}}.Encode()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Files []ArtifactFile `json:"files"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBody)).Decode(&out); err != nil {
		return nil, fmt.Errorf("list artifacts %s: decode response: %w", dir, err)
	}
	return out.Files, nil
}

// DownloadArtifact writes artifact artifactPath under artifactURI to w.
func (c *Client) DownloadArtifact(ctx context.Context, artifactURI, artifactPath string, w io.Writer) error {
	root, err := ProxyPath(artifactURI)
	if err != nil {
		return err
	}
	if err := checkRel(artifactPath); err != nil || artifactPath == "" {
		return apierr.Invalid("download from %s: bad artifact path %q", artifactURI, artifactPath)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, c.proxyURL(join(root, artifactPath)), nil)
	if err != nil {
		return err
	}
	resp, err := c.do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("download %s: %w", artifactPath, err)
	}
	return nil
}

// DownloadArtifacts copies artifact dir artifactPath (or a single file)
// under artifactURI into localDir, recreating the tree below it. Names
// from the server that would escape localDir are an error.
func (c *Client) DownloadArtifacts(ctx context.Context, artifactURI, artifactPath, localDir string) error {
	files, err := c.ListProxyArtifacts(ctx, artifactURI, artifactPath)
	if err != nil {
		return err
	}
	if len(files) == 0 && artifactPath != "" {
		// A file (or an empty dir): try it as a file.
		return c.downloadFile(ctx, artifactURI, artifactPath, filepath.Join(localDir, path.Base(artifactPath)))
	}
	if err := os.MkdirAll(localDir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		name := path.Base(f.Path)
		if name == "" || name == "." || name == ".." || name == "/" {
			return apierr.Invalid("download %s: server listed a bad name %q", artifactPath, f.Path)
		}
		sub := join(artifactPath, name)
		if f.IsDir {
			if err := c.DownloadArtifacts(ctx, artifactURI, sub, filepath.Join(localDir, name)); err != nil {
				return err
			}
			continue
		}
		if err := c.downloadFile(ctx, artifactURI, sub, filepath.Join(localDir, name)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) downloadFile(ctx context.Context, artifactURI, artifactPath, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".download-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := c.DownloadArtifact(ctx, artifactURI, artifactPath, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
