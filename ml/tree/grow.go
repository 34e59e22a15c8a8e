package tree

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// impurity is a node impurity measure (or, for newton, second-order
// gradient statistics).
type impurity int

const (
	gini impurity = iota
	entropy
	variance
	newton
)

// layout says what the per-row (and per-bin) statistics vector holds.
//
//	gini, entropy: k weighted class counts, then the raw count if cIdx >= 0
//	variance:      Σw, Σwy, Σwy², then the raw count if cIdx >= 0
//	newton:        Σg, Σh, then Σw and the raw count when tracked
//
// When there are no instance weights the weight is the raw count
// (bootstrap multiplicities included), so the count is not stored. A
// newton layout tracks neither when there are no weights and the
// stopping rules need no counts (minInstancesPerNode 1,
// minWeightFractionPerNode 0): a side of a split is then non-empty iff
// its hessian sum is positive (every row's hessian is), and nodes take
// their counts from their row ranges.
type layout struct {
	imp    impurity
	k      int     // classes (gini, entropy)
	s      int     // stats per row and per bin
	lambda float64 // newton: L2 regularization of leaf values
	wIdx   int     // index of the weight; -1: sum of the k class counts; untracked: not kept
	cIdx   int     // index of the raw count; -1: the weight is the count; untracked: not kept
}

const untracked = -2

func classLayout(imp impurity, k int, weighted bool) layout {
	l := layout{imp: imp, k: k, s: k, wIdx: -1, cIdx: -1}
	if weighted {
		l.cIdx, l.s = k, k+1
	}
	return l
}

func regLayout(weighted bool) layout {
	l := layout{imp: variance, s: 3, wIdx: 0, cIdx: -1}
	if weighted {
		l.cIdx, l.s = 3, 4
	}
	return l
}

func newtonLayout(weighted, counts bool, lambda float64) layout {
	if !weighted && !counts {
		return layout{imp: newton, s: 2, wIdx: untracked, cIdx: untracked, lambda: lambda}
	}
	return layout{imp: newton, s: 4, wIdx: 2, cIdx: 3, lambda: lambda}
}

// tracked reports whether the layout keeps weights and counts.
func (l *layout) tracked() bool { return l.cIdx != untracked }

// empty reports whether bin (or side) stats st hold no rows.
func (l *layout) empty(st []float64) bool {
	if !l.tracked() {
		return st[1] == 0
	}
	return l.count(st) == 0
}

func (l *layout) weight(st []float64) float64 {
	if l.wIdx >= 0 {
		return st[l.wIdx]
	}
	w := 0.0
	for _, c := range st[:l.k] {
		w += c
	}
	return w
}

func (l *layout) count(st []float64) float64 {
	if l.cIdx >= 0 {
		return st[l.cIdx]
	}
	return l.weight(st)
}

// impurity returns the impurity of st with weight w (0 for newton,
// which does not track it).
func (l *layout) impurity(st []float64, w float64) float64 {
	switch l.imp {
	case gini:
		if w <= 0 {
			return 0
		}
		s := 1.0
		for _, c := range st[:l.k] {
			p := c / w
			s -= p * p
		}
		return s
	case entropy:
		if w <= 0 {
			return 0
		}
		s := 0.0
		for _, c := range st[:l.k] {
			if c > 0 {
				p := c / w
				s -= p * math.Log2(p)
			}
		}
		return s
	case variance:
		if st[0] <= 0 {
			return 0
		}
		m := st[1] / st[0]
		return max(0, st[2]/st[0]-m*m)
	}
	return 0
}

// prediction returns a node's prediction from its stats.
func (l *layout) prediction(st []float64) float64 {
	switch l.imp {
	case gini, entropy:
		best, bestV := 0, math.Inf(-1)
		for c, v := range st[:l.k] {
			if v > bestV {
				best, bestV = c, v
			}
		}
		return float64(best)
	case variance:
		if st[0] == 0 {
			return 0
		}
		return st[1] / st[0]
	}
	if st[1]+l.lambda <= 0 {
		return 0
	}
	return -st[0] / (st[1] + l.lambda)
}

// nodeStatsLen is the number of stats Spark keeps on a node: class
// counts, [Σw, Σwy, Σwy²] or [Σg, Σh] — a prefix of the layout's stats.
func (l *layout) nodeStatsLen() int {
	switch l.imp {
	case gini, entropy:
		return l.k
	case variance:
		return 3
	}
	return 2
}

// arena hands out zeroed float64 slices from reused blocks, so growing a
// tree allocates nothing per node once the grower is warm.
type arena struct {
	blocks [][]float64
	cur    int // block in use
	off    int // next free value in it
}

const arenaBlock = 1 << 14

func (a *arena) reset() { a.cur, a.off = 0, 0 }

func (a *arena) alloc(n int) []float64 {
	if n > arenaBlock {
		return make([]float64, n)
	}
	if len(a.blocks) == 0 || a.off+n > arenaBlock {
		if len(a.blocks) > 0 {
			a.cur++
		}
		if a.cur == len(a.blocks) {
			a.blocks = append(a.blocks, make([]float64, arenaBlock))
		}
		a.off = 0
	}
	out := a.blocks[a.cur][a.off : a.off+n : a.off+n]
	a.off += n
	clear(out)
	return out
}

// growConfig are the stopping rules and feature sampling of one tree.
type growConfig struct {
	maxDepth     int
	minInstances float64 // per child, raw count
	minWeight    float64 // per child, absolute weight
	minInfoGain  float64
	subset       int // features considered per node; >= d means all
	workers      int // goroutines for one node's histograms
}

// cand is a candidate split.
type cand struct {
	gain    float64
	feature int // -1: none
	bin     int // continuous: bins <= bin go left
	cats    [4]uint64
}

var noCand = cand{gain: math.Inf(-1), feature: -1}

// scratch is one worker's buffers for split search.
type scratch struct {
	left, right []float64
	order       []int
	key         []float64
}

// work is a node of the tree being grown: its rows are rows[lo:hi].
type work struct {
	node   int
	lo, hi int
	depth  int
	hist   []float64 // nil when the node will not be split
	best   cand
}

// grower grows trees on a binned dataset. One grower grows one tree at a
// time and keeps its buffers between trees; it is not safe for
// concurrent use (it runs its own bounded goroutines inside a node).
type grower struct {
	b        *binned
	lay      layout
	cfg      growConfig
	rowStats []float64 // s stats per row, indexed by row id

	rows, tmp  []int32
	gath       []float64
	free       [][]float64
	stride     int // one feature's histogram: 256 (fast kernels) or maxBins bins
	hsize      int // d*stride
	nodes      []Node
	full       [][]float64 // each node's layout stats (in mem)
	lo, hi     []int       // rows of each node, for boosting
	rng        *rand.Rand
	perm       []int
	scr        []scratch
	candA      []cand
	candB      []cand
	featA      []bool
	featB      []bool
	all        []bool
	featList   []int
	groups     [][]int
	mem        arena
	task       groupTask     // what forGroups does with each group
	job        int           // what the helpers run (jobGroups, jobGather)
	gatherRows []int32       // jobGather's rows
	next       atomic.Int64  // next group to run
	jobs       chan struct{} // wakes a helper for one node's groups
	jobDone    sync.WaitGroup
	helpers    sync.WaitGroup
	subtract   bool // histogram subtraction (all features) vs direct subsets
	leafRows   bool // keep every leaf's rows in lo/hi (boosting reads them)
	// checkHist, when set (tests), sees every node's histogram and split
	// feature before the node is split.
	checkHist func(node, feature int, hist []float64)
}

// groupTask is the per-feature-group work of one node, run by forGroups:
// build the histograms of hist from rows and find the best split of each
// marked feature (subtract false), or build the smaller child's
// histograms, turn the parent's into the larger child's and search both
// (subtract true).
type groupTask struct {
	subtract  bool
	hist      []float64 // built histograms (the smaller child's)
	parent    []float64 // subtract: the parent's, becoming the larger child's
	rows      []int32
	st        []float64 // stats of rows, in row order (g.gath, or rowStats at an identity root)
	tot, totB []float64 // node totals (smaller, larger child)
	searchA   bool      // search hist's node (marked in featA)
	searchB   bool      // subtract: search the larger child (marked in featB)
}

func newGrower(b *binned, lay layout, cfg growConfig) *grower {
	g := &grower{b: b, lay: lay, cfg: cfg}
	// The unsafe histogram kernels (s <= 4) index any uint8 bin, so
	// their histograms have room for 256; the generic one indexes at
	// most maxBins.
	g.stride = b.maxBins * lay.s
	if lay.s <= 4 {
		g.stride = 256 * lay.s
	}
	g.hsize = b.d * g.stride
	g.cfg.workers = max(1, cfg.workers)
	g.scr = make([]scratch, g.cfg.workers)
	for i := range g.scr {
		g.scr[i] = scratch{left: make([]float64, lay.s), right: make([]float64, lay.s), order: make([]int, b.maxBins), key: make([]float64, b.maxBins)}
	}
	g.candA, g.candB = make([]cand, b.d), make([]cand, b.d)
	g.featA, g.featB, g.all = make([]bool, b.d), make([]bool, b.d), make([]bool, b.d)
	for i := range g.all {
		g.all[i] = true
	}
	if g.cfg.subset <= 0 || g.cfg.subset > b.d {
		g.cfg.subset = b.d
	}
	// Subtraction needs every feature's histogram in every node; with
	// small feature subsets building just the subset for both children
	// is cheaper.
	g.subtract = 2*g.cfg.subset > b.d
	g.perm = make([]int, b.d)
	return g
}

func (g *grower) getHist() []float64 {
	if n := len(g.free); n > 0 {
		h := g.free[n-1]
		g.free = g.free[:n-1]
		return h
	}
	return make([]float64, g.hsize)
}

func (g *grower) putHist(h []float64) {
	if h != nil {
		g.free = append(g.free, h)
	}
}

// featHist returns feature f's histogram in h (256 bins).
func (g *grower) featHist(h []float64, f int) []float64 {
	return h[f*g.stride : (f+1)*g.stride]
}

// grow grows one tree on the given rows (distinct row ids of b in
// ascending order; the slice is reordered) with the per-row statistics
// rowStats, seeding feature
// sampling with seed. The nodes' row ranges stay in g.lo/g.hi over
// g.rows until the next call. ctx is checked between nodes.
func (g *grower) grow(ctx context.Context, rows []int32, rowStats []float64, seed int64) (Tree, error) {
	g.rows = rows
	if cap(g.tmp) < len(rows) {
		g.tmp = make([]int32, len(rows))
	}
	g.tmp = g.tmp[:len(rows)]
	g.rowStats = rowStats
	g.nodes, g.full = g.nodes[:0], g.full[:0]
	g.lo, g.hi = g.lo[:0], g.hi[:0]
	g.rng = rand.New(rand.NewPCG(uint64(seed), 0x2545F4914F6CDD1D))
	g.mem.reset()
	g.startHelpers()
	defer g.stopHelpers()

	s := g.lay.s
	tot := g.mem.alloc(s)
	for _, r := range rows {
		st := rowStats[int(r)*s : int(r)*s+s]
		for i, v := range st {
			tot[i] += v
		}
	}
	root := work{node: g.addNode(tot, len(rows)), lo: 0, hi: len(rows), depth: 0, best: noCand}
	if g.canSplit(&root) {
		root.hist = g.getHist()
		g.pickFeatures(g.featA)
		st := rowStats
		if len(rows) != g.b.n { // else rows are 0 … n-1 (distinct, ascending)
			g.gather(rows)
			st = g.gath
		}
		g.task = groupTask{hist: root.hist, rows: rows, st: st, tot: g.full[root.node], searchA: true}
		build := g.featA
		if g.subtract {
			build = g.all // the children's subtractions need every feature
		}
		g.forGroups(len(rows), build)
		root.best = g.reduce(g.candA, g.featA)
	}
	if err := g.split(ctx, root); err != nil {
		return Tree{}, err
	}
	nodes := make([]Node, len(g.nodes))
	copy(nodes, g.nodes)
	ns := g.lay.nodeStatsLen()
	slab := make([]float64, len(nodes)*ns)
	for i := range nodes {
		st := slab[i*ns : (i+1)*ns : (i+1)*ns]
		copy(st, g.full[i])
		nodes[i].Stats = st
	}
	return Tree{Nodes: nodes}, nil
}

// addNode appends a node with layout stats st over rows rows and returns
// its index.
func (g *grower) addNode(st []float64, rows int) int {
	w, c := float64(rows), float64(rows)
	if g.lay.tracked() {
		w, c = g.lay.weight(st), g.lay.count(st)
	}
	n := Node{
		Feature: -1, NumCategories: -1, Left: -1, Right: -1, Gain: -1,
		Prediction: g.lay.prediction(st), Impurity: g.lay.impurity(st, w),
		Weight: w, RawCount: int64(math.Round(c)),
	}
	g.nodes = append(g.nodes, n)
	g.full = append(g.full, st)
	g.lo, g.hi = append(g.lo, 0), append(g.hi, 0)
	return len(g.nodes) - 1
}

// canSplit reports whether node w may be split at all.
func (g *grower) canSplit(w *work) bool {
	n := &g.nodes[w.node]
	if w.depth >= g.cfg.maxDepth || w.hi-w.lo < 2 {
		return false
	}
	if float64(n.RawCount) < 2*g.cfg.minInstances || n.Weight < 2*g.cfg.minWeight || n.Weight <= 0 {
		return false
	}
	if g.lay.imp == newton {
		return g.full[w.node][1] > 0
	}
	return n.Impurity > 1e-15
}

// pickFeatures marks the features a node considers.
func (g *grower) pickFeatures(mark []bool) {
	d := g.b.d
	if g.cfg.subset >= d {
		copy(mark, g.all)
		return
	}
	clear(mark)
	for i := range g.perm {
		g.perm[i] = i
	}
	for i := range g.cfg.subset {
		j := i + g.rng.IntN(d-i)
		g.perm[i], g.perm[j] = g.perm[j], g.perm[i]
		mark[g.perm[i]] = true
	}
}

// gather copies the stats of rows into g.gath, in row order, splitting
// large nodes among the helpers.
func (g *grower) gather(rows []int32) {
	s := g.lay.s
	need := len(rows) * s
	if cap(g.gath) < need {
		g.gath = make([]float64, need+need/4)
	}
	g.gath = g.gath[:need]
	workers := g.cfg.workers
	if workers <= 1 || len(rows) < parallelMin {
		gatherRows(g.gath, g.rowStats, rows, s)
		return
	}
	g.gatherRows = rows
	g.runJob(jobGather)
}

// gatherPart gathers worker w's share of g.gatherRows.
func (g *grower) gatherPart(w int) {
	rows := g.gatherRows
	per := (len(rows) + g.cfg.workers - 1) / g.cfg.workers
	lo, hi := min(len(rows), w*per), min(len(rows), (w+1)*per)
	s := g.lay.s
	gatherRows(g.gath[lo*s:hi*s], g.rowStats, rows[lo:hi], s)
}

// gatherRows copies src's stats of rows into dst.
func gatherRows(dst, src []float64, rows []int32, s int) {
	switch s {
	case 2:
		for j, r := range rows {
			i := int(r) * 2
			d := dst[j*2 : j*2+2 : j*2+2]
			sr := src[i : i+2 : i+2]
			d[0], d[1] = sr[0], sr[1]
		}
	case 3:
		for j, r := range rows {
			i := int(r) * 3
			d := dst[j*3 : j*3+3 : j*3+3]
			sr := src[i : i+3 : i+3]
			d[0], d[1], d[2] = sr[0], sr[1], sr[2]
		}
	default:
		for j, r := range rows {
			copy(dst[j*s:j*s+s], src[int(r)*s:int(r)*s+s])
		}
	}
}

// buildGroup clears the histograms of feats (1 … 4 features) in hist and
// adds the gathered stats of rows to them.
func (g *grower) buildGroup(hist []float64, feats []int, rows []int32) {
	s := g.lay.s
	n := g.b.n
	var a histArgs
	for i, f := range feats {
		h := g.featHist(hist, f)
		clear(h[:g.b.nbins[f]*s])
		a.h[i] = h
		a.col[i] = g.b.bins[f*n : f*n+n]
	}
	a.rows, a.st = rows, g.task.st[:len(rows)*s]
	addHist(&a, len(feats), s)
}

// parallelMin is the number of row×feature updates below which a node's
// histograms are built on the calling goroutine.
const parallelMin = 1 << 16

// forGroups runs g.task (runGroup) for groups of up to four marked
// features, on the growing goroutine and the helpers when the node is
// large enough. Groups are sized so each worker gets about the same
// number of features.
func (g *grower) forGroups(rows int, mark []bool) {
	g.featList = g.featList[:0]
	for f, ok := range mark {
		if ok {
			g.featList = append(g.featList, f)
		}
	}
	feats := g.featList
	workers := min(g.cfg.workers, len(feats))
	if rows*len(feats) < parallelMin {
		workers = 1
	}
	g.groups = g.groups[:0]
	quota := (len(feats) + workers - 1) / workers
	for start := 0; start < len(feats); start += quota {
		chunk := feats[start:min(len(feats), start+quota)]
		// As few groups as possible, of even sizes (10 → 4, 3, 3).
		for ng := (len(chunk) + 3) / 4; ng > 0; ng-- {
			k := (len(chunk) + ng - 1) / ng
			g.groups = append(g.groups, chunk[:k])
			chunk = chunk[k:]
		}
	}
	if workers <= 1 {
		for _, grp := range g.groups {
			g.runGroup(&g.scr[0], grp)
		}
		return
	}
	g.runJob(jobGroups)
}

// Jobs the helpers run with the growing goroutine.
const (
	jobGroups = iota // run g.groups with g.task
	jobGather        // gather a share of g.gatherRows each
)

// runJob runs job on the growing goroutine (as worker 0) and every
// helper, and waits for all of them.
func (g *grower) runJob(job int) {
	g.job = job
	g.next.Store(0)
	g.jobDone.Add(g.cfg.workers - 1)
	for range g.cfg.workers - 1 {
		g.jobs <- struct{}{}
	}
	g.doJob(0)
	g.jobDone.Wait()
}

func (g *grower) doJob(w int) {
	if g.job == jobGather {
		g.gatherPart(w)
		return
	}
	g.runGroups(&g.scr[w])
}

// runGroups runs groups until none is left.
func (g *grower) runGroups(sc *scratch) {
	for {
		i := int(g.next.Add(1) - 1)
		if i >= len(g.groups) {
			return
		}
		g.runGroup(sc, g.groups[i])
	}
}

// startHelpers starts the cfg.workers-1 goroutines that share a node's
// feature groups with the growing goroutine; stopHelpers ends them. A
// grow call owns them from start to end.
func (g *grower) startHelpers() {
	if g.cfg.workers <= 1 {
		return
	}
	g.jobs = make(chan struct{})
	g.helpers.Add(g.cfg.workers - 1)
	for w := 1; w < g.cfg.workers; w++ {
		go func() {
			defer g.helpers.Done()
			for range g.jobs {
				g.doJob(w)
				g.jobDone.Done()
			}
		}()
	}
}

func (g *grower) stopHelpers() {
	if g.jobs != nil {
		close(g.jobs)
		g.helpers.Wait()
		g.jobs = nil
	}
}

// runGroup does g.task for one group of features.
func (g *grower) runGroup(sc *scratch, feats []int) {
	t := &g.task
	g.buildGroup(t.hist, feats, t.rows)
	s := g.lay.s
	for _, f := range feats {
		if !t.subtract {
			g.candA[f] = noCand
			if g.featA[f] {
				g.candA[f] = g.bestOn(sc, g.featHist(t.hist, f), f, t.tot)
			}
			continue
		}
		nb := g.b.nbins[f] * s
		hs := g.featHist(t.hist, f)[:nb]
		g.candA[f], g.candB[f] = noCand, noCand
		if t.searchA && g.featA[f] {
			g.candA[f] = g.bestOn(sc, hs, f, t.tot)
		}
		if t.parent != nil {
			hp := g.featHist(t.parent, f)[:nb]
			for i, v := range hs {
				hp[i] -= v
			}
			if t.searchB && g.featB[f] {
				g.candB[f] = g.bestOn(sc, hp, f, t.totB)
			}
		}
	}
}

// reduce picks the best candidate over the marked features; ties go to
// the lowest feature index.
func (g *grower) reduce(cs []cand, mark []bool) cand {
	best := noCand
	for f, ok := range mark {
		if ok && cs[f].feature >= 0 && cs[f].gain > best.gain {
			best = cs[f]
		}
	}
	return best
}

// bestOn finds the best split of feature f from its histogram h given the
// node's total stats tot.
func (g *grower) bestOn(sc *scratch, h []float64, f int, tot []float64) cand {
	s := g.lay.s
	nb := g.b.nbins[f]
	best := noCand
	if nb < 2 {
		return best
	}
	left, right := sc.left, sc.right
	clear(left)
	var wT, impT float64
	if g.lay.imp != newton {
		wT = g.lay.weight(tot)
		impT = g.lay.impurity(tot, wT)
	}
	if g.b.arity[f] == 0 {
		for bin := 0; bin < nb-1; bin++ {
			hb := h[bin*s : bin*s+s]
			for i, v := range hb {
				left[i] += v
			}
			if g.lay.empty(hb) {
				continue // same partition as the previous threshold
			}
			if gain, ok := g.gain(left, right, tot, wT, impT); ok && gain > best.gain {
				best = cand{gain: gain, feature: f, bin: bin}
			}
		}
		return best
	}
	// Categorical: order the categories by their mean label (binary
	// classification, regression), Newton step (boosting) or impurity
	// (multiclass) and split the ordered list, as Spark does for ordered
	// categorical features.
	order, key := sc.order[:nb], sc.key[:nb]
	for c := range nb {
		order[c] = c
		hc := h[c*s : c*s+s]
		switch {
		case g.lay.empty(hc):
			key[c] = math.MaxFloat64
		case g.lay.imp == newton:
			key[c] = g.lay.prediction(hc)
		case g.lay.imp == variance:
			key[c] = hc[1] / hc[0]
		case g.lay.k == 2:
			key[c] = hc[1] / g.lay.weight(hc)
		default:
			key[c] = g.lay.impurity(hc, g.lay.weight(hc))
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case key[a] < key[b]:
			return -1
		case key[a] > key[b]:
			return 1
		}
		return 0
	})
	bestPos := -1
	for pos := 0; pos < nb-1; pos++ {
		c := order[pos]
		hc := h[c*s : c*s+s]
		for i, v := range hc {
			left[i] += v
		}
		if gain, ok := g.gain(left, right, tot, wT, impT); ok && gain > best.gain {
			best = cand{gain: gain, feature: f}
			bestPos = pos
		}
	}
	if bestPos >= 0 {
		for _, c := range order[:bestPos+1] {
			best.cats[c>>6] |= 1 << (uint(c) & 63)
		}
	}
	return best
}

// gain returns the gain of splitting tot into left and tot-left (written
// to right), and whether the split is valid under the stopping rules.
func (g *grower) gain(left, right, tot []float64, wT, impT float64) (float64, bool) {
	for i := range right {
		right[i] = tot[i] - left[i]
	}
	l := &g.lay
	if l.tracked() {
		if l.count(left) < g.cfg.minInstances || l.count(right) < g.cfg.minInstances {
			return 0, false
		}
		wl, wr := l.weight(left), l.weight(right)
		if wl <= 0 || wr <= 0 || wl < g.cfg.minWeight || wr < g.cfg.minWeight {
			return 0, false
		}
	}
	var gain, noise float64
	if l.imp == newton {
		hl, hr := left[1], right[1]
		if hl <= 0 || hr <= 0 {
			return 0, false
		}
		lam := l.lambda
		a := left[0] * left[0] / (hl + lam)
		b := right[0] * right[0] / (hr + lam)
		c := tot[0] * tot[0] / (tot[1] + lam)
		gain = (a + b - c) / tot[1]
		noise = 1e-12 * (a + b) / tot[1]
	} else {
		wl, wr := l.weight(left), l.weight(right)
		gain = impT - wl/wT*l.impurity(left, wl) - wr/wT*l.impurity(right, wr)
		noise = 1e-12 * impT
	}
	if gain <= noise || gain < g.cfg.minInfoGain {
		return 0, false
	}
	return gain, true
}

// leftStats sums the histogram bins of c's left side into dst.
func (g *grower) leftStats(h []float64, c cand, dst []float64) {
	s := g.lay.s
	hf := g.featHist(h, c.feature)
	clear(dst)
	nb := g.b.nbins[c.feature]
	for bin := range nb {
		if !c.goesLeft(g.b.arity[c.feature] > 0, bin) {
			continue
		}
		for i, v := range hf[bin*s : bin*s+s] {
			dst[i] += v
		}
	}
}

func (c *cand) goesLeft(categorical bool, bin int) bool {
	if categorical {
		return c.cats[bin>>6]&(1<<(uint(bin)&63)) != 0
	}
	return bin <= c.bin
}

// partition reorders rows[lo:hi] so the rows going left come first
// (keeping their order) and returns the first right row's position.
func (g *grower) partition(lo, hi int, c cand) int {
	var left [256]int
	cat := g.b.arity[c.feature] > 0
	for bin := range g.b.nbins[c.feature] {
		if c.goesLeft(cat, bin) {
			left[bin] = 1
		}
	}
	n := g.b.n
	col := g.b.bins[c.feature*n : c.feature*n+n]
	rows := g.rows[lo:hi]
	tmp := g.tmp[:len(rows)]
	nl, nr := 0, 0
	for _, r := range rows {
		x := left[col[r]]
		rows[nl] = r
		tmp[nr] = r
		nl += x
		nr += 1 - x
	}
	copy(rows[nl:], tmp[:nr])
	return lo + nl
}

// split turns node w into a leaf or splits it and grows its children,
// depth first.
func (g *grower) split(ctx context.Context, w work) error {
	g.lo[w.node], g.hi[w.node] = w.lo, w.hi
	if w.hist == nil || w.best.feature < 0 {
		g.putHist(w.hist)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if g.checkHist != nil {
		g.checkHist(w.node, w.best.feature, w.hist)
	}
	s := g.lay.s
	c := w.best
	ls := g.mem.alloc(s)
	g.leftStats(w.hist, c, ls)
	ps := g.full[w.node]
	rs := g.mem.alloc(s)
	for i := range rs {
		rs[i] = ps[i] - ls[i]
	}
	// Children at maxDepth are leaves: their rows need sorting only when
	// the caller reads the leaves' rows (boosting) or the counts come
	// from the rows. Otherwise their ranges are left meaningless.
	mid := w.lo
	if w.depth+1 < g.cfg.maxDepth || g.leafRows || !g.lay.tracked() {
		mid = g.partition(w.lo, w.hi, c)
	}
	li := g.addNode(ls, mid-w.lo)
	ri := g.addNode(rs, w.hi-mid)
	n := &g.nodes[w.node]
	n.Feature, n.Left, n.Right, n.Gain = c.feature, li, ri, c.gain
	if k := g.b.arity[c.feature]; k > 0 {
		n.NumCategories = k
		var cats []float64
		for cat := range k {
			if c.goesLeft(true, cat) {
				cats = append(cats, float64(cat))
			}
		}
		n.setCategories(cats)
	} else {
		n.Threshold = g.b.splits[c.feature][c.bin]
	}
	L := work{node: li, lo: w.lo, hi: mid, depth: w.depth + 1, best: noCand}
	R := work{node: ri, lo: mid, hi: w.hi, depth: w.depth + 1, best: noCand}
	canL, canR := g.canSplit(&L), g.canSplit(&R)
	if canL || canR {
		g.childHists(&w, &L, &R, canL, canR)
	} else {
		g.putHist(w.hist)
	}
	if err := g.split(ctx, L); err != nil {
		return err
	}
	return g.split(ctx, R)
}

// childHists builds the histograms of the children that can be split and
// finds their best splits. In subtraction mode it builds the smaller
// child's histogram and turns the parent's into the larger child's.
func (g *grower) childHists(p, L, R *work, canL, canR bool) {
	if !g.subtract {
		g.putHist(p.hist)
		for _, c := range [2]struct {
			w  *work
			ok bool
		}{{L, canL}, {R, canR}} {
			if !c.ok {
				continue
			}
			cw := c.w
			cw.hist = g.getHist()
			g.pickFeatures(g.featA)
			rows := g.rows[cw.lo:cw.hi]
			g.gather(rows)
			g.task = groupTask{hist: cw.hist, rows: rows, st: g.gath, tot: g.full[cw.node], searchA: true}
			g.forGroups(len(rows), g.featA)
			cw.best = g.reduce(g.candA, g.featA)
		}
		return
	}
	small, large := L, R
	canS, canLg := canL, canR
	if R.hi-R.lo < L.hi-L.lo {
		small, large, canS, canLg = R, L, canR, canL
	}
	sh := g.getHist()
	ph := p.hist
	rows := g.rows[small.lo:small.hi]
	g.gather(rows)
	g.pickFeatures(g.featA)
	g.pickFeatures(g.featB)
	g.task = groupTask{subtract: true, hist: sh, rows: rows, st: g.gath, tot: g.full[small.node], totB: g.full[large.node], searchA: canS, searchB: canLg}
	if canLg {
		g.task.parent = ph
	}
	// Every feature's histogram is built: later subtractions need them.
	g.forGroups(len(rows), g.all)
	if canS {
		small.hist, small.best = sh, g.reduce(g.candA, g.featA)
	} else {
		g.putHist(sh)
	}
	if canLg {
		large.hist, large.best = ph, g.reduce(g.candB, g.featB)
	} else {
		g.putHist(ph)
	}
}
