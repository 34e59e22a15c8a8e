package compat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
	"github.com/sluice-dev/sluice/server"
)

// EnvRequireNPM, when "1", turns the skip for a machine without node or
// npm into a failure.
const EnvRequireNPM = "SLUICE_REQUIRE_NPM"

const clientDir = "mlflow-npm"

// TestMLflowNPMClient runs mlflow-npm/test.mjs, which drives the server
// with the npm package mlflow and checks every answer, against the server
// on SQLite, on PostgreSQL (when SLUICE_TEST_POSTGRES is set) and with a
// bearer token.
func TestMLflowNPMClient(t *testing.T) {
	node := requireNode(t)
	ensureClient(t)

	t.Run("sqlite", func(t *testing.T) {
		base := startServer(t, server.Config{})
		runClient(t, node, base, "")
	})
	t.Run("postgres", func(t *testing.T) {
		base := startServer(t, server.Config{DB: freshPostgres(t)})
		runClient(t, node, base, "")
	})
	t.Run("token", func(t *testing.T) {
		const token = "compat-token-123"
		base := startServer(t, server.Config{Token: token})
		resp, err := http.Get(base + "/api/2.0/mlflow/experiments/get?experiment_id=0")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("request without the token: got status %d, want 401", resp.StatusCode)
		}
		runClient(t, node, base, token)
	})
}

// requireNode returns node's path, or skips the test (fails it when
// SLUICE_REQUIRE_NPM=1) when node or npm is missing.
func requireNode(t *testing.T) string {
	t.Helper()
	node, nerr := exec.LookPath("node")
	_, perr := exec.LookPath("npm")
	if nerr == nil && perr == nil {
		return node
	}
	msg := "node and npm are needed to run the npm mlflow client (Debian: apt-get install nodejs npm)"
	if os.Getenv(EnvRequireNPM) == "1" {
		t.Fatalf("%s; %s=1 forbids skipping", msg, EnvRequireNPM)
	}
	t.Skipf("%s; skipping (set %s=1 to make this a failure)", msg, EnvRequireNPM)
	return ""
}

// ensureClient installs the pinned client with scripts/npm-mlflow.sh when
// mlflow-npm/node_modules lacks it.
func ensureClient(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(clientDir, "node_modules", "mlflow", "package.json")); err == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join("..", "scripts", "npm-mlflow.sh")).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/npm-mlflow.sh: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

// startServer opens a server over a temporary workspace with cfg (Dir
// and Addr filled in), serves it on a free loopback port until the test
// ends and returns its base URL.
func startServer(t *testing.T, cfg server.Config) string {
	t.Helper()
	cfg.Dir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := server.Listen(cfg.Addr)
	if err != nil {
		cancel()
		srv.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// runClient runs test.mjs against base and fails the test with its output
// when it reports a mismatch.
func runClient(t *testing.T, node, base, token string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"test.mjs", base}
	if token != "" {
		args = append(args, token)
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = clientDir
	cmd.Env = append(os.Environ(), "SLUICE_TOKEN=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node test.mjs %s: timed out; output:\n%s", base, out.String())
	}
	if err != nil {
		t.Fatalf("node test.mjs %s: %v; output:\n%s", base, err, out.String())
	}
	last := strings.TrimSpace(out.String())
	if i := strings.LastIndexByte(last, '\n'); i >= 0 {
		last = last[i+1:]
	}
	if !strings.HasSuffix(last, " passed, 0 failed") {
		t.Fatalf("node test.mjs %s: want a closing line \"N passed, 0 failed\", got output:\n%s", base, out.String())
	}
	t.Logf("npm mlflow client: %s", last)
}

// freshPostgres creates an empty database on the test PostgreSQL server
// (skipping the test when none is configured), dropped at cleanup, and
// returns its URL.
func freshPostgres(t *testing.T) string {
	t.Helper()
	u := metastoretest.PostgresURL(t)
	ctx := context.Background()
	admin, err := metastore.OpenPostgres(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "sluice_compat_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := metastore.OpenPostgres(context.Background(), u)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer a.Close()
		if _, err := a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = "/" + name
	return pu.String()
}
