// Package artifactstest helps test code that uses artifact stores: an
// in-process S3 server (gofakes3 with its memory backend) on loopback, and
// the conformance suite every artifacts.Store backend passes.
package artifactstest

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is an in-process S3 server.
type S3 struct {
	// Endpoint is the server's base URL (http://127.0.0.1:PORT).
	Endpoint string
	backend  *s3mem.Backend
}

// NewS3 starts an in-process S3 server on loopback, stopped when tb ends.
func NewS3(tb testing.TB) *S3 {
	tb.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	tb.Cleanup(srv.Close)
	return &S3{Endpoint: srv.URL, backend: backend}
}

// Bucket creates bucket (fails tb if it cannot) and returns the
// s3://bucket/prefix URL that artifacts.Open takes for it: path-style
// addressing, region us-east-1 and anonymous credentials (the server does
// not check signatures), so tests need no AWS environment.
func (s *S3) Bucket(tb testing.TB, bucket, prefix string) string {
	tb.Helper()
	if err := s.backend.CreateBucket(bucket); err != nil {
		tb.Fatalf("create bucket %s: %v", bucket, err)
	}
	return s.URL(bucket, prefix, true)
}

// URL is the s3:// URL of bucket and prefix on s; anonymous selects
// anonymous credentials, otherwise the usual AWS environment variables
// supply them.
func (s *S3) URL(bucket, prefix string, anonymous bool) string {
	q := url.Values{}
	q.Set("endpoint", s.Endpoint)
	q.Set("region", "us-east-1")
	q.Set("use_path_style", "true")
	if anonymous {
		q.Set("anonymous", "true")
	}
	u := url.URL{Scheme: "s3", Host: bucket, Path: "/" + prefix, RawQuery: q.Encode()}
	return u.String()
}

// NewS3URL starts an S3 server with one bucket and returns the URL of
// prefix in it: the shortest way to an S3-backed artifact store in a test.
func NewS3URL(tb testing.TB, prefix string) string {
	tb.Helper()
	return NewS3(tb).Bucket(tb, "sluice-artifacts", prefix)
}

// PutRaw stores an object under key as is, bypassing artifacts.Store's
// checks: for tests of keys that other tools wrote ("a/../../x").
func (s *S3) PutRaw(tb testing.TB, bucket, key, content string) {
	tb.Helper()
	if _, err := s.backend.PutObject(bucket, key, map[string]string{}, strings.NewReader(content), int64(len(content)), nil); err != nil {
		tb.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}
