package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name      string
		s, p      result
		want      string
		wantMeets bool
	}{
		{"meets", result{FitSeconds: 1, Cost: 100.5}, result{FitSeconds: 2, Cost: 100}, "meets", true},
		{"slow", result{FitSeconds: 3, Cost: 100}, result{FitSeconds: 2, Cost: 100}, "misses: time 1.50× > 1.0×", false},
		{"cost", result{FitSeconds: 1, Cost: 102}, result{FitSeconds: 2, Cost: 100}, "misses: cost +2.00% beyond ±1%", false},
		{"error", result{Error: "boom"}, result{FitSeconds: 2, Cost: 100}, "n/a", false},
		{"no cost", result{FitSeconds: 1, Cost: math.NaN()}, result{FitSeconds: 2, Cost: 100}, "n/a", false},
	} {
		v := judge(tc.s, tc.p, 1.0, 0.01)
		if v.text != tc.want || v.meets != tc.wantMeets {
			t.Errorf("%s: got %q (meets %v), want %q (%v)", tc.name, v.text, v.meets, tc.want, tc.wantMeets)
		}
	}
}

func TestTableFromLines(t *testing.T) {
	lines := `{"side":"peer","case":"blobs","impl":"sklearn","rows":10,"features":2,"fit_seconds":2,"cost":100,"iterations":3}
not json, a log line
{"side":"sluice","case":"blobs","rows":10,"features":2,"fit_seconds":1,"cost":100.1,"iterations":2}
{"side":"peer","case":"overlap","fit_seconds":1,"cost":50}
`
	var out bytes.Buffer
	if err := table(nil, strings.NewReader(lines), &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"| blobs | 10 × 2 | sklearn | 2 | 1 | 0.50×", "+0.100% |", "| meets |", "| overlap |", "n/a", "1 meet, 0 miss."} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
}

// TestGenFit runs gen and fit end to end on a small file.
func TestGenFit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.f64")
	if err := run(context.Background(), []string{"gen", "--out", path, "--n", "3000", "--d", "4", "--k", "3"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"fit", "--data", path, "--d", "4", "--params", `{"k":3}`, "--repeat", "1"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3000 || res.Clusters != 3 || !(res.Cost > 0) || res.Iterations < 1 {
		t.Errorf("result %+v", res)
	}
	if err := run(context.Background(), []string{"fit", "--data", path, "--d", "7"}, nil, &out); err == nil {
		t.Error("fit with the wrong --d succeeded")
	}
}
