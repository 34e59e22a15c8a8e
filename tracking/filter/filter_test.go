package filter_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/tracking/filter"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // comparisons joined by " AND "
	}{
		{"", ""},
		{"  ", ""},
		{"metrics.rmse < 1", "metrics.`rmse` < 1"},
		{"metric.rmse<=1.5e3", "metrics.`rmse` <= 1.5e3"},
		{"metrics.rmse > -2 and params.model = 'tree'", "metrics.`rmse` > -2 AND params.`model` = 'tree'"},
		{"params.alpha != \"0.1\"", "params.`alpha` != '0.1'"},
		{"tags.`mlflow.user` LIKE 'a%'", "tags.`mlflow.user` LIKE 'a%'"},
		{"tags.mlflow.runName ilike '%X%'", "tags.`mlflow.runName` ILIKE '%X%'"},
		{`tags."user-name" = 'Tomas'`, "tags.`user-name` = 'Tomas'"},
		{"metrics.`f1 score` >= 0.5", "metrics.`f1 score` >= 0.5"},
		{"attributes.status IN ('FINISHED', 'FAILED')", "attributes.`status` IN ('FINISHED', 'FAILED')"},
		{"attribute.run_id NOT IN ('a')", "attributes.`run_id` NOT IN ('a')"},
		{"run_name = 'it''s'", "attributes.`run_name` = 'it''s'"},
		{"name LIKE 'test-%' AND tags.key = 'value'", "attributes.`name` LIKE 'test-%' AND tags.`key` = 'value'"},
		{"start_time >= 1700000000000", "attributes.`start_time` >= 1700000000000"},
		{"datasets.name = 'iris' AND dataset.digest = 'ab'", "datasets.`name` = 'iris' AND datasets.`digest` = 'ab'"},
		{"tags.x IS NULL and tags.y is not null", "tags.`x` IS NULL AND tags.`y` IS NOT NULL"},
		{"`run_name` = 'a'", "attributes.`run_name` = 'a'"},
		{"parameters.a == 'b'", "params.`a` = 'b'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cs, err := filter.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(cs))
			for i, c := range cs {
				parts[i] = c.String()
			}
			if got := strings.Join(parts, " AND "); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in      string
		pos     int
		token   string
		message string
	}{
		{"metrics.rmse", 13, "", "comparison operator"},
		{"metrics.rmse <", 15, "", "expected a value"},
		{"metrics.rmse < 1 OR params.a = 'b'", 18, "OR", "OR is not supported"},
		{"foo.bar = 1", 1, "foo", "unknown entity type"},
		{"params.a = 'abc", 12, "'abc", "unterminated"},
		{"params.a = 'x' params.b = 'y'", 16, "params.b", "expected AND"},
		{"status IN 'a'", 11, "'a'", "parenthesized list"},
		{"status IN ('a' 'b')", 16, "'b'", "',' or ')'"},
		{"metrics.a > 1x", 13, "1x", "invalid number"},
		{"metrics. = 1", 10, "=", "expected a key after"},
		{"'a' = 'b'", 1, "'a'", "not a string"},
		{"metrics.a = 1 AND", 18, "", "expected a key"},
		{"tags.a IS 'x'", 11, "'x'", "expected NULL"},
		{"tags.a ! 'x'", 8, "!", "expected !="},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := filter.Parse(tt.in)
			if apierr.CodeOf(err) != apierr.InvalidParameterValue {
				t.Fatalf("got %v, want INVALID_PARAMETER_VALUE", err)
			}
			var se *filter.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %T, want a *SyntaxError inside", err)
			}
			if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.message) || (tt.token != "" && se.Token != tt.token && !strings.HasPrefix(se.Token, tt.token)) {
				t.Errorf("got %v (pos %d token %q), want pos %d token %q message containing %q", err, se.Pos, se.Token, tt.pos, tt.token, tt.message)
			}
		})
	}
}

func TestParseOrderBy(t *testing.T) {
	tests := []struct {
		in   string
		want filter.OrderBy
	}{
		{"metrics.auc DESC", filter.OrderBy{Entity: filter.Metric, Key: "auc", Desc: true}},
		{"attributes.start_time", filter.OrderBy{Entity: filter.Attribute, Key: "start_time"}},
		{"start_time asc", filter.OrderBy{Entity: filter.Attribute, Key: "start_time"}},
		{"params.`my param` desc", filter.OrderBy{Entity: filter.Param, Key: "my param", Desc: true}},
		{"name", filter.OrderBy{Entity: filter.Attribute, Key: "name"}},
	}
	for _, tt := range tests {
		got, err := filter.ParseOrderBy(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "metrics.auc DOWN", "foo.x", "metrics.a, metrics.b"} {
		if _, err := filter.ParseOrderBy(bad); apierr.CodeOf(err) != apierr.InvalidParameterValue {
			t.Errorf("%q: got %v, want INVALID_PARAMETER_VALUE", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"metrics.rmse < 1 and params.model = 'tree'",
		"tags.`a b` LIKE '%x%' AND attributes.status IN ('A', 'B')",
		`tags."x-y" != 'it''s' and start_time >= -1.5e3`,
		"datasets.context NOT IN ('a') AND tags.x IS NOT NULL",
		"'", "`", "(", "metrics.", "1e", "-.", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		cs, err := filter.Parse(s)
		if err != nil {
			if apierr.As(err) == nil {
				t.Fatalf("error %v is not an *apierr.Error", err)
			}
			return
		}
		// What parses renders back into something that parses the same.
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = c.String()
		}
		again, err := filter.Parse(strings.Join(parts, " AND "))
		if err != nil {
			t.Fatalf("%q parsed, its rendering %q does not: %v", s, strings.Join(parts, " AND "), err)
		}
		if len(again) != len(cs) {
			t.Fatalf("got %d comparisons after rendering, want %d", len(again), len(cs))
		}
		for i := range cs {
			if again[i].Key != cs[i].Key || again[i].Op != cs[i].Op || again[i].Entity != cs[i].Entity {
				t.Fatalf("term %d: got %v, want %v", i, again[i], cs[i])
			}
		}
	})
}

func FuzzParseOrderBy(f *testing.F) {
	for _, s := range []string{"metrics.auc DESC", "params.`a` asc", "name", "`x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		if _, err := filter.ParseOrderBy(s); err != nil && apierr.As(err) == nil {
			t.Fatalf("error %v is not an *apierr.Error", err)
		}
	})
}

func ExampleParse() {
	cs, err := filter.Parse("metrics.rmse < 1 AND tags.`mlflow.user` LIKE 'ann%'")
	if err != nil {
		panic(err)
	}
	for _, c := range cs {
		fmt.Println(c.Entity, c.Key, c.Op, c.Value)
	}
	_, err = filter.Parse("metrics.rmse < 1 OR params.a = 'b'")
	fmt.Println(err)
	// Output:
	// metrics rmse < 1
	// tags mlflow.user LIKE 'ann%'
	// invalid filter "metrics.rmse < 1 OR params.a = 'b'": at position 18, 'OR': OR is not supported; combine comparisons with AND
}
