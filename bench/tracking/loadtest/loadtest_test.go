package loadtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(lat)
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"p50", s.P50, 50 * time.Millisecond},
		{"p99", s.P99, 99 * time.Millisecond},
		{"max", s.Max, 100 * time.Millisecond},
		{"mean", s.Mean, 50500 * time.Microsecond},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil): got %+v, want zero", got)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Count(1234567), "1,234,567"},
		{Count(999), "999"},
		{Count(-1000), "-1,000"},
		{Ms(1500 * time.Microsecond), "1.50 ms"},
		{Ms(42 * time.Millisecond), "42.0 ms"},
		{Ms(1004 * time.Millisecond), "1004 ms"},
		{Ms(0), "-"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestTable(t *testing.T) {
	tb := Table{Header: []string{"a", "bb"}}
	tb.Add("ccc", "d")
	var buf bytes.Buffer
	if err := tb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := "a    bb\n-------\nccc  d\n"
	if got := buf.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDrivers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/bad") {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	c := NewHTTPClient(4)
	ctx := context.Background()
	ok := func(ctx context.Context) error { _, err := Send(ctx, c, srv.URL+"/ok", []byte("{}"), nil); return err }

	if r := Sequential(ctx, 1, 5, ok); r.N != 5 || r.Errors != 0 {
		t.Errorf("Sequential: got N=%d errors=%d (%v), want 5 and 0", r.N, r.Errors, r.FirstErr)
	}
	r := ClosedLoop(ctx, 2, 0, 50*time.Millisecond, func(ctx context.Context, _ int) error { return ok(ctx) })
	if r.N == 0 || r.Errors != 0 {
		t.Errorf("ClosedLoop: got N=%d errors=%d (%v), want N>0 and no errors", r.N, r.Errors, r.FirstErr)
	}
	r = OpenLoop(ctx, 200, 4, 0, 100*time.Millisecond, func(ctx context.Context, _ int) error { return ok(ctx) })
	if r.N != 20 || r.Errors != 0 || r.Service.N != 20 || r.Service.Max > r.Max {
		t.Errorf("OpenLoop at 200/s for 100ms: got N=%d service N=%d errors=%d (%v), want 20, 20 and 0, service times within latencies", r.N, r.Service.N, r.Errors, r.FirstErr)
	}
	bad := Sequential(ctx, 0, 2, func(ctx context.Context) error { _, err := Send(ctx, c, srv.URL+"/bad", nil, nil); return err })
	if bad.Errors != 2 || bad.FirstErr == nil || !strings.Contains(bad.FirstErr.Error(), "400") {
		t.Errorf("errors: got %d (%v), want 2 naming status 400", bad.Errors, bad.FirstErr)
	}
}

func TestRawConn(t *testing.T) {
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil || string(body) != `{"x":1}` || r.Method != http.MethodPost {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/big": // chunked
			w.(http.Flusher).Flush()
			w.Write(bytes.Repeat([]byte("a"), 10000))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("{}"))
		case "/bad":
			http.Error(w, "no", http.StatusTeapot)
		default:
			w.Write([]byte(`{"predictions":[1]}`))
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/ok", "/big", "/close"} {
		c, err := NewRawConn(srv.URL+path, "application/json", []byte(`{"x":1}`))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := c.Do(); err != nil {
				t.Errorf("%s request %d: %v", path, i, err)
			}
		}
		c.Close()
	}
	c, _ := NewRawConn(srv.URL+"/bad", "application/json", []byte(`{"x":1}`))
	defer c.Close()
	if err := c.Do(); !errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "418") {
		t.Errorf("/bad: got %v, want ErrStatus 418", err)
	}
	if n != 10 {
		t.Errorf("server saw %d requests, want 10", n)
	}
	if _, err := NewRawConn("https://x/", "a", nil); err == nil {
		t.Error("https URL: got no error, want one")
	}
}
