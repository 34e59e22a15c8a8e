package main

import (
	"testing"
	"time"
)

func TestParseWrk(t *testing.T) {
	out := []byte(`Running 5s test @ http://127.0.0.1:5911/invocations
  2 threads and 16 connections
  Latency Distribution
     50%   75.28ms
     75%   86.06ms
     90%   99.34ms
     99%  134.60ms
  1028 requests in 5.02s, 187.73KB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    204.88
`)
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps != 204.88 || r.requests != 1028 || r.errors != 6 {
		t.Errorf("got rps %v requests %d errors %d, want 204.88 1028 6", r.rps, r.requests, r.errors)
	}
	if r.p50 != 75280*time.Microsecond || r.p99 != 134600*time.Microsecond {
		t.Errorf("got p50 %v p99 %v, want 75.28ms 134.6ms", r.p50, r.p99)
	}
	us, err := parseWrk([]byte("     50%  312.00us\n     99%    1.20ms\nRequests/sec: 10.5\n"))
	if err != nil || us.p50 != 312*time.Microsecond || us.p99 != 1200*time.Microsecond {
		t.Errorf("microseconds: got %+v, %v; want p50 312µs p99 1.2ms", us, err)
	}
	if _, err := parseWrk([]byte("garbage")); err == nil {
		t.Error("garbage: got no error, want one")
	}
}

func TestFirstRow(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"columns":["a","b"],"data":[[1,true],[2,false]]}`, `{"dataframe_split":{"columns":["a","b"],"data":[[1,true]]}}`},
		{`{"dataframe_split":{"columns":["a"],"data":[[1],[2]]}}`, `{"dataframe_split":{"columns":["a"],"data":[[1]]}}`},
		{`{"dataframe_records":[{"a":1},{"a":2}]}`, `{"dataframe_records":[{"a":1}]}`},
	} {
		got, err := firstRow([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("firstRow(%s): got %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`[]`, `{}`, `{"columns":["a"],"data":[]}`} {
		if _, err := firstRow([]byte(bad)); err == nil {
			t.Errorf("firstRow(%s): got no error, want one", bad)
		}
	}
}
