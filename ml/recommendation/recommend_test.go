package recommendation

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
)

// bruteTopK ranks every destination of src by Predict: score descending,
// then id ascending.
func bruteTopK(m *ALSModel, src int32, forItems bool, k int) ([]int32, []float64) {
	dsts := m.items.ids
	if forItems {
		dsts = m.users.ids
	}
	type cand struct {
		id    int32
		score float64
	}
	var cs []cand
	for _, d := range dsts {
		var s float64
		if forItems {
			s, _ = m.Predict(d, src)
		} else {
			s, _ = m.Predict(src, d)
		}
		cs = append(cs, cand{d, s})
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	cs = cs[:min(k, len(cs))]
	ids, scores := make([]int32, len(cs)), make([]float64, len(cs))
	for i, c := range cs {
		ids[i], scores[i] = c.id, c.score
	}
	return ids, scores
}

// fitTopKModel fits a model on planted data; with ties, items 1000 and
// 1001 get the factors (and bias) of item 3, so their scores tie exactly.
func fitTopKModel(t *testing.T, bias string, ties bool) *ALSModel {
	t.Helper()
	p := makePlanted(70, 45, 3, 0.4, 0.2, 9, false)
	a := NewALS()
	a.P.Rank, a.P.BiasMode, a.P.BlockSize = 3, bias, 7 // small blocks: many of them, and a ragged last one
	m := mustFit(t, a, ratingsFrame(t, p.trainU, p.trainI, p.trainR))
	if ties {
		i3, _ := m.items.idx.lookup(3)
		row := slices.Clone(m.items.row(i3, m.rank))
		m.items.ids = append(m.items.ids, 1000, 1001)
		m.items.x = append(append(m.items.x, row...), row...)
		if m.items.bias != nil {
			m.items.bias = append(m.items.bias, m.items.bias[i3], m.items.bias[i3])
		}
		m.index()
	}
	return m
}

func TestRecommendBruteForce(t *testing.T) {
	for _, bias := range []string{BiasNone, BiasUserItem} {
		m := fitTopKModel(t, bias, true)
		for _, forItems := range []bool{false, true} {
			for _, k := range []int{1, 5, 10, 1000} {
				f, err := m.Recommend(t.Context(), RecommendOptions{ForItems: forItems, K: k})
				if err != nil {
					t.Fatal(err)
				}
				srcCol, dstCol := "user", "item"
				srcIDs := m.users.ids
				if forItems {
					srcCol, dstCol = dstCol, srcCol
					srcIDs = m.items.ids
				}
				src, rank, dst, score := flatCols(t, f, srcCol, dstCol)
				row := 0
				for _, s := range srcIDs {
					wantIDs, wantScores := bruteTopK(m, s, forItems, k)
					for j := range wantIDs {
						if row >= len(src) || src[row] != s || rank[row] != int32(j+1) || dst[row] != wantIDs[j] || score[row] != wantScores[j] {
							t.Fatalf("bias %s forItems %v k %d: row %d = (%d, %d, %d, %v), want (%d, %d, %d, %v)", bias, forItems, k, row,
								at(src, row), at(rank, row), at(dst, row), at(score, row), s, j+1, wantIDs[j], wantScores[j])
						}
						row++
					}
				}
				if row != len(src) {
					t.Errorf("%d rows, want %d", len(src), row)
				}
			}
		}
		// The tie: items 3, 1000, 1001 have equal scores for every user
		// and rank in id order.
		f, _ := m.Recommend(t.Context(), RecommendOptions{K: m.NumItems()})
		_, _, dst, _ := flatCols(t, f, "user", "item")
		first := dst[:m.NumItems()]
		p3, p1000, p1001 := slices.Index(first, 3), slices.Index(first, 1000), slices.Index(first, 1001)
		if !(p3 < p1000 && p1000 < p1001 && p1001 == p3+2) {
			t.Errorf("tied items at positions %d, %d, %d; want consecutive in id order", p3, p1000, p1001)
		}
	}
}

func at[T any](s []T, i int) T {
	var zero T
	if i < len(s) {
		return s[i]
	}
	return zero
}

func flatCols(t *testing.T, f *ml.Frame, srcCol, dstCol string) (src, rank, dst []int32, score []float64) {
	t.Helper()
	want := []string{srcCol, "rank", dstCol, "score"}
	if got := ml.ColumnNames(f.Schema()); !slices.Equal(got, want) {
		t.Fatalf("columns %v, want %v", got, want)
	}
	get := func(name string) arrow.Array {
		c, _ := f.Column(name)
		a, err := ml.Flatten(c)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	return get(srcCol).(*array.Int32).Int32Values(), get("rank").(*array.Int32).Int32Values(),
		get(dstCol).(*array.Int32).Int32Values(), get("score").(*array.Float64).Float64Values()
}

func TestRecommendNested(t *testing.T) {
	m := fitTopKModel(t, BiasNone, false)
	f, err := m.RecommendForAllUsers(t.Context(), 4)
	if err != nil {
		t.Fatal(err)
	}
	wantType := RecommendationsType("item")
	if got := f.Schema().Field(1).Type; !arrow.TypeEqual(got, wantType) || f.Schema().Field(0).Name != "user" {
		t.Fatalf("schema %s, want user int32, recommendations %s", f.Schema(), wantType)
	}
	if f.NumRows() != int64(m.NumUsers()) {
		t.Errorf("%d rows, want one per user (%d)", f.NumRows(), m.NumUsers())
	}
	c, _ := f.Column("recommendations")
	lists := c.Chunk(0).(*array.List)
	st := lists.ListValues().(*array.Struct)
	ids := st.Field(0).(*array.Int32)
	ratings := st.Field(1).(*array.Float32)
	uc, _ := f.Column("user")
	users := uc.Chunk(0).(*array.Int32)
	for r := range int(f.NumRows()) {
		wantIDs, wantScores := bruteTopK(m, users.Value(r), false, 4)
		lo, hi := lists.ValueOffsets(r)
		if int(hi-lo) != len(wantIDs) {
			t.Fatalf("user %d: %d recommendations, want %d", users.Value(r), hi-lo, len(wantIDs))
		}
		for j := range wantIDs {
			if ids.Value(int(lo)+j) != wantIDs[j] || ratings.Value(int(lo)+j) != float32(wantScores[j]) {
				t.Fatalf("user %d rec %d: (%d, %v), want (%d, %v)", users.Value(r), j, ids.Value(int(lo)+j), ratings.Value(int(lo)+j), wantIDs[j], float32(wantScores[j]))
			}
		}
	}
	items, err := m.RecommendForAllItems(t.Context(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if items.Schema().Field(0).Name != "item" || !arrow.TypeEqual(items.Schema().Field(1).Type, RecommendationsType("user")) || items.NumRows() != int64(m.NumItems()) {
		t.Errorf("recommendForAllItems schema %s, %d rows", items.Schema(), items.NumRows())
	}
}

func TestRecommendSubset(t *testing.T) {
	m := fitTopKModel(t, BiasNone, false)
	// Duplicates count once, unknown ids (999) are skipped, output is in id order.
	sub := ratingsFrame(t, []int32{5, 999, 2, 5}, []int32{0, 0, 0, 0}, []float32{0, 0, 0, 0})
	f, err := m.RecommendForUserSubset(t.Context(), sub, 3)
	if err != nil {
		t.Fatal(err)
	}
	uc, _ := f.Column("user")
	if got := uc.Chunk(0).(*array.Int32).Int32Values(); !slices.Equal(got, []int32{2, 5}) {
		t.Errorf("users %v, want [2 5]", got)
	}
	flat, err := m.Recommend(t.Context(), RecommendOptions{IDs: []int32{5, 999, 2}, K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if flat.NumRows() != 6 {
		t.Errorf("flat subset: %d rows, want 6", flat.NumRows())
	}
	items, err := m.RecommendForItemSubset(t.Context(), ratingsFrame(t, []int32{0}, []int32{3}, []float32{0}), 2)
	if err != nil || items.NumRows() != 1 {
		t.Errorf("item subset: %v rows, %v", items, err)
	}
	empty, err := m.Recommend(t.Context(), RecommendOptions{IDs: []int32{}, K: 3})
	if err != nil || empty.NumRows() != 0 {
		t.Errorf("empty id list: %v, %v; want no rows", empty, err)
	}
}

func TestRecommendErrors(t *testing.T) {
	m := fitTopKModel(t, BiasNone, false)
	for _, k := range []int{0, -1} {
		_, err := m.Recommend(t.Context(), RecommendOptions{K: k})
		if err == nil || !strings.Contains(err.Error(), "must be > 0") {
			t.Errorf("k %d: %v", k, err)
		}
		if _, err := m.RecommendForAllUsers(t.Context(), k); err == nil {
			t.Errorf("RecommendForAllUsers k %d: no error", k)
		}
	}
	if _, err := new(ALSModel).Recommend(t.Context(), RecommendOptions{K: 1}); err == nil {
		t.Error("an empty model recommended")
	}
	m.P.UserCol = "rank"
	if _, err := m.Recommend(t.Context(), RecommendOptions{K: 1}); err == nil || !strings.Contains(err.Error(), "rank") {
		t.Errorf("userCol rank: %v", err)
	}
	if _, err := m.RecommendForUserSubset(t.Context(), ratingsFrame(t, []int32{1}, []int32{1}, []float32{1}), 1); err == nil {
		t.Error("subset without the userCol column: no error")
	}
}

func TestHeap(t *testing.T) {
	// Random candidates, many ties: the heap keeps the brute-force best.
	rng := ml.NewRand(1)
	for trial := range 50 {
		n, k := 1+rng.IntN(60), 1+rng.IntN(10)
		scores := make([]float64, n)
		for i := range scores {
			scores[i] = float64(rng.IntN(5))
			if i%17 == 0 {
				scores[i] = math.Inf(-1)
			}
		}
		order := rng.Perm(n)
		h := heap{}
		h.reset(k)
		for _, i := range order {
			h.offer(scores[i], int32(i))
		}
		h.sortBest()
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortFunc(idx, func(a, b int32) int {
			if c := cmp.Compare(scores[b], scores[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		if want := idx[:min(k, n)]; !slices.Equal(h.idx, want) {
			t.Fatalf("trial %d: heap %v, want %v", trial, h.idx, want)
		}
	}
}

func TestIDColumn(t *testing.T) {
	f := ratingsFrame(t, []int32{3, 1}, []int32{7, 8}, []float32{1, 2})
	ids, err := IDColumn(t.Context(), f, "")
	if err != nil || !slices.Equal(ids, []int32{3, 1}) {
		t.Errorf("first column: %v, %v", ids, err)
	}
	if ids, err = IDColumn(t.Context(), f, "item"); err != nil || !slices.Equal(ids, []int32{7, 8}) {
		t.Errorf("item column: %v, %v", ids, err)
	}
	if _, err = IDColumn(t.Context(), f, "rating"); err != nil {
		t.Errorf("whole float ids: %v", err)
	}
}
