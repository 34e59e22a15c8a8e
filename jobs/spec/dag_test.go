package spec

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// dagJob builds a job from "key:dep,dep" specs without parsing.
func dagJob(specs ...string) *Job {
	j := &Job{Name: "dag"}
	for _, s := range specs {
		key, deps, _ := strings.Cut(s, ":")
		t := &Task{Key: key, Exec: &ExecTask{Command: []string{"true"}}}
		if deps != "" {
			t.DependsOn = strings.Split(deps, ",")
		}
		j.Tasks = append(j.Tasks, t)
	}
	return j
}

func keysOf(ts []*Task) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Key)
	}
	return out
}

func TestTopoOrder(t *testing.T) {
	for _, tc := range []struct {
		specs []string
		want  []string
	}{
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{[]string{"c:b", "b:a", "a"}, []string{"a", "b", "c"}},
		// Among ready tasks, file order: d (ready at start) comes before b.
		{[]string{"b:a", "a", "d", "c:b,d"}, []string{"a", "b", "d", "c"}},
		{[]string{"x:a", "y:a", "a", "z"}, []string{"a", "x", "y", "z"}},
		// e becomes ready after a and, earlier in the file, goes before b.
		{[]string{"a", "e:a", "b"}, []string{"a", "e", "b"}},
		// A cycle (Parse refuses it): those tasks come last in file order.
		{[]string{"p:q", "q:p", "r"}, []string{"r", "p", "q"}},
		// Unknown dependencies are ignored.
		{[]string{"a:zz"}, []string{"a"}},
	} {
		if got := keysOf(dagJob(tc.specs...).TopoOrder()); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("TopoOrder(%v) = %v, want %v", tc.specs, got, tc.want)
		}
	}
}

func TestDownstreamUpstreamRoots(t *testing.T) {
	// a → b → d, a → c → d, e alone; f depends on d.
	j := dagJob("a", "b:a", "c:a", "d:b,c", "e", "f:d")
	for _, tc := range []struct {
		keys []string
		want []string
	}{
		{[]string{"a"}, []string{"a", "b", "c", "d", "f"}},
		{[]string{"c"}, []string{"c", "d", "f"}},
		{[]string{"f", "b"}, []string{"b", "d", "f"}},
		{[]string{"e"}, []string{"e"}},
		{[]string{"nope"}, nil},
		{nil, nil},
	} {
		if got := j.Downstream(tc.keys); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Downstream(%v) = %v, want %v", tc.keys, got, tc.want)
		}
	}
	for key, want := range map[string][]string{
		"f": {"a", "b", "c", "d"}, "d": {"a", "b", "c"}, "b": {"a"}, "a": nil, "nope": nil,
	} {
		if got := j.Upstream(key); !reflect.DeepEqual(got, want) {
			t.Errorf("Upstream(%s) = %v, want %v", key, got, want)
		}
	}
	if got, want := j.Roots(), []string{"a", "e"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Roots = %v, want %v", got, want)
	}
	if j.Task("d") != j.Tasks[3] || j.Task("zz") != nil {
		t.Error("Task lookup")
	}
}

func TestResolveParams(t *testing.T) {
	j := MustParse(t, "name: p\nparameters: {date: \"2026-01-01\", region: eu}\n"+okTasks, "")
	got, err := j.ResolveParams(map[string]string{"region": "us"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"date": "2026-01-01", "region": "us"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err = j.ResolveParams(map[string]string{"regoin": "us"})
	if err == nil || err.Error() != "job p: unknown parameter regoin; did you mean region? its parameters are date, region" {
		t.Errorf("error %v", err)
	}
	j = MustParse(t, "name: q\n"+okTasks, "")
	if _, err := j.ResolveParams(map[string]string{"x": "1"}); err == nil || !strings.Contains(err.Error(), "it has no parameters") {
		t.Errorf("error %v", err)
	}
	if got, err := j.ResolveParams(nil); err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestRetryDelayBefore(t *testing.T) {
	j := MustParse(t, "name: r\nretries: {count: 5, delay: 1s, backoff: 3, max_delay: 20s}\n"+okTasks, "")
	r := j.Retries
	for n, want := range map[int]string{1: "0s", 2: "1s", 3: "3s", 4: "9s", 5: "20s", 6: "20s"} {
		if got := r.DelayBefore(n).String(); got != want {
			t.Errorf("DelayBefore(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestParseLongChain parses the largest job: a chain of MaxTasks tasks,
// each reading its predecessor's values, which validation checks in
// about n²/64 word operations.
func TestParseLongChain(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: chain\ntasks:\n  - {key: t0, exec: {command: [\"true\"]}}\n")
	for i := 1; i < MaxTasks; i++ {
		fmt.Fprintf(&b, "  - {key: t%d, depends_on: [t%d], exec: {command: [echo, \"${tasks.t0.values.v}\"]}}\n", i, i-1)
	}
	start := time.Now()
	j, err := Parse("chain.yaml", []byte(b.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Tasks) != MaxTasks {
		t.Fatalf("%d tasks", len(j.Tasks))
	}
	t.Logf("parsed %d tasks in %v", MaxTasks, time.Since(start))
	if got := j.Downstream([]string{"t9990"}); len(got) != 10 {
		t.Errorf("Downstream(t9990) has %d tasks, want 10", len(got))
	}
	b.WriteString("  - {key: extra, exec: {command: [\"true\"]}}\n")
	if _, err := Parse("chain.yaml", []byte(b.String()), ""); err == nil || !strings.Contains(err.Error(), "a job has at most 10000") {
		t.Errorf("error %v", err)
	}
}
