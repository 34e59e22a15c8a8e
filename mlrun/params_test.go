package mlrun

import (
	"math"
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct{ in, want string }{
		{"lr.regParam", "lr.regParam"},
		{"tree.max depth/x-y_z", "tree.max depth/x-y_z"},
		{"a:b=c", "a_b_c"},
		{"", "_"},
		{"é", "_"},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	k1, k2 := Key(long+"1"), Key(long+"2")
	if len(k1) != MaxParamKeyLen || k1 == k2 {
		t.Errorf("long keys: len %d, distinct %v; want %d and distinct", len(k1), k1 != k2, MaxParamKeyLen)
	}
}

func TestParamValue(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"x", "x"},
		{0.1, "0.1"},
		{3.0, "3"},
		{42, "42"},
		{true, "true"},
		{nil, ""},
		{math.NaN(), "NaN"},
		{[]any{"a", 1.5}, `["a",1.5]`},
		{[]float64{1, math.Inf(1)}, `[1,"Infinity"]`},
		{map[string]any{"no": 0.2}, `{"no":0.2}`},
	}
	for _, tt := range tests {
		if got := ParamValue(tt.in); got != tt.want {
			t.Errorf("ParamValue(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := ParamValue(strings.Repeat("é", 4000)); len(got) > MaxParamValueLen || !strings.HasSuffix(got, "é") {
		t.Errorf("long value: %d bytes, want <= %d cut on a rune boundary", len(got), MaxParamValueLen)
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"lr.regParam", "a:b", strings.Repeat("x", 260), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 10000 {
			return
		}
		k := Key(s)
		if k == "" || len(k) > MaxParamKeyLen {
			t.Fatalf("Key(%q) = %q: empty or longer than %d", s, k, MaxParamKeyLen)
		}
		if Key(k) != k && len(s) <= MaxParamKeyLen {
			t.Fatalf("Key is not idempotent on %q: %q then %q", s, k, Key(k))
		}
	})
}
