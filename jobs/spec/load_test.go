package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestLoadPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b.yml"), "name: b\n"+okTasks)
	writeFile(t, filepath.Join(dir, "a.yaml"), "name: a\n"+okTasks)
	writeFile(t, filepath.Join(dir, "notes.txt"), "not a job")
	writeFile(t, filepath.Join(dir, "sub", "c.yaml"), "name: c\n"+okTasks)

	jobs, err := LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
		if j.Dir != dir {
			t.Errorf("%s: Dir %q, want %q", j.Name, j.Dir, dir)
		}
	}
	if strings.Join(names, ",") != "a,b" {
		t.Errorf("jobs %v, want a,b (sorted, not recursive)", names)
	}

	one, err := LoadPath(filepath.Join(dir, "sub", "c.yaml"))
	if err != nil || len(one) != 1 || one[0].Name != "c" || one[0].Dir != filepath.Join(dir, "sub") {
		t.Fatalf("LoadPath(file) = %v, %v", one, err)
	}

	// Duplicate names name both files; errors of several files are joined.
	writeFile(t, filepath.Join(dir, "c.yaml"), "# the same name\nname: a\n"+okTasks)
	writeFile(t, filepath.Join(dir, "d.yaml"), "name: d\ntasks: []\n")
	_, err = LoadPath(dir)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("error %v, want two", err)
	}
	if want := filepath.Join(dir, "c.yaml") + `:2:7: job "a" is also declared in ` + filepath.Join(dir, "a.yaml") + ":1; job names are unique; rename one of them"; list[0].Error() != want {
		t.Errorf("got  %s\nwant %s", list[0], want)
	}
	if !strings.Contains(list[1].Error(), "d.yaml:2:8: tasks is empty") {
		t.Errorf("got %s", list[1])
	}

	if _, err := LoadPath(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
	if _, err := LoadPath(t.TempDir()); err == nil || !strings.Contains(err.Error(), "has no .yaml or .yml files") {
		t.Errorf("empty dir: %v", err)
	}
}

func TestParseFileTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	writeFile(t, path, "name: x\n"+okTasks+"# "+strings.Repeat("x", MaxJobBytes))
	_, err := ParseFile(path)
	if err == nil || !strings.Contains(err.Error(), "a job file is at most") {
		t.Errorf("error %v", err)
	}
	if _, err := Parse("big.yaml", []byte(strings.Repeat("x", MaxJobBytes+1)), ""); err == nil || !strings.Contains(err.Error(), "a job file is at most") {
		t.Errorf("error %v", err)
	}
	if _, err := Parse("bad.yaml", []byte("name: \xff\n"), ""); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("error %v", err)
	}
}

// TestExamplesParse parses the repository's example jobs.
func TestExamplesParse(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	var files []string
	for _, pattern := range []string{"*/job*.yaml", "*/*/job*.yaml", "nightly/*.yaml"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no example jobs yet")
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		seen[f] = true
		if _, err := ParseFile(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
