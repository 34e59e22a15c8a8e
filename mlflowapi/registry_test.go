package mlflowapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
	"github.com/sluice-dev/sluice/mlflowapi"
	"github.com/sluice-dev/sluice/registry"
)

// registryStep is one request of a golden scenario. Path is relative to
// /api/2.0/mlflow/ and carries the query string of GET requests.
type registryStep struct {
	Name     string          `json:"name,omitempty"`
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Body     json.RawMessage `json:"body,omitempty"`
	Status   int             `json:"status,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
}

// registryGolden is a golden file: setup requests (which must answer 200;
// their responses are not recorded) and the endpoint's exchanges.
type registryGolden struct {
	Endpoint  string         `json:"endpoint"`
	Methods   []string       `json:"methods"`
	Setup     []registryStep `json:"setup,omitempty"`
	Exchanges []registryStep `json:"exchanges"`
}

// req builds a step; body is marshaled as JSON, or, when it is
// url.Values, appended to the path as the query string.
func regReq(name, method, path string, body any) registryStep {
	s := registryStep{Name: name, Method: method, Path: path}
	switch b := body.(type) {
	case nil:
	case url.Values:
		s.Path += "?" + b.Encode()
	case string:
		s.Body = json.RawMessage(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		s.Body = raw
	}
	return s
}

type regObj = map[string]any

func regQuery(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// Setup helpers.
func regModel(name string, tags ...string) registryStep {
	m := regObj{"name": name}
	var ts []regObj
	for i := 0; i+1 < len(tags); i += 2 {
		ts = append(ts, regObj{"key": tags[i], "value": tags[i+1]})
	}
	if ts != nil {
		m["tags"] = ts
	}
	return regReq("", "POST", "registered-models/create", m)
}

func regVersion(name, source, runID string) registryStep {
	return regReq("", "POST", "model-versions/create", regObj{"name": name, "source": source, "run_id": runID})
}

func regStage(name, version, stage string) registryStep {
	return regReq("", "POST", "model-versions/transition-stage", regObj{"name": name, "version": version, "stage": stage, "archive_existing_versions": false})
}

func regAlias(name, alias, version string) registryStep {
	return regReq("", "POST", "registered-models/alias", regObj{"name": name, "alias": alias, "version": version})
}

// registryScenarios defines one golden file per endpoint.
var registryScenarios = []registryGolden{
	{
		Endpoint: "registered-models/create", Methods: []string{"POST"},
		Exchanges: []registryStep{
			regReq("with tags and description", "POST", "registered-models/create", regObj{"name": "churn", "description": "Predicts churn.",
				"tags": []regObj{{"key": "team", "value": "growth"}, {"key": "domain", "value": "crm"}}}),
			regReq("name only", "POST", "registered-models/create", regObj{"name": "fraud"}),
			regReq("name taken", "POST", "registered-models/create", regObj{"name": "churn"}),
			regReq("missing name", "POST", "registered-models/create", regObj{"description": "x"}),
			regReq("name of the wrong type", "POST", "registered-models/create", `{"name": 5}`),
			regReq("bad tag key", "POST", "registered-models/create", regObj{"name": "x", "tags": []regObj{{"key": "a*b", "value": "1"}}}),
		},
	},
	{
		Endpoint: "registered-models/get", Methods: []string{"GET"},
		Setup: []registryStep{
			regModel("churn", "team", "growth"),
			regVersion("churn", "mlflow-artifacts:/1/run1/artifacts/model", "run1"),
			regVersion("churn", "mlflow-artifacts:/1/run2/artifacts/model", "run2"),
			regStage("churn", "2", "Production"),
			regAlias("churn", "champion", "2"),
		},
		Exchanges: []registryStep{
			regReq("latest versions, tags and aliases", "GET", "registered-models/get", regQuery("name", "churn")),
			regReq("no such model", "GET", "registered-models/get", regQuery("name", "nope")),
			regReq("missing name", "GET", "registered-models/get", nil),
		},
	},
	{
		Endpoint: "registered-models/rename", Methods: []string{"POST"},
		Setup: []registryStep{
			regModel("churn"), regVersion("churn", "s3://models/churn/1", ""), regAlias("churn", "champion", "1"), regModel("fraud"),
		},
		Exchanges: []registryStep{
			regReq("versions and aliases follow", "POST", "registered-models/rename", regObj{"name": "churn", "new_name": "churn-v2"}),
			regReq("old name is gone", "POST", "registered-models/rename", regObj{"name": "churn", "new_name": "churn-v3"}),
			regReq("new name taken", "POST", "registered-models/rename", regObj{"name": "churn-v2", "new_name": "fraud"}),
			regReq("missing new_name", "POST", "registered-models/rename", regObj{"name": "churn-v2"}),
		},
	},
	{
		Endpoint: "registered-models/update", Methods: []string{"PATCH"},
		Setup: []registryStep{regModel("churn")},
		Exchanges: []registryStep{
			regReq("description", "PATCH", "registered-models/update", regObj{"name": "churn", "description": "Predicts churn."}),
			regReq("no such model", "PATCH", "registered-models/update", regObj{"name": "nope", "description": "x"}),
		},
	},
	{
		Endpoint: "registered-models/delete", Methods: []string{"DELETE"},
		Setup: []registryStep{regModel("churn"), regVersion("churn", "s3://models/churn/1", ""), regModel("fraud")},
		Exchanges: []registryStep{
			regReq("with its versions", "DELETE", "registered-models/delete", regObj{"name": "churn"}),
			regReq("already deleted", "DELETE", "registered-models/delete", regObj{"name": "churn"}),
			regReq("parameters in the query string", "DELETE", "registered-models/delete", regQuery("name", "fraud")),
		},
	},
	{
		Endpoint: "registered-models/search", Methods: []string{"GET"},
		Setup: []registryStep{
			regModel("churn", "team", "growth"), regModel("churn-eu", "team", "growth"), regModel("fraud", "team", "risk"),
			regVersion("fraud", "s3://models/fraud/1", ""),
		},
		Exchanges: []registryStep{
			regReq("all", "GET", "registered-models/search", nil),
			regReq("name LIKE", "GET", "registered-models/search", regQuery("filter", "name LIKE 'churn%'")),
			regReq("tag and name", "GET", "registered-models/search", regQuery("filter", "tags.team = 'growth' AND name != 'churn'")),
			regReq("order and first page", "GET", "registered-models/search", regQuery("order_by", "name DESC", "max_results", "2")),
			regReq("second page", "GET", "registered-models/search", regQuery("order_by", "name DESC", "max_results", "2", "page_token", "eyJvZmZzZXQiOjJ9")),
			regReq("no match", "GET", "registered-models/search", regQuery("filter", "name = 'nope'")),
			regReq("max_results over the limit", "GET", "registered-models/search", regQuery("max_results", "5000")),
			regReq("unsupported key", "GET", "registered-models/search", regQuery("filter", "run_id = 'x'")),
			regReq("syntax error", "GET", "registered-models/search", regQuery("filter", "name = ")),
			regReq("bad order_by", "GET", "registered-models/search", regQuery("order_by", "version_number")),
		},
	},
	{
		Endpoint: "registered-models/get-latest-versions", Methods: []string{"POST", "GET"},
		Setup: []registryStep{
			regModel("churn"),
			regVersion("churn", "s3://models/churn/1", "run1"), regVersion("churn", "s3://models/churn/2", "run2"), regVersion("churn", "s3://models/churn/3", "run3"),
			regStage("churn", "1", "Production"), regStage("churn", "2", "Staging"),
		},
		Exchanges: []registryStep{
			regReq("every stage", "POST", "registered-models/get-latest-versions", regObj{"name": "churn"}),
			regReq("some stages, any case", "POST", "registered-models/get-latest-versions", regObj{"name": "churn", "stages": []string{"production", "Archived"}}),
			regReq("GET with repeated stages", "GET", "registered-models/get-latest-versions", regQuery("name", "churn", "stages", "None", "stages", "Staging")),
			regReq("unknown stage", "POST", "registered-models/get-latest-versions", regObj{"name": "churn", "stages": []string{"Prod"}}),
			regReq("no such model", "GET", "registered-models/get-latest-versions", regQuery("name", "nope")),
		},
	},
	{
		Endpoint: "registered-models/set-tag", Methods: []string{"POST"},
		Setup: []registryStep{regModel("churn")},
		Exchanges: []registryStep{
			regReq("set", "POST", "registered-models/set-tag", regObj{"name": "churn", "key": "team", "value": "growth"}),
			regReq("replace", "POST", "registered-models/set-tag", regObj{"name": "churn", "key": "team", "value": "risk"}),
			regReq("read back", "GET", "registered-models/get", regQuery("name", "churn")),
			regReq("no such model", "POST", "registered-models/set-tag", regObj{"name": "nope", "key": "k", "value": "v"}),
			regReq("missing key", "POST", "registered-models/set-tag", regObj{"name": "churn", "value": "v"}),
			regReq("bad key", "POST", "registered-models/set-tag", regObj{"name": "churn", "key": "../x", "value": "v"}),
		},
	},
	{
		Endpoint: "registered-models/delete-tag", Methods: []string{"DELETE"},
		Setup: []registryStep{regModel("churn", "team", "growth", "domain", "crm")},
		Exchanges: []registryStep{
			regReq("delete", "DELETE", "registered-models/delete-tag", regObj{"name": "churn", "key": "team"}),
			regReq("read back", "GET", "registered-models/get", regQuery("name", "churn")),
			regReq("tag not set", "DELETE", "registered-models/delete-tag", regObj{"name": "churn", "key": "team"}),
			regReq("no such model", "DELETE", "registered-models/delete-tag", regObj{"name": "nope", "key": "team"}),
		},
	},
	{
		Endpoint: "registered-models/alias", Methods: []string{"POST", "GET", "DELETE"},
		Setup: []registryStep{
			regModel("churn"), regVersion("churn", "s3://models/churn/1", "run1"), regVersion("churn", "s3://models/churn/2", "run2"),
		},
		Exchanges: []registryStep{
			regReq("set", "POST", "registered-models/alias", regObj{"name": "churn", "alias": "champion", "version": "1"}),
			regReq("get", "GET", "registered-models/alias", regQuery("name", "churn", "alias", "champion")),
			regReq("move", "POST", "registered-models/alias", regObj{"name": "churn", "alias": "champion", "version": "2"}),
			regReq("get after move", "GET", "registered-models/alias", regQuery("name", "churn", "alias", "champion")),
			regReq("aliases on the model", "GET", "registered-models/get", regQuery("name", "churn")),
			regReq("delete", "DELETE", "registered-models/alias", regObj{"name": "churn", "alias": "champion"}),
			regReq("get deleted", "GET", "registered-models/alias", regQuery("name", "churn", "alias", "champion")),
			regReq("reserved name", "POST", "registered-models/alias", regObj{"name": "churn", "alias": "latest", "version": "1"}),
			regReq("version alias reserved", "POST", "registered-models/alias", regObj{"name": "churn", "alias": "v2", "version": "1"}),
			regReq("no such version", "POST", "registered-models/alias", regObj{"name": "churn", "alias": "champion", "version": "9"}),
			regReq("version not a number", "POST", "registered-models/alias", regObj{"name": "churn", "alias": "champion", "version": "one"}),
		},
	},
	{
		Endpoint: "model-versions/create", Methods: []string{"POST"},
		Setup: []registryStep{regModel("churn")},
		Exchanges: []registryStep{
			regReq("every field", "POST", "model-versions/create", regObj{"name": "churn", "source": "runs:/run1/model", "run_id": "run1",
				"description": "first", "run_link": "http://tracking.example/#/runs/run1", "tags": []regObj{{"key": "stage", "value": "candidate"}}}),
			regReq("next number", "POST", "model-versions/create", regObj{"name": "churn", "source": "s3://models/churn/2"}),
			regReq("no such model", "POST", "model-versions/create", regObj{"name": "nope", "source": "s3://x"}),
			regReq("missing source", "POST", "model-versions/create", regObj{"name": "churn"}),
		},
	},
	{
		Endpoint: "model-versions/get", Methods: []string{"GET"},
		Setup: []registryStep{
			regModel("churn"), regVersion("churn", "s3://models/churn/1", "run1"), regAlias("churn", "champion", "1"),
			regReq("", "POST", "model-versions/set-tag", regObj{"name": "churn", "version": "1", "key": "validated", "value": "yes"}),
		},
		Exchanges: []registryStep{
			regReq("with tags and aliases", "GET", "model-versions/get", regQuery("name", "churn", "version", "1")),
			regReq("no such version", "GET", "model-versions/get", regQuery("name", "churn", "version", "7")),
			regReq("no such model", "GET", "model-versions/get", regQuery("name", "nope", "version", "1")),
			regReq("version not a number", "GET", "model-versions/get", regQuery("name", "churn", "version", "x")),
		},
	},
	{
		Endpoint: "model-versions/update", Methods: []string{"PATCH"},
		Setup: []registryStep{regModel("churn"), regVersion("churn", "s3://models/churn/1", "")},
		Exchanges: []registryStep{
			regReq("description", "PATCH", "model-versions/update", regObj{"name": "churn", "version": "1", "description": "validated on Q3"}),
			regReq("no such version", "PATCH", "model-versions/update", regObj{"name": "churn", "version": "2", "description": "x"}),
		},
	},
	{
		Endpoint: "model-versions/delete", Methods: []string{"DELETE"},
		Setup: []registryStep{regModel("churn"), regVersion("churn", "s3://models/churn/1", ""), regVersion("churn", "s3://models/churn/2", "")},
		Exchanges: []registryStep{
			regReq("delete", "DELETE", "model-versions/delete", regObj{"name": "churn", "version": "2"}),
			regReq("already deleted", "DELETE", "model-versions/delete", regObj{"name": "churn", "version": "2"}),
			regReq("numbers are not reused", "POST", "model-versions/create", regObj{"name": "churn", "source": "s3://models/churn/3"}),
		},
	},
	{
		Endpoint: "model-versions/search", Methods: []string{"GET"},
		Setup: []registryStep{
			regModel("churn"), regModel("fraud"),
			regVersion("churn", "s3://models/churn/1", "run1"), regVersion("churn", "s3://models/churn/2", "run2"),
			regVersion("fraud", "file:///models/fraud/1", "run1"),
			regReq("", "POST", "model-versions/set-tag", regObj{"name": "fraud", "version": "1", "key": "validated", "value": "yes"}),
		},
		Exchanges: []registryStep{
			regReq("by name", "GET", "model-versions/search", regQuery("filter", "name = 'churn'")),
			regReq("by run_id", "GET", "model-versions/search", regQuery("filter", "run_id = 'run1'")),
			regReq("run_id IN", "GET", "model-versions/search", regQuery("filter", "run_id IN ('run2', 'run9')")),
			regReq("source_path LIKE and tag", "GET", "model-versions/search", regQuery("filter", "source_path LIKE 'file://%' AND tags.validated = 'yes'")),
			regReq("ordered, first page", "GET", "model-versions/search", regQuery("order_by", "name ASC", "order_by", "version_number ASC", "max_results", "2")),
			regReq("second page", "GET", "model-versions/search", regQuery("order_by", "name ASC", "order_by", "version_number ASC", "max_results", "2", "page_token", "eyJvZmZzZXQiOjJ9")),
			regReq("unsupported comparator", "GET", "model-versions/search", regQuery("filter", "run_id LIKE 'run%'")),
			regReq("bad page token", "GET", "model-versions/search", regQuery("page_token", "not-a-token")),
		},
	},
	{
		Endpoint: "model-versions/set-tag", Methods: []string{"POST"},
		Setup: []registryStep{regModel("churn"), regVersion("churn", "s3://models/churn/1", "")},
		Exchanges: []registryStep{
			regReq("set", "POST", "model-versions/set-tag", regObj{"name": "churn", "version": "1", "key": "validated", "value": "yes"}),
			regReq("read back", "GET", "model-versions/get", regQuery("name", "churn", "version", "1")),
			regReq("no such version", "POST", "model-versions/set-tag", regObj{"name": "churn", "version": "2", "key": "k", "value": "v"}),
			regReq("missing key", "POST", "model-versions/set-tag", regObj{"name": "churn", "version": "1", "value": "v"}),
		},
	},
	{
		Endpoint: "model-versions/delete-tag", Methods: []string{"DELETE"},
		Setup: []registryStep{
			regModel("churn"), regVersion("churn", "s3://models/churn/1", ""),
			regReq("", "POST", "model-versions/set-tag", regObj{"name": "churn", "version": "1", "key": "validated", "value": "yes"}),
		},
		Exchanges: []registryStep{
			regReq("delete", "DELETE", "model-versions/delete-tag", regObj{"name": "churn", "version": "1", "key": "validated"}),
			regReq("read back", "GET", "model-versions/get", regQuery("name", "churn", "version", "1")),
			regReq("no such version", "DELETE", "model-versions/delete-tag", regObj{"name": "churn", "version": "3", "key": "validated"}),
		},
	},
	{
		Endpoint: "model-versions/transition-stage", Methods: []string{"POST"},
		Setup: []registryStep{
			regModel("churn"), regVersion("churn", "s3://models/churn/1", ""), regVersion("churn", "s3://models/churn/2", ""),
			regStage("churn", "1", "Production"),
		},
		Exchanges: []registryStep{
			regReq("archive existing versions", "POST", "model-versions/transition-stage", regObj{"name": "churn", "version": "2", "stage": "production", "archive_existing_versions": true}),
			regReq("the archived version", "GET", "model-versions/get", regQuery("name", "churn", "version", "1")),
			regReq("unknown stage", "POST", "model-versions/transition-stage", regObj{"name": "churn", "version": "2", "stage": "Prod", "archive_existing_versions": false}),
			regReq("archive into an inactive stage", "POST", "model-versions/transition-stage", regObj{"name": "churn", "version": "2", "stage": "Archived", "archive_existing_versions": true}),
			regReq("no such version", "POST", "model-versions/transition-stage", regObj{"name": "churn", "version": "5", "stage": "Staging", "archive_existing_versions": false}),
		},
	},
	{
		Endpoint: "model-versions/get-download-uri", Methods: []string{"GET"},
		Setup: []registryStep{
			regModel("churn"), regVersion("churn", "runs:/run1/model", "run1"), regVersion("churn", "s3://models/churn/2", ""),
			regVersion("churn", "runs:/missing/model", "missing"),
		},
		Exchanges: []registryStep{
			regReq("runs:/ source resolved", "GET", "model-versions/get-download-uri", regQuery("name", "churn", "version", "1")),
			regReq("other source as is", "GET", "model-versions/get-download-uri", regQuery("name", "churn", "version", "2")),
			regReq("run not found", "GET", "model-versions/get-download-uri", regQuery("name", "churn", "version", "3")),
			regReq("no such version", "GET", "model-versions/get-download-uri", regQuery("name", "churn", "version", "4")),
		},
	},
}

// newRegistryServer serves RegisterRegistry over a fresh SQLite store
// whose clock ticks 1 ms per reading and whose runs resolve to
// mlflow-artifacts:/0/RUN/artifacts (except run "missing").
func newRegistryServer(t *testing.T) *httptest.Server {
	t.Helper()
	var ms atomic.Int64
	ms.Store(1_700_000_000_000)
	runs := registry.RunArtifactURIFunc(func(ctx context.Context, runID string) (string, error) {
		if runID == "missing" {
			return "", apierr.NotFound("Run with id=%s not found", runID)
		}
		return "mlflow-artifacts:/0/" + runID + "/artifacts", nil
	})
	s, err := registry.Open(context.Background(), metastoretest.Open(t, metastore.SQLite), registry.Config{
		Now:  func() time.Time { return time.UnixMilli(ms.Add(1)) },
		Runs: runs,
	})
	if err != nil {
		t.Fatal(err)
	}
	api := mlflowapi.New(nil)
	mlflowapi.RegisterRegistry(api, s)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

// do sends step to srv under prefix and returns the status and the
// normalized response body.
func regDo(t *testing.T, srv *httptest.Server, prefix string, st registryStep) (int, json.RawMessage) {
	t.Helper()
	var body io.Reader
	if st.Body != nil {
		body = bytes.NewReader(st.Body)
	}
	r, err := http.NewRequest(st.Method, srv.URL+prefix+st.Path, body)
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
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", st.Method, st.Path, ct)
	}
	return resp.StatusCode, regNormalizeJSON(t, raw)
}

// normalizeRegistryJSON re-encodes a response with sorted keys, indented,
// and every *_timestamp set to 1700000000000 (present, value ignored).
func regNormalizeJSON(t *testing.T, raw []byte) json.RawMessage {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.HasSuffix(k, "_timestamp") {
					x[k] = 1_700_000_000_000
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRegistryGolden replays the golden request/response pairs of every
// model registry endpoint against a fresh SQLite store (go test -update
// rewrites them from registryScenarios).
func TestRegistryGolden(t *testing.T) {
	for _, sc := range registryScenarios {
		t.Run(strings.ReplaceAll(sc.Endpoint, "/", "-"), func(t *testing.T) {
			path := goldenPath(sc.Endpoint)
			g := sc
			if !*update {
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to write it)", err)
				}
				g = registryGolden{}
				if err := json.Unmarshal(raw, &g); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if stale := registryStale(sc, g); stale != "" {
					t.Fatalf("%s is stale: %s; run go test -update and review the diff", path, stale)
				}
			}
			srv := newRegistryServer(t)
			for _, st := range g.Setup {
				if status, body := regDo(t, srv, "/api/2.0/mlflow/", st); status != http.StatusOK {
					t.Fatalf("setup %s %s: status %d: %s", st.Method, st.Path, status, body)
				}
			}
			out := g
			out.Setup = append([]registryStep(nil), g.Setup...)
			for i := range out.Setup {
				out.Setup[i].Status, out.Setup[i].Response = 0, nil
			}
			out.Exchanges = make([]registryStep, len(g.Exchanges))
			for i, st := range g.Exchanges {
				status, body := regDo(t, srv, "/api/2.0/mlflow/", st)
				if !*update {
					want := regNormalizeJSON(t, st.Response)
					if status != st.Status || !bytes.Equal(body, want) {
						t.Errorf("%q: %s %s\ngot %d %s\nwant %d %s", st.Name, st.Method, st.Path, status, body, st.Status, want)
					}
				}
				st.Status, st.Response = status, body
				out.Exchanges[i] = st
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
}

// registryStale reports how the golden file's requests differ from the
// scenario's, or "".
func registryStale(sc, g registryGolden) string {
	key := func(s registryStep) string {
		b := ""
		if s.Body != nil {
			var v any
			json.Unmarshal(s.Body, &v)
			raw, _ := json.Marshal(v)
			b = string(raw)
		}
		return s.Method + " " + s.Path + " " + b
	}
	if sc.Endpoint != g.Endpoint || fmt.Sprint(sc.Methods) != fmt.Sprint(g.Methods) {
		return "endpoint or methods differ"
	}
	if len(sc.Setup) != len(g.Setup) || len(sc.Exchanges) != len(g.Exchanges) {
		return "number of requests differs"
	}
	for i := range sc.Setup {
		if key(sc.Setup[i]) != key(g.Setup[i]) {
			return fmt.Sprintf("setup %d differs", i)
		}
	}
	for i := range sc.Exchanges {
		if key(sc.Exchanges[i]) != key(g.Exchanges[i]) || sc.Exchanges[i].Name != g.Exchanges[i].Name {
			return fmt.Sprintf("exchange %q differs", sc.Exchanges[i].Name)
		}
	}
	return ""
}

// TestRegistryGoldenCoverage checks that every model registry endpoint of
// model_registry.proto has a golden file whose exchanges use each of its
// methods.
func TestRegistryGoldenCoverage(t *testing.T) {
	want := map[string][]string{
		"registered-models/create": {"POST"}, "registered-models/get": {"GET"}, "registered-models/rename": {"POST"},
		"registered-models/update": {"PATCH"}, "registered-models/delete": {"DELETE"}, "registered-models/search": {"GET"},
		"registered-models/get-latest-versions": {"POST", "GET"}, "registered-models/set-tag": {"POST"},
		"registered-models/delete-tag": {"DELETE"}, "registered-models/alias": {"POST", "GET", "DELETE"},
		"model-versions/create": {"POST"}, "model-versions/get": {"GET"}, "model-versions/update": {"PATCH"},
		"model-versions/delete": {"DELETE"}, "model-versions/search": {"GET"}, "model-versions/set-tag": {"POST"},
		"model-versions/delete-tag": {"DELETE"}, "model-versions/transition-stage": {"POST"},
		"model-versions/get-download-uri": {"GET"},
	}
	have := map[string]registryGolden{}
	for _, sc := range registryScenarios {
		have[sc.Endpoint] = sc
	}
	for ep, methods := range want {
		sc, ok := have[ep]
		if !ok {
			t.Errorf("%s: no golden scenario", ep)
			continue
		}
		for _, m := range methods {
			used := false
			for _, st := range sc.Exchanges {
				used = used || (st.Method == m && strings.HasPrefix(st.Path, ep))
			}
			if !used {
				t.Errorf("%s: no golden exchange with method %s", ep, m)
			}
		}
		if _, err := os.Stat(goldenPath(ep)); err != nil {
			t.Errorf("%s: %v", ep, err)
		}
	}
}

// TestRegistryPrefixes checks that the registry answers under both of
// MLflow's prefixes and that a wrong method is not served.
func TestRegistryPrefixes(t *testing.T) {
	srv := newRegistryServer(t)
	for _, prefix := range mlflowapi.Prefixes {
		name := strings.Trim(prefix, "/")
		name = strings.ReplaceAll(name, "/", "-")
		status, body := regDo(t, srv, prefix, regReq("", "POST", "registered-models/create", regObj{"name": name}))
		if status != http.StatusOK || !strings.Contains(string(body), name) {
			t.Errorf("%s: got %d %s", prefix, status, body)
		}
	}
	status, body := regDo(t, srv, "/api/2.0/mlflow/", regReq("", "PUT", "registered-models/create", regObj{"name": "x"}))
	if status == http.StatusOK {
		t.Errorf("PUT registered-models/create: got %d %s, want an error", status, body)
	}
}
