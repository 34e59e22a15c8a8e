package serving_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/serving"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handler.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

var sinkBytes int

// BenchmarkInvocationsSingleRow scores one churn row per request: in
// process (handler: decoding, the pipeline, encoding) and over loopback
// HTTP with keep-alive clients (http).
func BenchmarkInvocationsSingleRow(b *testing.B) {
	cols, rows, _ := testRows(b, 1)
	bodies := map[string]string{
		"records": `{"dataframe_records": [` + record(cols, rows[0]) + `]}`,
		"split":   `{"dataframe_split": {"columns": ` + quoteAll(cols) + `, "data": [[` + strings.Join(rows[0], ", ") + `]]}}`,
	}
	h := serving.NewHandler(mustLoad(b), serving.Options{})
	for _, name := range []string{"records", "split"} {
		body := []byte(bodies[name])
		b.Run("handler/"+name, func(b *testing.B) {
			rd := bytes.NewReader(body)
			req := httptest.NewRequest("POST", "/invocations", rd)
			req.Header.Set("Content-Type", "application/json")
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				req.Body = io.NopCloser(rd)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != 0 && w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
			}
			sinkBytes = w.n
		})
	}
	b.Run("http/records", func(b *testing.B) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		defer client.CloseIdleConnections()
		body := bodies["records"]
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]byte, 512)
			for pb.Next() {
				resp, err := client.Post(srv.URL+"/invocations", "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				for {
					if _, err := resp.Body.Read(buf); err != nil {
						break
					}
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	})
}
