package mlflowclient_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/mlflowclient"
)

func TestCollect(t *testing.T) {
	pages := map[string]struct {
		items []int
		next  string
	}{
		"":   {[]int{1, 2}, "p2"},
		"p2": {[]int{3, 4}, "p3"},
		"p3": {[]int{5}, ""},
	}
	page := func(calls *[]string) func(string) ([]int, string, error) {
		return func(token string) ([]int, string, error) {
			*calls = append(*calls, token)
			p := pages[token]
			return p.items, p.next, nil
		}
	}
	tests := []struct {
		first     string
		limit     int
		want      string
		wantCalls string
	}{
		{"", 0, "[1 2 3 4 5]", `["" "p2" "p3"]`},
		{"", 3, "[1 2 3]", `["" "p2"]`},
		{"", 2, "[1 2]", `[""]`},
		{"p2", 0, "[3 4 5]", `["p2" "p3"]`},
	}
	for _, tt := range tests {
		var calls []string
		got, err := mlflowclient.Collect(tt.first, tt.limit, page(&calls))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != tt.want || fmt.Sprintf("%q", calls) != tt.wantCalls {
			t.Errorf("Collect(%q, %d) = %v after calls %q, want %s after %s", tt.first, tt.limit, got, calls, tt.want, tt.wantCalls)
		}
	}
	empty, err := mlflowclient.Collect("", 0, func(string) ([]int, string, error) { return nil, "", nil })
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("no items: got %#v, %v; want an empty, non-nil slice", empty, err)
	}
	boom := errors.New("boom")
	if _, err := mlflowclient.Collect("", 0, func(string) ([]int, string, error) { return nil, "", boom }); !errors.Is(err, boom) {
		t.Errorf("page error: got %v, want boom", err)
	}
}
