package artifactstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
)

// Run runs the conformance suite every artifact store backend passes.
// open returns a new, empty store for one subtest (closed by the caller's
// cleanup).
func Run(t *testing.T, open func(t *testing.T) *artifacts.Store) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("List", func(t *testing.T) { testList(t, open(t)) })
	t.Run("Stat", func(t *testing.T) { testStat(t, open(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	t.Run("BigFile", func(t *testing.T) { testBigFile(t, open(t)) })
	t.Run("FailedPut", func(t *testing.T) { testFailedPut(t, open(t)) })
	t.Run("Dirs", func(t *testing.T) { testDirs(t, open(t)) })
	t.Run("Sub", func(t *testing.T) { testSub(t, open(t)) })
	t.Run("PathEscapes", func(t *testing.T) { testPathEscapes(t, open(t)) })
}

// MustPut writes content to p, failing tb on error.
func MustPut(tb testing.TB, s *artifacts.Store, p, content string) {
	tb.Helper()
	if err := s.Put(context.Background(), p, strings.NewReader(content)); err != nil {
		tb.Fatalf("Put(%q): %v", p, err)
	}
}

// MustGet reads the file at p, failing tb on error.
func MustGet(tb testing.TB, s *artifacts.Store, p string) string {
	tb.Helper()
	r, err := s.Get(context.Background(), p)
	if err != nil {
		tb.Fatalf("Get(%q): %v", p, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatalf("Get(%q): read: %v", p, err)
	}
	return string(b)
}

// MustList lists dir, failing tb on error.
func MustList(tb testing.TB, s *artifacts.Store, dir string) []artifacts.FileInfo {
	tb.Helper()
	fis, err := s.List(context.Background(), dir)
	if err != nil {
		tb.Fatalf("List(%q): %v", dir, err)
	}
	return fis
}

// WantCode fails tb unless err is an *apierr.Error with code whose
// message contains every one of the substrings in mention.
func WantCode(tb testing.TB, what string, err error, code apierr.Code, mention ...string) {
	tb.Helper()
	e := apierr.As(err)
	if e == nil {
		tb.Errorf("%s: got error %v, want %s", what, err, code)
		return
	}
	if e.Code != code {
		tb.Errorf("%s: got code %s (%v), want %s", what, e.Code, e, code)
	}
	for _, m := range mention {
		if !strings.Contains(e.Error(), m) {
			tb.Errorf("%s: got message %q, want it to mention %q", what, e.Error(), m)
		}
	}
}

func testRoundTrip(t *testing.T, s *artifacts.Store) {
	for _, c := range []struct{ path, content string }{
		{"a.txt", "hello"},
		{"empty", ""},
		{"dir/sub/file.json", `{"x": 1}`},
		{"./dot//slashes/x.bin", "cleaned"},
		{"spaces and ünïcode/%41?#.txt", "odd names"},
	} {
		MustPut(t, s, c.path, c.content)
		if got := MustGet(t, s, c.path); got != c.content {
			t.Errorf("Get(%q) = %q, want %q", c.path, got, c.content)
		}
	}
	if got := MustGet(t, s, "dot/slashes/x.bin"); got != "cleaned" {
		t.Errorf("Get(dot/slashes/x.bin) = %q, want %q (the cleaned path)", got, "cleaned")
	}
	MustPut(t, s, "a.txt", "replaced")
	if got := MustGet(t, s, "a.txt"); got != "replaced" {
		t.Errorf("Get(a.txt) after overwrite = %q, want %q", got, "replaced")
	}
	r, err := s.Get(context.Background(), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sizer, ok := r.(interface{ Size() int64 })
	if !ok {
		t.Fatalf("Get's reader %T has no Size method", r)
	}
	if got := sizer.Size(); got != int64(len("replaced")) {
		t.Errorf("Size() = %d, want %d", got, len("replaced"))
	}
	_, err = s.Get(context.Background(), "missing.txt")
	WantCode(t, "Get(missing.txt)", err, apierr.ResourceDoesNotExist, "missing.txt")
	_, err = s.Get(context.Background(), "dir")
	WantCode(t, "Get(dir) of a directory", err, apierr.ResourceDoesNotExist, "dir")
	_, err = s.Get(context.Background(), "a.txt/x")
	WantCode(t, "Get(a.txt/x) under a file", err, apierr.ResourceDoesNotExist, "a.txt/x")
	_, err = s.Get(context.Background(), "")
	WantCode(t, "Get(\"\")", err, apierr.InvalidParameterValue)
	WantCode(t, "Put(\"\")", s.Put(context.Background(), "", strings.NewReader("x")), apierr.InvalidParameterValue)
}

func file(p string, size int64) artifacts.FileInfo {
	return artifacts.FileInfo{Path: p, FileSize: size}
}

func dir(p string) artifacts.FileInfo { return artifacts.FileInfo{Path: p, IsDir: true} }

func testList(t *testing.T, s *artifacts.Store) {
	MustPut(t, s, "metrics.json", "{}")
	MustPut(t, s, "model/MLmodel", "flavors: {}\n")
	MustPut(t, s, "model/data/weights.bin", "0123456789")
	MustPut(t, s, "model/data/more/deep.txt", "d")
	MustPut(t, s, "model-b.txt", "b") // sorts between "model" and "model/"
	MustPut(t, s, "z/only.txt", "z")
	for _, c := range []struct {
		dir  string
		want []artifacts.FileInfo
	}{
		{"", []artifacts.FileInfo{file("metrics.json", 2), dir("model"), file("model-b.txt", 1), dir("z")}},
		{".", []artifacts.FileInfo{file("metrics.json", 2), dir("model"), file("model-b.txt", 1), dir("z")}},
		{"model", []artifacts.FileInfo{file("model/MLmodel", 12), dir("model/data")}},
		{"model/", []artifacts.FileInfo{file("model/MLmodel", 12), dir("model/data")}},
		{"model/data", []artifacts.FileInfo{dir("model/data/more"), file("model/data/weights.bin", 10)}},
		{"model/data/more", []artifacts.FileInfo{file("model/data/more/deep.txt", 1)}},
		{"metrics.json", nil}, // a file: empty, as in MLflow
		{"missing", nil},
		{"mod", nil}, // a prefix of a name is not a directory
	} {
		got := MustList(t, s, c.dir)
		if !slices.Equal(got, c.want) {
			t.Errorf("List(%q) = %v, want %v", c.dir, got, c.want)
		}
	}
}

func testStat(t *testing.T, s *artifacts.Store) {
	MustPut(t, s, "model/MLmodel", "abc")
	ctx := context.Background()
	for _, c := range []struct {
		path string
		want artifacts.FileInfo
	}{
		{"model/MLmodel", file("model/MLmodel", 3)},
		{"model", dir("model")},
		{"model/", dir("model")},
		{"", dir("")},
	} {
		got, err := s.Stat(ctx, c.path)
		if err != nil {
			t.Errorf("Stat(%q): %v", c.path, err)
			continue
		}
		if got != c.want {
			t.Errorf("Stat(%q) = %v, want %v", c.path, got, c.want)
		}
	}
	for _, p := range []string{"mod", "model/MLmodel/x", "nope"} {
		_, err := s.Stat(ctx, p)
		WantCode(t, "Stat("+p+")", err, apierr.ResourceDoesNotExist, strconv.Quote(p))
	}
}

func testDelete(t *testing.T, s *artifacts.Store) {
	ctx := context.Background()
	MustPut(t, s, "keep.txt", "k")
	MustPut(t, s, "model-b.txt", "b")
	MustPut(t, s, "model/MLmodel", "m")
	MustPut(t, s, "model/data/a", "a")
	MustPut(t, s, "model/data/deep/b", "b")
	MustPut(t, s, "one.txt", "1")

	if err := s.Delete(ctx, "one.txt"); err != nil {
		t.Fatalf("Delete(one.txt): %v", err)
	}
	if _, err := s.Stat(ctx, "one.txt"); !apierr.IsNotFound(err) {
		t.Errorf("Stat(one.txt) after Delete: got %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
	if err := s.Delete(ctx, "model"); err != nil {
		t.Fatalf("Delete(model): %v", err)
	}
	got := MustList(t, s, "")
	want := []artifacts.FileInfo{file("keep.txt", 1), file("model-b.txt", 1)}
	if !slices.Equal(got, want) {
		t.Errorf("List after Delete(model) = %v, want %v", got, want)
	}
	if _, err := s.Stat(ctx, "model"); !apierr.IsNotFound(err) {
		t.Errorf("Stat(model) after Delete: got %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
	for _, p := range []string{"model", "never/was", "keep.txt/x"} {
		if err := s.Delete(ctx, p); err != nil {
			t.Errorf("Delete(%q) of nothing: %v, want nil", p, err)
		}
	}
	if err := s.Delete(ctx, ""); err != nil {
		t.Fatalf("Delete(\"\"): %v", err)
	}
	if got := MustList(t, s, ""); len(got) != 0 {
		t.Errorf("List after Delete(\"\") = %v, want nothing", got)
	}
	// The store is still usable.
	MustPut(t, s, "again/x", "x")
	if got := MustGet(t, s, "again/x"); got != "x" {
		t.Errorf("Get(again/x) = %q, want x", got)
	}
}

// randomReader yields n pseudo-random bytes without holding them.
type randomReader struct {
	rng *rand.ChaCha8
	n   int64
}

func (r *randomReader) Read(p []byte) (int, error) {
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

func testBigFile(t *testing.T, s *artifacts.Store) {
	const size = 7<<20 + 123 // more than one S3 multipart part
	seed := [32]byte{1, 2, 3}
	h := sha256.New()
	io.Copy(h, &randomReader{rng: rand.NewChaCha8(seed), n: size})
	want := h.Sum(nil)

	ctx := context.Background()
	if err := s.Put(ctx, "big/blob.bin", &randomReader{rng: rand.NewChaCha8(seed), n: size}); err != nil {
		t.Fatalf("Put(big): %v", err)
	}
	r, err := s.Get(ctx, "big/blob.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h.Reset()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || !bytes.Equal(h.Sum(nil), want) {
		t.Errorf("Get(big) = %d bytes, sha256 %x; want %d bytes, sha256 %x", n, h.Sum(nil), size, want)
	}
	if got := MustList(t, s, "big"); !slices.Equal(got, []artifacts.FileInfo{file("big/blob.bin", size)}) {
		t.Errorf("List(big) = %v, want one file of %d bytes", got, size)
	}
}

// failingReader returns some bytes, then an error.
type failingReader struct{ n int }

var errBroken = errors.New("connection broke")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errBroken
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.n -= n
	return n, nil
}

func testFailedPut(t *testing.T, s *artifacts.Store) {
	ctx := context.Background()
	err := s.Put(ctx, "partial.bin", &failingReader{n: 100 << 10})
	if !errors.Is(err, errBroken) {
		t.Errorf("Put with a failing reader: got %v, want it to wrap %v", err, errBroken)
	}
	if _, err := s.Stat(ctx, "partial.bin"); !apierr.IsNotFound(err) {
		t.Errorf("Stat(partial.bin) after a failed Put: got %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
	MustPut(t, s, "kept.bin", "old")
	if err := s.Put(ctx, "kept.bin", &failingReader{n: 10}); err == nil {
		t.Errorf("Put with a failing reader: got nil error")
	}
	if got := MustGet(t, s, "kept.bin"); got != "old" {
		t.Errorf("Get(kept.bin) after a failed overwrite = %q, want the old content", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Put(cctx, "canceled.bin", strings.NewReader("x")); err == nil {
		t.Errorf("Put with a canceled context: got nil error")
	}
	if _, err := s.Stat(ctx, "canceled.bin"); !apierr.IsNotFound(err) {
		t.Errorf("Stat(canceled.bin) after a canceled Put: got %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
}

// MustWriteTree writes files (path → content, "/"-separated) under dir.
func MustWriteTree(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o777); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o666); err != nil {
			tb.Fatal(err)
		}
	}
}

// ReadTree reads every regular file under dir ("/"-separated path →
// content).
func ReadTree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func testDirs(t *testing.T, s *artifacts.Store) {
	ctx := context.Background()
	tree := map[string]string{"MLmodel": "flavors: {}\n", "input_example.json": "{}"}
	for i := range 40 {
		tree[fmt.Sprintf("model/part-%02d/data.bin", i)] = strings.Repeat(strconv.Itoa(i), i+1)
	}
	src := t.TempDir()
	MustWriteTree(t, src, tree)
	if err := s.UploadDir(ctx, src, "runs/model"); err != nil {
		t.Fatalf("UploadDir: %v", err)
	}
	if got := MustGet(t, s, "runs/model/model/part-07/data.bin"); got != tree["model/part-07/data.bin"] {
		t.Errorf("uploaded part-07 = %q, want %q", got, tree["model/part-07/data.bin"])
	}
	dst := filepath.Join(t.TempDir(), "new", "dir")
	if err := s.DownloadDir(ctx, "runs/model", dst); err != nil {
		t.Fatalf("DownloadDir: %v", err)
	}
	if got := ReadTree(t, dst); !equalTrees(got, tree) {
		t.Errorf("downloaded tree has %d files, want %d: %v", len(got), len(tree), got)
	}
	// Downloading again replaces the files.
	MustPut(t, s, "runs/model/MLmodel", "v2")
	if err := s.DownloadDir(ctx, "runs/model", dst); err != nil {
		t.Fatalf("DownloadDir again: %v", err)
	}
	if got := ReadTree(t, dst)["MLmodel"]; got != "v2" {
		t.Errorf("MLmodel after a second download = %q, want v2", got)
	}
	// A single file.
	one := t.TempDir()
	if err := s.DownloadDir(ctx, "runs/model/input_example.json", one); err != nil {
		t.Fatalf("DownloadDir of a file: %v", err)
	}
	if got := ReadTree(t, one); !equalTrees(got, map[string]string{"input_example.json": "{}"}) {
		t.Errorf("DownloadDir of a file wrote %v", got)
	}
	// The root, and an empty directory upload.
	all := t.TempDir()
	if err := s.DownloadDir(ctx, "", all); err != nil {
		t.Fatalf("DownloadDir(root): %v", err)
	}
	if got := len(ReadTree(t, all)); got != len(tree) {
		t.Errorf("DownloadDir(root) wrote %d files, want %d", got, len(tree))
	}
	if err := s.UploadDir(ctx, t.TempDir(), "empty"); err != nil {
		t.Errorf("UploadDir of an empty directory: %v", err)
	}
	err := s.DownloadDir(ctx, "missing", t.TempDir())
	WantCode(t, "DownloadDir(missing)", err, apierr.ResourceDoesNotExist, "missing")
	err = s.UploadDir(ctx, filepath.Join(src, "nope"), "x")
	WantCode(t, "UploadDir(missing local dir)", err, apierr.ResourceDoesNotExist, "nope")
	err = s.UploadDir(ctx, filepath.Join(src, "MLmodel"), "x")
	WantCode(t, "UploadDir(a local file)", err, apierr.InvalidParameterValue, "not a directory")

	// A local symlink that leads out of the uploaded directory is refused
	// before anything is written.
	outside := t.TempDir()
	MustWriteTree(t, outside, map[string]string{"secret.txt": "s3cr3t"})
	evil := t.TempDir()
	MustWriteTree(t, evil, map[string]string{"a.txt": "a"})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(evil, "leak.txt")); err != nil {
		t.Fatal(err)
	}
	err = s.UploadDir(ctx, evil, "evil")
	WantCode(t, "UploadDir with a symlink leading out", err, apierr.InvalidParameterValue, "leak.txt")
	if got := MustList(t, s, "evil"); len(got) != 0 {
		t.Errorf("UploadDir refused but wrote %v", got)
	}

	// A symlink planted in the download directory is never written through.
	plant := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(plant, "model")); err != nil {
		t.Fatal(err)
	}
	err = s.DownloadDir(ctx, "runs/model", plant)
	WantCode(t, "DownloadDir through a planted symlink", err, apierr.InvalidParameterValue, "model")
	if got := ReadTree(t, outside); !equalTrees(got, map[string]string{"secret.txt": "s3cr3t"}) {
		t.Errorf("DownloadDir wrote outside its directory: %v", got)
	}
}

func testSub(t *testing.T, s *artifacts.Store) {
	ctx := context.Background()
	run, err := s.RunRoot("mlflow-artifacts:/1/abc/artifacts")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.RunRoot("mlflow-artifacts://localhost:5000/1/def/artifacts")
	if err != nil {
		t.Fatal(err)
	}
	MustPut(t, run, "model/MLmodel", "mine")
	MustPut(t, other, "model/MLmodel", "theirs")
	if got := MustGet(t, s, "1/abc/artifacts/model/MLmodel"); got != "mine" {
		t.Errorf("root Get of the run's file = %q, want mine", got)
	}
	if got := MustList(t, run, ""); !slices.Equal(got, []artifacts.FileInfo{dir("model")}) {
		t.Errorf("run List(\"\") = %v, want [model/]", got)
	}
	if got := MustList(t, s, "1"); !slices.Equal(got, []artifacts.FileInfo{dir("1/abc"), dir("1/def")}) {
		t.Errorf("root List(1) = %v", got)
	}
	_, err = run.Get(ctx, "../../def/artifacts/model/MLmodel")
	WantCode(t, "run Get(../../def/…)", err, apierr.InvalidParameterValue, "..")
	_, err = run.Get(ctx, "nope")
	WantCode(t, "run Get(nope)", err, apierr.ResourceDoesNotExist, "nope", "mlflow-artifacts:/1/abc/artifacts")
	if err := run.Delete(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := MustGet(t, other, "model/MLmodel"); got != "theirs" {
		t.Errorf("deleting one run's root touched another's: %q", got)
	}
	sub, err := run.Sub("model")
	if err != nil {
		t.Fatal(err)
	}
	MustPut(t, sub, "x", "x")
	if got := MustGet(t, s, "1/abc/artifacts/model/x"); got != "x" {
		t.Errorf("nested Sub Put landed elsewhere: %q", got)
	}
	if err := sub.Close(); err != nil {
		t.Errorf("Sub Close: %v", err)
	}
	MustGet(t, s, "1/abc/artifacts/model/x") // the parent still works
	for _, uri := range []string{"mlflow-artifacts:", "s3://bucket/1/abc", "mlflow-artifacts:/1/../2", "runs:/abc/model"} {
		_, err := s.RunRoot(uri)
		WantCode(t, "RunRoot("+uri+")", err, apierr.InvalidParameterValue, uri)
	}
}

// EscapingPaths are paths every Store method refuses.
var EscapingPaths = []string{
	"..",
	"../x",
	"a/../../x",
	"a/../b", // stays inside, but ".." is refused outright
	"/etc/passwd",
	"//server/share",
	`a\..\..\x`,
	"a\x00b",
	"C:/windows",
	"a/\n/b",
}

func testPathEscapes(t *testing.T, s *artifacts.Store) {
	ctx := context.Background()
	MustPut(t, s, "a/b", "b")
	local := t.TempDir()
	MustWriteTree(t, local, map[string]string{"f": "f"})
	for _, p := range EscapingPaths {
		q := strconv.Quote(p)
		WantCode(t, "Put "+q, s.Put(ctx, p, strings.NewReader("x")), apierr.InvalidParameterValue, q)
		_, err := s.Get(ctx, p)
		WantCode(t, "Get "+q, err, apierr.InvalidParameterValue, q)
		_, err = s.Stat(ctx, p)
		WantCode(t, "Stat "+q, err, apierr.InvalidParameterValue, q)
		_, err = s.List(ctx, p)
		WantCode(t, "List "+q, err, apierr.InvalidParameterValue, q)
		WantCode(t, "Delete "+q, s.Delete(ctx, p), apierr.InvalidParameterValue, q)
		WantCode(t, "UploadDir "+q, s.UploadDir(ctx, local, p), apierr.InvalidParameterValue, q)
		WantCode(t, "DownloadDir "+q, s.DownloadDir(ctx, p, t.TempDir()), apierr.InvalidParameterValue, q)
		_, err = s.Sub(p)
		WantCode(t, "Sub "+q, err, apierr.InvalidParameterValue, q)
	}
	if got := MustGet(t, s, "a/b"); got != "b" {
		t.Errorf("refused operations changed a/b: %q", got)
	}
}
