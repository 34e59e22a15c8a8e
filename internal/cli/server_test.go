package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/artifacts/artifactstest"
	"github.com/sluice-dev/sluice/internal/cli"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
	"github.com/sluice-dev/sluice/tracking"
)

// lineWriter collects output and reports the first line on a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string
	sent  bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if s := w.buf.String(); !w.sent && strings.Contains(s, "\n") {
		w.sent = true
		w.first <- s[:strings.Index(s, "\n")]
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// startCLIServer runs 'sluice server' on a free loopback port until the
// test ends and returns its URL.
func startCLIServer(t *testing.T, ws string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &lineWriter{first: make(chan string, 1)}
	var stderr lineWriter
	stderr.first = make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, append([]string{"--workspace", ws, "server", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), stdout, &stderr)
	}()
	var line string
	select {
	case line = <-stdout.first:
	case code := <-done:
		t.Fatalf("sluice server exited with %d before listening: %s", code, stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("sluice server: exit %d after cancel, want 0; stderr:\n%s", code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "msg=request method=") {
			t.Errorf("server log lacks request records:\n%s", stderr.String())
		}
	})
	u := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if u == "" {
		t.Fatalf("sluice server printed %q, want its URL", line)
	}
	return u
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServerCommand runs the server on a workspace and drives it with the
// CLI's remote form (--tracking-uri, SLUICE_TRACKING_URI, SLUICE_TOKEN).
func TestServerCommand(t *testing.T) {
	ws := t.TempDir()
	const token = "t0ken"
	url := startCLIServer(t, ws, "--token", token)

	if got := get(t, url+"/health", ""); got != 200 {
		t.Errorf("/health: %d, want 200", got)
	}
	if got := get(t, url+"/api/2.0/mlflow/experiments/search", ""); got != 401 {
		t.Errorf("search without token: %d, want 401", got)
	}
	if got := get(t, url+"/api/2.0/mlflow/experiments/search", token); got != 200 {
		t.Errorf("search with token: %d, want 200", got)
	}

	// No token: the client reports the server's UNAUTHENTICATED.
	t.Setenv("SLUICE_TOKEN", "")
	if _, errs, code := run(t, ws, "", "experiments", "list", "--tracking-uri", url); code != 1 || !strings.Contains(errs, "bearer token") {
		t.Errorf("remote without token: exit %d %q", code, errs)
	}
	t.Setenv("SLUICE_TOKEN", token)
	mustRun(t, t.TempDir(), "experiments", "create", "remote", "--tracking-uri", url)
	// The local form sees what the server wrote: same workspace, same meta.db.
	if out := mustRun(t, ws, "experiments", "list"); !strings.Contains(out, "remote") {
		t.Errorf("local list after remote create:\n%s", out)
	}
	t.Setenv("SLUICE_TRACKING_URI", url)
	other := t.TempDir() // an unrelated workspace: the env var wins
	if out := mustRun(t, other, "experiments", "show", "remote"); !strings.Contains(out, "remote") {
		t.Errorf("show through SLUICE_TRACKING_URI:\n%s", out)
	}
	if out := mustRun(t, other, "runs", "list", "-e", "remote"); !strings.Contains(out, "(0 rows)") {
		t.Errorf("runs list through SLUICE_TRACKING_URI:\n%s", out)
	}
	if out := mustRun(t, other, "models", "list"); !strings.Contains(out, "(0 rows)") {
		t.Errorf("models list through SLUICE_TRACKING_URI:\n%s", out)
	}
	if _, errs, code := run(t, other, "", "experiments", "list", "--tracking-uri", "127.0.0.1:1"); code != 1 || !strings.Contains(errs, "http://") {
		t.Errorf("bad --tracking-uri: exit %d %q", code, errs)
	}
}

func TestServerCommandUsage(t *testing.T) {
	ws := t.TempDir()
	for _, args := range [][]string{
		{"server", "--addr", "nonsense"},
		{"server", "--log-level", "loud"},
		{"server", "extra"},
	} {
		if _, errs, code := run(t, ws, "", args...); code != 2 {
			t.Errorf("sluice %v: exit %d (%s), want 2", args, code, errs)
		}
	}
	out := mustRun(t, ws, "help", "server")
	for _, want := range []string{"--addr", "--db", "--artifacts", "--token", "Examples:", "postgres://"} {
		if !strings.Contains(out, want) {
			t.Errorf("help server lacks %q", want)
		}
	}
}

// TestTrainRegisterServe is the whole motion from the CLI: fit the churn
// pipeline logging a run, find the best run, register its model under an
// alias, and score rows through 'sluice server' at /serving/churn/.
func TestTrainRegisterServe(t *testing.T) {
	if testing.Short() {
		t.Skip("fits the churn pipeline")
	}
	ws := t.TempDir()
	mustRun(t, ws, "ml", "fit", filepath.Join("..", "..", "examples", "churn", "pipeline.yaml"), "--experiment", "churn")
	var runs []tracking.Run
	out := mustRun(t, ws, "runs", "list", "-e", "churn", "--filter", "attributes.status = 'FINISHED'", "--order-by", "start_time ASC", "--max", "1", "-o", "json")
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("runs list: %v\n%s", err, out)
	}
	id := runs[0].Info.RunID
	mustRun(t, ws, "models", "register", "runs:/"+id+"/model", "--name", "churn", "--alias", "champion")
	dest := t.TempDir()
	mustRun(t, ws, "runs", "download", id, "--path", "model", "--dest", dest)
	example, err := os.ReadFile(filepath.Join(dest, "input_example.json"))
	if err != nil {
		t.Fatal(err)
	}

	url := startCLIServer(t, ws)
	resp, err := http.Post(url+"/serving/churn/invocations", "application/json", strings.NewReader(`{"dataframe_split": `+string(example)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Predictions []float64 `json:"predictions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 || len(got.Predictions) == 0 {
		t.Fatalf("invocations: status %d, %v, %+v", resp.StatusCode, err, got)
	}
	for _, p := range got.Predictions {
		if p != 0 && p != 1 {
			t.Errorf("prediction %v, want 0 or 1", p)
		}
	}
}

// TestServerCommandBackends runs 'sluice server --db postgres://…
// --artifacts s3://…' (PostgreSQL when SLUICE_TEST_POSTGRES is set, S3 in
// process) and checks that nothing lands in the workspace's defaults.
func TestServerCommandBackends(t *testing.T) {
	ws := t.TempDir()
	db := newPostgresDB(t)
	url := startCLIServer(t, ws, "--db", db, "--artifacts", artifactstest.NewS3URL(t, "sluice"))
	out := mustRun(t, t.TempDir(), "experiments", "create", "pg", "--tracking-uri", url)
	if !strings.Contains(out, "created experiment pg") {
		t.Fatalf("create on the server: %s", out)
	}
	if out := mustRun(t, t.TempDir(), "runs", "list", "-e", "pg", "--tracking-uri", url); !strings.Contains(out, "(0 rows)") {
		t.Errorf("runs list: %s", out)
	}
	for _, p := range []string{"meta.db", "artifacts"} {
		if _, err := os.Stat(filepath.Join(ws, p)); !os.IsNotExist(err) {
			t.Errorf("%s exists in the workspace although --db and --artifacts point elsewhere (%v)", p, err)
		}
	}
}

// newPostgresDB creates a database on the test PostgreSQL server, dropped
// at cleanup, and returns its URL; it skips t without a server.
func newPostgresDB(t *testing.T) string {
	t.Helper()
	admin := metastoretest.PostgresURL(t)
	ctx := context.Background()
	db, err := metastore.OpenPostgres(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "sluice_cli_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a, err := metastore.OpenPostgres(context.Background(), admin); err == nil {
			a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			a.Close()
		}
	})
	u, err := neturl.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
