package loadtest

import (
	"bytes"
	"context"
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
	r = OpenLoop(ctx, 200, 4, 0, 100*time.Millisecond, ok)
	if r.N != 20 || r.Errors != 0 {
		t.Errorf("OpenLoop at 200/s for 100ms: got N=%d errors=%d (%v), want 20 and 0", r.N, r.Errors, r.FirstErr)
	}
	bad := Sequential(ctx, 0, 2, func(ctx context.Context) error { _, err := Send(ctx, c, srv.URL+"/bad", nil, nil); return err })
	if bad.Errors != 2 || bad.FirstErr == nil || !strings.Contains(bad.FirstErr.Error(), "400") {
		t.Errorf("errors: got %d (%v), want 2 naming status 400", bad.Errors, bad.FirstErr)
	}
}
