package fpm_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/fpm"
)

// seqFrame builds a "sequence" array<array<string>> column; a nil
// sequence is NULL.
func seqFrame(tb testing.TB, seqs ...[][]string) *ml.Frame {
	tb.Helper()
	ob := array.NewListBuilder(memory.DefaultAllocator, ml.StringListType)
	defer ob.Release()
	ib := ob.ValueBuilder().(*array.ListBuilder)
	sb := ib.ValueBuilder().(*array.StringBuilder)
	for _, s := range seqs {
		if s == nil {
			ob.AppendNull()
			continue
		}
		ob.Append(true)
		for _, set := range s {
			ib.Append(true)
			for _, it := range set {
				sb.Append(it)
			}
		}
	}
	a := ob.NewArray()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "sequence", Type: a.DataType(), Nullable: true}}, nil), []*arrow.Chunked{arrow.NewChunked(a.DataType(), []arrow.Array{a})})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// seq parses "1 2|3" into [[1 2] [3]].
func seq(s string) [][]string {
	var out [][]string
	for _, set := range strings.Split(s, "|") {
		out = append(out, strings.Fields(set))
	}
	return out
}

// patterns returns the result as "1,2|3" → freq.
func patterns(tb testing.TB, f *ml.Frame) ([]string, []int64) {
	tb.Helper()
	var keys []string
	for _, sets := range lists(tb, f, "sequence") {
		keys = append(keys, strings.Join(sets, "|"))
	}
	return keys, int64s(tb, f, "freq")
}

func findPatterns(tb testing.TB, f *ml.Frame, minSupport float64, maxLen int) *ml.Frame {
	tb.Helper()
	ps := fpm.NewPrefixSpan()
	ps.P.MinSupport, ps.P.MaxPatternLength = minSupport, maxLen
	out, err := ps.FindFrequentSequentialPatterns(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// Spark's documented example (ml-frequent-pattern-mining, PrefixSpan):
// [[1]] 3, [[2]] 3, [[1, 2]] 3, [[3]] 2, [[1], [3]] 2 (Spark lists them in
// another order).
func TestPrefixSpanSparkExample(t *testing.T) {
	f := seqFrame(t, seq("1 2|3"), seq("1|3 2|1 2"), seq("1 2|5"), seq("6"))
	out := findPatterns(t, f, 0.5, 5)
	keys, freq := patterns(t, out)
	if want := []string{"1", "2", "1,2", "3", "1|3"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("patterns %v, want %v", keys, want)
	}
	if want := []int64{3, 3, 3, 2, 2}; !reflect.DeepEqual(freq, want) {
		t.Errorf("freq %v, want %v", freq, want)
	}
	if got := ml.ColumnNames(out.Schema()); !reflect.DeepEqual(got, []string{"sequence", "freq"}) {
		t.Errorf("columns %v", got)
	}
	// maxPatternLength 1 keeps the single items.
	keys, _ = patterns(t, findPatterns(t, f, 0.5, 1))
	if want := []string{"1", "2", "3"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("maxPatternLength 1: %v, want %v", keys, want)
	}
}

// contains reports whether pattern p (itemsets) is contained in sequence
// s: greedy earliest matching of each itemset is optimal.
func contains(s [][]string, p [][]string) bool {
	j := 0
	for _, set := range p {
		for j < len(s) && !subset(set, s[j]) {
			j++
		}
		if j == len(s) {
			return false
		}
		j++
	}
	return true
}

func subset(a, b []string) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

// brutePatterns enumerates every pattern over alphabet of at most maxLen
// items and counts the sequences containing it.
func brutePatterns(seqs [][][]string, alphabet []string, minCount int64, maxLen int) map[string]int64 {
	// Non-empty itemsets over the alphabet, as sorted subsets.
	var sets [][]string
	for mask := 1; mask < 1<<len(alphabet); mask++ {
		var s []string
		for b, it := range alphabet {
			if mask&(1<<b) != 0 {
				s = append(s, it)
			}
		}
		if len(s) <= maxLen {
			sets = append(sets, s)
		}
	}
	out := map[string]int64{}
	var rec func(p [][]string, length int)
	rec = func(p [][]string, length int) {
		for _, s := range sets {
			if length+len(s) > maxLen {
				continue
			}
			q := append(append([][]string(nil), p...), s)
			var n int64
			for _, sq := range seqs {
				if contains(sq, q) {
					n++
				}
			}
			if n < minCount || n == 0 {
				continue // and so is every extension
			}
			parts := make([]string, len(q))
			for i, set := range q {
				parts[i] = setKey(set)
			}
			out[strings.Join(parts, ";")] = n
			rec(q, length+len(s))
		}
	}
	rec(nil, 0)
	return out
}

func TestPrefixSpanMatchesBruteForce(t *testing.T) {
	rng := ml.NewRand(11)
	alphabet := []string{"a", "b", "c", "d"}
	for trial := range 40 {
		n := 3 + rng.IntN(25)
		var seqs [][][]string
		for range n {
			var s [][]string
			for range rng.IntN(6) {
				var set []string
				for _, it := range alphabet {
					if rng.Float64() < 0.35 {
						set = append(set, it)
					}
				}
				if rng.IntN(8) == 0 && len(set) > 0 {
					set = append(set, set[0]) // a duplicate inside an itemset counts once
				}
				s = append(s, set) // may be empty
			}
			if s == nil {
				s = [][]string{}
			}
			seqs = append(seqs, s)
		}
		minSupport := []float64{0, 0.1, 0.2, 0.35, 0.6, 1}[trial%6]
		maxLen := 1 + trial%5
		minCount := max(1, int64(math.Ceil(minSupport*float64(n))))
		want := brutePatterns(seqs, alphabet, minCount, maxLen)
		out := findPatterns(t, seqFrame(t, seqs...), minSupport, maxLen)
		got := map[string]int64{}
		raw := lists(t, out, "sequence")
		freq := int64s(t, out, "freq")
		for i, sets := range raw {
			parts := make([]string, len(sets))
			for k, s := range sets {
				parts[k] = setKey(strings.Split(s, ","))
			}
			key := strings.Join(parts, ";")
			if _, dup := got[key]; dup {
				t.Fatalf("trial %d: pattern %s twice", trial, key)
			}
			got[key] = freq[i]
			if i > 0 && freq[i] > freq[i-1] {
				t.Fatalf("trial %d: patterns not in descending freq at row %d", trial, i)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d (n %d, minSupport %v, maxLen %d):\n got %v\nwant %v\nsequences %v", trial, n, minSupport, maxLen, got, want, seqs)
		}
	}
}

func TestPrefixSpanNullsAndErrors(t *testing.T) {
	ctx := context.Background()
	// NULL sequences are skipped: n = 2, so minSupport 1 means both.
	f := seqFrame(t, seq("a|b"), nil, seq("a b|b"))
	keys, freq := patterns(t, findPatterns(t, f, 1, 10))
	if want := []string{"a", "b", "a|b"}; !reflect.DeepEqual(keys, want) || !reflect.DeepEqual(freq, []int64{2, 2, 2}) {
		t.Errorf("patterns %v %v, want %v all 2", keys, freq, want)
	}
	tests := []struct {
		name string
		set  func(p *fpm.PrefixSpanParams)
		f    *ml.Frame
		want string
	}{
		{"minSupport", func(p *fpm.PrefixSpanParams) { p.MinSupport = 2 }, f, "minSupport is 2"},
		{"maxPatternLength", func(p *fpm.PrefixSpanParams) { p.MaxPatternLength = 0 }, f, "maxPatternLength is 0"},
		{"maxLocalProjDBSize", func(p *fpm.PrefixSpanParams) { p.MaxLocalProjDBSize = 0 }, f, "maxLocalProjDBSize is 0"},
		{"missing column", func(p *fpm.PrefixSpanParams) { p.SequenceCol = "seq" }, f, `sequenceCol: no column "seq"`},
		{"flat column", nil, itemsFrameAs(t, "sequence"), "want an array of arrays"},
		{"all NULL", nil, seqFrame(t, nil), "has no sequences"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := fpm.NewPrefixSpan()
			if tt.set != nil {
				tt.set(&ps.P)
			}
			if _, err := ps.FindFrequentSequentialPatterns(ctx, tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if ps := fpm.NewPrefixSpan(); ps.StageName() != "PrefixSpan" || len(ml.ParamList(ps)) != 4 {
		t.Errorf("PrefixSpan params: %v", ml.ParamList(ps))
	}
}

func itemsFrameAs(tb testing.TB, name string) *ml.Frame {
	f := itemsFrame(tb, split("a b"))
	col, _ := f.Column("items")
	out, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: name, Type: col.DataType()}}, nil), []*arrow.Chunked{col})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func ExamplePrefixSpan() {
	// Spark's example: four sequences of itemsets.
	ob := array.NewListBuilder(memory.DefaultAllocator, ml.StringListType)
	ib := ob.ValueBuilder().(*array.ListBuilder)
	sb := ib.ValueBuilder().(*array.StringBuilder)
	for _, s := range [][][]string{{{"1", "2"}, {"3"}}, {{"1"}, {"3", "2"}, {"1", "2"}}, {{"1", "2"}, {"5"}}, {{"6"}}} {
		ob.Append(true)
		for _, set := range s {
			ib.Append(true)
			sb.AppendValues(set, nil)
		}
	}
	seqs := ob.NewArray()
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "sequence", Type: seqs.DataType()}}, nil), []*arrow.Chunked{arrow.NewChunked(seqs.DataType(), []arrow.Array{seqs})})

	ps := fpm.NewPrefixSpan()
	ps.P.MinSupport, ps.P.MaxPatternLength = 0.5, 5
	out, err := ps.FindFrequentSequentialPatterns(context.Background(), f)
	if err != nil {
		panic(err)
	}
	s, _ := out.Column("sequence")
	n, _ := out.Column("freq")
	for i := 0; i < int(out.NumRows()); i++ {
		fmt.Println(s.Chunk(0).(*array.List).ValueStr(i), n.Chunk(0).(*array.Int64).Value(i))
	}
	// Output:
	// [["1"]] 3
	// [["2"]] 3
	// [["1","2"]] 3
	// [["3"]] 2
	// [["1"],["3"]] 2
}
