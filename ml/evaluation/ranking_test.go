package evaluation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// Spark's RankingMetricsSuite queries: two with relevant items, one with
// none.
var (
	rankPreds  = [][]int{{1, 6, 2, 7, 8, 3, 9, 10, 4, 5}, {4, 1, 5, 6, 2, 7, 3, 8, 9, 10}, {1, 2, 3, 4, 5}}
	rankLabels = [][]int{{1, 2, 3, 4, 5}, {1, 2, 3}, {}}
)

// TestRankingHandComputed: the values worked out by hand in the comments.
func TestRankingHandComputed(t *testing.T) {
	l2, l3, l4 := 1/math.Log(2), 1/math.Log(3), 1/math.Log(4)
	tests := []struct {
		name string
		got  func() (float64, error)
		want float64
	}{
		// q1 hits at 1, q2 none, q3 empty: (1 + 0 + 0) / 3.
		{"precision@1", func() (float64, error) { return PrecisionAtK(rankPreds, rankLabels, 1) }, 1.0 / 3},
		// q1 {1, 2} and q2 {1, 2} in the first 5, divided by k = 5.
		{"precision@5", func() (float64, error) { return PrecisionAtK(rankPreds, rankLabels, 5) }, 0.8 / 3},
		// k beyond the ranking: still divided by k: (5/15 + 3/15) / 3.
		{"precision@15", func() (float64, error) { return PrecisionAtK(rankPreds, rankLabels, 15) }, 8.0 / 45},
		// (2/5 + 2/3) / 3.
		{"recall@5", func() (float64, error) { return RecallAtK(rankPreds, rankLabels, 5) }, 16.0 / 45},
		// q1 (1/1 + 2/3 + 3/6 + 4/9 + 5/10)/5 = 28/45, q2 (1/2 + 2/5 + 3/7)/3 = 31/70.
		{"MAP", func() (float64, error) { return MeanAveragePrecision(rankPreds, rankLabels) }, (28.0/45 + 31.0/70) / 3},
		// q1 (1 + 2/3)/5, q2 (1/2 + 2/5)/3.
		{"MAP@5", func() (float64, error) { return MeanAveragePrecisionAtK(rankPreds, rankLabels, 5) }, ((1+2.0/3)/5 + 0.9/3) / 3},
		// q1 hits at positions 0 and 2, q2 at 1, ideal 3 hits.
		{"ndcg@3", func() (float64, error) { return NDCGAtK(rankPreds, rankLabels, 3) }, ((l2+l4)/(l2+l3+l4) + l3/(l2+l3+l4)) / 3},
	}
	for _, tc := range tests {
		got, err := tc.got()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s = %.10f, want %.10f", tc.name, got, tc.want)
		}
	}
	if v, _ := NDCGAtK(rankPreds, rankLabels, 3); math.Abs(v-1.0/3) > 1e-12 {
		t.Errorf("ndcg@3 = %v, want 1/3 (Spark's test value)", v)
	}
	// Duplicates in the labels count once; in the ranking, at each position.
	if v, _ := PrecisionAtK([][]int{{7, 7}}, [][]int{{7, 7, 7}}, 2); v != 1 {
		t.Errorf("precision with duplicates = %v, want 1", v)
	}
	if v, _ := RecallAtK([][]int{{7}}, [][]int{{7, 7, 8}}, 2); v != 0.5 {
		t.Errorf("recall with duplicate labels = %v, want 0.5", v)
	}
}

func TestRankingErrors(t *testing.T) {
	if _, err := PrecisionAtK(rankPreds, rankLabels, 0); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("k 0: %v", err)
	}
	if _, err := NDCGAtK(rankPreds, rankLabels[:2], 3); !errors.Is(err, ErrLengthMismatch) {
		t.Errorf("length mismatch: %v", err)
	}
	if _, err := MeanAveragePrecision[int](nil, nil); !errors.Is(err, ErrNoQueries) {
		t.Errorf("no queries: %v", err)
	}
}

// TestRankingReference compares with ranking_reference.json
// (ranking_gen_reference.py): Spark's definitions on random queries, and
// scikit-learn's ndcg_score on full rankings.
func TestRankingReference(t *testing.T) {
	b, err := os.ReadFile("testdata/ranking_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Preds, Labels         [][]int
		FullPreds, FullLabels [][]int
		Spark                 []struct {
			K       int                `json:"k"`
			Metrics map[string]float64 `json:"metrics"`
		} `json:"spark"`
		Sklearn []struct {
			K    int     `json:"k"`
			NDCG float64 `json:"ndcgAtK"`
		} `json:"sklearn"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Spark {
		for name, want := range c.Metrics {
			got, err := rankingMetric(name, ref.Preds, ref.Labels, c.K)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-12 {
				t.Errorf("k %d %s = %.12f, want %.12f", c.K, name, got, want)
			}
		}
	}
	for _, c := range ref.Sklearn {
		got, err := NDCGAtK(ref.FullPreds, ref.FullLabels, c.K)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.NDCG) > 1e-12 {
			t.Errorf("ndcg@%d = %.12f, sklearn %.12f", c.K, got, c.NDCG)
		}
	}
}

// listColumn builds a list column of int32, float64 or string items; a
// nil row is NULL.
func listColumn(t *testing.T, elem arrow.DataType, rows [][]any) *arrow.Chunked {
	t.Helper()
	lb := array.NewListBuilder(memory.DefaultAllocator, elem)
	defer lb.Release()
	vb := lb.ValueBuilder()
	for _, r := range rows {
		if r == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, v := range r {
			switch b := vb.(type) {
			case *array.Int32Builder:
				b.Append(int32(v.(int)))
			case *array.Float64Builder:
				if v == nil {
					b.AppendNull()
				} else {
					b.Append(v.(float64))
				}
			case *array.StringBuilder:
				b.Append(v.(string))
			}
		}
	}
	a := lb.NewArray()
	defer a.Release()
	return arrow.NewChunked(a.DataType(), []arrow.Array{a})
}

func rankingFrame(t *testing.T, pred, label *arrow.Chunked) *ml.Frame {
	t.Helper()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{
		{Name: "prediction", Type: pred.DataType(), Nullable: true},
		{Name: "label", Type: label.DataType(), Nullable: true},
	}, nil), []*arrow.Chunked{pred, label})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func toAny[T any](rows [][]T) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = []any{}
		for _, v := range r {
			out[i] = append(out[i], v)
		}
	}
	return out
}

func TestRankingEvaluator(t *testing.T) {
	// int predictions against double labels (compared by value).
	dl := make([][]float64, len(rankLabels))
	for i, r := range rankLabels {
		for _, v := range r {
			dl[i] = append(dl[i], float64(v))
		}
	}
	f := rankingFrame(t, listColumn(t, arrow.PrimitiveTypes.Int32, toAny(rankPreds)), listColumn(t, arrow.PrimitiveTypes.Float64, toAny(dl)))
	want := map[string]float64{
		"meanAveragePrecision":    (28.0/45 + 31.0/70) / 3,
		"precisionAtK":            0.8 / 3,
		"recallAtK":               16.0 / 45,
		"meanAveragePrecisionAtK": ((1+2.0/3)/5 + 0.9/3) / 3,
	}
	e := NewRankingEvaluator()
	if e.P.K != 10 || e.P.MetricName != "meanAveragePrecision" || !e.IsLargerBetter() || e.StageName() != "RankingEvaluator" {
		t.Errorf("defaults: %+v", e.P)
	}
	e.P.K = 5
	for name, w := range want {
		e.P.MetricName = name
		got, err := e.Evaluate(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-w) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
	// Strings.
	sp := [][]string{{"a", "b", "c"}, {"x"}}
	sl := [][]string{{"c", "z"}, {"x"}}
	e.P.MetricName, e.P.K = "precisionAtK", 3
	got, err := e.Evaluate(t.Context(), rankingFrame(t, listColumn(t, arrow.BinaryTypes.String, toAny(sp)), listColumn(t, arrow.BinaryTypes.String, toAny(sl))))
	if err != nil || math.Abs(got-(1.0/3+1.0/3)/2) > 1e-12 {
		t.Errorf("strings: %v, %v; want 1/3", got, err)
	}
}

func TestRankingEvaluatorErrors(t *testing.T) {
	ints := listColumn(t, arrow.PrimitiveTypes.Int32, [][]any{{1, 2}, {3}})
	tests := []struct {
		name string
		f    *ml.Frame
		set  func(e *RankingEvaluator)
		want []string
	}{
		{"NULL row", rankingFrame(t, ints, listColumn(t, arrow.PrimitiveTypes.Float64, [][]any{{1.0}, nil})), nil, []string{"column label, row 2", "NULL"}},
		{"NULL element", rankingFrame(t, ints, listColumn(t, arrow.PrimitiveTypes.Float64, [][]any{{1.0, nil}, {2.0}})), nil, []string{"row 1", "element 2 is NULL"}},
		{"NaN element", rankingFrame(t, ints, listColumn(t, arrow.PrimitiveTypes.Float64, [][]any{{math.NaN()}, {2.0}})), nil, []string{"row 1", "NaN"}},
		{"not a list", func() *ml.Frame {
			f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "prediction", Type: ints.DataType()}, {Name: "label", Type: arrow.PrimitiveTypes.Float64}}, nil),
				[]*arrow.Chunked{ints, ml.Float64Column([]float64{1, 2})})
			return f
		}(), nil, []string{"labelCol", "want an array"}},
		{"strings vs numbers", rankingFrame(t, ints, listColumn(t, arrow.BinaryTypes.String, [][]any{{"a"}, {"b"}})), nil, []string{"numbers", "strings"}},
		{"missing column", rankingFrame(t, ints, ints), func(e *RankingEvaluator) { e.P.LabelCol = "relevant" }, []string{`no column "relevant"`}},
		{"k 0", rankingFrame(t, ints, ints), func(e *RankingEvaluator) { e.P.K = 0 }, []string{"k is 0"}},
		{"metric", rankingFrame(t, ints, ints), func(e *RankingEvaluator) { e.P.MetricName = "ndcgAt" }, []string{`did you mean "ndcgAtK"`}},
		{"empty", rankingFrame(t, listColumn(t, arrow.PrimitiveTypes.Int32, nil), listColumn(t, arrow.PrimitiveTypes.Int32, nil)), nil, []string{"no rows"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewRankingEvaluator()
			if tc.set != nil {
				tc.set(e)
			}
			_, err := e.Evaluate(t.Context(), tc.f)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRankingRegistered(t *testing.T) {
	r := ml.NewRegistry()
	Register(r)
	s, err := r.New("RankingEvaluator")
	if err != nil {
		t.Fatal(err)
	}
	if err := ml.SetParam(s, "metricName", "ndcgAtK"); err != nil {
		t.Fatal(err)
	}
	if err := ml.SetParam(s, "k", 5.0); err != nil {
		t.Fatal(err)
	}
	if s.(*RankingEvaluator).P.K != 5 {
		t.Errorf("k = %d after SetParam", s.(*RankingEvaluator).P.K)
	}
}

func ExampleRankingEvaluator() {
	// Recommended movies per user (best first) and the movies each user
	// went on to rate highly.
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Int32)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	for _, r := range [][]int32{{10, 20, 30}, {40, 50, 60}, {70, 80, 90}} {
		lb.Append(true)
		vb.AppendValues(r, nil)
	}
	pred := lb.NewArray()
	for _, r := range [][]int32{{20, 99}, {40}, {}} {
		lb.Append(true)
		vb.AppendValues(r, nil)
	}
	label := lb.NewArray()
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{
		{Name: "prediction", Type: pred.DataType()},
		{Name: "label", Type: label.DataType()},
	}, nil), []*arrow.Chunked{arrow.NewChunked(pred.DataType(), []arrow.Array{pred}), arrow.NewChunked(label.DataType(), []arrow.Array{label})})

	e := NewRankingEvaluator()
	e.P.K = 3
	for _, m := range []string{"precisionAtK", "recallAtK", "meanAveragePrecision", "ndcgAtK"} {
		e.P.MetricName = m
		v, err := e.Evaluate(context.Background(), f)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %.4f\n", m, v)
	}
	// Output:
	// precisionAtK: 0.2222
	// recallAtK: 0.5000
	// meanAveragePrecision: 0.4167
	// ndcgAtK: 0.4623
}
