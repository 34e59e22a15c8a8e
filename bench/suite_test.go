package bench_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/bench"
)

// TestSuiteAgrees runs every query of the suite through Sluice's engine
// and through plain DuckDB over the same files, and wants the same rows:
// the benchmark compares like with like.
func TestSuiteAgrees(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, 20_000)
	for _, q := range bench.Suite() {
		t.Run(q.Name, func(t *testing.T) {
			var got, want []string
			err := e.eng.Query(ctx, q.On("flights"), func(rdr array.RecordReader) error {
				var err error
				got, err = rowStrings(rdr)
				return err
			})
			if err != nil {
				t.Fatalf("sluice: %v", err)
			}
			err = e.duck.Query(ctx, q.On(e.direct), func(rdr array.RecordReader) error {
				var err error
				want, err = rowStrings(rdr)
				return err
			})
			if err != nil {
				t.Fatalf("duckdb: %v", err)
			}
			if len(got) == 0 {
				t.Fatalf("no rows")
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %d rows (first %q), want %d (first %q)", len(got), got[0], len(want), want[0])
			}
		})
	}
}

func TestSuiteShape(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range bench.Suite() {
		if seen[q.Name] {
			t.Errorf("duplicate query name %s", q.Name)
		}
		seen[q.Name] = true
		if strings.Count(q.SQL, bench.TablePlaceholder) != 1 {
			t.Errorf("query %s: got %d %s, want 1", q.Name, strings.Count(q.SQL, bench.TablePlaceholder), bench.TablePlaceholder)
		}
	}
	if len(seen) != 5 {
		t.Errorf("got %d queries, want 5", len(seen))
	}
}

func TestReadParquet(t *testing.T) {
	tests := []struct {
		paths []string
		want  string
	}{
		{[]string{"/a/b.parquet"}, "read_parquet('/a/b.parquet')"},
		{[]string{"file:///w/x.parquet", "/w/it's.parquet"}, "read_parquet(['/w/x.parquet', '/w/it''s.parquet'])"},
	}
	for _, tt := range tests {
		if got := bench.ReadParquet(tt.paths); got != tt.want {
			t.Errorf("ReadParquet(%q) = %s, want %s", tt.paths, got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms(7), 7 * time.Millisecond},
		{ms(5, 1, 9), 5 * time.Millisecond},
		{ms(4, 1, 3, 2), 2500 * time.Microsecond},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		if got := bench.Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("Median modified its input: %v, was %v", tt.in, in)
		}
	}
}

func TestTableMarkdown(t *testing.T) {
	tb := bench.Table{Header: []string{"measure", "ratio"}}
	tb.Add("count", "1.05×")
	got := tb.Markdown()
	want := "| measure | ratio |\n|---------|-------|\n| count   | 1.05× |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func ExampleQuery_On() {
	q := bench.Suite()[0]
	fmt.Println(q.On("flights"))
	fmt.Println(q.On(bench.ReadParquet([]string{"file:///data/f1.parquet"})))
	// Output:
	// SELECT count(*) AS n FROM flights
	// SELECT count(*) AS n FROM read_parquet('/data/f1.parquet')
}
