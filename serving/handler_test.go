package serving_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/serving"
)

func record(cols, row []string) string {
	parts := make([]string, len(cols))
	for j := range cols {
		parts[j] = fmt.Sprintf("%q: %s", cols[j], row[j])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func quoteAll(ss []string) string {
	b, _ := json.Marshal(ss)
	return string(b)
}

func TestInvocationFormats(t *testing.T) {
	cols, rows, preds := testRows(t, 3)
	want := `{"predictions": [` + strings.Join(preds, ", ") + "]}\n"
	srv := newServer(t, serving.NewHandler(mustLoad(t), serving.Options{}))

	lists := make([]string, len(rows))
	recs := make([]string, len(rows))
	for i, r := range rows {
		lists[i] = "[" + strings.Join(r, ", ") + "]"
		recs[i] = record(cols, r)
	}
	data := "[" + strings.Join(lists, ", ") + "]"
	records := "[" + strings.Join(recs, ", ") + "]"
	// Columns in reverse order, with an extra one the model ignores.
	rev := append([]string{"customer_id"}, cols...)
	revRows := make([]string, len(rows))
	for i, r := range rows {
		vals := []string{`"c` + fmt.Sprint(i) + `"`}
		vals = append(vals, r...)
		for a, b := 0, len(vals)-1; a < b; a, b = a+1, b-1 {
			vals[a], vals[b] = vals[b], vals[a]
		}
		revRows[i] = "[" + strings.Join(vals, ", ") + "]"
	}
	for a, b := 0, len(rev)-1; a < b; a, b = a+1, b-1 {
		rev[a], rev[b] = rev[b], rev[a]
	}
	columnar := make([]string, len(cols))
	for j, c := range cols {
		vals := make([]string, len(rows))
		for i, r := range rows {
			vals[i] = r[j]
		}
		columnar[j] = fmt.Sprintf("%q: [%s]", c, strings.Join(vals, ", "))
	}
	csvRows := []string{strings.Join(cols, ",")}
	for _, r := range rows {
		csvRows = append(csvRows, strings.Join(r, ","))
	}

	tests := []struct{ name, ct, body string }{
		{"dataframe_split", "application/json", `{"dataframe_split": {"columns": ` + quoteAll(cols) + `, "data": ` + data + `}}`},
		{"dataframe_split data first with index", "application/json", `{"dataframe_split": {"index": [0, 1, 2], "data": ` + data + `, "columns": ` + quoteAll(cols) + `}}`},
		{"dataframe_split reordered columns", "application/json", `{"dataframe_split": {"columns": ` + quoteAll(rev) + `, "data": [` + strings.Join(revRows, ", ") + `]}}`},
		{"dataframe_records", "application/json", `{"dataframe_records": ` + records + `}`},
		{"instances records", "application/json", `{"instances": ` + records + `}`},
		{"instances lists", "application/json", `{"instances": ` + data + `}`},
		{"inputs columns", "application/json", `{"inputs": {` + strings.Join(columnar, ", ") + `}}`},
		{"inputs records", "application/json", `{"inputs": ` + records + `}`},
		{"params first", "application/json; charset=utf-8", `{"params": {"other": 1}, "dataframe_records": ` + records + `}`},
		{"csv", "text/csv", strings.Join(csvRows, "\n") + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := post(t, srv.URL+"/invocations", tt.ct, tt.body)
			if status != http.StatusOK || got != want {
				t.Errorf("got %d %s, want 200 %s", status, got, want)
			}
		})
	}
}

func TestInvocationOutputParam(t *testing.T) {
	cols, rows, preds := testRows(t, 2)
	srv := newServer(t, serving.NewHandler(mustLoad(t), serving.Options{}))
	recs := record(cols, rows[0]) + ", " + record(cols, rows[1])
	status, got := post(t, srv.URL+"/invocations", "application/json", `{"dataframe_records": [`+recs+`], "params": {"output": "probability"}}`)
	var body struct{ Predictions [][]float64 }
	if err := json.Unmarshal([]byte(got), &body); status != 200 || err != nil || len(body.Predictions) != 2 || len(body.Predictions[0]) != 2 {
		t.Fatalf("probability: got %d %s (%v)", status, got, err)
	}
	status, got = post(t, srv.URL+"/invocations", "application/json", `{"dataframe_records": [`+recs+`], "params": {"output": ["prediction", "probability"]}}`)
	var recsOut struct {
		Predictions []struct {
			Prediction  float64
			Probability []float64
		}
	}
	if err := json.Unmarshal([]byte(got), &recsOut); status != 200 || err != nil || len(recsOut.Predictions) != 2 {
		t.Fatalf("records: got %d %s (%v)", status, got, err)
	}
	if fmt.Sprintf("%.1f", recsOut.Predictions[0].Prediction) != preds[0] {
		t.Errorf("got prediction %v, want %s", recsOut.Predictions[0].Prediction, preds[0])
	}
}

func TestInvocationErrors(t *testing.T) {
	cols, rows, _ := testRows(t, 2)
	srv := newServer(t, serving.NewHandler(mustLoad(t), serving.Options{MaxBodyBytes: 64 << 10}))
	good := record(cols, rows[0])
	without := strings.Replace(good, `"total_day_calls": `+rows[0][5]+`, `, "", 1)
	wrongType := strings.Replace(record(cols, rows[1]), `"total_day_calls": `+rows[1][5], `"total_day_calls": "many"`, 1)
	nullPlan := strings.Replace(good, `"international_plan": false`, `"international_plan": null`, 1)
	tests := []struct {
		name, ct, body string
		status         int
		code, substr   string
	}{
		{"missing column", "application/json", `{"dataframe_records": [` + without + `]}`, 400, "BAD_REQUEST", `input is missing column "total_day_calls" (row 1)`},
		{"missing column split", "application/json", `{"dataframe_split": {"columns": ["account_length"], "data": [[1]]}}`, 400, "BAD_REQUEST", `input is missing column "international_plan"`},
		{"wrong type row 2", "application/json", `{"dataframe_records": [` + good + `, ` + wrongType + `]}`, 400, "BAD_REQUEST", `column "total_day_calls", row 2: got string "many", want long`},
		{"fraction for long", "application/json", `{"inputs": {"account_length": [1.5]}}`, 400, "BAD_REQUEST", `column "account_length", row 1: got number 1.5, want long`},
		{"short row", "application/json", `{"instances": [[1, true]]}`, 400, "BAD_REQUEST", "row 1 has 2 values; want 13"},
		{"bad json", "application/json", `{"dataframe_records": [` + good, 400, "BAD_REQUEST", "invalid JSON"},
		{"trailing garbage", "application/json", `{"instances": [` + good + `]} x`, 400, "BAD_REQUEST", "after the end of the JSON value"},
		{"no format", "application/json", `{"data": []}`, 400, "BAD_REQUEST", "must be a JSON object with one of dataframe_split"},
		{"two formats", "application/json", `{"instances": [], "inputs": []}`, 400, "BAD_REQUEST", "both instances and inputs"},
		{"array body", "application/json", `[1, 2]`, 400, "BAD_REQUEST", "JSON array"},
		{"empty body", "application/json", ``, 400, "BAD_REQUEST", "empty"},
		{"uneven inputs", "application/json", `{"inputs": {"account_length": [1, 2], "total_day_calls": [3]}}`, 400, "BAD_REQUEST", "has 1 values"},
		{"duplicate key", "application/json", `{"dataframe_records": [{"account_length": 1, "account_length": 2}]}`, 400, "BAD_REQUEST", "given twice"},
		{"model rejects null", "application/json", `{"dataframe_records": [` + nullPlan + `]}`, 400, "BAD_REQUEST", "the model failed on this input"},
		{"unknown output", "application/json", `{"dataframe_records": [` + good + `], "params": {"output": "nope"}}`, 400, "BAD_REQUEST", `params.output: no column "nope"`},
		{"csv bad cell", "text/csv", strings.Join(cols, ",") + "\n" + strings.Replace(strings.Join(rows[0], ","), rows[0][0], "x", 1) + "\n", 400, "BAD_REQUEST", `column "account_length", row 1`},
		{"csv missing column", "text/csv", "account_length\n1\n", 400, "BAD_REQUEST", "missing column"},
		{"form content type", "application/x-www-form-urlencoded", `a=b`, 415, "UNSUPPORTED_MEDIA_TYPE", "application/x-www-form-urlencoded"},
		{"no content type", "", `{}`, 415, "UNSUPPORTED_MEDIA_TYPE", "not supported"},
		{"too large", "application/json", `{"instances": [` + strings.Repeat(good+", ", 200) + good + `]}`, 413, "REQUEST_LIMIT_EXCEEDED", "larger than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/invocations", strings.NewReader(tt.body))
			if tt.ct != "" {
				req.Header.Set("Content-Type", tt.ct)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				ErrorCode string `json:"error_code"`
				Message   string
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("error body is not JSON: %v", err)
			}
			if resp.StatusCode != tt.status || body.ErrorCode != tt.code || !strings.Contains(body.Message, tt.substr) {
				t.Errorf("got %d %s %q, want %d %s containing %q", resp.StatusCode, body.ErrorCode, body.Message, tt.status, tt.code, tt.substr)
			}
		})
	}
}

func TestPingHealthVersion(t *testing.T) {
	h := serving.NewHandler(nil, serving.Options{Version: "1.2.3"})
	srv := newServer(t, h)
	for _, p := range []string{"/ping", "/health"} {
		if status, _ := get(t, srv.URL+p); status != http.StatusServiceUnavailable {
			t.Errorf("%s without a model: got %d, want 503", p, status)
		}
	}
	if status, _ := post(t, srv.URL+"/invocations", "application/json", `{"instances": []}`); status != http.StatusServiceUnavailable {
		t.Errorf("/invocations without a model: got %d, want 503", status)
	}
	if old := h.Swap(mustLoad(t)); old != nil {
		t.Errorf("Swap: got previous model %v, want nil", old)
	}
	for _, p := range []string{"/ping", "/health"} {
		if status, _ := get(t, srv.URL+p); status != http.StatusOK {
			t.Errorf("%s: got %d, want 200", p, status)
		}
	}
	if status, body := get(t, srv.URL+"/version"); status != 200 || body != "1.2.3" {
		t.Errorf("/version: got %d %q", status, body)
	}
	if status, _ := get(t, srv.URL+"/invocations"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /invocations: got %d, want 405", status)
	}
	if status, _ := get(t, srv.URL+"/nope"); status != http.StatusNotFound {
		t.Errorf("/nope: got %d, want 404", status)
	}
}

// A stage that drops rows (VectorAssembler with handleInvalid=skip)
// still gets the whole pipeline's answer.
func TestInvocationDroppedRows(t *testing.T) {
	cols, rows, preds := testRows(t, 2)
	m := mustLoad(t)
	pm := m.Pipeline.(*ml.PipelineModel)
	va, ok := pm.Stages[2].(*feature.VectorAssembler)
	if !ok {
		t.Fatalf("stage 3 is %T, want a VectorAssembler", pm.Stages[2])
	}
	va.P.HandleInvalid = "skip"
	srv := newServer(t, serving.NewHandler(m, serving.Options{}))
	bad := strings.Replace(record(cols, rows[0]), `"total_day_minutes": `+rows[0][4], `"total_day_minutes": null`, 1)
	status, got := post(t, srv.URL+"/invocations", "application/json", `{"dataframe_records": [`+bad+`, `+record(cols, rows[1])+`]}`)
	want := `{"predictions": [` + preds[1] + "]}\n"
	if status != 200 || got != want {
		t.Errorf("got %d %s, want 200 %s", status, got, want)
	}
}

func TestInvocationScalarsAndEmpty(t *testing.T) {
	cols, rows, preds := testRows(t, 1)
	srv := newServer(t, serving.NewHandler(mustLoad(t), serving.Options{}))
	status, got := post(t, srv.URL+"/invocations", "application/json", `{"inputs": `+record(cols, rows[0])+`}`)
	if want := `{"predictions": [` + preds[0] + "]}\n"; status != 200 || got != want {
		t.Errorf("inputs of scalars: got %d %s, want 200 %s", status, got, want)
	}
	status, got = post(t, srv.URL+"/invocations", "application/json", `{"instances": []}`)
	if status != 200 || got != "{\"predictions\": []}\n" {
		t.Errorf("no rows: got %d %s", status, got)
	}
}
