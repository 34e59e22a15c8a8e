package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// LocalClient returns an *http.Client whose requests are served by h in
// this process, without a listener or a socket: CLI commands and `ml fit`
// use it to speak the MLflow API to a workspace with no server running.
// Any host in the request URL reaches h (use http://sluice.local).
//
// Responses stream: RoundTrip returns once h has written its headers (or
// returned) and the body yields what h writes next. Closing the body
// before the end makes h's further writes fail and waits for h to return.
// The request's context is h's request context. The client is safe for
// concurrent use.
func LocalClient(h http.Handler) *http.Client {
	return &http.Client{Transport: &localTransport{h: h}}
}

// LocalURL is the base URL to use with a LocalClient.
const LocalURL = "http://sluice.local"

// localTransport is an http.RoundTripper calling a handler in-process.
type localTransport struct{ h http.Handler }

func (t *localTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	r := req.Clone(ctx)
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.RequestURI = req.URL.RequestURI()
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.RemoteAddr = "local"
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1

	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	done := make(chan struct{})
	go func() { // owned by the response body, whose Close waits for it
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				// As net/http's server does, a panicking handler fails only
				// its own request.
				w.finish(fmt.Errorf("%s %s: handler panicked: %v", r.Method, r.URL.Path, p))
			}
		}()
		t.h.ServeHTTP(w, r)
		w.finish(nil)
	}()
	select {
	case <-w.ready:
	case <-ctx.Done():
		pr.CloseWithError(ctx.Err())
		<-done
		return nil, ctx.Err()
	}
	resp := &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          &localBody{pr: pr, done: done},
		ContentLength: -1,
		Request:       req,
	}
	return resp, nil
}

// pipeWriter is the http.ResponseWriter of an in-process request: the
// body goes into a pipe read by the client.
type pipeWriter struct {
	header http.Header
	sent   http.Header // snapshot of header at WriteHeader
	status int
	pw     *io.PipeWriter
	once   sync.Once
	ready  chan struct{} // closed when status and sent are set
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		return // informational responses are not relayed
	}
	w.once.Do(func() {
		w.status = code
		w.sent = w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(p)
}

// Flush is a no-op: every Write reaches the reader directly.
func (w *pipeWriter) Flush() {}

// finish ends the response after the handler returned (err nil) or
// panicked (err set: status 500 unless headers went out already).
func (w *pipeWriter) finish(err error) {
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
	}
	w.WriteHeader(http.StatusOK)
	w.pw.CloseWithError(err)
}

// localBody is a response body that waits for its handler on Close.
type localBody struct {
	pr   *io.PipeReader
	done chan struct{}
}

func (b *localBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *localBody) Close() error {
	b.pr.CloseWithError(errors.New("response body closed"))
	<-b.done
	return nil
}

var (
	_ http.RoundTripper = (*localTransport)(nil)
	_ http.Flusher      = (*pipeWriter)(nil)
)
