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

// TestQuickstartMovieLens runs the MovieLens job of examples/movielens on
// synthetic ratings through `quickstart --movielens`: ingest, ALS fit,
// top-k, the recommendations table with titles, and user 1's list.
func TestQuickstartMovieLens(t *testing.T) {
	ws := t.TempDir()
	data := filepath.Join(t.TempDir(), "ml")
	mustRun(t, ws, "examples", "generate", "movielens", "--ratings", "40000", "--users", "400", "--movies", "1500", "--out", data)
	out := mustRun(t, ws, "quickstart", "--movielens", "--movielens-data", data)
	for _, want := range []string{"deployed job movielens (version 1)", "run 1 of movielens: succeeded", "Test RMSE", "models:/movielens/1",
		"400 users got 4000 recommendations", "User 1's top 10", "(10 rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("quickstart --movielens lacks %q:\n%s", want, out)
		}
	}
	got := mustRun(t, ws, "sql", `SELECT count(*) AS n, count(DISTINCT userId) AS users, max(rank) AS k,
		count(*) FILTER (WHERE title IS NULL) AS untitled,
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM movielens.ratings r WHERE r.userId = x.userId AND r.movieId = x.movieId)) AS seen
		FROM movielens.recommendations x`, "--output", "csv")
	if got != "n,users,k,untitled,seen\n4000,400,10,0,0\n" {
		t.Errorf("movielens.recommendations: got\n%s", got)
	}
	_, errs, code := run(t, ws, "", "quickstart", "--movielens", "--movielens-data", t.TempDir())
	if code == 0 || !strings.Contains(errs, "get-data.sh") {
		t.Errorf("quickstart --movielens without data: exit %d, stderr %q", code, errs)
	}
}
