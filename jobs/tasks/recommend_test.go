package tasks_test

import (
	"context"
	"testing"

	"github.com/sluice-dev/sluice/jobs/spec"
)

// TestMLRecommend fits ALS on planted ratings (ml_fit, registered), then
// writes the top 3 items of every user with ml_recommend and checks them
// against the model's own predictions for every (user, item) pair, made
// by ml_transform: each user's rank-1 item is its best-scored item, and
// the ranks run 1..3 with scores descending.
func TestMLRecommend(t *testing.T) {
	e := MustEnv(t)
	e.MustRun(t, &spec.Task{Key: "data", SQL: &spec.SQLTask{Query: `
		CREATE TABLE ratings AS
		SELECT u AS user_id, i AS item_id, CASE WHEN u % 3 = i % 3 THEN 5.0 ELSE 1.0 END AS stars
		FROM range(1, 31) r1(u), range(1, 21) r2(i)
		WHERE (u * 7 + i * 13) % 10 < 6`}}, nil)
	fit, log := e.MustRun(t, &spec.Task{Key: "fit", MLFit: &spec.MLFitTask{Spec: "als.yaml", Experiment: "recs", Register: "recs", Alias: "champion"}}, nil)
	if fit["model_uri"] == "" {
		t.Fatalf("ml_fit published no model_uri: %v\n%s", fit, log)
	}
	vals, log := e.MustRun(t, &spec.Task{Key: "rec", MLRecommend: &spec.MLRecommendTask{Model: "models:/recs@champion", K: 3, Into: "top3"}}, nil)
	wantValues(t, vals, map[string]string{"rows": "90", "users": "30", "table": `"default.top3"`})
	wantContains(t, "log", log, "to default.top3")

	e.MustRun(t, &spec.Task{Key: "all", MLTransform: &spec.MLTransformTask{Model: "models:/recs@champion",
		Query: "SELECT u AS user_id, i AS item_id FROM range(1, 31) r1(u), range(1, 21) r2(i)", Into: "preds"}}, nil)
	got := e.query(t, `
		WITH best AS (SELECT user_id, arg_max(item_id, prediction) AS item, max(prediction) AS score FROM preds GROUP BY user_id)
		SELECT count(*) AS users,
		       sum(CASE WHEN b.item = t.item_id THEN 1 ELSE 0 END) AS same_best,
		       sum(CASE WHEN abs(b.score - t.score) < 1e-4 THEN 1 ELSE 0 END) AS same_score,
		       sum(CASE WHEN t.item_id % 3 = t.user_id % 3 THEN 1 ELSE 0 END) AS in_group
		FROM best b JOIN top3 t ON t.user_id = b.user_id AND t.rank = 1`)
	wantValues(t, got, map[string]string{"users": "30", "same_score": "30", "in_group": "30"})
	order := e.query(t, `
		SELECT count(*) AS bad FROM (
		  SELECT rank, score, lag(score) OVER (PARTITION BY user_id ORDER BY rank) AS prev,
		         row_number() OVER (PARTITION BY user_id ORDER BY rank) AS rn
		  FROM top3) WHERE rank <> rn OR score > prev`)
	wantValues(t, order, map[string]string{"bad": "0"})

	// A subset of users from a query, appended; items for users.
	vals, _ = e.MustRun(t, &spec.Task{Key: "sub", MLRecommend: &spec.MLRecommendTask{Model: "models:/recs@champion", K: 2,
		IDs: "SELECT user_id FROM ratings WHERE user_id <= ${n} GROUP BY user_id", Into: "top3", Mode: "append"}}, map[string]string{"n": "4"})
	wantValues(t, vals, map[string]string{"rows": "8", "users": "4"})
	wantValues(t, e.query(t, "SELECT count(*) AS n FROM top3"), map[string]string{"n": "98"})
	vals, _ = e.MustRun(t, &spec.Task{Key: "items", MLRecommend: &spec.MLRecommendTask{Model: "models:/recs@champion", K: 5, For: "items", Into: "fans"}}, nil)
	wantValues(t, vals, map[string]string{"rows": "100", "items": "20"})
	wantValues(t, e.query(t, "SELECT count(DISTINCT item_id) AS items, max(rank) AS k FROM fans"), map[string]string{"items": "20", "k": "5"})

	for _, tc := range []struct {
		name string
		task *spec.MLRecommendTask
		want []string
	}{
		{"ids not integers", &spec.MLRecommendTask{Model: "models:/recs@champion", K: 3, IDs: "SELECT 'a' AS id", Into: "x"},
			[]string{"ml_recommend ids"}},
		{"no such model", &spec.MLRecommendTask{Model: "models:/nope@champion", K: 3, Into: "x"},
			[]string{"ml_recommend: model models:/nope@champion"}},
		{"zero k", &spec.MLRecommendTask{Model: "models:/recs@champion", K: -1, Into: "x"},
			[]string{"ml_recommend"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, log, err := e.run(context.Background(), &spec.Task{Key: "bad", MLRecommend: tc.task}, nil)
			if err == nil {
				t.Fatalf("no error\nlog:\n%s", log)
			}
			t.Logf("error: %v", err)
			wantContains(t, "error", err.Error(), tc.want...)
		})
	}
}
