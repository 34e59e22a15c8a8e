package artifacts_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/artifacts/artifactstest"
)

// mustOpen opens url, closing the store when t ends.
func mustOpen(t *testing.T, url string) *artifacts.Store {
	t.Helper()
	s, err := artifacts.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestLocalStore(t *testing.T) {
	t.Parallel()
	artifactstest.Run(t, func(t *testing.T) *artifacts.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "artifacts"))
	})
}

func TestFileURLStore(t *testing.T) {
	t.Parallel()
	artifactstest.Run(t, func(t *testing.T) *artifacts.Store {
		return mustOpen(t, "file://"+filepath.ToSlash(filepath.Join(t.TempDir(), "a", "b")))
	})
}

func TestS3Store(t *testing.T) {
	t.Parallel()
	srv := artifactstest.NewS3(t)
	n := 0
	artifactstest.Run(t, func(t *testing.T) *artifacts.Store {
		n++
		prefix := []string{"", "artifacts", "deep/prefix"}[n%3]
		return mustOpen(t, srv.Bucket(t, "bucket-"+strings.Repeat("x", n), prefix))
	})
}

// TestS3EnvCredentials opens S3 with credentials from the usual AWS
// environment variables (not parallel: it sets them).
func TestS3EnvCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := artifactstest.NewS3(t)
	srv.Bucket(t, "creds", "")
	s := mustOpen(t, srv.URL("creds", "pre/fix", false))
	artifactstest.MustPut(t, s, "a/b.txt", "signed")
	if got := artifactstest.MustGet(t, s, "a/b.txt"); got != "signed" {
		t.Errorf("Get = %q, want signed", got)
	}
	// The prefix applies: a store on the bucket's root sees it.
	root := mustOpen(t, srv.URL("creds", "", false))
	if got := artifactstest.MustGet(t, root, "pre/fix/a/b.txt"); got != "signed" {
		t.Errorf("Get(pre/fix/a/b.txt) on the bucket root = %q, want signed", got)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	srv := artifactstest.NewS3(t)
	for _, c := range []struct{ url, want string }{
		{"", "no URL"},
		{"gs://bucket/x", `unsupported scheme "gs"`},
		{"file://otherhost/dir", "otherhost"},
		{file, "not a directory"},
		{srv.URL("no-such-bucket", "", true), "no-such-bucket"},
		{"s3:///prefix", "no bucket"},
		{"s3://bucket/../x?endpoint=http://127.0.0.1:1", ".."},
	} {
		s, err := artifacts.Open(ctx, c.url)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q): got nil error, want one mentioning %q", c.url, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q): got %v, want it to mention %q", c.url, err, c.want)
		}
	}
}

func TestOpenCreatesDirAndCloseIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "x", "y")
	s, err := artifacts.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	artifactstest.MustPut(t, s, "m/f.txt", "f")
	if b, err := os.ReadFile(filepath.Join(dir, "m", "f.txt")); err != nil || string(b) != "f" {
		t.Errorf("file on disk = %q, %v; want f", b, err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "m"))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want just f.txt (no sidecar or temporary files)", len(entries))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestLocalSymlinks plants symlinks inside a local root that point
// outside it (and one that stays inside) and checks every operation.
func TestLocalSymlinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "root")
	s := mustOpen(t, root)
	outside := t.TempDir()
	artifactstest.MustWriteTree(t, outside, map[string]string{"secret.txt": "s3cr3t", "d/x.txt": "x"})
	artifactstest.MustPut(t, s, "1/run/artifacts/ok.txt", "ok")
	artifactstest.MustPut(t, s, "1/other/artifacts/theirs.txt", "theirs")

	link := func(target, name string) {
		t.Helper()
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	link(outside, "1/run/artifacts/evil")                                        // a directory outside
	link(filepath.Join(outside, "secret.txt"), "1/run/artifacts/leak.txt")       // a file outside
	link(filepath.Join(root, "nowhere"), "1/run/artifacts/dangling")             // a dangling link
	link(filepath.Join(root, "1/other/artifacts"), "1/run/artifacts/neighbour")  // inside the root, outside the run
	link(filepath.Join(root, "1/run/artifacts/ok.txt"), "1/run/artifacts/alias") // inside the run

	for _, p := range []string{
		"1/run/artifacts/evil/secret.txt",
		"1/run/artifacts/evil/new.txt",
		"1/run/artifacts/leak.txt",
		"1/run/artifacts/dangling/x",
	} {
		_, err := s.Get(ctx, p)
		artifactstest.WantCode(t, "Get "+p, err, apierr.InvalidParameterValue, p, "symlink")
		err = s.Put(ctx, p, strings.NewReader("pwned"))
		artifactstest.WantCode(t, "Put "+p, err, apierr.InvalidParameterValue, p, "symlink")
		_, err = s.Stat(ctx, p)
		artifactstest.WantCode(t, "Stat "+p, err, apierr.InvalidParameterValue, p, "symlink")
		err = s.Delete(ctx, p)
		artifactstest.WantCode(t, "Delete "+p, err, apierr.InvalidParameterValue, p, "symlink")
	}
	_, err := s.List(ctx, "1/run/artifacts/evil")
	artifactstest.WantCode(t, "List evil", err, apierr.InvalidParameterValue, "evil")
	_, err = s.List(ctx, "1/run/artifacts")
	artifactstest.WantCode(t, "List of a directory holding an escaping symlink", err, apierr.InvalidParameterValue, "symlink")
	err = s.Delete(ctx, "1/run")
	artifactstest.WantCode(t, "Delete of a directory holding an escaping symlink", err, apierr.InvalidParameterValue, "symlink")
	err = s.DownloadDir(ctx, "1/run/artifacts", t.TempDir())
	artifactstest.WantCode(t, "DownloadDir", err, apierr.InvalidParameterValue, "symlink")
	if got := artifactstest.ReadTree(t, outside); len(got) != 2 || got["secret.txt"] != "s3cr3t" {
		t.Errorf("files outside the root changed: %v", got)
	}

	// From the root store, a link to another run stays inside the root…
	if got := artifactstest.MustGet(t, s, "1/run/artifacts/neighbour/theirs.txt"); got != "theirs" {
		t.Errorf("Get through an inside link = %q", got)
	}
	// …but a run's view refuses it: it leads out of the run's root.
	run, err := s.RunRoot("mlflow-artifacts:/1/run/artifacts")
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Get(ctx, "neighbour/theirs.txt")
	artifactstest.WantCode(t, "run Get through a link to another run", err, apierr.InvalidParameterValue, "neighbour")
	if got := artifactstest.MustGet(t, run, "alias"); got != "ok" {
		t.Errorf("run Get(alias) = %q, want ok", got)
	}

	// A run directory that is itself a symlink to another run is refused.
	link(filepath.Join(root, "1/other"), "1/sneaky")
	sneaky, err := s.RunRoot("mlflow-artifacts:/1/sneaky/artifacts")
	if err == nil {
		_, err = sneaky.Get(ctx, "theirs.txt")
	}
	artifactstest.WantCode(t, "a run root that is a symlink", err, apierr.InvalidParameterValue, "symlink")
}

func TestRecursiveDeleteRemovesEmptyDirs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := mustOpen(t, root)
	artifactstest.MustPut(t, s, "1/r/artifacts/model/data/a", "a")
	artifactstest.MustPut(t, s, "1/r/artifacts/model/MLmodel", "m")
	if err := s.Delete(context.Background(), "1/r/artifacts/model"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "1/r/artifacts/model")); !os.IsNotExist(err) {
		t.Errorf("model directory still there after Delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "1/r/artifacts")); err != nil {
		t.Errorf("Delete removed the parent directory: %v", err)
	}
}

func TestConcurrentPutsAreAtomic(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"local", "s3"} {
		t.Run(name, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "a")
			if name == "s3" {
				url = artifactstest.NewS3URL(t, "p")
			}
			s := mustOpen(t, url)
			contents := []string{strings.Repeat("a", 1<<20), strings.Repeat("b", 1<<20), strings.Repeat("c", 1<<20)}
			done := make(chan error, len(contents))
			for _, c := range contents {
				go func() { done <- s.Put(context.Background(), "same.bin", strings.NewReader(c)) }()
			}
			for range contents {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			if got := artifactstest.MustGet(t, s, "same.bin"); !slices.Contains(contents, got) {
				t.Errorf("after concurrent Puts the file is a mix (%d bytes, starts %q)", len(got), got[:min(len(got), 8)])
			}
		})
	}
}

// TestS3UnsafeKeys stores keys another tool could have written that are
// not valid artifact paths: listing and downloading refuse them rather
// than writing outside the download directory.
func TestS3UnsafeKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := artifactstest.NewS3(t)
	s := mustOpen(t, srv.Bucket(t, "raw", "p"))
	artifactstest.MustPut(t, s, "run/ok.txt", "ok")
	srv.PutRaw(t, "raw", "p/run/a/../../../escaped.txt", "pwned")
	dst := filepath.Join(t.TempDir(), "dl")
	err := s.DownloadDir(ctx, "run", dst)
	artifactstest.WantCode(t, "DownloadDir over an unsafe key", err, apierr.InvalidParameterValue, "a/../../../escaped.txt")
	if _, err := os.Stat(filepath.Join(filepath.Dir(dst), "escaped.txt")); !os.IsNotExist(err) {
		t.Errorf("DownloadDir wrote outside its directory: %v", err)
	}
	if got := artifactstest.ReadTree(t, filepath.Dir(dst)); len(got) != 0 {
		t.Errorf("DownloadDir wrote %v before refusing", got)
	}
	_, err = s.List(ctx, "run/a")
	artifactstest.WantCode(t, "List over an unsafe key", err, apierr.InvalidParameterValue, "..")
	if got := artifactstest.MustList(t, s, "run"); len(got) != 2 {
		t.Errorf("List(run) = %v, want a/ and ok.txt", got)
	}
}

// TestLocalConflicts: a local directory cannot hold a file and a directory
// of the same name, and says so.
func TestLocalConflicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	artifactstest.MustPut(t, s, "model/MLmodel", "m")
	err := s.Put(ctx, "model", strings.NewReader("x"))
	artifactstest.WantCode(t, "Put over a directory", err, apierr.InvalidParameterValue, `"model"`, "is a directory")
	err = s.Put(ctx, "model/MLmodel/x", strings.NewReader("x"))
	artifactstest.WantCode(t, "Put under a file", err, apierr.InvalidParameterValue, `"model/MLmodel/x"`, "is a file")
	if got := artifactstest.MustGet(t, s, "model/MLmodel"); got != "m" {
		t.Errorf("model/MLmodel = %q after refused Puts", got)
	}
}
