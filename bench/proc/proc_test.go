package proc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/bench/proc"
)

func mustSh(tb testing.TB) string {
	tb.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		tb.Skip("no sh")
	}
	return sh
}

func TestRun(t *testing.T) {
	sh := mustSh(t)
	ctx := context.Background()
	res, err := proc.Run(ctx, "", []string{"BENCH_PROC_TEST=hello"}, sh, "-c", `echo "$BENCH_PROC_TEST"`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Stdout, "hello\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if res.Wall <= 0 {
		t.Errorf("wall = %v, want > 0", res.Wall)
	}
	if runtime.GOOS == "linux" && res.MaxRSS <= 0 {
		t.Errorf("max RSS = %d, want > 0 on Linux", res.MaxRSS)
	}

	_, err = proc.Run(ctx, "", nil, sh, "-c", "echo broken >&2; exit 3")
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("failing child: got error %v, want one carrying its stderr", err)
	}
}

func TestSpawn(t *testing.T) {
	sh := mustSh(t)
	file := filepath.Join(t.TempDir(), "usage.json")
	var stdout, stderr bytes.Buffer
	code := proc.Spawn(context.Background(), []string{file, "--", sh, "-c", "echo spawned"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr.String())
	}
	if got, want := stdout.String(), "spawned\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var u proc.Usage
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatalf("usage file %q: %v", b, err)
	}
	if u.Wall <= 0 {
		t.Errorf("wall = %v, want > 0", u.Wall)
	}

	tests := []struct {
		name string
		args []string
		want int
	}{
		{"exit code passes through", []string{file, "--", sh, "-c", "exit 4"}, 4},
		{"no separator", []string{file, sh}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := proc.Spawn(context.Background(), tt.args, &stdout, &stderr); got != tt.want {
				t.Errorf("got exit code %d, want %d", got, tt.want)
			}
		})
	}
}
