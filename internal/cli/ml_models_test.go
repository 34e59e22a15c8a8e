package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMLRecommendAndFrames fits ALS with `ml fit`, then reads its top-k
// recommendations (`ml recommend`) and its factor tables (`ml frames`)
// from the model directory and from the registry.
func TestMLRecommendAndFrames(t *testing.T) {
	ws := t.TempDir()
	mustRun(t, ws, "sql", `CREATE TABLE ratings AS
		SELECT u AS user_id, i AS item_id, CASE WHEN u % 2 = i % 2 THEN 5.0 ELSE 1.0 END AS stars
		FROM range(1, 21) r1(u), range(1, 11) r2(i) WHERE (u * 3 + i * 7) % 10 < 7`)
	spec := filepath.Join(ws, "als.yaml")
	if err := os.WriteFile(spec, []byte(`name: als
input: {table: ratings}
stages:
  - {stage: ALS, userCol: user_id, itemCol: item_id, ratingCol: stars, rank: 3, maxIter: 8, seed: 1}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(ws, "model")
	mustRun(t, ws, "ml", "fit", spec, "--out", model, "--register", "als", "--alias", "champion")

	out := mustRun(t, ws, "ml", "recommend", model, "--k", "2", "--ids", "SELECT 4 UNION ALL SELECT 5", "--output", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || lines[0] != "user_id,rank,item_id,score" {
		t.Fatalf("ml recommend --k 2 for users 4 and 5: want a header and 4 rows, got:\n%s", out)
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		user, item := f[0], f[2]
		// Even users like even items, odd users odd items.
		if (user == "4") != (strings.IndexByte("02468", item[len(item)-1]) >= 0) {
			t.Errorf("user %s got item %s from the other taste group:\n%s", user, item, out)
		}
	}
	mustRun(t, ws, "ml", "recommend", "models:/als@champion", "--k", "3", "--into", "top3")
	if got := mustRun(t, ws, "sql", "SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM top3", "--output", "csv"); got != "n,users\n60,20\n" {
		t.Errorf("top3 table: got\n%s", got)
	}

	if desc := mustRun(t, ws, "ml", "describe", "models:/als@champion"); !strings.Contains(desc, "ALSModel") || !strings.Contains(desc, "ALSModel: rank 3") {
		t.Errorf("ml describe models:/als@champion:\n%s", desc)
	}
	list := mustRun(t, ws, "ml", "frames", model)
	for _, w := range []string{"userFactors", "itemFactors", "ALSModel"} {
		if !strings.Contains(list, w) {
			t.Errorf("ml frames lists no %s:\n%s", w, list)
		}
	}
	mustRun(t, ws, "ml", "frames", "models:/als@champion", "itemFactors", "--into", "item_factors")
	if got := mustRun(t, ws, "sql", "SELECT count(*) AS n, min(len(features)) AS k FROM item_factors", "--output", "csv"); got != "n,k\n10,3\n" {
		t.Errorf("item_factors table: got\n%s", got)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ml", "frames", model, "itemFactor"}, `did you mean "itemFactors"`},
		{[]string{"ml", "recommend", model, "--k", "0"}, "--k 0"},
		{[]string{"ml", "recommend", model, "--for", "movies"}, `--for "movies"`},
		{[]string{"ml", "recommend", model, "--ids", "SELECT 'x'"}, "--ids"},
	} {
		_, errs, code := run(t, ws, "", c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("sluice %s: exit %d, stderr %q; want an error containing %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
}

// TestMLPrefixSpan mines Spark's documented PrefixSpan example from SQL.
func TestMLPrefixSpan(t *testing.T) {
	ws := t.TempDir()
	out := mustRun(t, ws, "ml", "prefixspan", "--sql", `SELECT * FROM (VALUES ([['1','2'],['3']]), ([['1'],['3','2'],['1','2']]), ([['1','2'],['5']]), ([['6']])) t(sequence)`,
		"--min-support", "0.5", "--max-pattern-length", "5", "--output", "csv", "--limit", "100")
	// Spark's documentation lists these five patterns for this input.
	for _, want := range []string{`"[[""1""]]",3`, `"[[""2""]]",3`, `"[[""3""]]",2`, `"[[""1""],[""3""]]",2`, `"[[""1"",""2""]]",3`} {
		if !strings.Contains(out, want) {
			t.Errorf("prefixspan output lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 5 {
		t.Errorf("prefixspan: %d patterns, want Spark's 5:\n%s", n, out)
	}
	_, errs, code := run(t, ws, "", "ml", "prefixspan", "--sql", "SELECT 1 AS sequence", "--min-support", "2")
	if code == 0 || !strings.Contains(errs, "minSupport") {
		t.Errorf("prefixspan --min-support 2: exit %d, stderr %q", code, errs)
	}
}
