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
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/metastore/metastoretest"
	"github.com/sluice-dev/sluice/mlflowapi"
	"github.com/sluice-dev/sluice/tracking"
)

// trStep is one request of a tracking golden file. Path is relative to
// /api/2.0/mlflow/ and carries the query string of GET requests. Run ids
// appear as <run-1>, <run-2>, … in the order the server first returned
// them; requests use the same placeholders.
type trStep struct {
	Name     string          `json:"name,omitempty"`
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Body     json.RawMessage `json:"body,omitempty"`
	RawBody  string          `json:"raw_body,omitempty"` // a body that is not JSON
	Status   int             `json:"status,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
}

// trGolden is one endpoint's golden file: setup requests (answered 200,
// responses not recorded) and the endpoint's exchanges, replayed in order
// against a fresh store whose clock starts at 1,700,000,000,000 ms and
// advances 1 ms per reading.
type trGolden struct {
	Endpoint  string   `json:"endpoint"`
	Methods   []string `json:"methods"`
	Setup     []trStep `json:"setup,omitempty"`
	Exchanges []trStep `json:"exchanges"`
}

type trObj = map[string]any

func trReq(name, method, path string, body any) trStep {
	s := trStep{Name: name, Method: method, Path: path}
	switch b := body.(type) {
	case nil:
	case url.Values:
		s.Path += "?" + b.Encode()
	case string:
		if json.Valid([]byte(b)) {
			s.Body = json.RawMessage(b)
		} else {
			s.RawBody = b
		}
	default:
		s.Body = trJSON(b, "")
	}
	return s
}

// trJSON marshals v without escaping <, > and & (placeholders stay
// readable), indented by indent when it is not empty.
func trJSON(v any, indent string) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n"))
}

func trQuery(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func trExp(name string) trStep {
	return trReq("", "POST", "experiments/create", trObj{"name": name})
}

func trRun(exp, name string) trStep {
	return trReq("", "POST", "runs/create", trObj{"experiment_id": exp, "run_name": name, "start_time": 1700000000000})
}

func trBatch(run string, body trObj) trStep {
	body["run_id"] = run
	return trReq("", "POST", "runs/log-batch", body)
}

var trackingScenarios = []trGolden{
	{
		Endpoint: "experiments/create", Methods: []string{"POST"},
		Exchanges: []trStep{
			trReq("name only", "POST", "experiments/create", trObj{"name": "churn"}),
			trReq("artifact location and tags", "POST", "experiments/create", trObj{"name": "fraud", "artifact_location": "s3://bucket/fraud",
				"tags": []trObj{{"key": "team", "value": "risk"}}}),
			trReq("read back", "GET", "experiments/get", trQuery("experiment_id", "2")),
			trReq("name taken", "POST", "experiments/create", trObj{"name": "churn"}),
			trReq("name missing", "POST", "experiments/create", trObj{}),
			trReq("bad tag key", "POST", "experiments/create", trObj{"name": "x", "tags": []trObj{{"key": "a?b", "value": "1"}}}),
			trReq("malformed JSON", "POST", "experiments/create", `{"name": `),
			trReq("wrong type", "POST", "experiments/create", trObj{"name": 7}),
		},
	},
	{
		Endpoint: "experiments/get", Methods: []string{"GET"},
		Setup: []trStep{trExp("churn"), trReq("", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "1", "key": "team", "value": "growth"})},
		Exchanges: []trStep{
			trReq("default experiment", "GET", "experiments/get", trQuery("experiment_id", "0")),
			trReq("with tags", "GET", "experiments/get", trQuery("experiment_id", "1")),
			trReq("ajax prefix", "GET", "/ajax-api/2.0/mlflow/experiments/get", trQuery("experiment_id", "1")),
			trReq("unknown id", "GET", "experiments/get", trQuery("experiment_id", "42")),
			trReq("not a number", "GET", "experiments/get", trQuery("experiment_id", "abc")),
			trReq("missing id", "GET", "experiments/get", nil),
		},
	},
	{
		Endpoint: "experiments/get-by-name", Methods: []string{"GET"},
		Setup: []trStep{trExp("churn")},
		Exchanges: []trStep{
			trReq("found", "GET", "experiments/get-by-name", trQuery("experiment_name", "churn")),
			trReq("not found", "GET", "experiments/get-by-name", trQuery("experiment_name", "nope")),
			trReq("missing name", "GET", "experiments/get-by-name", nil),
		},
	},
	{
		Endpoint: "experiments/search", Methods: []string{"POST", "GET"},
		Setup: []trStep{
			trExp("churn-us"), trExp("churn-eu"), trExp("fraud"),
			trReq("", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "2", "key": "region", "value": "eu"}),
			trReq("", "POST", "experiments/delete", trObj{"experiment_id": "3"}),
		},
		Exchanges: []trStep{
			trReq("all active, newest first", "POST", "experiments/search", trObj{}),
			trReq("filter and order", "POST", "experiments/search", trObj{"filter": "name LIKE 'churn-%'", "order_by": []string{"name ASC"}}),
			trReq("tag filter", "POST", "experiments/search", trObj{"filter": "tags.region = 'eu'"}),
			trReq("deleted only", "POST", "experiments/search", trObj{"view_type": "DELETED_ONLY"}),
			trReq("first page", "POST", "experiments/search", trObj{"max_results": 2, "view_type": "ALL", "order_by": []string{"experiment_id"}}),
			trReq("second page", "POST", "experiments/search", trObj{"max_results": 2, "view_type": "ALL", "order_by": []string{"experiment_id"}, "page_token": "eyJvZmZzZXQiOjJ9"}),
			trReq("GET with query string", "GET", "experiments/search", trQuery("filter", "name = 'fraud'", "view_type", "ALL")),
			trReq("bad filter", "POST", "experiments/search", trObj{"filter": "name = 'a' OR name = 'b'"}),
			trReq("max_results too large", "POST", "experiments/search", trObj{"max_results": 50001}),
		},
	},
	{
		Endpoint: "experiments/update", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trExp("fraud")},
		Exchanges: []trStep{
			trReq("rename", "POST", "experiments/update", trObj{"experiment_id": "1", "new_name": "churn-v2"}),
			trReq("read back", "GET", "experiments/get", trQuery("experiment_id", "1")),
			trReq("name taken", "POST", "experiments/update", trObj{"experiment_id": "1", "new_name": "fraud"}),
			trReq("unknown experiment", "POST", "experiments/update", trObj{"experiment_id": "9", "new_name": "x"}),
			trReq("missing id", "POST", "experiments/update", trObj{"new_name": "x"}),
		},
	},
	{
		Endpoint: "experiments/delete", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "r1")},
		Exchanges: []trStep{
			trReq("delete", "POST", "experiments/delete", trObj{"experiment_id": "1"}),
			trReq("experiment is deleted", "GET", "experiments/get", trQuery("experiment_id", "1")),
			trReq("its runs too", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("already deleted", "POST", "experiments/delete", trObj{"experiment_id": "1"}),
			trReq("default experiment", "POST", "experiments/delete", trObj{"experiment_id": "0"}),
			trReq("unknown experiment", "POST", "experiments/delete", trObj{"experiment_id": "9"}),
		},
	},
	{
		Endpoint: "experiments/restore", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "r1"), trReq("", "POST", "experiments/delete", trObj{"experiment_id": "1"})},
		Exchanges: []trStep{
			trReq("restore", "POST", "experiments/restore", trObj{"experiment_id": "1"}),
			trReq("experiment is active", "GET", "experiments/get", trQuery("experiment_id", "1")),
			trReq("its runs too", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("not deleted", "POST", "experiments/restore", trObj{"experiment_id": "1"}),
			trReq("unknown experiment", "POST", "experiments/restore", trObj{"experiment_id": "9"}),
		},
	},
	{
		Endpoint: "experiments/set-experiment-tag", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn")},
		Exchanges: []trStep{
			trReq("set", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "1", "key": "team", "value": "growth"}),
			trReq("overwrite", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "1", "key": "team", "value": "risk"}),
			trReq("read back", "GET", "experiments/get", trQuery("experiment_id", "1")),
			trReq("missing value", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "1", "key": "team"}),
			trReq("missing key", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "1", "value": "x"}),
			trReq("unknown experiment", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "9", "key": "a", "value": "b"}),
		},
	},
	{
		Endpoint: "experiments/delete-experiment-tag", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trReq("", "POST", "experiments/set-experiment-tag", trObj{"experiment_id": "1", "key": "team", "value": "growth"})},
		Exchanges: []trStep{
			trReq("delete", "POST", "experiments/delete-experiment-tag", trObj{"experiment_id": "1", "key": "team"}),
			trReq("read back", "GET", "experiments/get", trQuery("experiment_id", "1")),
			trReq("no such tag", "POST", "experiments/delete-experiment-tag", trObj{"experiment_id": "1", "key": "team"}),
			trReq("missing key", "POST", "experiments/delete-experiment-tag", trObj{"experiment_id": "1"}),
		},
	},
	{
		Endpoint: "runs/create", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn")},
		Exchanges: []trStep{
			trReq("every field", "POST", "runs/create", trObj{"experiment_id": "1", "user_id": "ann", "run_name": "baseline", "start_time": 1700000000000,
				"tags": []trObj{{"key": "mlflow.source.type", "value": "LOCAL"}, {"key": "mlflow.user", "value": "ann"}}}),
			trReq("name from the mlflow.runName tag, default experiment", "POST", "runs/create", trObj{"start_time": 1700000000001,
				"tags": []trObj{{"key": "mlflow.runName", "value": "tagged"}}}),
			trReq("child run", "POST", "runs/create", trObj{"experiment_id": "1", "run_name": "fold-1", "start_time": 1700000000002,
				"tags": []trObj{{"key": "mlflow.parentRunId", "value": "<run-1>"}}}),
			trReq("conflicting names", "POST", "runs/create", trObj{"run_name": "a", "tags": []trObj{{"key": "mlflow.runName", "value": "b"}}}),
			trReq("unknown experiment", "POST", "runs/create", trObj{"experiment_id": "9"}),
		},
	},
	{
		Endpoint: "runs/get", Methods: []string{"GET"},
		Setup: []trStep{
			trExp("churn"), trRun("1", "baseline"),
			trBatch("<run-1>", trObj{
				"metrics": []trObj{{"key": "auc", "value": 0.5, "timestamp": 1700000000100, "step": 0}, {"key": "auc", "value": 0.75, "timestamp": 1700000000200, "step": 1}, {"key": "loss", "value": "NaN", "timestamp": 1700000000200}},
				"params":  []trObj{{"key": "max_depth", "value": "5"}},
				"tags":    []trObj{{"key": "mlflow.user", "value": "ann"}},
			}),
			trReq("", "POST", "runs/log-inputs", trObj{"run_id": "<run-1>", "datasets": []trObj{{"dataset": trObj{"name": "churn_train", "digest": "3f2a", "source_type": "local", "source": "{\"uri\": \"/data/churn.csv\"}"},
				"tags": []trObj{{"key": "mlflow.data.context", "value": "training"}}}}}),
		},
		Exchanges: []trStep{
			trReq("latest metrics, params, tags and inputs", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("deprecated run_uuid", "GET", "runs/get", trQuery("run_uuid", "<run-1>")),
			trReq("unknown run", "GET", "runs/get", trQuery("run_id", "0123456789abcdef0123456789abcdef")),
			trReq("missing run_id", "GET", "runs/get", nil),
		},
	},
	{
		Endpoint: "runs/update", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("finish", "POST", "runs/update", trObj{"run_id": "<run-1>", "status": "FINISHED", "end_time": 1700000000500}),
			trReq("rename", "POST", "runs/update", trObj{"run_id": "<run-1>", "run_name": "renamed"}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("bad status", "POST", "runs/update", trObj{"run_id": "<run-1>", "status": "DONE"}),
			trReq("missing run_id", "POST", "runs/update", trObj{"status": "FAILED"}),
		},
	},
	{
		Endpoint: "runs/delete", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("delete", "POST", "runs/delete", trObj{"run_id": "<run-1>"}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("logging to a deleted run", "POST", "runs/log-parameter", trObj{"run_id": "<run-1>", "key": "a", "value": "1"}),
			trReq("unknown run", "POST", "runs/delete", trObj{"run_id": "nope"}),
		},
	},
	{
		Endpoint: "runs/restore", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline"), trReq("", "POST", "runs/delete", trObj{"run_id": "<run-1>"})},
		Exchanges: []trStep{
			trReq("restore", "POST", "runs/restore", trObj{"run_id": "<run-1>"}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("missing run_id", "POST", "runs/restore", trObj{}),
		},
	},
	{
		Endpoint: "runs/search", Methods: []string{"POST", "GET"},
		Setup: []trStep{
			trExp("churn"), trRun("1", "tree"), trRun("1", "linear"), trRun("1", "forest"),
			trBatch("<run-1>", trObj{"metrics": []trObj{{"key": "auc", "value": 0.81, "timestamp": 1, "step": 0}}, "params": []trObj{{"key": "model", "value": "tree"}}}),
			trBatch("<run-2>", trObj{"metrics": []trObj{{"key": "auc", "value": 0.72, "timestamp": 1, "step": 0}}, "params": []trObj{{"key": "model", "value": "linear"}}}),
			trBatch("<run-3>", trObj{"metrics": []trObj{{"key": "auc", "value": 0.9, "timestamp": 1, "step": 0}}, "params": []trObj{{"key": "model", "value": "forest"}},
				"tags": []trObj{{"key": "best candidate", "value": "yes"}}}),
			trReq("", "POST", "runs/update", trObj{"run_id": "<run-2>", "status": "FINISHED", "end_time": 1700000000900}),
		},
		Exchanges: []trStep{
			trReq("metric filter, ordered by the metric", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "filter": "metrics.auc > 0.75", "order_by": []string{"metrics.auc DESC"}}),
			trReq("params, tags and attributes", "POST", "runs/search", trObj{"experiment_ids": []string{"1"},
				"filter": "params.model != 'linear' AND tags.`best candidate` = 'yes' AND attributes.status = 'RUNNING'"}),
			trReq("first page", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "max_results": 2, "order_by": []string{"attributes.run_name"}}),
			trReq("second page", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "max_results": 2, "order_by": []string{"attributes.run_name"}, "page_token": "eyJvZmZzZXQiOjJ9"}),
			trReq("nothing matches", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "filter": "metrics.auc > 1"}),
			trReq("GET with query string", "GET", "runs/search", trQuery("experiment_ids", "1", "filter", "attributes.status = 'FINISHED'", "run_view_type", "ACTIVE_ONLY")),
			trReq("syntax error", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "filter": "metrics.auc >"}),
			trReq("wrong value kind", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "filter": "params.model = 3"}),
			trReq("bad order_by", "POST", "runs/search", trObj{"experiment_ids": []string{"1"}, "order_by": []string{"metrics.auc UP"}}),
		},
	},
	{
		Endpoint: "runs/log-metric", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("log", "POST", "runs/log-metric", trObj{"run_id": "<run-1>", "key": "auc", "value": 0.5, "timestamp": 1700000000100, "step": 3}),
			trReq("deprecated run_uuid, default step", "POST", "runs/log-metric", trObj{"run_uuid": "<run-1>", "key": "loss", "value": 1.25, "timestamp": 1700000000100}),
			trReq("non-finite value", "POST", "runs/log-metric", trObj{"run_id": "<run-1>", "key": "ratio", "value": "Infinity", "timestamp": 1700000000100}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("missing timestamp", "POST", "runs/log-metric", trObj{"run_id": "<run-1>", "key": "auc", "value": 0.5}),
			trReq("missing value", "POST", "runs/log-metric", trObj{"run_id": "<run-1>", "key": "auc", "timestamp": 1}),
			trReq("bad key", "POST", "runs/log-metric", trObj{"run_id": "<run-1>", "key": "a*b", "value": 1, "timestamp": 1}),
			trReq("unknown run", "POST", "runs/log-metric", trObj{"run_id": "nope", "key": "auc", "value": 1, "timestamp": 1}),
		},
	},
	{
		Endpoint: "runs/log-parameter", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("log", "POST", "runs/log-parameter", trObj{"run_id": "<run-1>", "key": "max_depth", "value": "5"}),
			trReq("same value again", "POST", "runs/log-parameter", trObj{"run_id": "<run-1>", "key": "max_depth", "value": "5"}),
			trReq("another value", "POST", "runs/log-parameter", trObj{"run_id": "<run-1>", "key": "max_depth", "value": "6"}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("value too long", "POST", "runs/log-parameter", trObj{"run_id": "<run-1>", "key": "big", "value": strings.Repeat("x", 6001)}),
			trReq("missing value", "POST", "runs/log-parameter", trObj{"run_id": "<run-1>", "key": "a"}),
		},
	},
	{
		Endpoint: "runs/set-tag", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("set", "POST", "runs/set-tag", trObj{"run_id": "<run-1>", "key": "stage", "value": "dev"}),
			trReq("overwrite", "POST", "runs/set-tag", trObj{"run_id": "<run-1>", "key": "stage", "value": "prod"}),
			trReq("mlflow.runName renames the run", "POST", "runs/set-tag", trObj{"run_id": "<run-1>", "key": "mlflow.runName", "value": "champion"}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("missing key", "POST", "runs/set-tag", trObj{"run_id": "<run-1>", "value": "x"}),
		},
	},
	{
		Endpoint: "runs/delete-tag", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline"), trReq("", "POST", "runs/set-tag", trObj{"run_id": "<run-1>", "key": "stage", "value": "dev"})},
		Exchanges: []trStep{
			trReq("delete", "POST", "runs/delete-tag", trObj{"run_id": "<run-1>", "key": "stage"}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("no such tag", "POST", "runs/delete-tag", trObj{"run_id": "<run-1>", "key": "stage"}),
			trReq("missing key", "POST", "runs/delete-tag", trObj{"run_id": "<run-1>"}),
		},
	},
	{
		Endpoint: "runs/log-batch", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("metrics, params and tags", "POST", "runs/log-batch", trObj{"run_id": "<run-1>",
				"metrics": []trObj{{"key": "mae", "value": 2.5, "timestamp": 1552550804, "step": 0}, {"key": "rmse", "value": 2.7, "timestamp": 1552550804, "step": 0}},
				"params":  []trObj{{"key": "model_class", "value": "LogisticRegression"}},
				"tags":    []trObj{{"key": "note", "value": "a"}, {"key": "note", "value": "b"}}}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("param changed", "POST", "runs/log-batch", trObj{"run_id": "<run-1>", "params": []trObj{{"key": "model_class", "value": "SVC"}}}),
			trReq("too many params", "POST", "runs/log-batch", trObj{"run_id": "<run-1>", "params": trManyParams(101)}),
			trReq("key too long", "POST", "runs/log-batch", trObj{"run_id": "<run-1>", "tags": []trObj{{"key": strings.Repeat("k", 251), "value": "v"}}}),
			trReq("missing run_id", "POST", "runs/log-batch", trObj{}),
		},
	},
	{
		Endpoint: "runs/log-inputs", Methods: []string{"POST"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline")},
		Exchanges: []trStep{
			trReq("dataset with context", "POST", "runs/log-inputs", trObj{"run_id": "<run-1>", "datasets": []trObj{{
				"tags":    []trObj{{"key": "mlflow.data.context", "value": "training"}},
				"dataset": trObj{"name": "churn_train", "digest": "3f2a9c", "source_type": "local", "source": "{\"uri\": \"/data/churn.csv\"}", "schema": "{\"mlflow_colspec\": [{\"type\": \"double\", \"name\": \"tenure\"}]}", "profile": "{\"num_rows\": 1000}"}}}}),
			trReq("read back", "GET", "runs/get", trQuery("run_id", "<run-1>")),
			trReq("missing digest", "POST", "runs/log-inputs", trObj{"run_id": "<run-1>", "datasets": []trObj{{"dataset": trObj{"name": "x", "source_type": "local", "source": "y"}}}}),
			trReq("missing run_id", "POST", "runs/log-inputs", trObj{}),
		},
	},
	{
		Endpoint: "metrics/get-history", Methods: []string{"GET"},
		Setup: []trStep{trExp("churn"), trRun("1", "baseline"), trBatch("<run-1>", trObj{"metrics": []trObj{
			{"key": "loss", "value": 0.9, "timestamp": 1700000000100, "step": 0},
			{"key": "loss", "value": 0.5, "timestamp": 1700000000200, "step": 1},
			{"key": "loss", "value": 0.25, "timestamp": 1700000000300, "step": 2}}})},
		Exchanges: []trStep{
			trReq("all values", "GET", "metrics/get-history", trQuery("run_id", "<run-1>", "metric_key", "loss")),
			trReq("first page", "GET", "metrics/get-history", trQuery("run_id", "<run-1>", "metric_key", "loss", "max_results", "2")),
			trReq("second page", "GET", "metrics/get-history", trQuery("run_id", "<run-1>", "metric_key", "loss", "max_results", "2", "page_token", "eyJvZmZzZXQiOjJ9")),
			trReq("never logged", "GET", "metrics/get-history", trQuery("run_id", "<run-1>", "metric_key", "auc")),
			trReq("missing metric_key", "GET", "metrics/get-history", trQuery("run_id", "<run-1>")),
			trReq("max_results not a number", "GET", "metrics/get-history", trQuery("run_id", "<run-1>", "metric_key", "loss", "max_results", "many")),
		},
	},
	{
		Endpoint: "metrics/get-history-bulk-interval", Methods: []string{"GET"},
		Setup: []trStep{trExp("churn"), trRun("1", "a"), trRun("1", "b"),
			trBatch("<run-1>", trObj{"metrics": trCurve(10)}), trBatch("<run-2>", trObj{"metrics": trCurve(4)})},
		Exchanges: []trStep{
			trReq("sampled", "GET", "metrics/get-history-bulk-interval", trQuery("run_ids", "<run-1>", "run_ids", "<run-2>", "metric_key", "loss", "max_results", "3")),
			trReq("step range", "GET", "metrics/get-history-bulk-interval", trQuery("run_ids", "<run-1>", "metric_key", "loss", "start_step", "2", "end_step", "4")),
			trReq("start without end", "GET", "metrics/get-history-bulk-interval", trQuery("run_ids", "<run-1>", "metric_key", "loss", "start_step", "2")),
			trReq("missing run_ids", "GET", "metrics/get-history-bulk-interval", trQuery("metric_key", "loss")),
		},
	},
}

func trManyParams(n int) []trObj {
	out := make([]trObj, n)
	for i := range out {
		out[i] = trObj{"key": fmt.Sprintf("p%d", i), "value": "v"}
	}
	return out
}

func trCurve(n int) []trObj {
	out := make([]trObj, n)
	for i := range out {
		out[i] = trObj{"key": "loss", "value": 1 / float64(i+1), "timestamp": 1700000000000 + int64(i), "step": i}
	}
	return out
}

// newTrackingServer serves the tracking endpoints over a fresh SQLite
// store with a deterministic clock.
func newTrackingServer(t *testing.T) *httptest.Server {
	t.Helper()
	db := metastoretest.Open(t, "sqlite")
	var tick atomic.Int64
	cfg := tracking.DefaultConfig()
	cfg.Now = func() time.Time { return time.UnixMilli(1_700_000_000_000 + tick.Add(1) - 1) }
	s, err := tracking.Open(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	api := mlflowapi.New(nil)
	mlflowapi.RegisterTracking(api, s)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

var runIDPattern = regexp.MustCompile(`[0-9a-f]{32}`)

// trReplayer sends steps, mapping run-id placeholders both ways.
type trReplayer struct {
	t    *testing.T
	base string
	ids  []string // real run ids; ids[i] is <run-i+1>
}

func (r *trReplayer) toReal(s string) string {
	for i, id := range r.ids {
		s = strings.ReplaceAll(s, fmt.Sprintf("<run-%d>", i+1), id)
		s = strings.ReplaceAll(s, fmt.Sprintf("%%3Crun-%d%%3E", i+1), id) // in a query string
	}
	return s
}

func (r *trReplayer) toPlaceholders(s string) string {
	for _, id := range runIDPattern.FindAllString(s, -1) {
		found := false
		for _, known := range r.ids {
			found = found || known == id
		}
		if !found && id != "0123456789abcdef0123456789abcdef" {
			r.ids = append(r.ids, id)
		}
	}
	for i, id := range r.ids {
		s = strings.ReplaceAll(s, id, fmt.Sprintf("<run-%d>", i+1))
	}
	return s
}

// do sends step and returns its status and normalized, indented response.
func (r *trReplayer) do(step trStep) (int, json.RawMessage) {
	r.t.Helper()
	u := step.Path
	if !strings.HasPrefix(u, "/") {
		u = "/api/2.0/mlflow/" + u
	}
	var body io.Reader
	if len(step.Body) > 0 {
		body = strings.NewReader(r.toReal(string(step.Body)))
	} else if step.RawBody != "" {
		body = strings.NewReader(step.RawBody)
	}
	req, err := http.NewRequest(step.Method, r.base+r.toReal(u), body)
	if err != nil {
		r.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		r.t.Errorf("%s %s: Content-Type %q, want application/json", step.Method, step.Path, ct)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		r.t.Fatalf("%s %s: response is not JSON: %v\n%s", step.Method, step.Path, err, raw)
	}
	return resp.StatusCode, json.RawMessage(r.toPlaceholders(string(trJSON(v, "  "))))
}

// TestTrackingGolden replays testdata/golden/{experiments,runs,metrics}-*.json
// against a fresh store each; -update rewrites them from trackingScenarios.
func TestTrackingGolden(t *testing.T) {
	for _, sc := range trackingScenarios {
		t.Run(sc.Endpoint, func(t *testing.T) {
			path := goldenPath(sc.Endpoint)
			g := sc
			if !*update {
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -run TestTrackingGolden -update to create it)", err)
				}
				g = trGolden{}
				if err := json.Unmarshal(raw, &g); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
			}
			srv := newTrackingServer(t)
			r := &trReplayer{t: t, base: srv.URL}
			for _, st := range g.Setup {
				if code, resp := r.do(st); code != http.StatusOK {
					t.Fatalf("setup %s %s: status %d: %s", st.Method, st.Path, code, resp)
				}
			}
			for i := range g.Exchanges {
				ex := &g.Exchanges[i]
				code, resp := r.do(*ex)
				if *update {
					ex.Status, ex.Response = code, resp
					continue
				}
				if code != ex.Status {
					t.Errorf("%s: status %d, want %d", ex.Name, code, ex.Status)
				}
				var want any
				if err := json.Unmarshal(ex.Response, &want); err != nil {
					t.Fatalf("%s: golden response: %v", ex.Name, err)
				}
				if wantText := trJSON(want, "  "); !bytes.Equal(resp, wantText) {
					t.Errorf("%s: got response\n%s\nwant\n%s", ex.Name, resp, wantText)
				}
			}
			if *update {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(g); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// Every tracking endpoint has a golden file with its methods.
func TestTrackingGoldenCoverage(t *testing.T) {
	have := map[string]bool{}
	for _, sc := range trackingScenarios {
		have[sc.Endpoint+" "+strings.Join(sc.Methods, ",")] = true
	}
	for _, e := range mlflowapi.TrackingEndpoints {
		if !have[e.Path+" "+strings.Join(e.Methods, ",")] {
			t.Errorf("endpoint %s %v has no golden scenario", e.Path, e.Methods)
		}
	}
}

// Each endpoint answers its methods only (405 otherwise is the mux's, but
// an unknown path is MLflow's ENDPOINT_NOT_FOUND).
func TestTrackingUnknownEndpoint(t *testing.T) {
	srv := newTrackingServer(t)
	resp, err := http.Post(srv.URL+"/api/2.0/mlflow/runs/frobnicate", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body mlflowapi.ErrorBody
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 404 || body.ErrorCode != "ENDPOINT_NOT_FOUND" {
		t.Errorf("got %d %+v, want 404 ENDPOINT_NOT_FOUND", resp.StatusCode, body)
	}
}
