package notify

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseRetryAfter checks that any Retry-After header gives a wait in
// [0, MaxRetryAfter].
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "1", "-1", "120", "Wed, 01 Jan 2025 12:00:30 GMT", "1e3", "99999999999999999999", "\x00"} {
		f.Add(s)
	}
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > 256 {
			return
		}
		if d := parseRetryAfter(v, now); d < 0 || d > MaxRetryAfter {
			t.Errorf("parseRetryAfter(%q) = %s, want within [0, %s]", v, d, MaxRetryAfter)
		}
	})
}

// FuzzRedact checks that a redacted URL never keeps a query or fragment,
// and that a Slack URL keeps at most one path segment.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"https://u:p@h.example/a/b?token=x#frag", "https://hooks.slack.com/services/T/B/SECRET", "http://h", "::", "http://[::1]:80/%2F?x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if len(raw) > 1024 {
			return
		}
		for _, kind := range []string{"webhook", "slack"} {
			got := redact(kind, raw)
			if strings.ContainsAny(got, "?#") {
				t.Errorf("redact(%q, %q) = %q keeps a query or fragment", kind, raw, got)
			}
			if kind == "slack" && strings.Count(strings.SplitN(got, "://", 2)[len(strings.SplitN(got, "://", 2))-1], "/") > 2 {
				t.Errorf("redact(slack, %q) = %q keeps more than one path segment", raw, got)
			}
		}
	})
}
