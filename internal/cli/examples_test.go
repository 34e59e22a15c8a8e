package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesGenerate writes both synthetic sets and reads them back:
// row counts, headers, determinism per seed, and usage errors.
func TestExamplesGenerate(t *testing.T) {
	ws := t.TempDir()
	dir := filepath.Join(ws, "ml")
	mustRun(t, ws, "examples", "generate", "movielens", "--ratings", "30000", "--users", "300", "--movies", "900", "--out", dir)
	got := mustRun(t, ws, "sql", "SELECT count(*) AS n, count(DISTINCT userId) AS users, min(rating) >= 0.5 AND max(rating) <= 5 AS in_range, "+
		"count(*) = count(DISTINCT (userId, movieId)) AS unique_pairs FROM read_csv('"+dir+"/ratings.csv')", "--output", "csv")
	if got != "n,users,in_range,unique_pairs\n30000,300,true,true\n" {
		t.Errorf("ratings.csv: got\n%s", got)
	}
	movies, err := os.ReadFile(filepath.Join(dir, "movies.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(movies, []byte("movieId,title,genres\n")) || bytes.Count(movies, []byte("\n")) != 901 {
		t.Errorf("movies.csv: want a header and 900 movies, got %d lines starting %q", bytes.Count(movies, []byte("\n")), movies[:min(60, len(movies))])
	}

	a := filepath.Join(ws, "a.csv")
	mustRun(t, ws, "examples", "generate", "connections", "--records", "2000", "--attack-fraction", "0.1", "--seed", "3", "--out", a)
	b := mustRun(t, ws, "examples", "generate", "connections", "--records", "2000", "--attack-fraction", "0.1", "--seed", "3", "--out", "-")
	ab, _ := os.ReadFile(a)
	if string(ab) != b {
		t.Error("the same seed wrote different connection files")
	}
	got = mustRun(t, ws, "sql", "SELECT count(*) AS n, count(*) FILTER (WHERE label <> 'normal') BETWEEN 120 AND 280 AS attacks_near_10pct FROM read_csv('"+a+"')", "--output", "csv")
	if got != "n,attacks_near_10pct\n2000,true\n" {
		t.Errorf("connections: got\n%s", got)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"examples", "generate", "movielens", "--ratings", "100"}, "--out"},
		{[]string{"examples", "generate", "movielens", "--ratings", "0", "--out", dir}, "--ratings 0"},
		{[]string{"examples", "generate", "connections", "--attack-fraction", "2", "--out", a}, "AttackFraction"},
	} {
		_, errs, code := run(t, ws, "", c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("sluice %s: exit %d, stderr %q; want an error containing %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
}
