package recommendation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// Top-k recommendation.
//
// Scores are the model's predictions (see ALSModel). Every source row
// (a user, or an item with ForItems) is scored against every destination
// row block by block — blockSize destination rows at a time, a few source
// rows per task, tasks spread over GOMAXPROCS goroutines — and only a
// bounded heap of the k best per source row is kept, so memory is
// O(sources·k), never the full score matrix. Ranking is by score,
// descending; equal scores are ranked by destination id, ascending, so
// the result is deterministic. Items a user has rated are not excluded
// (as in Spark). When k exceeds the number of destination rows, every
// destination row is returned.

// RecommendOptions says what Recommend computes.
type RecommendOptions struct {
	// ForItems recommends users for items (Spark's recommendForAllItems)
	// instead of items for users.
	ForItems bool
	// IDs are the users (or items) to recommend for; nil means all. IDs
	// the model has no factors for are skipped (as Spark's
	// recommendForUserSubset does), duplicates count once.
	IDs []int32
	// K is the number of recommendations per user (or item); > 0.
	K int
}

// Recommend returns the top K recommendations in flat form, one row per
// recommendation: (userCol int32, "rank" int32 from 1, itemCol int32,
// "score" float64), users in increasing id order and each user's rows by
// rank; with ForItems (itemCol, "rank", userCol, "score"). K <= 0 is an
// error. ctx cancels the scoring between blocks.
func (m *ALSModel) Recommend(ctx context.Context, opts RecommendOptions) (*ml.Frame, error) {
	res, err := m.recommend(ctx, opts.ForItems, opts.IDs, opts.IDs == nil, opts.K)
	if err != nil {
		return nil, err
	}
	return res.flatFrame()
}

// RecommendForAllUsers returns the top k items for every user in Spark's
// shape: userCol (int32) and recommendations, a list of struct<itemCol
// int32, rating float32>, best first. See Recommend for the ranking.
func (m *ALSModel) RecommendForAllUsers(ctx context.Context, k int) (*ml.Frame, error) {
	res, err := m.recommend(ctx, false, nil, true, k)
	if err != nil {
		return nil, err
	}
	return res.nestedFrame()
}

// RecommendForAllItems returns the top k users for every item: itemCol
// and recommendations list<struct<userCol int32, rating float32>>.
func (m *ALSModel) RecommendForAllItems(ctx context.Context, k int) (*ml.Frame, error) {
	res, err := m.recommend(ctx, true, nil, true, k)
	if err != nil {
		return nil, err
	}
	return res.nestedFrame()
}

// RecommendForUserSubset is RecommendForAllUsers for the distinct users
// in column userCol of f; users the model does not know are skipped, as
// in Spark.
func (m *ALSModel) RecommendForUserSubset(ctx context.Context, f *ml.Frame, k int) (*ml.Frame, error) {
	ids, err := readIDs(ctx, f, "userCol", m.P.UserCol)
	if err != nil {
		return nil, fmt.Errorf("ALSModel: recommendForUserSubset: %w", err)
	}
	res, err := m.recommend(ctx, false, ids, false, k)
	if err != nil {
		return nil, err
	}
	return res.nestedFrame()
}

// RecommendForItemSubset is RecommendForAllItems for the distinct items
// in column itemCol of f.
func (m *ALSModel) RecommendForItemSubset(ctx context.Context, f *ml.Frame, k int) (*ml.Frame, error) {
	ids, err := readIDs(ctx, f, "itemCol", m.P.ItemCol)
	if err != nil {
		return nil, fmt.Errorf("ALSModel: recommendForItemSubset: %w", err)
	}
	res, err := m.recommend(ctx, true, ids, false, k)
	if err != nil {
		return nil, err
	}
	return res.nestedFrame()
}

// topK is the result of a recommendation: for source row s (in srcIDs
// order), n[s] destination ids and scores at [s*k, s*k+n[s]).
type topK struct {
	srcCol, dstCol string
	k              int
	srcIDs         []int32
	n              []int32
	dstIDs         []int32
	scores         []float64
}

func (m *ALSModel) recommend(ctx context.Context, forItems bool, ids []int32, all bool, k int) (*topK, error) {
	if k <= 0 {
		return nil, fmt.Errorf("ALSModel: recommend: k (the number of recommendations) is %d; it must be > 0", k)
	}
	if m.rank <= 0 {
		return nil, fmt.Errorf("ALSModel: recommend: %w", errNoFactors)
	}
	if err := m.P.Validate(); err != nil {
		return nil, fmt.Errorf("ALSModel: %w", err)
	}
	src, dst := &m.users, &m.items
	res := &topK{srcCol: m.P.UserCol, dstCol: m.P.ItemCol}
	if forItems {
		src, dst = dst, src
		res.srcCol, res.dstCol = res.dstCol, res.srcCol
	}
	var rows []int32
	if all {
		rows = make([]int32, len(src.ids))
		for i := range rows {
			rows[i] = int32(i)
		}
	} else {
		for _, id := range distinctSorted(ids) {
			if r, ok := src.idx.lookup(id); ok {
				rows = append(rows, r)
			}
		}
	}
	k = min(k, len(dst.ids))
	res.k = k
	res.srcIDs = make([]int32, len(rows))
	for i, r := range rows {
		res.srcIDs[i] = src.ids[r]
	}
	res.n = make([]int32, len(rows))
	res.dstIDs = make([]int32, len(rows)*k)
	res.scores = make([]float64, len(rows)*k)
	if k == 0 || len(rows) == 0 {
		return res, nil
	}
	if err := m.scoreTopK(ctx, src, dst, rows, forItems, res); err != nil {
		return nil, fmt.Errorf("ALSModel: recommend: %w", err)
	}
	return res, nil
}

// srcPerTask is how many source rows one task scores against all
// destination rows.
const srcPerTask = 16

// scoreTopK fills res with the top res.k destination rows of each source row.
func (m *ALSModel) scoreTopK(ctx context.Context, src, dst *factorTable, rows []int32, forItems bool, res *topK) error {
	k := res.k
	nDst := len(dst.ids)
	block := min(m.P.BlockSize, nDst)
	nTasks := (len(rows) + srcPerTask - 1) / srcPerTask
	sc := newBlockScorer(m, src, dst, forItems)
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	workers := max(1, min(runtime.GOMAXPROCS(0), nTasks))
	for range workers {
		g.Go(func() error {
			heaps := make([]heap, srcPerTask)
			for i := range heaps {
				heaps[i] = heap{idx: make([]int32, 0, k), score: make([]float64, 0, k)}
			}
			for {
				t := int(next.Add(1)) - 1
				if t >= nTasks {
					return nil
				}
				lo, hi := t*srcPerTask, min((t+1)*srcPerTask, len(rows))
				for s := range hi - lo {
					heaps[s].reset(k)
				}
				for b0 := 0; b0 < nDst; b0 += block {
					if err := gctx.Err(); err != nil {
						return err
					}
					b1 := min(b0+block, nDst)
					for s := lo; s < hi; s++ {
						sc.scoreBlock(&heaps[s-lo], rows[s], b0, b1)
					}
				}
				for s := lo; s < hi; s++ {
					h := &heaps[s-lo]
					h.sortBest()
					res.n[s] = int32(len(h.idx))
					for j, di := range h.idx {
						res.dstIDs[s*k+j] = dst.ids[di]
						res.scores[s*k+j] = h.score[j]
					}
				}
			}
		})
	}
	return g.Wait()
}

// blockScorer scores one source row against a range of destination rows.
// Scores are computed exactly as ALSModel.finish does (the same float32
// dot product, then + μ, then + (user bias + item bias) in float64), so
// they equal Predict bit for bit.
type blockScorer struct {
	rank     int
	src, dst *factorTable
	bias     bool    // biasMode is not none: add mu (and biases, if any)
	mu       float64 // global mean
	srcBias  []float32
	dstBias  []float32
}

func newBlockScorer(m *ALSModel, src, dst *factorTable, forItems bool) *blockScorer {
	_ = forItems // the sum of the two biases does not depend on the side
	return &blockScorer{rank: m.rank, src: src, dst: dst, bias: m.biasMode != BiasNone && m.biasMode != "",
		mu: m.globalMean, srcBias: src.bias, dstBias: dst.bias}
}

// scoreBlock offers destination rows [b0, b1) to h for source row su.
func (sc *blockScorer) scoreBlock(h *heap, su int32, b0, b1 int) {
	rank := sc.rank
	x := sc.src.row(su, rank)
	var sb float64
	if sc.srcBias != nil {
		sb = float64(sc.srcBias[su])
	}
	finish := func(dot float32, d int) float64 {
		v := float64(dot)
		if sc.bias {
			v += sc.mu
			if sc.dstBias != nil {
				v += sb + float64(sc.dstBias[d])
			}
		}
		return v
	}
	d := b0
	for ; d+4 <= b1; d += 4 {
		s0, s1, s2, s3 := dot4(x, sc.dst.row(int32(d), rank), sc.dst.row(int32(d+1), rank), sc.dst.row(int32(d+2), rank), sc.dst.row(int32(d+3), rank))
		v0, v1, v2, v3 := finish(s0, d), finish(s1, d+1), finish(s2, d+2), finish(s3, d+3)
		if h.full() {
			// A candidate equal to the worst kept one never displaces it:
			// it has a larger index (rows are scanned in index order).
			thr := h.score[0]
			if !(v0 > thr || v1 > thr || v2 > thr || v3 > thr) {
				continue
			}
		}
		h.offer(v0, int32(d))
		h.offer(v1, int32(d+1))
		h.offer(v2, int32(d+2))
		h.offer(v3, int32(d+3))
	}
	for ; d < b1; d++ {
		h.offer(finish(dot32(x, sc.dst.row(int32(d), rank)), d), int32(d))
	}
}

// dot4 returns dot32(x, y0) … dot32(x, y3), summed in the same order.
func dot4(x, y0, y1, y2, y3 []float32) (s0, s1, s2, s3 float32) {
	n := len(x)
	y0, y1, y2, y3 = y0[:n], y1[:n], y2[:n], y3[:n]
	for i, v := range x {
		s0 += float32(v * y0[i])
		s1 += float32(v * y1[i])
		s2 += float32(v * y2[i])
		s3 += float32(v * y3[i])
	}
	return
}

// heap keeps the best (highest score; on ties lowest index) k candidates,
// worst at the root.
type heap struct {
	k     int
	idx   []int32
	score []float64
}

func (h *heap) reset(k int) {
	h.k = k
	h.idx, h.score = h.idx[:0], h.score[:0]
}

// worse reports whether candidate a ranks below candidate b.
func worse(sa float64, ia int32, sb float64, ib int32) bool {
	return sa < sb || (sa == sb && ia > ib)
}

func (h *heap) full() bool { return len(h.idx) == h.k }

// offer adds candidate i with score s if it ranks among the best k. NaN
// scores rank last (as -Inf).
func (h *heap) offer(s float64, i int32) {
	if math.IsNaN(s) {
		s = math.Inf(-1)
	}
	if len(h.idx) < h.k {
		h.idx = append(h.idx, i)
		h.score = append(h.score, s)
		h.up(len(h.idx) - 1)
		return
	}
	if !worse(h.score[0], h.idx[0], s, i) {
		return
	}
	h.idx[0], h.score[0] = i, s
	h.down(0)
}

func (h *heap) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !worse(h.score[j], h.idx[j], h.score[p], h.idx[p]) {
			return
		}
		h.swap(j, p)
		j = p
	}
}

func (h *heap) down(j int) {
	n := len(h.idx)
	for {
		c := 2*j + 1
		if c >= n {
			return
		}
		if c+1 < n && worse(h.score[c+1], h.idx[c+1], h.score[c], h.idx[c]) {
			c++
		}
		if !worse(h.score[c], h.idx[c], h.score[j], h.idx[j]) {
			return
		}
		h.swap(j, c)
		j = c
	}
}

func (h *heap) swap(a, b int) {
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
	h.score[a], h.score[b] = h.score[b], h.score[a]
}

// sortBest orders the candidates best first.
func (h *heap) sortBest() {
	for n := len(h.idx) - 1; n > 0; n-- {
		h.swap(0, n) // the worst goes to the end
		idx, score := h.idx, h.score
		h.idx, h.score = idx[:n], score[:n]
		h.down(0)
		h.idx, h.score = idx, score
	}
}

// flatFrame returns (src, rank, dst, score) rows.
func (r *topK) flatFrame() (*ml.Frame, error) {
	mem := memory.DefaultAllocator
	total := 0
	for _, n := range r.n {
		total += int(n)
	}
	src, rank, dst := make([]int32, 0, total), make([]int32, 0, total), make([]int32, 0, total)
	score := make([]float64, 0, total)
	for s, n := range r.n {
		for j := range int(n) {
			src = append(src, r.srcIDs[s])
			rank = append(rank, int32(j+1))
			dst = append(dst, r.dstIDs[s*r.k+j])
			score = append(score, r.scores[s*r.k+j])
		}
	}
	if err := checkNames(r.srcCol, r.dstCol); err != nil {
		return nil, err
	}
	fields := []arrow.Field{
		{Name: r.srcCol, Type: arrow.PrimitiveTypes.Int32},
		{Name: "rank", Type: arrow.PrimitiveTypes.Int32},
		{Name: r.dstCol, Type: arrow.PrimitiveTypes.Int32},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64},
	}
	cols := []*arrow.Chunked{int32Col(mem, src), int32Col(mem, rank), int32Col(mem, dst), float64Col(mem, score)}
	return ml.NewFrame(arrow.NewSchema(fields, nil), cols)
}

func checkNames(src, dst string) error {
	for _, n := range []string{src, dst} {
		if n == "rank" || n == "score" {
			return fmt.Errorf("ALSModel: recommend: the flat output has columns rank and score, so userCol/itemCol cannot be called %q; rename the column", n)
		}
	}
	return nil
}

// RecommendationsType returns the type of Spark's recommendations column:
// list<struct<dstCol int32, rating float32>>.
func RecommendationsType(dstCol string) arrow.DataType {
	return arrow.ListOf(arrow.StructOf(
		arrow.Field{Name: dstCol, Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: "rating", Type: arrow.PrimitiveTypes.Float32},
	))
}

// nestedFrame returns Spark's (src, recommendations) shape.
func (r *topK) nestedFrame() (*ml.Frame, error) {
	mem := memory.DefaultAllocator
	lt := RecommendationsType(r.dstCol).(*arrow.ListType)
	lb := array.NewListBuilder(mem, lt.Elem())
	defer lb.Release()
	sb := lb.ValueBuilder().(*array.StructBuilder)
	ib := sb.FieldBuilder(0).(*array.Int32Builder)
	fb := sb.FieldBuilder(1).(*array.Float32Builder)
	for s, n := range r.n {
		lb.Append(true)
		for j := range int(n) {
			sb.Append(true)
			ib.Append(r.dstIDs[s*r.k+j])
			fb.Append(float32(r.scores[s*r.k+j]))
		}
	}
	recs := lb.NewArray()
	defer recs.Release()
	if !arrow.TypeEqual(recs.DataType(), lt) {
		return nil, errors.New("ALSModel: recommend: internal error building the recommendations column")
	}
	fields := []arrow.Field{
		{Name: r.srcCol, Type: arrow.PrimitiveTypes.Int32},
		{Name: "recommendations", Type: lt, Nullable: true},
	}
	cols := []*arrow.Chunked{int32Col(mem, r.srcIDs), arrow.NewChunked(lt, []arrow.Array{recs})}
	return ml.NewFrame(arrow.NewSchema(fields, nil), cols)
}

func int32Col(mem memory.Allocator, v []int32) *arrow.Chunked {
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.AppendValues(v, nil)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(a.DataType(), []arrow.Array{a})
}

func float64Col(mem memory.Allocator, v []float64) *arrow.Chunked {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(v, nil)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(a.DataType(), []arrow.Array{a})
}
