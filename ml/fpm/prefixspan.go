package fpm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// PrefixSpanParams are PrefixSpan's params, with Spark's names and
// defaults.
type PrefixSpanParams struct {
	MinSupport         float64 `param:"minSupport" doc:"minimal support of a frequent sequential pattern, as a fraction of the sequences, in [0, 1]"`
	MaxPatternLength   int     `param:"maxPatternLength" doc:"maximal number of items in a pattern (>= 1)"`
	MaxLocalProjDBSize int     `param:"maxLocalProjDBSize" doc:"Spark's switch to local processing of projected databases, in items; accepted and checked (>= 1), unused: Sluice always mines in memory"`
	SequenceCol        string  `param:"sequenceCol" doc:"column of sequences: arrays of itemsets, each an array of strings or integers"`
}

// DefaultPrefixSpanParams returns Spark's defaults: minSupport 0.1,
// maxPatternLength 10, maxLocalProjDBSize 32000000, sequenceCol
// "sequence".
func DefaultPrefixSpanParams() PrefixSpanParams {
	return PrefixSpanParams{MinSupport: 0.1, MaxPatternLength: 10, MaxLocalProjDBSize: 32000000, SequenceCol: "sequence"}
}

// Validate checks the params.
func (p PrefixSpanParams) Validate() error {
	switch {
	case p.SequenceCol == "":
		return errors.New("sequenceCol is empty; name the column of sequences")
	case !(p.MinSupport >= 0 && p.MinSupport <= 1):
		return fmt.Errorf("minSupport is %v; want a fraction of the sequences in [0, 1], e.g. 0.1", p.MinSupport)
	case p.MaxPatternLength < 1:
		return fmt.Errorf("maxPatternLength is %d; want >= 1", p.MaxPatternLength)
	case p.MaxLocalProjDBSize < 1:
		return fmt.Errorf("maxLocalProjDBSize is %d; want >= 1", p.MaxLocalProjDBSize)
	}
	return nil
}

// PrefixSpan finds frequent sequential patterns with the PrefixSpan
// algorithm (Pei et al., "Mining sequential patterns by
// pattern-growth: the PrefixSpan approach", TKDE 2004), as Spark's
// PrefixSpan. Like Spark's, it is not a pipeline stage: call
// FindFrequentSequentialPatterns.
//
// A sequence is an ordered list of itemsets; a pattern is contained in a
// sequence when its itemsets are subsets of itemsets of the sequence, in
// the same order. Items inside an itemset are a set (duplicates count
// once). The length of a pattern is its number of items.
type PrefixSpan struct {
	P PrefixSpanParams
}

var _ ml.HasParams = (*PrefixSpan)(nil)

// NewPrefixSpan returns a PrefixSpan with Spark's defaults.
func NewPrefixSpan() *PrefixSpan { return &PrefixSpan{P: DefaultPrefixSpanParams()} }

// StageName returns "PrefixSpan".
func (ps *PrefixSpan) StageName() string { return "PrefixSpan" }

// Params returns the params.
func (ps *PrefixSpan) Params() any { return &ps.P }

// FindFrequentSequentialPatterns returns every pattern of at most
// maxPatternLength items contained in at least ceil(minSupport·n) of the
// n non-NULL sequences of sequenceCol (NULL rows are skipped, as in
// Spark), as a frame of sequence (array<array<string>>, or bigint items
// for integer input) and freq (bigint).
//
// Inside a pattern's itemset, items are listed most frequent first (by
// their number of sequences; ties by item), as in Spark. Rows come most
// frequent first, then shorter first, then by items. The result does
// not depend on the parallelism. ctx cancels the mining, which runs in
// parallel over the first item of the patterns.
func (ps *PrefixSpan) FindFrequentSequentialPatterns(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := ps.P.Validate(); err != nil {
		return nil, err
	}
	fl, err := ml.FieldOf(f.Schema(), ps.P.SequenceCol)
	if err != nil {
		return nil, fmt.Errorf("sequenceCol: %w", err)
	}
	kind, ok := sequenceKind(fl.Type)
	if !ok {
		return nil, fmt.Errorf("sequenceCol: column %q is %s, want an array of arrays of strings or integers (each sequence a list of itemsets)", ps.P.SequenceCol, fl.Type)
	}
	col, _ := f.Column(ps.P.SequenceCol)
	seqs, err := readSequences(ctx, col, ps.P.SequenceCol)
	if err != nil {
		return nil, err
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("column %s has no sequences (no rows, or all NULL); check the input table or the filter", ps.P.SequenceCol)
	}
	// Count each item once per sequence.
	counts := map[string]int64{}
	seen := map[string]struct{}{}
	for _, s := range seqs {
		clear(seen)
		for _, set := range s {
			for _, it := range set {
				if _, ok := seen[it]; !ok {
					seen[it] = struct{}{}
					counts[it]++
				}
			}
		}
	}
	minCount := max(1, int64(math.Ceil(ps.P.MinSupport*float64(len(seqs)))))
	var items []string
	for it, c := range counts {
		if c >= minCount {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	id := make(map[string]int32, len(items))
	for i, it := range items {
		id[it] = int32(i + 1)
	}
	// Internal form: each itemset as ascending ids (frequent items only,
	// deduplicated), followed by a 0; empty itemsets and sequences dropped.
	var db [][]int32
	var set []int32
	for _, s := range seqs {
		var flat []int32
		for _, is := range s {
			set = set[:0]
			for _, it := range is {
				if k, ok := id[it]; ok {
					set = append(set, k)
				}
			}
			if len(set) == 0 {
				continue
			}
			slices.Sort(set)
			set = slices.Compact(set)
			flat = append(append(flat, set...), 0)
		}
		if len(flat) > 0 {
			db = append(db, flat)
		}
	}
	pats, err := prefixSpan(ctx, db, len(items), minCount, ps.P.MaxPatternLength)
	if err != nil {
		return nil, err
	}
	return patternFrame(pats, items, kind)
}

// sequenceKind returns the item kind of an array-of-arrays type.
func sequenceKind(t arrow.DataType) (itemKind, bool) {
	inner := listElem(t)
	if inner == nil {
		return "", false
	}
	return kindOf(inner)
}

// readSequences reads the non-NULL rows of a sequence column as text
// items. NULL itemsets or items are errors naming the row (1-based).
func readSequences(ctx context.Context, col *arrow.Chunked, name string) ([][][]string, error) {
	var out [][][]string
	row := 0
	for _, ch := range col.Chunks() {
		outer, ok := ch.(array.ListLike)
		if !ok {
			return nil, fmt.Errorf("column %s is %s, want an array of arrays", name, ch.DataType())
		}
		inner, ok := outer.ListValues().(array.ListLike)
		if !ok {
			return nil, fmt.Errorf("column %s is %s, want an array of arrays", name, ch.DataType())
		}
		values := inner.ListValues()
		text := itemText(values)
		for i := 0; i < ch.Len(); i++ {
			row++
			if row%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			if ch.IsNull(i) {
				continue
			}
			lo, hi := outer.ValueOffsets(i)
			seq := make([][]string, 0, hi-lo)
			for j := lo; j < hi; j++ {
				if inner.IsNull(int(j)) {
					return nil, fmt.Errorf("column %s, row %d: itemset %d is NULL; drop it or use an empty array", name, row, j-lo+1)
				}
				ilo, ihi := inner.ValueOffsets(int(j))
				set := make([]string, 0, ihi-ilo)
				for k := ilo; k < ihi; k++ {
					if values.IsNull(int(k)) {
						return nil, fmt.Errorf("column %s, row %d: itemset %d has a NULL item; drop NULL items", name, row, j-lo+1)
					}
					set = append(set, text(int(k)))
				}
				seq = append(seq, set)
			}
			out = append(out, seq)
		}
	}
	return out, nil
}

// pattern is a frequent sequential pattern in internal form: ids with a
// 0 after each itemset.
type pattern struct {
	seq  []int32
	freq int64
}

func patternItems(p []int32) int {
	n := 0
	for _, x := range p {
		if x != 0 {
			n++
		}
	}
	return n
}

// projected is a projected database: for each sequence containing the
// prefix, the positions just after each match of the prefix's last item
// (at an embedding of the whole prefix), ascending.
type projected struct {
	seq []int32 // index into db
	end []int32 // pos[end[i-1]:end[i]] are sequence i's positions
	pos []int32
}

func (p *projected) positions(i int) []int32 {
	lo := int32(0)
	if i > 0 {
		lo = p.end[i-1]
	}
	return p.pos[lo:p.end[i]]
}

// spanner is one worker's scratch space.
type spanner struct {
	db       [][]int32
	minCount int64
	maxLen   int
	// Per item: the last sequence counted for appending as a new itemset
	// (app) or adding to the prefix's last itemset (asm), and the counts.
	appSeen, asmSeen []int32
	appCnt, asmCnt   []int64
	touched          []int32
	prefix           []int32
	out              []pattern
	steps            int
}

type candidate struct {
	item  int32
	asm   bool // add to the last itemset, else append a new itemset
	count int64
}

func newSpanner(db [][]int32, m int, minCount int64, maxLen int) *spanner {
	sp := &spanner{db: db, minCount: minCount, maxLen: maxLen,
		appSeen: make([]int32, m+1), asmSeen: make([]int32, m+1), appCnt: make([]int64, m+1), asmCnt: make([]int64, m+1)}
	for i := range sp.appSeen {
		sp.appSeen[i], sp.asmSeen[i] = -1, -1
	}
	return sp
}

// fullStart returns the index of the first itemset after the one holding
// position p-1 (p just after a match).
func fullStart(s []int32, p int32) int32 {
	for s[p] != 0 {
		p++
	}
	return p + 1
}

// candidates counts the frequent one-item extensions of a projected
// database (nil: the empty prefix, every sequence from its start).
func (sp *spanner) candidates(pd *projected) []candidate {
	sp.touched = sp.touched[:0]
	n := len(sp.db)
	if pd != nil {
		n = len(pd.seq)
	}
	for i := range n {
		si := int32(i)
		var start int32
		if pd != nil {
			si = pd.seq[i]
		}
		s := sp.db[si]
		if pd != nil {
			ps := pd.positions(i)
			for _, p := range ps {
				for j := p; s[j] != 0; j++ {
					x := s[j]
					if sp.asmSeen[x] != si {
						if sp.asmSeen[x] == -1 && sp.appSeen[x] == -1 {
							sp.touched = append(sp.touched, x)
						}
						sp.asmSeen[x] = si
						sp.asmCnt[x]++
					}
				}
			}
			start = fullStart(s, ps[0])
		}
		for j := start; j < int32(len(s)); j++ {
			x := s[j]
			if x == 0 || sp.appSeen[x] == si {
				continue
			}
			if sp.asmSeen[x] == -1 && sp.appSeen[x] == -1 {
				sp.touched = append(sp.touched, x)
			}
			sp.appSeen[x] = si
			sp.appCnt[x]++
		}
	}
	var out []candidate
	slices.Sort(sp.touched)
	for _, x := range sp.touched {
		if sp.asmCnt[x] >= sp.minCount {
			out = append(out, candidate{x, true, sp.asmCnt[x]})
		}
		if sp.appCnt[x] >= sp.minCount {
			out = append(out, candidate{x, false, sp.appCnt[x]})
		}
		sp.appSeen[x], sp.asmSeen[x], sp.appCnt[x], sp.asmCnt[x] = -1, -1, 0, 0
	}
	return out
}

// project returns the database projected on a one-item extension.
func (sp *spanner) project(pd *projected, c candidate) *projected {
	out := &projected{seq: make([]int32, 0, c.count), end: make([]int32, 0, c.count)}
	n := len(sp.db)
	if pd != nil {
		n = len(pd.seq)
	}
	for i := range n {
		si := int32(i)
		var start int32
		var ps []int32
		if pd != nil {
			si, ps = pd.seq[i], pd.positions(i)
			start = fullStart(sp.db[si], ps[0])
		}
		s := sp.db[si]
		before := len(out.pos)
		if c.asm {
			for _, p := range ps {
				for j := p; s[j] != 0; j++ {
					if s[j] == c.item {
						out.pos = append(out.pos, j+1)
						break
					}
				}
			}
		} else {
			for j := start; j < int32(len(s)); j++ {
				if s[j] == c.item {
					out.pos = append(out.pos, j+1)
				}
			}
		}
		if len(out.pos) > before {
			out.seq = append(out.seq, si)
			out.end = append(out.end, int32(len(out.pos)))
		}
	}
	return out
}

// extend records the prefix extended by c, and everything that grows
// from it.
func (sp *spanner) extend(ctx context.Context, pd *projected, c candidate, length int) error {
	if sp.steps++; sp.steps%256 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	saved := len(sp.prefix)
	if c.asm {
		sp.prefix = append(sp.prefix[:saved-1], c.item, 0) // into the last itemset
	} else {
		sp.prefix = append(sp.prefix, c.item, 0)
	}
	sp.out = append(sp.out, pattern{seq: slices.Clone(sp.prefix), freq: c.count})
	if length < sp.maxLen {
		next := sp.project(pd, c)
		for _, cc := range sp.candidates(next) {
			if err := sp.extend(ctx, next, cc, length+1); err != nil {
				return err
			}
		}
	}
	sp.prefix = sp.prefix[:saved]
	if c.asm {
		sp.prefix[saved-1] = 0
	}
	return nil
}

// prefixSpan mines db (m frequent items, ids 1 … m) in parallel over the
// first item of the patterns.
func prefixSpan(ctx context.Context, db [][]int32, m int, minCount int64, maxLen int) ([]pattern, error) {
	first := newSpanner(db, m, minCount, maxLen).candidates(nil)
	parts := make([][]pattern, len(first))
	workers := runtime.GOMAXPROCS(0)
	pool := make(chan *spanner, workers)
	for range workers {
		pool <- nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for k, c := range first {
		g.Go(func() error {
			sp := <-pool
			if sp == nil {
				sp = newSpanner(db, m, minCount, maxLen)
			}
			defer func() { pool <- sp }()
			sp.out, sp.prefix = nil, sp.prefix[:0]
			if err := sp.extend(gctx, nil, c, 1); err != nil {
				return err
			}
			parts[k] = sp.out
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []pattern
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.SortFunc(all, func(a, b pattern) int {
		if c := cmp.Compare(b.freq, a.freq); c != 0 {
			return c
		}
		if c := cmp.Compare(patternItems(a.seq), patternItems(b.seq)); c != 0 {
			return c
		}
		return slices.Compare(a.seq, b.seq)
	})
	return all, nil
}

// patternFrame builds the (sequence, freq) frame.
func patternFrame(pats []pattern, items []string, kind itemKind) (*ml.Frame, error) {
	ob := array.NewListBuilder(memory.DefaultAllocator, kind.listType())
	defer ob.Release()
	inner := wrapListBuilder(kind, ob.ValueBuilder().(*array.ListBuilder))
	freq := make([]int64, len(pats))
	for i, p := range pats {
		ob.Append(true)
		open := false
		for _, x := range p.seq {
			if x == 0 {
				open = false
				continue
			}
			if !open {
				inner.begin()
				open = true
			}
			inner.add(items[x-1])
		}
		freq[i] = p.freq
	}
	if inner.err != nil {
		return nil, inner.err
	}
	seqArr := ob.NewArray()
	defer seqArr.Release()
	fields := []arrow.Field{{Name: "sequence", Type: seqArr.DataType()}, {Name: "freq", Type: arrow.PrimitiveTypes.Int64}}
	return ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{arrow.NewChunked(seqArr.DataType(), []arrow.Array{seqArr}), int64Column(freq)})
}
