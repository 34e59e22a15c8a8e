package serving_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/models/modelstest"
)

var (
	modelOnce sync.Once
	modelDir  string
	modelErr  error
	tmpRoot   string
)

func TestMain(m *testing.M) {
	var err error
	if tmpRoot, err = os.MkdirTemp("", "serving-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// mustChurnDir returns the churn model saved as an MLflow model
// directory, once per test binary.
func mustChurnDir(tb testing.TB) string {
	tb.Helper()
	modelOnce.Do(func() {
		c, err := modelstest.FitChurn()
		if err != nil {
			modelErr = err
			return
		}
		modelDir = filepath.Join(tmpRoot, "churn")
		modelErr = models.Save(context.Background(), modelDir, c.Model, c.Train.Schema(), models.Options{Example: c.Train})
	})
	if modelErr != nil {
		tb.Fatal(modelErr)
	}
	return modelDir
}

// mustLoad loads the churn model (a fresh *Model each call).
func mustLoad(tb testing.TB) *models.Model {
	tb.Helper()
	m, err := models.Load(context.Background(), mustChurnDir(tb), stages.Registry(nil))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// testRows returns the first n test rows as MLflow records (values as
// JSON text) and their predictions by the model itself.
func testRows(tb testing.TB, n int) (cols []string, rows [][]string, preds []string) {
	tb.Helper()
	c := modelstest.MustChurn(tb)
	m := mustLoad(tb)
	cols = ml.ColumnNames(m.InputSchema)
	head, err := c.Test.Select(cols...)
	if err != nil {
		tb.Fatal(err)
	}
	ex, err := models.InputExample(head, m.InputSchema, n)
	if err != nil {
		tb.Fatal(err)
	}
	// Parse the example's rows back into per-cell JSON text.
	s := string(ex)
	data := s[strings.Index(s, `"data": [`)+len(`"data": [`) : strings.LastIndex(s, "]}")]
	for _, r := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(data, "["), "]"), "], [") {
		rows = append(rows, strings.Split(r, ", "))
	}
	out, err := m.Pipeline.Transform(context.Background(), c.Test)
	if err != nil {
		tb.Fatal(err)
	}
	col, _ := out.Column("prediction")
	a, _ := ml.Flatten(col)
	for i := range n {
		b, _ := models.AppendJSON(nil, a, i)
		preds = append(preds, string(b))
	}
	return cols, rows, preds
}

// post sends body to url and returns the status and body.
func post(tb testing.TB, url, contentType, body string) (int, string) {
	tb.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func newServer(tb testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}
