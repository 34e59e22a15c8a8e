package fpm

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// FPGrowthModel holds the frequent itemsets FPGrowth found. Its
// association rules are derived from them for the current minConfidence
// (change P.MinConfidence and the rules follow, as in Spark).
//
// Output order, which Spark leaves to its partitions, is fixed here:
//   - items inside an itemset and an antecedent are listed least frequent
//     first (Spark's order; ties between equally frequent items broken by
//     the item, later item first);
//   - freqItemsets rows: most frequent first, then shorter first, then by
//     items (most frequent items first);
//   - associationRules rows: highest confidence first, then lift, then
//     support, then shorter antecedents, then by items;
//   - a row's predictions: the consequents of the rules it satisfies in
//     the order of associationRules, each once.
//
// A model is safe for concurrent use once fitted or loaded, except that
// P must not change while it transforms.
type FPGrowthModel struct {
	P FPGrowthParams

	kind       itemKind
	numRecords int64    // transactions seen by Fit (non-NULL rows)
	items      []string // frequent items by rank, most frequent first
	itemCounts []int64  // their counts
	// The frequent itemsets, as ranks in descending order (least frequent
	// item first), back to back in ranks; itemset i ends at ends[i].
	ranks []int32
	ends  []int
	freq  []int64

	mu       sync.Mutex
	rulesFor float64 // minConfidence the cached rules are for
	rules    []rule  // nil: not computed
}

var (
	_ ml.Model       = (*FPGrowthModel)(nil)
	_ ml.ModelFrames = (*FPGrowthModel)(nil)
)

type rule struct {
	ante       []int32 // ranks, descending
	cons       int32
	confidence float64
	lift       float64
	support    float64
}

// StageName returns "FPGrowthModel".
func (m *FPGrowthModel) StageName() string { return "FPGrowthModel" }

// Params returns the params.
func (m *FPGrowthModel) Params() any { return &m.P }

// NumTrainingRecords returns the number of transactions the model was
// fitted on (the non-NULL rows).
func (m *FPGrowthModel) NumTrainingRecords() int64 { return m.numRecords }

// NumItemsets returns the number of frequent itemsets.
func (m *FPGrowthModel) NumItemsets() int { return len(m.freq) }

func (m *FPGrowthModel) itemset(i int) []int32 {
	lo := 0
	if i > 0 {
		lo = m.ends[i-1]
	}
	return m.ranks[lo:m.ends[i]]
}

// setItemsets stores the mined itemsets in the model's documented order.
func (m *FPGrowthModel) setItemsets(s *itemsetSink) {
	order := make([]int, s.len())
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(s.freq[b], s.freq[a]); c != 0 {
			return c
		}
		return compareSets(s.at(a), s.at(b))
	})
	m.ranks = make([]int32, 0, len(s.ranks))
	m.ends = make([]int, 0, len(order))
	m.freq = make([]int64, 0, len(order))
	for _, i := range order {
		m.ranks = append(m.ranks, s.at(i)...)
		m.ends = append(m.ends, len(m.ranks))
		m.freq = append(m.freq, s.freq[i])
	}
}

// compareSets orders itemsets (descending ranks) shorter first, then by
// their ranks from the most frequent item on.
func compareSets(a, b []int32) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	for k := len(a) - 1; k >= 0; k-- {
		if c := cmp.Compare(a[k], b[k]); c != 0 {
			return c
		}
	}
	return 0
}

func setKey(buf []byte, ranks []int32, skip int) []byte {
	buf = buf[:0]
	for k, r := range ranks {
		if k != skip {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(r))
		}
	}
	return buf
}

// associationRules returns the rules for P.MinConfidence, computing them
// once per value: X ⇒ {y} for every frequent itemset X∪{y}, with
// confidence freq(X∪{y})/freq(X), lift confidence/support(y) and support
// freq(X∪{y})/n, kept when confidence >= minConfidence (Spark's rules).
func (m *FPGrowthModel) associationRules() []rule {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rules != nil && m.rulesFor == m.P.MinConfidence {
		return m.rules
	}
	minConf := m.P.MinConfidence
	index := make(map[string]int64, len(m.freq))
	var buf []byte
	for i := range m.freq {
		buf = setKey(buf, m.itemset(i), -1)
		index[string(buf)] = m.freq[i]
	}
	n := float64(m.numRecords)
	rules := []rule{}
	for i := range m.freq {
		set := m.itemset(i)
		if len(set) < 2 {
			continue
		}
		for j, y := range set {
			buf = setKey(buf, set, j)
			fa, ok := index[string(buf)]
			if !ok || fa == 0 {
				continue // cannot happen: subsets of frequent sets are frequent
			}
			conf := float64(m.freq[i]) / float64(fa)
			if conf < minConf {
				continue
			}
			ante := make([]int32, 0, len(set)-1)
			ante = append(append(ante, set[:j]...), set[j+1:]...)
			rules = append(rules, rule{
				ante: ante, cons: y, confidence: conf,
				lift:    conf / (float64(m.itemCounts[y]) / n),
				support: float64(m.freq[i]) / n,
			})
		}
	}
	slices.SortFunc(rules, func(a, b rule) int {
		if c := cmp.Compare(b.confidence, a.confidence); c != 0 {
			return c
		}
		if c := cmp.Compare(b.lift, a.lift); c != 0 {
			return c
		}
		if c := cmp.Compare(b.support, a.support); c != 0 {
			return c
		}
		if c := compareSets(a.ante, b.ante); c != 0 {
			return c
		}
		return cmp.Compare(a.cons, b.cons)
	})
	m.rules, m.rulesFor = rules, minConf
	return rules
}

// FreqItemsets returns the frequent itemsets as Spark's freqItemsets
// frame: items (array of the item type: string, or bigint for integer
// items) and freq (bigint), in the order the type doc gives.
func (m *FPGrowthModel) FreqItemsets() *ml.Frame {
	lb := newListBuilder(m.kind)
	for i := range m.freq {
		lb.begin()
		for _, r := range m.itemset(i) {
			lb.add(m.items[r])
		}
	}
	items, err := lb.column()
	if err != nil {
		panic(err) // integer items were integers when fitted
	}
	fields := []arrow.Field{{Name: "items", Type: m.kind.listType()}, {Name: "freq", Type: arrow.PrimitiveTypes.Int64}}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{items, int64Column(m.freq)})
	if err != nil {
		panic(err)
	}
	return f
}

// AssociationRules returns the rules for P.MinConfidence as Spark 3's
// associationRules frame: antecedent (array), consequent (array of one
// item), confidence, lift and support (double), in the order the type
// doc gives.
func (m *FPGrowthModel) AssociationRules() *ml.Frame {
	rules := m.associationRules()
	ab, cb := newListBuilder(m.kind), newListBuilder(m.kind)
	conf := make([]float64, len(rules))
	lift := make([]float64, len(rules))
	supp := make([]float64, len(rules))
	for i, r := range rules {
		ab.begin()
		for _, a := range r.ante {
			ab.add(m.items[a])
		}
		cb.begin()
		cb.add(m.items[r.cons])
		conf[i], lift[i], supp[i] = r.confidence, r.lift, r.support
	}
	ante, err := ab.column()
	if err != nil {
		panic(err)
	}
	cons, err := cb.column()
	if err != nil {
		panic(err)
	}
	lt := m.kind.listType()
	fields := []arrow.Field{
		{Name: "antecedent", Type: lt}, {Name: "consequent", Type: lt},
		{Name: "confidence", Type: arrow.PrimitiveTypes.Float64},
		{Name: "lift", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "support", Type: arrow.PrimitiveTypes.Float64},
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{ante, cons, ml.Float64Column(conf), ml.Float64Column(lift), ml.Float64Column(supp)})
	if err != nil {
		panic(err)
	}
	return f
}

// FrameNames returns "freqItemsets" and "associationRules".
func (m *FPGrowthModel) FrameNames() []string { return []string{"freqItemsets", "associationRules"} }

// ModelFrame returns FreqItemsets or AssociationRules by Spark's name.
func (m *FPGrowthModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch name {
	case "freqItemsets":
		return m.FreqItemsets(), nil
	case "associationRules":
		return m.AssociationRules(), nil
	}
	msg := fmt.Sprintf("FPGrowthModel has no frame %q", name)
	if near := ml.Nearest(name, m.FrameNames()); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return nil, fmt.Errorf("%s (frames: %s)", msg, strings.Join(m.FrameNames(), ", "))
}

// TransformSchema checks itemsCol and adds predictionCol, an array of
// the model's item type.
func (m *FPGrowthModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	k, err := checkItemsCol(in, "itemsCol", m.P.ItemsCol)
	if err != nil {
		return nil, err
	}
	if k != m.kind {
		return nil, fmt.Errorf("itemsCol: column %q holds %s items, the model was fitted on %s items; cast the column to the type it was fitted on", m.P.ItemsCol, k, m.kind)
	}
	return ml.AddFields(in, arrow.Field{Name: m.P.PredictionCol, Type: m.kind.listType(), Nullable: true})
}

// Transform adds predictionCol: for each row, the consequents of the
// association rules whose antecedent is contained in the row's items,
// minus the items the row already has (Spark's rule), in rule order.
// A NULL row predicts an empty array, as in Spark; duplicate items are
// fine here. ctx is checked between batches of rows.
func (m *FPGrowthModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	col, _ := f.Column(m.P.ItemsCol)
	rows, _, err := readItems(col, m.P.ItemsCol)
	if err != nil {
		return nil, err
	}
	rank := make(map[string]int32, len(m.items))
	for i, it := range m.items {
		rank[it] = int32(i)
	}
	p := newPredictor(m.associationRules(), len(m.items))
	const batch = 4096
	nb := (len(rows) + batch - 1) / batch
	chunks := make([]arrow.Array, nb)
	defer func() {
		for _, c := range chunks {
			if c != nil {
				c.Release()
			}
		}
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for b := range nb {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			st := p.newState()
			lb := newListBuilder(m.kind)
			var present []int32
			for _, r := range rows[b*batch : min(len(rows), (b+1)*batch)] {
				present = present[:0]
				for _, it := range r {
					if k, ok := rank[it]; ok {
						present = append(present, k)
					}
				}
				lb.begin()
				for _, c := range p.predict(st, present) {
					lb.add(m.items[c])
				}
			}
			c, err := lb.column()
			if err != nil {
				return err
			}
			chunks[b] = c.Chunk(0)
			chunks[b].Retain()
			c.Release()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	lt := m.kind.listType()
	return f.WithColumn(arrow.Field{Name: m.P.PredictionCol, Type: lt, Nullable: true}, arrow.NewChunked(lt, chunks))
}

// predictor finds the rules a set of items satisfies. Rules are grouped
// by antecedent, and antecedents indexed by their least frequent item,
// so a row only looks at antecedents it may contain.
type predictor struct {
	antes  [][]int32 // distinct antecedents
	ruleOf [][]int32 // antecedent → its rules (indices into the rules)
	consOf [][]int32 // antecedent → the consequents of those rules
	byRare [][]int32 // rank → antecedents whose least frequent item it is
	m      int
}

func newPredictor(rules []rule, m int) *predictor {
	p := &predictor{byRare: make([][]int32, m), m: m}
	ids := map[string]int32{}
	var buf []byte
	for i, r := range rules {
		buf = setKey(buf, r.ante, -1)
		id, ok := ids[string(buf)]
		if !ok {
			id = int32(len(p.antes))
			ids[string(buf)] = id
			p.antes = append(p.antes, r.ante)
			p.ruleOf, p.consOf = append(p.ruleOf, nil), append(p.consOf, nil)
			p.byRare[r.ante[0]] = append(p.byRare[r.ante[0]], id)
		}
		p.ruleOf[id] = append(p.ruleOf[id], int32(i))
		p.consOf[id] = append(p.consOf[id], r.cons)
	}
	return p
}

// predictState is one worker's scratch space.
type predictState struct {
	stamp []int32 // rank → row stamp when present
	seen  []int32 // rank → row stamp when some satisfied rule predicts it
	best  []int32 // rank → first satisfied rule predicting it (valid when seen)
	row   int32
	cands []int32
}

func (p *predictor) newState() *predictState {
	return &predictState{stamp: make([]int32, p.m), seen: make([]int32, p.m), best: make([]int32, p.m)}
}

// predict returns the predicted ranks for a row whose frequent items are
// present (a view into st, valid until the next call): the consequents
// of the satisfied rules, each once, ordered by the first rule giving it.
func (p *predictor) predict(st *predictState, present []int32) []int32 {
	st.row++
	for _, r := range present {
		st.stamp[r] = st.row
	}
	st.cands = st.cands[:0]
	for _, r := range present {
		for _, a := range p.byRare[r] {
			ok := true
			for _, x := range p.antes[a] {
				if st.stamp[x] != st.row {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			rules := p.ruleOf[a]
			for k, c := range p.consOf[a] {
				ri := rules[k]
				switch {
				case st.stamp[c] == st.row:
				case st.seen[c] != st.row:
					st.seen[c], st.best[c] = st.row, ri
					st.cands = append(st.cands, c)
				case ri < st.best[c]:
					st.best[c] = ri
				}
			}
		}
	}
	slices.SortFunc(st.cands, func(a, b int32) int { return cmp.Compare(st.best[a], st.best[b]) })
	return st.cands
}

// DebugString summarizes the model: counts, then the first itemsets and
// rules.
func (m *FPGrowthModel) DebugString() string {
	var b strings.Builder
	rules := m.associationRules()
	fmt.Fprintf(&b, "FPGrowthModel: %d frequent itemsets of %d items from %d transactions (minSupport %v); %d association rules at minConfidence %v\n",
		len(m.freq), len(m.items), m.numRecords, m.P.MinSupport, len(rules), m.P.MinConfidence)
	const show = 10
	if len(m.freq) > 0 {
		fmt.Fprintf(&b, "frequent itemsets (first %d):\n", min(show, len(m.freq)))
	}
	for i := range min(show, len(m.freq)) {
		fmt.Fprintf(&b, "  %s freq %d\n", m.setText(m.itemset(i)), m.freq[i])
	}
	if len(rules) > 0 {
		fmt.Fprintf(&b, "association rules (first %d):\n", min(show, len(rules)))
	}
	for _, r := range rules[:min(show, len(rules))] {
		fmt.Fprintf(&b, "  %s => [%s] confidence %.4g lift %.4g support %.4g\n", m.setText(r.ante), m.items[r.cons], r.confidence, r.lift, r.support)
	}
	return b.String()
}

func (m *FPGrowthModel) setText(ranks []int32) string {
	parts := make([]string, len(ranks))
	for i, r := range ranks {
		parts[i] = m.items[r]
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func int64Column(v []int64) *arrow.Chunked {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{a})
}
