package serving_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/serving"
)

// Any body gets 200 or a 4xx with MLflow's error body: never a panic or
// a 5xx.
func FuzzInvocationBody(f *testing.F) {
	cols, rows, _ := testRows(f, 2)
	rec := record(cols, rows[0])
	for _, s := range []string{
		`{"dataframe_records": [` + rec + `]}`,
		`{"dataframe_split": {"columns": ` + quoteAll(cols) + `, "data": [[` + strings.Join(rows[1], ", ") + `]]}}`,
		`{"instances": [[` + strings.Join(rows[0], ", ") + `]]}`,
		`{"inputs": {"account_length": [1, 2]}}`,
		`{"inputs": ` + "[" + rec + "]" + `, "params": {"output": ["prediction", "probability"]}}`,
		`{"dataframe_split": {"data": [[1]], "columns": ["x"]}}`,
		`{"instances": [{"account_length": "\u00e9\ud83d\ude00"}]}`,
		`{"a": [[[[[[[[[[1]]]]]]]]]]}`, `{"instances": [NaN, -Infinity]}`, `[`, `{"`, `"\`, `{}`, ``,
	} {
		f.Add(s, false)
	}
	f.Add(strings.Join(cols, ",")+"\n"+strings.Join(rows[0], ",")+"\n", true)
	f.Add("a,b\n\"1", true)
	h := serving.NewHandler(mustLoad(f), serving.Options{MaxBodyBytes: 1 << 16})
	f.Fuzz(func(t *testing.T, body string, csv bool) {
		if len(body) > 1<<16 {
			return
		}
		ct := "application/json"
		if csv {
			ct = "text/csv"
		}
		req := httptest.NewRequest("POST", "/invocations", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code >= 500) {
			t.Fatalf("body %q: got %d %s", body, w.Code, w.Body)
		}
		if w.Code != http.StatusOK && !strings.Contains(w.Body.String(), `"error_code": "`) {
			t.Fatalf("body %q: got %d without an MLflow error body: %s", body, w.Code, w.Body)
		}
	})
}
