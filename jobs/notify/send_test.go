package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/spec"
)

// request is what a test server received.
type request struct {
	method string
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a loopback HTTP server that records requests and answers
// each with the next of its responses (the last one repeats).
type receiver struct {
	srv       *httptest.Server
	requests  chan request
	mu        sync.Mutex
	responses []response
	n         int
}

type response struct {
	status int
	body   string
	header map[string]string
}

func newReceiver(t *testing.T, responses ...response) *receiver {
	t.Helper()
	if len(responses) == 0 {
		responses = []response{{status: http.StatusOK, body: "ok"}}
	}
	r := &receiver{requests: make(chan request, 100), responses: responses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("reading the request body: %v", err)
		}
		r.mu.Lock()
		resp := r.responses[min(r.n, len(r.responses)-1)]
		r.n++
		r.mu.Unlock()
		r.requests <- request{method: req.Method, header: req.Header.Clone(), body: body, at: time.Now()}
		for k, v := range resp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.status)
		_, _ = io.WriteString(w, resp.body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// next returns the next recorded request.
func (r *receiver) next(t *testing.T) request {
	t.Helper()
	select {
	case req := <-r.requests:
		return req
	case <-time.After(10 * time.Second):
		t.Fatal("no request arrived within 10s")
		return request{}
	}
}

// sampleEvent is the event of the package documentation's example.
func sampleEvent() Event {
	t0 := time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC)
	return Event{
		Event:           EventFailed,
		Job:             "nightly_churn",
		RunID:           42,
		State:           "failed",
		Trigger:         "schedule",
		LogicalTime:     t0,
		QueuedAt:        t0.Add(12 * time.Millisecond),
		StartedAt:       t0.Add(250 * time.Millisecond),
		EndedAt:         t0.Add(3*time.Minute + 12*time.Second + 250*time.Millisecond),
		DurationSeconds: 192,
		Message:         "task train failed",
		Tasks: []TaskSummary{
			{Key: "ingest", State: "succeeded", Attempts: 1},
			{Key: "train", State: "failed", Attempts: 3, Message: "exit status 1: ValueError: could not convert string to float: 'n/a'"},
			{Key: "score", State: "upstream_failed"},
		},
		Parameters: map[string]string{"date": "2025-03-09"},
		RunURL:     "https://sluice.example.com/runs/42",
	}
}

func fastSender() *Sender { return &Sender{Backoff: time.Millisecond} }

func TestWebhookPayload(t *testing.T) {
	r := newReceiver(t)
	ev := sampleEvent()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	ev.StartedAt = ev.StartedAt.In(ny) // encoded in UTC all the same
	d := spec.Destination{Webhook: r.srv.URL + "/hooks/sluice", Headers: map[string]string{"Authorization": "Bearer t0k", "X-Team": "ml"}}
	if err := fastSender().Send(t.Context(), d, ev); err != nil {
		t.Fatal(err)
	}
	req := r.next(t)
	if req.method != http.MethodPost {
		t.Errorf("method %s, want POST", req.method)
	}
	for k, want := range map[string]string{
		"Content-Type": "application/json", "User-Agent": "sluice", "X-Sluice-Event": "run.failed",
		"Authorization": "Bearer t0k", "X-Team": "ml",
	} {
		if got := req.header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	// Every field, exactly.
	var got map[string]any
	if err := json.Unmarshal(req.body, &got); err != nil {
		t.Fatalf("body %s: %v", req.body, err)
	}
	want := map[string]any{
		"event": "run.failed", "job": "nightly_churn", "run_id": 42.0, "state": "failed", "trigger": "schedule",
		"repair": 0.0, "logical_time": "2025-03-09T07:00:00Z", "queued_at": "2025-03-09T07:00:00.012Z",
		"started_at": "2025-03-09T07:00:00.25Z", "ended_at": "2025-03-09T07:03:12.25Z", "duration_seconds": 192.0,
		"message": "task train failed",
		"tasks": []any{
			map[string]any{"key": "ingest", "state": "succeeded", "attempts": 1.0},
			map[string]any{"key": "train", "state": "failed", "attempts": 3.0, "message": "exit status 1: ValueError: could not convert string to float: 'n/a'"},
			map[string]any{"key": "score", "state": "upstream_failed", "attempts": 0.0},
		},
		"parameters": map[string]any{"date": "2025-03-09"},
		"run_url":    "https://sluice.example.com/runs/42",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("payload\n got %v\nwant %v", got, want)
	}
	// And it decodes back into the same Event.
	var back Event
	if err := json.Unmarshal(req.body, &back); err != nil {
		t.Fatal(err)
	}
	if !back.StartedAt.Equal(ev.StartedAt) || back.RunID != ev.RunID || !reflect.DeepEqual(back.Tasks, ev.Tasks) {
		t.Errorf("decoded %+v, want %+v", back, ev)
	}
}

func TestPayloadLeavesOutZeroFields(t *testing.T) {
	r := newReceiver(t)
	ev := Event{Event: EventStarted, Job: "adhoc", RunID: 7, State: "running", Trigger: "manual", Attempt: 2,
		QueuedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), StartedAt: time.Date(2025, 1, 2, 3, 4, 6, 0, time.UTC)}
	if err := fastSender().Send(t.Context(), spec.Destination{Webhook: r.srv.URL}, ev); err != nil {
		t.Fatal(err)
	}
	req := r.next(t)
	want := `{"event":"run.started","job":"adhoc","run_id":7,"state":"running","trigger":"manual","repair":2,"queued_at":"2025-01-02T03:04:05Z","started_at":"2025-01-02T03:04:06Z"}`
	if string(req.body) != want {
		t.Errorf("body\n got %s\nwant %s", req.body, want)
	}
	if got := req.header.Get("X-Sluice-Event"); got != "run.started" {
		t.Errorf("X-Sluice-Event %q, want run.started", got)
	}
}

// TestDocExample keeps the payload example in doc.go exact.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(src), "this body — a complete example, field by field as sent:\n//\n")
	if !ok {
		t.Fatal("doc.go: the example's introduction is gone")
	}
	example, _, _ := strings.Cut(after, "\n//\n// The fields:")
	var doc bytes.Buffer
	for line := range strings.SplitSeq(example, "\n") {
		doc.WriteString(strings.TrimPrefix(line, "//\t") + "\n")
	}
	want, err := json.MarshalIndent(sampleEvent(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(doc.String()); got != string(want) {
		t.Errorf("doc.go example\n%s\nbut the sample event encodes as\n%s", got, want)
	}
}

func TestSlackSend(t *testing.T) {
	r := newReceiver(t)
	ev := sampleEvent()
	if err := fastSender().Send(t.Context(), spec.Destination{Slack: r.srv.URL + "/services/T0/B0/XYZ"}, ev); err != nil {
		t.Fatal(err)
	}
	req := r.next(t)
	if ct := req.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(req.body, &msg); err != nil {
		t.Fatalf("body %s: %v", req.body, err)
	}
	if want := "nightly_churn run 42 failed after 3m12s; failed tasks: train, score https://sluice.example.com/runs/42"; msg.Text != want {
		t.Errorf("text %q, want %q", msg.Text, want)
	}
	if len(msg.Blocks) != 3 {
		t.Fatalf("%d blocks, want 3: %s", len(msg.Blocks), req.body)
	}
}

func TestRetryOn500ThenSuccess(t *testing.T) {
	r := newReceiver(t, response{status: 500, body: "db down"}, response{status: 502}, response{status: 204})
	var logs bytes.Buffer
	s := &Sender{Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := s.Send(t.Context(), spec.Destination{Webhook: r.srv.URL}, sampleEvent()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n := r.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	first, second, third := r.next(t), r.next(t), r.next(t)
	if !bytes.Equal(first.body, third.body) || !bytes.Equal(second.body, third.body) {
		t.Error("retries sent a different body")
	}
	if got := strings.Count(logs.String(), "retrying"); got != 2 {
		t.Errorf("%d retry log lines, want 2:\n%s", got, logs.String())
	}
}

func TestRetriesExhausted(t *testing.T) {
	long := strings.Repeat("x", 190) + "0123456789ABCDEFGHIJ" // 210 bytes
	r := newReceiver(t, response{status: 503, body: long})
	s := &Sender{Backoff: time.Millisecond, Retries: 2}
	err := s.Send(t.Context(), spec.Destination{Webhook: r.srv.URL + "/hook"}, sampleEvent())
	var de *DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a *DeliveryError", err)
	}
	if de.Attempts != 3 || de.StatusCode != 503 || de.Body != long[:200] || de.Err != nil {
		t.Errorf("got %+v", de)
	}
	want := fmt.Sprintf("notify webhook %s/hook: HTTP 503 Service Unavailable: %q (3 attempts)", r.srv.URL, long[:200])
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
	if n := r.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestNoRetryOn4xx(t *testing.T) {
	for _, status := range []int{400, 401, 404, 410} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			r := newReceiver(t, response{status: status, body: `{"error":"invalid_payload"}`})
			err := fastSender().Send(t.Context(), spec.Destination{Slack: r.srv.URL + "/services/T0/B0/SECRET"}, sampleEvent())
			var de *DeliveryError
			if !errors.As(err, &de) || de.StatusCode != status || de.Attempts != 1 {
				t.Fatalf("got %v, want a DeliveryError with status %d after 1 attempt", err, status)
			}
			want := fmt.Sprintf(`notify slack %s/services/…: HTTP %d %s: "{\"error\":\"invalid_payload\"}" (not retried: the receiver refused the request; check the URL and headers)`,
				r.srv.URL, status, http.StatusText(status))
			if err.Error() != want {
				t.Errorf("error\n got %s\nwant %s", err, want)
			}
			if n := r.count(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func Test429HonoursRetryAfter(t *testing.T) {
	r := newReceiver(t, response{status: 429, body: "slow down", header: map[string]string{"Retry-After": "1"}}, response{status: 200})
	if err := fastSender().Send(t.Context(), spec.Destination{Webhook: r.srv.URL}, sampleEvent()); err != nil {
		t.Fatal(err)
	}
	first, second := r.next(t), r.next(t)
	if gap := second.at.Sub(first.at); gap < 950*time.Millisecond {
		t.Errorf("retried %s after a 429 with Retry-After: 1, want ≥ 1s", gap)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"-5", 0}, {"abc", 0}, {"3", 3 * time.Second}, {" 7 ", 7 * time.Second},
		{"3600", MaxRetryAfter}, {"99999999999999999999", 0},
		{"Wed, 01 Jan 2025 12:00:30 GMT", 30 * time.Second},
		{"Wed, 01 Jan 2025 11:00:00 GMT", 0},
		{"Wed, 01 Jan 2025 14:00:00 GMT", MaxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	r := newReceiver(t, response{status: 500, body: "down"})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	waiting := make(chan struct{}, 1)
	// Backoff: would wait an hour before retrying. The logger says when
	// the sender starts waiting.
	s := &Sender{Backoff: time.Hour, Logger: slog.New(signalHandler{waiting})}
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, spec.Destination{Webhook: r.srv.URL}, sampleEvent()) }()
	<-waiting
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Send did not return within 10s of the cancel")
	}
	var de *DeliveryError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &de) || de.Attempts != 1 || de.StatusCode != 500 {
		t.Fatalf("got %v, want context.Canceled after one attempt with status 500", err)
	}
	if !strings.Contains(err.Error(), `HTTP 500 Internal Server Error: "down"; then context canceled`) {
		t.Errorf("error %q", err)
	}
	if n := r.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	// An already canceled context sends nothing.
	if err := s.Send(ctx, spec.Destination{Webhook: r.srv.URL}, sampleEvent()); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: got %v", err)
	}
	if n := r.count(); n != 1 {
		t.Errorf("%d requests after a canceled Send, want 1", n)
	}
}

// signalHandler is a slog.Handler that signals on each record.
type signalHandler struct{ c chan<- struct{} }

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h signalHandler) Handle(context.Context, slog.Record) error {
	h.c <- struct{}{}
	return nil
}
func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalHandler) WithGroup(string) slog.Handler      { return h }

func TestContextDeadlineBoundsSlowReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err := fastSender().Send(ctx, spec.Destination{Webhook: srv.URL}, sampleEvent())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
}

func TestNetworkErrorsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	s := &Sender{Backoff: time.Millisecond, Retries: 2}
	err := s.Send(t.Context(), spec.Destination{Webhook: addr + "/hook?token=SECRET"}, sampleEvent())
	var de *DeliveryError
	if !errors.As(err, &de) || de.Attempts != 3 || de.StatusCode != 0 || de.Err == nil {
		t.Fatalf("got %v, want a network DeliveryError after 3 attempts", err)
	}
	if strings.Contains(err.Error(), "SECRET") || !strings.HasPrefix(err.Error(), "notify webhook "+addr+"/hook: ") {
		t.Errorf("error %q: want the URL without its query", err)
	}
}

func TestErrorsRedactSecrets(t *testing.T) {
	r := newReceiver(t, response{status: 500, body: "no"})
	host := strings.TrimPrefix(r.srv.URL, "http://")
	tests := []struct {
		name string
		d    spec.Destination
		want string // the URL as the error shows it
	}{
		{"query and user info", spec.Destination{Webhook: "http://alice:SECRET@" + host + "/hook/path?sig=SECRET#SECRET"}, r.srv.URL + "/hook/path"},
		{"slack path", spec.Destination{Slack: r.srv.URL + "/services/T0001/B0001/SECRET"}, r.srv.URL + "/services/…"},
		{"mattermost path", spec.Destination{Slack: r.srv.URL + "/hooks/SECRET?x=SECRET"}, r.srv.URL + "/hooks/…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Sender{Backoff: time.Millisecond, Retries: -1}).Send(t.Context(), tt.d, sampleEvent())
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "alice") {
				t.Errorf("error leaks a secret: %s", err)
			}
			if !strings.Contains(err.Error(), " "+tt.want+": HTTP 500") {
				t.Errorf("error %q, want it to name %s", err, tt.want)
			}
		})
	}
	// A URL that does not parse is not repeated either.
	err := fastSender().Send(t.Context(), spec.Destination{Webhook: "http://h/p?token=SECRET\x7f"}, sampleEvent())
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("bad URL: got %v", err)
	}
}

func TestBadDestinations(t *testing.T) {
	tests := []struct {
		d    spec.Destination
		want string
	}{
		{spec.Destination{}, "notify: destination has neither webhook nor slack"},
		{spec.Destination{Webhook: "http://a/", Slack: "http://b/"}, "notify: destination has both webhook and slack"},
		{spec.Destination{Webhook: "ftp://files.example.com/drop"}, "notify webhook ftp://files.example.com/drop: want an http:// or https:// URL"},
		{spec.Destination{Slack: "hooks.slack.com/services/x"}, "want an http:// or https:// URL"},
		{spec.Destination{Webhook: "http://127.0.0.1:1/", Headers: map[string]string{"Bad Name": "v"}}, `header name "Bad Name": character ' ' is not allowed`},
		{spec.Destination{Webhook: "http://127.0.0.1:1/", Headers: map[string]string{"X-Token": "a\r\nInjected: yes"}}, "header X-Token: the value contains a line break"},
	}
	for _, tt := range tests {
		err := fastSender().Send(t.Context(), tt.d, sampleEvent())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Send(%+v) = %v, want %q", tt.d, err, tt.want)
		}
		var de *DeliveryError
		if errors.As(err, &de) {
			t.Errorf("Send(%+v): a bad destination is reported before any request, got %v", tt.d, err)
		}
	}
}

func TestSendAll(t *testing.T) {
	ok1, ok2 := newReceiver(t), newReceiver(t)
	bad := newReceiver(t, response{status: 400, body: "bad"})
	ds := []spec.Destination{{Webhook: ok1.srv.URL}, {Webhook: bad.srv.URL + "/x"}, {Slack: ok2.srv.URL + "/services/a/b/c"}}
	err := fastSender().SendAll(t.Context(), ds, sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "notify webhook "+bad.srv.URL+"/x: HTTP 400") {
		t.Fatalf("got %v, want the failing destination's error", err)
	}
	if strings.Count(err.Error(), "notify ") != 1 {
		t.Errorf("error %q names more than the failing destination", err)
	}
	for i, r := range []*receiver{ok1, bad, ok2} {
		if n := r.count(); n != 1 {
			t.Errorf("destination %d got %d requests, want 1", i, n)
		}
	}
	if err := fastSender().SendAll(t.Context(), ds[:1], sampleEvent()); err != nil {
		t.Errorf("all delivered: got %v", err)
	}
	if err := fastSender().SendAll(t.Context(), nil, sampleEvent()); err != nil {
		t.Errorf("no destinations: got %v", err)
	}
}

func TestSendAllConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int32
	arrived := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		inFlight.Add(-1)
	}))
	t.Cleanup(srv.Close)
	ds := make([]spec.Destination, 6)
	for i := range ds {
		ds[i] = spec.Destination{Webhook: fmt.Sprintf("%s/%d", srv.URL, i)}
	}
	s := &Sender{Backoff: time.Millisecond, Concurrency: 2}
	done := make(chan error, 1)
	go func() { done <- s.SendAll(t.Context(), ds, sampleEvent()) }()
	for range ds {
		<-arrived
		release <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", p)
	}
}
