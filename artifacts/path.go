package artifacts

import (
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/apierr"
)

// URIScheme is the scheme of MLflow's proxied artifact URIs
// ("mlflow-artifacts:/1/<run_id>/artifacts"), which name keys of the
// server's artifact store.
const URIScheme = "mlflow-artifacts"

// MaxPathLen bounds an artifact path (S3's key limit is 1,024 bytes).
const MaxPathLen = 1024

// CleanPath checks and cleans an artifact path relative to a store's root:
// it uses "/" as separator; "" and "." name the root (returned as ""); "a//b",
// "a/./b" and a trailing "/" are cleaned to "a/b". Paths that could leave the
// root or mean different things on different systems are refused with an
// INVALID_PARAMETER_VALUE error naming the path, never clamped: any ".."
// component, an absolute path, a Windows volume ("C:"), a backslash, NUL or
// any other control character, invalid UTF-8, or more than MaxPathLen bytes.
func CleanPath(p string) (string, error) {
	if len(p) > MaxPathLen {
		return "", apierr.Invalid("artifact path %.64q…: longer than %d bytes", p, MaxPathLen)
	}
	if !utf8.ValidString(p) {
		return "", invalidPath(p, "is not valid UTF-8")
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			return "", invalidPath(p, "contains a backslash; use / to separate directories")
		case c < 0x20 || c == 0x7f:
			return "", invalidPath(p, "contains a control character")
		}
	}
	if strings.HasPrefix(p, "/") {
		return "", invalidPath(p, "is absolute; give a path relative to the artifact root")
	}
	if len(p) >= 2 && p[1] == ':' && isLetter(p[0]) {
		return "", invalidPath(p, "starts with a drive letter; give a path relative to the artifact root")
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return "", invalidPath(p, "contains '..'; artifact paths cannot leave their root")
		}
	}
	c := path.Clean(p)
	if c == "." {
		return "", nil
	}
	return c, nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func invalidPath(p, why string) *apierr.Error {
	return apierr.Invalid("artifact path %q %s", p, why)
}

// KeyForURI maps an MLflow artifact URI onto a key of the server's artifact
// store: "mlflow-artifacts:/1/abc/artifacts/model" and
// "mlflow-artifacts://host:port/1/abc/artifacts/model" both give
// "1/abc/artifacts/model" (the host, if any, is the server the client talked
// to and plays no part); "mlflow-artifacts:" names the root (""). The path is
// checked by CleanPath. Any other scheme, a query or a fragment is an
// INVALID_PARAMETER_VALUE error naming the URI.
func KeyForURI(uri string) (string, error) {
	if len(uri) > MaxPathLen+256 {
		return "", apierr.Invalid("artifact URI %.64q…: too long", uri)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "", apierr.Invalid("artifact URI %q: %v", uri, unwrapURLError(err))
	}
	if u.Scheme != URIScheme {
		got := "no scheme"
		if u.Scheme != "" {
			got = "scheme " + u.Scheme + ":"
		}
		return "", apierr.Invalid("artifact URI %q: %s, want %s:", uri, got, URIScheme).
			WithHint("this server stores artifacts under mlflow-artifacts:/<experiment_id>/<run_id>/artifacts")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(uri, "#") {
		return "", apierr.Invalid("artifact URI %q: a query or fragment is not allowed; percent-encode ? and # in artifact names", uri)
	}
	p := u.Path
	if u.Opaque != "" {
		p = u.Opaque
		if pp, err := url.PathUnescape(p); err == nil {
			p = pp
		}
	}
	p = strings.TrimPrefix(p, "/")
	key, err := CleanPath(p)
	if err != nil {
		return "", apierr.Invalid("artifact URI %q: %s", uri, apierr.As(err).Message)
	}
	return key, nil
}

// unwrapURLError drops url.Error's repetition of the URI.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// URIForKey is KeyForURI's inverse: the mlflow-artifacts URI of key
// ("1/abc/artifacts" → "mlflow-artifacts:/1/abc/artifacts"). key must be
// clean (as CleanPath returns it).
func URIForKey(key string) string {
	if key == "" {
		return URIScheme + ":"
	}
	return URIScheme + ":" + (&url.URL{Path: "/" + key}).EscapedPath()
}

// joinKey joins clean relative paths.
func joinKey(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "/" + b
}
