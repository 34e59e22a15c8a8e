package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/cli"
)

// run executes the CLI in-process against workspace ws.
func run(t *testing.T, ws string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(context.Background(), append([]string{"--workspace", ws}, args...), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func mustRun(t *testing.T, ws string, args ...string) string {
	t.Helper()
	out, errs, code := run(t, ws, "", args...)
	if code != 0 {
		t.Fatalf("sluice %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func TestQuickstart(t *testing.T) {
	ws := t.TempDir()
	out := mustRun(t, ws, "quickstart")
	for _, want := range []string{"deployed job churn (version 1)", "run 1 of churn: succeeded",
		"ingest", "features", "fit", "score", "report", "Test AUC (areaUnderROC on 1667 held-out customers): 0.8",
		"Model: models:/churn/1", "The ten test customers most at risk", "(10 rows)", "report.test_auc = 0.8",
		"quickstart --movielens", "get-data.sh"} {
		if !strings.Contains(out, want) {
			t.Errorf("quickstart output lacks %q:\n%s", want, out)
		}
	}
	// A second run reuses the deployed job, makes new table versions and a
	// new model version.
	out = mustRun(t, ws, "quickstart")
	for _, want := range []string{"deployed job churn (version 1)", "run 2 of churn: succeeded", "Model: models:/churn/2"} {
		if !strings.Contains(out, want) {
			t.Errorf("second quickstart lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, ws, "sql", "SELECT count(*) AS n FROM churn VERSION AS OF 1", "--output", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("json output %q: %v", out, err)
	}
	if len(rows) != 1 || rows[0]["n"] != float64(5000) {
		t.Errorf("json rows = %v", rows)
	}
	out = mustRun(t, ws, "sql", "SELECT count(*) AS n FROM churn_scored", "--output", "csv")
	if out != "n\n1667\n" {
		t.Errorf("churn_scored rows: %q", out)
	}
	// The champion alias points at the new version.
	if out = mustRun(t, ws, "models", "show", "churn"); !strings.Contains(out, "champion") {
		t.Errorf("models show churn:\n%s", out)
	}
}

func TestIngestSQLAndTables(t *testing.T) {
	ws := t.TempDir()
	dir := t.TempDir()
	csv := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(csv, []byte("id,region,amount,ts\n1,eu,10.5,2026-11-01 10:00:00\n2,us,20,2026-11-02 11:00:00\n3,eu,5,2026-11-02 12:00:00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, ws, "ingest", csv, "--table", "sales.orders", "--partition-by", "day(ts)")
	var sum map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, ws, "ingest", csv, "--table", "sales.other", "--output", "json")), &sum); err != nil || sum["rows_written"] != float64(3) || sum["version"] != float64(1) {
		t.Errorf("ingest --output json = %v (%v)", sum, err)
	}
	if !strings.Contains(out, "created sales.orders: version 1") || !strings.Contains(out, "written   3 rows") {
		t.Errorf("ingest output:\n%s", out)
	}
	out = mustRun(t, ws, "sql", "SELECT region, sum(amount) AS total FROM sales.orders GROUP BY 1 ORDER BY 1", "--output", "csv")
	if out != "region,total\neu,15.5\nus,20\n" {
		t.Errorf("csv output = %q", out)
	}
	out = mustRun(t, ws, "tables", "describe", "sales.orders")
	for _, want := range []string{"day(ts)", "rows            3", "Iceberg v2", "amount"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, ws, "tables", "delete", "sales.orders", "--where", "region = 'us'")
	mustRun(t, ws, "tables", "append", "sales.orders", "--query", "SELECT 9 AS id, 'apac' AS region, 1.0 AS amount, TIMESTAMP '2026-11-03 00:00:00' AS ts")
	out = mustRun(t, ws, "tables", "history", "sales.orders", "--output", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 4 || !strings.Contains(lines[2], "delete") || !strings.Contains(lines[3], "insert") {
		t.Errorf("history:\n%s", out)
	}
	mustRun(t, ws, "tables", "rollback", "sales.orders", "--to-version", "1")
	out = mustRun(t, ws, "sql", "SELECT count(*) FROM sales.orders", "--output", "csv")
	if out != "count_star()\n3\n" {
		t.Errorf("after rollback: %q", out)
	}
	out = mustRun(t, ws, "tables", "list", "--output", "csv")
	if !strings.Contains(out, "sales.orders,1,3,") {
		t.Errorf("list: %q", out)
	}
	// SQL from stdin and from a file.
	var o bytes.Buffer
	if code := cli.Main(context.Background(), []string{"--workspace", ws, "sql", "--output", "csv"}, strings.NewReader("SELECT 41 + 1 AS x"), &o, &bytes.Buffer{}); code != 0 || o.String() != "x\n42\n" {
		t.Errorf("stdin sql: code %d out %q", code, o.String())
	}
	f := filepath.Join(dir, "q.sql")
	os.WriteFile(f, []byte("SELECT 1 AS a;\nSELECT nope FROM sales.orders;\n"), 0o644)
	_, errs, code := run(t, ws, "", "sql", "-f", f)
	if code != 1 || !strings.Contains(errs, "q.sql") || !strings.Contains(errs, "line 2") {
		t.Errorf("bad script: code %d stderr %q", code, errs)
	}
	mustRun(t, ws, "tables", "compact", "sales.orders")
	mustRun(t, ws, "tables", "expire", "sales.orders", "--retain-last", "1")
	mustRun(t, ws, "tables", "remove-orphans", "sales.orders", "--dry-run")
	mustRun(t, ws, "tables", "drop", "sales.orders", "--purge")
	if _, errs, code := run(t, ws, "", "tables", "describe", "sales.orders"); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("describe dropped: %d %q", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	ws := t.TempDir()
	cases := [][]string{
		{"ingest", "x.csv"},
		{"sql", "SELECT 1", "--output", "xml"},
		{"tables", "create", "t"},
		{"tables", "create", "t", "--schema", "id BIGINTT"},
		{"tables", "rollback", "t"},
		{"nosuchcommand"},
	}
	for _, args := range cases {
		_, errs, code := run(t, ws, "", args...)
		if code == 0 || !strings.Contains(errs, "error:") {
			t.Errorf("sluice %v: code %d stderr %q, want a usage error", args, code, errs)
		}
	}
}

// Every command documents examples in its help.
func TestHelpHasExamples(t *testing.T) {
	ws := t.TempDir()
	var walk func(path []string)
	checked := 0
	walk = func(path []string) {
		out, _, code := run(t, ws, "", append([]string{"help"}, path...)...)
		if code != 0 {
			t.Fatalf("help %v: exit %d", path, code)
		}
		if len(path) > 0 && !strings.Contains(out, "Examples:") {
			t.Errorf("sluice help %s has no examples", strings.Join(path, " "))
		}
		checked++
		if i := strings.Index(out, "Available Commands:"); i >= 0 {
			rest := out[i+len("Available Commands:"):]
			if j := strings.Index(rest, "\n\n"); j >= 0 {
				rest = rest[:j]
			}
			for _, line := range strings.Split(strings.TrimSpace(rest), "\n") {
				name := strings.Fields(line)[0]
				if name == "help" || name == "completion" {
					continue
				}
				walk(append(append([]string{}, path...), name))
			}
		}
	}
	walk(nil)
	if checked < 15 {
		t.Errorf("checked %d help pages, want every command", checked)
	}
}

func TestWorkspaceFromEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	t.Setenv("SLUICE_HOME", dir)
	var out, errb bytes.Buffer
	if code := cli.Main(context.Background(), []string{"tables", "create", "x", "--schema", "id BIGINT"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, p := range []string{"catalog.db", "warehouse/default.db/x/metadata"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("SLUICE_HOME workspace lacks %s: %v", p, err)
		}
	}
	// --workspace wins over SLUICE_HOME.
	other := t.TempDir()
	if _, errs, code := run(t, other, "", "tables", "describe", "x"); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("--workspace %s saw SLUICE_HOME's table: %d %s", other, code, errs)
	}
}

func TestVersion(t *testing.T) {
	out := mustRun(t, t.TempDir(), "version")
	if !strings.HasPrefix(out, "sluice ") {
		t.Errorf("version = %q", out)
	}
}

// httptestServer serves h on loopback until the test ends and returns its
// URL.
func httptestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
