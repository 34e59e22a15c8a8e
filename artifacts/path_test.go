package artifacts_test

import (
	"path"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/artifacts/artifactstest"
)

func TestCleanPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{".", ""},
		{"./", ""},
		{"a", "a"},
		{"a/b/c.txt", "a/b/c.txt"},
		{"a//b", "a/b"},
		{"a/./b/", "a/b"},
		{"model/", "model"},
		{"...", "..."},
		{"..a/b..", "..a/b.."},
		{"a b/ü.txt", "a b/ü.txt"},
		{"ab:c", "ab:c"},
	} {
		got, err := artifacts.CleanPath(c.in)
		if err != nil || got != c.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := append([]string{"\xff", strings.Repeat("a", artifacts.MaxPathLen+1), "a\x7f"}, artifactstest.EscapingPaths...)
	for _, in := range bad {
		_, err := artifacts.CleanPath(in)
		if apierr.CodeOf(err) != apierr.InvalidParameterValue {
			t.Errorf("CleanPath(%q): got %v, want INVALID_PARAMETER_VALUE", in, err)
		}
	}
}

func TestKeyForURI(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"mlflow-artifacts:/1/abc/artifacts/model", "1/abc/artifacts/model"},
		{"mlflow-artifacts://localhost:5000/1/abc/artifacts/model", "1/abc/artifacts/model"},
		{"mlflow-artifacts:///1/abc/artifacts", "1/abc/artifacts"},
		{"mlflow-artifacts:/1/abc/artifacts/", "1/abc/artifacts"},
		{"MLFLOW-ARTIFACTS:/0", "0"},
		{"mlflow-artifacts:", ""},
		{"mlflow-artifacts:/", ""},
		{"mlflow-artifacts:1/abc", "1/abc"},
		{"mlflow-artifacts:/1/a%20b/c%3Fd", "1/a b/c?d"},
	} {
		got, err := artifacts.KeyForURI(c.in)
		if err != nil || got != c.want {
			t.Errorf("KeyForURI(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"s3://bucket/1/abc",
		"file:///tmp/x",
		"/tmp/x",
		"1/abc/artifacts",
		"runs:/abc/model",
		"models:/m/1",
		"mlflow-artifacts:/1/../2",
		"mlflow-artifacts:/1/%2e%2e/2",
		"mlflow-artifacts:/1/a%2F..%2F..%2Fb",
		"mlflow-artifacts:/1/a%5Cb",
		"mlflow-artifacts:/1/a%00b",
		"mlflow-artifacts:////etc/passwd",
		"mlflow-artifacts:/1/abc?x=1",
		"mlflow-artifacts:/1/abc#frag",
		"mlflow-artifacts:/1/%zz",
		"::",
	} {
		got, err := artifacts.KeyForURI(in)
		e := apierr.As(err)
		if e == nil || e.Code != apierr.InvalidParameterValue {
			t.Errorf("KeyForURI(%q) = %q, %v; want INVALID_PARAMETER_VALUE", in, got, err)
			continue
		}
		if !strings.Contains(e.Message, in) {
			t.Errorf("KeyForURI(%q): message %q does not name the URI", in, e.Message)
		}
	}
}

func TestURIForKeyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"", "1", "1/abc/artifacts", "a b/c?d#e%f", "ab:c/z"} {
		uri := artifacts.URIForKey(k)
		got, err := artifacts.KeyForURI(uri)
		if err != nil || got != k {
			t.Errorf("KeyForURI(URIForKey(%q) = %q) = %q, %v", k, uri, got, err)
		}
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"model/MLmodel", "application/octet-stream"},
		{"input_example.json", "application/json"},
		{"notes.TXT", "text/plain"},
		{"plot.png", "image/png"},
		{"conda.yaml", "application/x-yaml"},
		{"weights.unknownext", "application/octet-stream"},
	} {
		if got := artifacts.ContentType(c.in); got != c.want {
			t.Errorf("ContentType(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// checkClean is the invariant of every path CleanPath accepts.
func checkClean(t *testing.T, in, got string) {
	t.Helper()
	if got == "" {
		return
	}
	if strings.HasPrefix(got, "/") || strings.HasSuffix(got, "/") || strings.ContainsAny(got, "\\\x00") ||
		path.Clean(got) != got || got == ".." || strings.HasPrefix(got, "../") || strings.Contains(got, "/../") || strings.HasSuffix(got, "/..") {
		t.Fatalf("CleanPath(%q) = %q: not a clean relative path", in, got)
	}
	if again, err := artifacts.CleanPath(got); err != nil || again != got {
		t.Fatalf("CleanPath(%q) = %q, but CleanPath of that = %q, %v", in, got, again, err)
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range append([]string{"", ".", "a/b", "a//b/", "./x", "...", "a/..b"}, artifactstest.EscapingPaths...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 4*artifacts.MaxPathLen {
			t.Skip()
		}
		got, err := artifacts.CleanPath(in)
		if err != nil {
			if apierr.CodeOf(err) != apierr.InvalidParameterValue {
				t.Fatalf("CleanPath(%q): error %v is not INVALID_PARAMETER_VALUE", in, err)
			}
			return
		}
		checkClean(t, in, got)
	})
}

func FuzzKeyForURI(f *testing.F) {
	for _, s := range []string{
		"mlflow-artifacts:/1/abc/artifacts/model",
		"mlflow-artifacts://host:5000/1/abc/artifacts",
		"mlflow-artifacts:",
		"mlflow-artifacts:1/x",
		"mlflow-artifacts:/1/%2e%2e/x",
		"mlflow-artifacts:/a%2F..%2Fb",
		"s3://b/k",
		"mlflow-artifacts:/1?x#y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 4*artifacts.MaxPathLen {
			t.Skip()
		}
		key, err := artifacts.KeyForURI(in)
		if err != nil {
			if apierr.CodeOf(err) != apierr.InvalidParameterValue {
				t.Fatalf("KeyForURI(%q): error %v is not INVALID_PARAMETER_VALUE", in, err)
			}
			return
		}
		checkClean(t, in, key)
		uri := artifacts.URIForKey(key)
		if back, err := artifacts.KeyForURI(uri); err != nil || back != key {
			t.Fatalf("KeyForURI(%q) = %q; URIForKey gives %q, which maps back to %q, %v", in, key, uri, back, err)
		}
	})
}
