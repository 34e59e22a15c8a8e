package fpm

import (
	"context"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"
)

// An FP-tree (Han, Pei and Yin, "Mining frequent patterns without
// candidate generation", SIGMOD 2000), as Spark's FPTree: transactions
// are paths from the root with their items in ascending rank (descending
// frequency), sharing prefixes; each node counts the transactions
// through it, and the nodes of one item are chained from the header.
//
// Items are global ranks 0 … m-1 (0 the most frequent). A conditional
// tree numbers its items locally (0 … len(items)-1, ascending with the
// global rank) so its header is as small as its item set; items maps a
// local id to the global rank.
type fpTree struct {
	items  []int32 // local id → global rank
	item   []int32 // node → local id (-1 at the root, node 0)
	count  []int64 // node → count
	parent []int32 // node → parent node
	link   []int32 // node → next node of the same item, -1 at the end
	head   []int32 // local id → first node, -1 when none
	total  []int64 // local id → sum of its nodes' counts
}

func newFPTree(items []int32) *fpTree {
	t := &fpTree{
		items: items,
		item:  []int32{-1}, count: []int64{0}, parent: []int32{-1}, link: []int32{-1},
		head:  make([]int32, len(items)),
		total: make([]int64, len(items)),
	}
	for i := range t.head {
		t.head[i] = -1
	}
	return t
}

// add inserts a path of local ids in ascending order with count c.
// child maps (node<<32 | item) to the child node; the caller clears it
// between trees.
func (t *fpTree) add(path []int32, c int64, child map[uint64]int32) {
	cur := int32(0)
	for _, it := range path {
		key := uint64(cur)<<32 | uint64(uint32(it))
		n, ok := child[key]
		if ok {
			t.count[n] += c
		} else {
			n = int32(len(t.item))
			t.item = append(t.item, it)
			t.count = append(t.count, c)
			t.parent = append(t.parent, cur)
			t.link = append(t.link, t.head[it])
			t.head[it] = n
			child[key] = n
		}
		t.total[it] += c
		cur = n
	}
}

// singlePath reports whether the tree is one chain from the root (every
// node the child of the node made before it).
func (t *fpTree) singlePath() bool {
	for n := 1; n < len(t.parent); n++ {
		if t.parent[n] != int32(n-1) {
			return false
		}
	}
	return true
}

// itemsetSink collects frequent itemsets as global ranks, flat.
type itemsetSink struct {
	ranks []int32 // items of all itemsets, back to back
	ends  []int   // end offset of each itemset in ranks
	freq  []int64
}

func (s *itemsetSink) emit(prefix []int32, extra []int32, f int64) {
	s.ranks = append(s.ranks, prefix...)
	s.ranks = append(s.ranks, extra...)
	s.ends = append(s.ends, len(s.ranks))
	s.freq = append(s.freq, f)
}

func (s *itemsetSink) len() int { return len(s.freq) }

func (s *itemsetSink) at(i int) []int32 {
	lo := 0
	if i > 0 {
		lo = s.ends[i-1]
	}
	return s.ranks[lo:s.ends[i]]
}

// miner holds one worker's scratch space for growing conditional trees.
type miner struct {
	minCount int64
	m        int
	cond     []int64 // global rank → count in the conditional pattern base
	local    []int32 // global rank → local id in the tree being built
	touched  []int32
	path     []int32
	child    map[uint64]int32
	prefix   []int32
	subset   []int32
	steps    int
}

func newMiner(m int, minCount int64) *miner {
	mi := &miner{minCount: minCount, m: m, cond: make([]int64, m), local: make([]int32, m), child: map[uint64]int32{}}
	for i := range mi.local {
		mi.local[i] = -1
	}
	return mi
}

// conditional builds the conditional FP-tree of local item x of t: the
// prefix paths of x's nodes, weighted by their counts, keeping the items
// frequent in them. It returns nil when no item is frequent.
func (mi *miner) conditional(t *fpTree, x int32) *fpTree {
	mi.touched = mi.touched[:0]
	for n := t.head[x]; n >= 0; n = t.link[n] {
		c := t.count[n]
		for p := t.parent[n]; p > 0; p = t.parent[p] {
			g := t.items[t.item[p]]
			if mi.cond[g] == 0 {
				mi.touched = append(mi.touched, g)
			}
			mi.cond[g] += c
		}
	}
	var keep []int32
	for _, g := range mi.touched {
		if mi.cond[g] >= mi.minCount {
			keep = append(keep, g)
		}
	}
	defer func() {
		for _, g := range mi.touched {
			mi.cond[g] = 0
			mi.local[g] = -1
		}
	}()
	if len(keep) == 0 {
		return nil
	}
	slices.Sort(keep)
	for i, g := range keep {
		mi.local[g] = int32(i)
	}
	ct := newFPTree(keep)
	clear(mi.child)
	for n := t.head[x]; n >= 0; n = t.link[n] {
		mi.path = mi.path[:0]
		for p := t.parent[n]; p > 0; p = t.parent[p] {
			if l := mi.local[t.items[t.item[p]]]; l >= 0 {
				mi.path = append(mi.path, l)
			}
		}
		if len(mi.path) == 0 {
			continue
		}
		slices.Reverse(mi.path)
		ct.add(mi.path, t.count[n], mi.child)
	}
	return ct
}

// grow emits every frequent itemset of t extended by mi.prefix, depth
// first (FP-growth).
func (mi *miner) grow(ctx context.Context, t *fpTree, out *itemsetSink) error {
	if mi.steps++; mi.steps%256 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if t.singlePath() {
		return mi.growPath(ctx, t, out)
	}
	for x := int32(len(t.items) - 1); x >= 0; x-- {
		if t.head[x] < 0 {
			continue
		}
		mi.prefix = append(mi.prefix, t.items[x])
		out.emit(mi.prefix, nil, t.total[x])
		if ct := mi.conditional(t, x); ct != nil {
			if err := mi.grow(ctx, ct, out); err != nil {
				return err
			}
		}
		mi.prefix = mi.prefix[:len(mi.prefix)-1]
	}
	return nil
}

// growPath emits the prefix extended by every non-empty subset of a
// single-path tree's items; the count of a subset is the count of its
// deepest node (counts shrink down a path).
func (mi *miner) growPath(ctx context.Context, t *fpTree, out *itemsetSink) error {
	k := len(t.item) - 1
	// Subsets by their deepest node d: node d plus any subset of the nodes
	// above it, in the order grow would find them.
	for d := k; d >= 1; d-- {
		above := d - 1
		for mask := 0; mask < 1<<above; mask++ {
			if mask%4096 == 4095 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			mi.subset = append(mi.subset[:0], t.items[t.item[d]])
			for b := above - 1; b >= 0; b-- {
				if mask&(1<<b) != 0 {
					mi.subset = append(mi.subset, t.items[t.item[b+1]])
				}
			}
			out.emit(mi.prefix, mi.subset, t.count[d])
		}
	}
	return nil
}

// mineFrequent runs FP-growth over transactions given as ascending global
// ranks (m frequent items), in parallel over the suffix item with up to
// workers goroutines. Itemsets come back as ranks in the order the growth
// found them (per suffix item, most frequent suffix first).
func mineFrequent(ctx context.Context, paths [][]int32, m int, minCount int64, workers int) (*itemsetSink, error) {
	items := make([]int32, m)
	for i := range items {
		items[i] = int32(i)
	}
	tree := newFPTree(items)
	child := map[uint64]int32{}
	for i, p := range paths {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(p) > 0 {
			tree.add(p, 1, child)
		}
	}
	clear(child)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := make([]itemsetSink, m)
	pool := make(chan *miner, workers)
	for range workers {
		pool <- nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	// Rare suffix items have the largest conditional trees: start them
	// first so the long tasks do not come last.
	for x := m - 1; x >= 0; x-- {
		g.Go(func() error {
			mi := <-pool
			if mi == nil {
				mi = newMiner(m, minCount)
			}
			defer func() { pool <- mi }()
			out := &parts[x]
			mi.prefix = append(mi.prefix[:0], int32(x))
			out.emit(mi.prefix, nil, tree.total[x])
			if ct := mi.conditional(tree, int32(x)); ct != nil {
				return mi.grow(gctx, ct, out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := &itemsetSink{}
	for x := range parts {
		p := &parts[x]
		base := len(all.ranks)
		all.ranks = append(all.ranks, p.ranks...)
		for _, e := range p.ends {
			all.ends = append(all.ends, base+e)
		}
		all.freq = append(all.freq, p.freq...)
	}
	return all, nil
}
