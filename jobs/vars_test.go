package jobs

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

func TestValueText(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{`"plain"`, "plain"},
		{`"with \"quotes\" and \n"`, "with \"quotes\" and \n"},
		{`42`, "42"},
		{`-1.5e3`, "-1.5e3"},
		{`true`, "true"},
		{`null`, ""},
		{`{"a": [1, 2], "b": "x"}`, `{"a":[1,2],"b":"x"}`},
		{` [ 1 ] `, `[1]`},
	} {
		if got := valueText(json.RawMessage(c.raw)); got != c.want {
			t.Errorf("valueText(%s): got %q, want %q", c.raw, got, c.want)
		}
	}
}

func TestParseListParam(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // item text; item.id for objects after a |
	}{
		{"a, b ,,c", []string{"a", "b", "c"}},
		{"", nil},
		{`["x", 2, true]`, []string{"x", "2", "true"}},
		{`[{"id": 7, "n": "seven"}]`, []string{`{"id":7,"n":"seven"}|7`}},
	} {
		items, err := parseListParam("p", c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		var got []string
		for _, it := range items {
			s := it.text
			if it.cols != nil {
				s += "|" + it.cols["id"]
			}
			got = append(got, s)
		}
		if strings.Join(got, ";") != strings.Join(c.want, ";") {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	if _, err := parseListParam("p", "[1, 2"); err == nil || !strings.Contains(err.Error(), "not a JSON array") {
		t.Errorf("broken JSON: got %v", err)
	}
}

func FuzzParseListParam(f *testing.F) {
	for _, s := range []string{"a,b", `["x", {"a": 1}]`, "[", `[null, [1], {"k": {"n": 2}}]`, " , "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		items, err := parseListParam("p", s)
		if err != nil {
			return
		}
		for _, it := range items {
			if !json.Valid(it.raw) {
				t.Fatalf("%q: item %q stored as invalid JSON %q", s, it.text, it.raw)
			}
			if back := itemFromJSON(it.raw); back.text != it.text && utf8.ValidString(it.text) {
				t.Fatalf("%q: item %q reads back as %q", s, it.text, back.text)
			}
		}
	})
}

// analyze decides how a task continues from its recorded attempts.
func TestAnalyzeAttempts(t *testing.T) {
	retry := &spec.Retry{Count: 2, Delay: spec.Duration{D: time.Second}, Backoff: 2}
	end := time.Unix(1000, 0)
	att := func(n, repair int, st state.TaskState) state.TaskRun {
		return state.TaskRun{Key: "k", Attempt: n, Repair: repair, State: st, EndedAt: end}
	}
	for _, c := range []struct {
		name    string
		all     []state.TaskRun
		gen     int
		final   bool
		fresh   bool
		next    int
		retryAt time.Time
		queued  bool
	}{
		{name: "none", fresh: true, next: 1},
		{name: "succeeded", all: []state.TaskRun{att(1, 0, state.TaskSucceeded)}, final: true, next: 2},
		{name: "failed once", all: []state.TaskRun{att(1, 0, state.TaskFailed)}, next: 2, retryAt: end.Add(time.Second)},
		{name: "failed twice", all: []state.TaskRun{att(1, 0, state.TaskFailed), att(2, 0, state.TaskTimedOut)}, next: 3, retryAt: end.Add(2 * time.Second)},
		{name: "retries used", all: []state.TaskRun{att(1, 0, state.TaskFailed), att(2, 0, state.TaskFailed), att(3, 0, state.TaskFailed)}, final: true, next: 4},
		{name: "queued", all: []state.TaskRun{att(1, 0, state.TaskFailed), att(2, 0, state.TaskQueued)}, next: 2, queued: true},
		{name: "canceled", all: []state.TaskRun{att(1, 0, state.TaskCanceled)}, final: true, next: 2},
		{name: "repair: earlier generation ignored", all: []state.TaskRun{att(1, 0, state.TaskFailed), att(2, 0, state.TaskFailed), att(3, 0, state.TaskFailed)}, gen: 1, fresh: true, next: 4},
		{name: "repair: own attempts count", all: []state.TaskRun{att(1, 0, state.TaskFailed), att(2, 1, state.TaskFailed)}, gen: 1, next: 3, retryAt: end.Add(time.Second)},
	} {
		ks := analyze(c.all, c.gen, retry.Count, retry)
		if ks.final != c.final || ks.fresh != c.fresh || ks.rp.next != c.next || !ks.rp.retryAt.Equal(c.retryAt) || (ks.rp.queued != nil) != c.queued {
			t.Errorf("%s: got final=%v fresh=%v next=%d retryAt=%v queued=%v", c.name, ks.final, ks.fresh, ks.rp.next, ks.rp.retryAt, ks.rp.queued != nil)
		}
	}
}

// killByEnv finds and kills an attempt's process group whose PID was
// never recorded, by the variables the engine gives it.
func TestKillByEnv(t *testing.T) {
	log := filepath.Join(t.TempDir(), "1.log")
	cmd := exec.Command("sh", "-c", "sleep 60 & wait")
	cmd.Env = append(cmd.Environ(), "SLUICE_TASK_LOG="+log, "SLUICE_ATTEMPT=3")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	if killByEnv(&state.TaskRun{LogPath: log, Attempt: 2}) {
		t.Error("killed a process of another attempt")
	}
	if !killByEnv(&state.TaskRun{LogPath: log, Attempt: 3}) {
		t.Fatal("found nothing to kill")
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the process survived")
	}
}
