package mlflowapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/artifacts/artifactstest"
	"github.com/sluice-dev/sluice/mlflowapi"
)

// artBackends opens a fresh artifact store of each kind.
var artBackends = []struct {
	name string
	open func(t *testing.T) *artifacts.Store
}{
	{"local", func(t *testing.T) *artifacts.Store { return artOpen(t, filepath.Join(t.TempDir(), "artifacts")) }},
	{"s3", func(t *testing.T) *artifacts.Store { return artOpen(t, artifactstest.NewS3URL(t, "mlartifacts")) }},
}

func artOpen(t *testing.T, url string) *artifacts.Store {
	t.Helper()
	s, err := artifacts.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// artRuns resolves run IDs of the form "run1" to
// mlflow-artifacts:/1/run1/artifacts; "missing" does not exist and
// "elsewhere" has an artifact_uri outside the proxy.
var artRuns = mlflowapi.RunArtifactURIFunc(func(ctx context.Context, runID string) (string, error) {
	switch runID {
	case "missing":
		return "", apierr.NotFound("Run with id=%s not found", runID)
	case "elsewhere":
		return "s3://other-bucket/1/elsewhere/artifacts", nil
	}
	return "mlflow-artifacts:/1/" + runID + "/artifacts", nil
})

func newArtifactServer(t *testing.T, s *artifacts.Store, opts ...mlflowapi.ArtifactsOption) *httptest.Server {
	t.Helper()
	api := mlflowapi.New(nil)
	mlflowapi.RegisterArtifacts(api, s, artRuns, opts...)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

// artStep is one request of a golden scenario. Path is the URL path (and
// query) from the server root; Upload is a raw request body; Text is a
// response body that is not JSON.
type artStep struct {
	Name        string          `json:"name,omitempty"`
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	Body        json.RawMessage `json:"body,omitempty"`
	Upload      *string         `json:"upload,omitempty"`
	Status      int             `json:"status,omitempty"`
	ContentType string          `json:"content_type,omitempty"`
	Response    json.RawMessage `json:"response,omitempty"`
	Text        *string         `json:"text,omitempty"`
}

// artGolden is a golden file: setup requests (which must answer 200) and
// the endpoint's exchanges.
type artGolden struct {
	Endpoint  string    `json:"endpoint"`
	Methods   []string  `json:"methods"`
	Setup     []artStep `json:"setup,omitempty"`
	Exchanges []artStep `json:"exchanges"`
}

func artReq(name, method, path string) artStep {
	return artStep{Name: name, Method: method, Path: path}
}

func artPut(path, content string) artStep {
	return artStep{Method: "PUT", Path: "/api/2.0/mlflow-artifacts/artifacts/" + path, Upload: &content}
}

func (s artStep) upload(content string) artStep { s.Upload = &content; return s }

// artSetup uploads a run's model and a few files.
var artSetup = []artStep{
	artPut("1/run1/artifacts/model/MLmodel", "artifact_path: model\nflavors:\n  sluice: {}\n"),
	artPut("1/run1/artifacts/model/input_example.json", `{"columns": ["x"], "data": [[1]]}`),
	artPut("1/run1/artifacts/model/model/stages.json", "[]"),
	artPut("1/run1/artifacts/metrics.csv", "step,loss\n0,0.5\n"),
	artPut("1/run1/artifacts/notes.txt", "hello"),
	artPut("1/run2/artifacts/other.txt", "run2"),
}

var artScenarios = []artGolden{
	{
		Endpoint: "artifacts/list", Methods: []string{"GET"},
		Setup: artSetup,
		Exchanges: []artStep{
			artReq("root of a run", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1"),
			artReq("a directory", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=model"),
			artReq("a nested directory, trailing slash", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=model/model/"),
			artReq("a file lists nothing", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=notes.txt"),
			artReq("a missing directory lists nothing", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=nope"),
			artReq("run with no artifacts", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run3"),
			artReq("deprecated run_uuid", "GET", "/api/2.0/mlflow/artifacts/list?run_uuid=run2"),
			artReq("page_token is accepted", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run2&page_token=abc"),
			artReq("escape to another run", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=../../run2/artifacts"),
			artReq("absolute path", "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=/etc"),
			artReq("missing run_id", "GET", "/api/2.0/mlflow/artifacts/list?path=model"),
			artReq("missing run", "GET", "/api/2.0/mlflow/artifacts/list?run_id=missing"),
			artReq("run stored elsewhere", "GET", "/api/2.0/mlflow/artifacts/list?run_id=elsewhere"),
			artReq("ajax-api prefix", "GET", "/ajax-api/2.0/mlflow/artifacts/list?run_id=run1&path=model"),
			artReq("POST is not an endpoint", "POST", "/api/2.0/mlflow/artifacts/list"),
		},
	},
	{
		Endpoint: "artifacts-proxy/list", Methods: []string{"GET"},
		Setup: artSetup,
		Exchanges: []artStep{
			artReq("the store root", "GET", "/api/2.0/mlflow-artifacts/artifacts"),
			artReq("a run's root", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run1/artifacts"),
			artReq("a directory (basenames)", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run1/artifacts/model"),
			artReq("a file lists nothing", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run1/artifacts/notes.txt"),
			artReq("missing", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=9/none"),
			artReq("trailing slash lists too", "GET", "/api/2.0/mlflow-artifacts/artifacts/?path=1/run2/artifacts"),
			artReq("escape", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/../.."),
			artReq("backslash", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1%5C..%5Cx"),
			artReq("ajax-api prefix", "GET", "/ajax-api/2.0/mlflow-artifacts/artifacts?path=1"),
		},
	},
	{
		Endpoint: "artifacts-proxy/download", Methods: []string{"GET"},
		Setup: artSetup,
		Exchanges: []artStep{
			artReq("a text file", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/notes.txt"),
			artReq("json", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model/input_example.json"),
			artReq("no extension", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model/MLmodel"),
			artReq("a directory", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model"),
			artReq("missing", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/nope.txt"),
			artReq("encoded escape", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model%2F..%2F..%2F..%2Frun2%2Fartifacts%2Fother.txt"),
			artReq("ajax-api prefix", "GET", "/ajax-api/2.0/mlflow-artifacts/artifacts/1/run2/artifacts/other.txt"),
		},
	},
	{
		Endpoint: "artifacts-proxy/upload", Methods: []string{"PUT"},
		Exchanges: []artStep{
			artReq("a new file", "PUT", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/a/b.txt").upload("content"),
			artReq("then it lists", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run1/artifacts/a"),
			artReq("replace it", "PUT", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/a/b.txt").upload("new"),
			artReq("read it back", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/a/b.txt"),
			artReq("an empty file", "PUT", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/empty").upload(""),
			artReq("encoded escape", "PUT", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/..%2F..%2Frun2%2Fartifacts%2Fx").upload("pwned"),
			artReq("no path", "PUT", "/api/2.0/mlflow-artifacts/artifacts/").upload("x"),
			artReq("ajax-api prefix", "PUT", "/ajax-api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/c.txt").upload("c"),
			artReq("POST is not an endpoint", "POST", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/d.txt").upload("d"),
		},
	},
	{
		Endpoint: "artifacts-proxy/delete", Methods: []string{"DELETE"},
		Setup: artSetup,
		Exchanges: []artStep{
			artReq("a file", "DELETE", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/notes.txt"),
			artReq("a directory, recursively", "DELETE", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model"),
			artReq("what is left", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run1/artifacts"),
			artReq("nothing there", "DELETE", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/nope"),
			artReq("the root", "DELETE", "/api/2.0/mlflow-artifacts/artifacts/"),
			artReq("encoded escape", "DELETE", "/api/2.0/mlflow-artifacts/artifacts/1/run1%2F..%2F..%2F1"),
			artReq("ajax-api prefix", "DELETE", "/ajax-api/2.0/mlflow-artifacts/artifacts/1/run2/artifacts/other.txt"),
			artReq("the other run is gone too", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run2/artifacts"),
		},
	},
	{
		Endpoint: "artifacts-proxy/mpu", Methods: []string{"POST"},
		Exchanges: []artStep{
			{Name: "create", Method: "POST", Path: "/api/2.0/mlflow-artifacts/mpu/create/1/run1/artifacts/big.bin", Body: json.RawMessage(`{"path": "1/run1/artifacts/big.bin", "num_parts": 3}`)},
			{Name: "complete", Method: "POST", Path: "/api/2.0/mlflow-artifacts/mpu/complete/1/run1/artifacts/big.bin", Body: json.RawMessage(`{"path": "1/run1/artifacts/big.bin", "upload_id": "u", "parts": []}`)},
			{Name: "abort", Method: "POST", Path: "/ajax-api/2.0/mlflow-artifacts/mpu/abort/1/run1/artifacts/big.bin", Body: json.RawMessage(`{"path": "1/run1/artifacts/big.bin", "upload_id": "u"}`)},
			{Name: "unknown operation", Method: "POST", Path: "/api/2.0/mlflow-artifacts/mpu/resume/1/run1/artifacts/big.bin"},
		},
	},
}

// artDo sends st to srv and returns it with the answer filled in.
func artDo(t *testing.T, srv *httptest.Server, st artStep) artStep {
	t.Helper()
	var body io.Reader
	switch {
	case st.Upload != nil:
		body = strings.NewReader(*st.Upload)
	case st.Body != nil:
		body = bytes.NewReader(st.Body)
	}
	r, err := http.NewRequest(st.Method, srv.URL+st.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if st.Body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	st.Status, st.ContentType, st.Response, st.Text = resp.StatusCode, resp.Header.Get("Content-Type"), nil, nil
	if st.ContentType == "application/json" {
		st.Response = artIndent(t, raw)
	} else {
		s := string(raw)
		st.Text = &s
	}
	return st
}

func artIndent(t *testing.T, raw []byte) json.RawMessage {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// artRequestKey identifies a request, to notice golden files whose
// requests no longer match the scenarios.
func artRequestKey(s artStep) string {
	k := s.Name + "|" + s.Method + " " + s.Path
	if s.Body != nil {
		var v any
		json.Unmarshal(s.Body, &v)
		b, _ := json.Marshal(v)
		k += " " + string(b)
	}
	if s.Upload != nil {
		k += " upload:" + *s.Upload
	}
	return k
}

// TestArtifactsGolden replays the golden request/response pairs of the
// artifact endpoints against a local and an S3 store: both must give the
// same answers (go test -update rewrites them from artScenarios, using the
// local store).
func TestArtifactsGolden(t *testing.T) {
	for _, sc := range artScenarios {
		t.Run(strings.ReplaceAll(sc.Endpoint, "/", "-"), func(t *testing.T) {
			path := goldenPath(sc.Endpoint)
			g := sc
			if !*update {
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to write it)", err)
				}
				g = artGolden{}
				if err := json.Unmarshal(raw, &g); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if len(g.Setup) != len(sc.Setup) || len(g.Exchanges) != len(sc.Exchanges) || fmt.Sprint(g.Methods) != fmt.Sprint(sc.Methods) {
					t.Fatalf("%s is stale; run go test -update and review the diff", path)
				}
				for i := range sc.Exchanges {
					if artRequestKey(sc.Exchanges[i]) != artRequestKey(g.Exchanges[i]) {
						t.Fatalf("%s is stale at %q; run go test -update and review the diff", path, sc.Exchanges[i].Name)
					}
				}
			}
			for _, b := range artBackends {
				if *update && b.name != "local" {
					continue
				}
				t.Run(b.name, func(t *testing.T) {
					srv := newArtifactServer(t, b.open(t))
					for _, st := range g.Setup {
						if got := artDo(t, srv, st); got.Status != http.StatusOK {
							t.Fatalf("setup %s %s: status %d: %s", st.Method, st.Path, got.Status, got.Response)
						}
					}
					out := g
					out.Exchanges = make([]artStep, len(g.Exchanges))
					for i, st := range g.Exchanges {
						got := artDo(t, srv, st)
						out.Exchanges[i] = got
						if *update {
							continue
						}
						if st.Response != nil {
							st.Response = artIndent(t, st.Response)
						}
						gotJSON, _ := json.Marshal(got)
						wantJSON, _ := json.Marshal(st)
						if !bytes.Equal(gotJSON, wantJSON) {
							t.Errorf("%q: %s %s\ngot  %s\nwant %s", st.Name, st.Method, st.Path, gotJSON, wantJSON)
						}
					}
					if *update {
						raw, err := json.MarshalIndent(out, "", "  ")
						if err != nil {
							t.Fatal(err)
						}
						if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
							t.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// artSend sends a request with a raw body and returns the status, the
// Content-Type and the body.
func artSend(t *testing.T, srv *httptest.Server, method, path string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	r, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}

// artRandom yields n pseudo-random bytes from seed without holding them.
type artRandom struct {
	rng *rand.ChaCha8
	n   int64
}

func (r *artRandom) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	r.rng.Read(p)
	r.n -= int64(len(p))
	return len(p), nil
}

// artOnlyReader hides other methods (such as WriteTo and Len) so that the
// client sends the body chunked, with no Content-Length.
type artOnlyReader struct{ io.Reader }

func TestArtifactsBigFileStreaming(t *testing.T) {
	t.Parallel()
	const size = 6<<20 + 7
	seed := [32]byte{42}
	h := sha256.New()
	io.Copy(h, &artRandom{rng: rand.NewChaCha8(seed), n: size})
	want := fmt.Sprintf("%x", h.Sum(nil))
	for _, b := range artBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv := newArtifactServer(t, b.open(t))
			p := "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model/weights.bin"
			status, _, body := artSend(t, srv, "PUT", p, artOnlyReader{&artRandom{rng: rand.NewChaCha8(seed), n: size}})
			if status != http.StatusOK || string(body) != "{}\n" {
				t.Fatalf("PUT: %d %s", status, body)
			}
			resp, err := srv.Client().Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			h := sha256.New()
			n, err := io.Copy(h, resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%x", h.Sum(nil)); n != size || got != want {
				t.Errorf("GET: %d bytes, sha256 %s; want %d bytes, %s", n, got, size, want)
			}
			if resp.ContentLength != size {
				t.Errorf("GET: Content-Length %d, want %d", resp.ContentLength, size)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
				t.Errorf("GET: Content-Type %q, want application/octet-stream", ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != "attachment; filename=weights.bin" {
				t.Errorf("GET: Content-Disposition %q", cd)
			}
			status, _, body = artSend(t, srv, "GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=model", nil)
			if wantBody := fmt.Sprintf(`{"root_uri":"mlflow-artifacts:/1/run1/artifacts","files":[{"path":"model/weights.bin","is_dir":false,"file_size":%d}]}`+"\n", size); status != 200 || string(body) != wantBody {
				t.Errorf("list: %d %s, want %s", status, body, wantBody)
			}
		})
	}
}

func TestArtifactsUploadLimit(t *testing.T) {
	t.Parallel()
	for _, b := range artBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			srv := newArtifactServer(t, s, mlflowapi.WithMaxUploadBytes(1000))
			for _, c := range []struct {
				name string
				body io.Reader
			}{
				{"content-length", strings.NewReader(strings.Repeat("x", 1001))},
				{"chunked", artOnlyReader{strings.NewReader(strings.Repeat("x", 5000))}},
			} {
				p := "1/run1/artifacts/" + c.name
				status, _, body := artSend(t, srv, "PUT", "/api/2.0/mlflow-artifacts/artifacts/"+p, c.body)
				var e mlflowapi.ErrorBody
				json.Unmarshal(body, &e)
				if status != http.StatusRequestEntityTooLarge || e.ErrorCode != "REQUEST_LIMIT_EXCEEDED" || !strings.Contains(e.Message, "1000 bytes") {
					t.Errorf("%s: PUT of too much: %d %s, want 413 REQUEST_LIMIT_EXCEEDED naming the limit", c.name, status, body)
				}
				if _, err := s.Stat(context.Background(), p); !apierr.IsNotFound(err) {
					t.Errorf("%s: a refused upload was stored: %v", c.name, err)
				}
			}
			status, _, body := artSend(t, srv, "PUT", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/ok", strings.NewReader(strings.Repeat("x", 1000)))
			if status != http.StatusOK {
				t.Errorf("PUT of exactly the limit: %d %s", status, body)
			}
		})
	}
}

// TestArtifactsSymlinkEscape plants a symlink inside a local artifact
// root that points outside it: no endpoint reads, lists or writes through it.
func TestArtifactsSymlinkEscape(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "artifacts")
	s := artOpen(t, root)
	srv := newArtifactServer(t, s)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("s3cr3t"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "1", "run1", "artifacts"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "1", "run1", "artifacts", "evil")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/evil/secret.txt", ""},
		{"PUT", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/evil/planted.txt", "pwned"},
		{"DELETE", "/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/evil/secret.txt", ""},
		{"GET", "/api/2.0/mlflow-artifacts/artifacts?path=1/run1/artifacts/evil", ""},
		{"GET", "/api/2.0/mlflow/artifacts/list?run_id=run1&path=evil", ""},
		{"GET", "/api/2.0/mlflow/artifacts/list?run_id=run1", ""},
	} {
		status, _, body := artSend(t, srv, c.method, c.path, strings.NewReader(c.body))
		var e mlflowapi.ErrorBody
		json.Unmarshal(body, &e)
		if status != http.StatusBadRequest || e.ErrorCode != "INVALID_PARAMETER_VALUE" || !strings.Contains(e.Message, "symlink") {
			t.Errorf("%s %s: %d %s, want 400 INVALID_PARAMETER_VALUE about the symlink", c.method, c.path, status, body)
		}
		if strings.Contains(e.Message, outside) || strings.Contains(e.Message, root) {
			t.Errorf("%s %s: the message reveals a server path: %s", c.method, c.path, e.Message)
		}
	}
	got := artifactstest.ReadTree(t, outside)
	if len(got) != 1 || got["secret.txt"] != "s3cr3t" {
		t.Errorf("files outside the artifact root changed: %v", got)
	}
}
