package tree

import (
	"math"

	"github.com/sluice-dev/sluice/ml"
)

// flatNode is a node of a compactTree: 24 bytes, children adjacent.
type flatNode struct {
	thr  float64 // continuous split threshold; a leaf's scalar value
	feat int32   // split feature; 0 for leaves
	next int32   // left child (the right one is next+1); a leaf: itself
	cat  int32   // catLeaf, catNone (continuous split) or an index in masks
	row  int32   // a leaf's row in vals (vector leaves)
}

const (
	catNone = -1
	catLeaf = -2
)

// compactTree is a Tree laid out for prediction: small nodes in
// depth-first order with siblings adjacent, so a walk touches few cache
// lines. A leaf steps to itself, so walking past a leaf stays on it: sums
// over many trees walk four trees in lockstep for a fixed number of steps
// (the deepest of the four), which keeps four independent chains of loads
// in flight. Transform compiles its model's trees once per call.
type compactTree struct {
	nodes []flatNode
	masks [][4]uint64
	vals  []float64 // per leaf, k values (vector leaves)
	k     int
	depth int
}

// compile lays t out; with k > 0 each leaf gets the k values leafVals
// writes, else its Prediction as a scalar value.
func compile(t *Tree, k int, leafVals func(n *Node, dst []float64)) compactTree {
	ct := compactTree{nodes: make([]flatNode, 1, len(t.Nodes)), k: k, depth: t.Depth()}
	var place func(src, dst int)
	place = func(src, dst int) {
		n := &t.Nodes[src]
		if n.Feature < 0 {
			fn := flatNode{thr: n.Prediction, next: int32(dst), cat: catLeaf}
			if k > 0 {
				fn.row = int32(len(ct.vals) / k)
				ct.vals = append(ct.vals, make([]float64, k)...)
				leafVals(n, ct.vals[len(ct.vals)-k:])
			}
			ct.nodes[dst] = fn
			return
		}
		fn := flatNode{feat: int32(n.Feature), thr: n.Threshold, cat: catNone, next: int32(len(ct.nodes))}
		if n.NumCategories >= 0 {
			fn.cat = int32(len(ct.masks))
			var m [4]uint64
			if n.mask != nil {
				m = *n.mask
			}
			ct.masks = append(ct.masks, m)
		}
		ct.nodes[dst] = fn
		ct.nodes = append(ct.nodes, flatNode{}, flatNode{})
		place(n.Left, int(fn.next))
		place(n.Right, int(fn.next)+1)
	}
	place(0, 0)
	return ct
}

// step returns the node after i for row x.
func (ct *compactTree) step(i int, x []float64) int {
	n := &ct.nodes[i]
	v := x[n.feat]
	right := 0
	switch {
	case n.cat == catNone:
		if !(v <= n.thr) {
			right = 1 // a conditional move, not a branch
		}
	case n.cat >= 0:
		if !ct.catLeft(n.cat, v) {
			right = 1
		}
	}
	return int(n.next) + right // a leaf steps to itself
}

func (ct *compactTree) catLeft(cat int32, v float64) bool {
	if v < 0 || v >= 256 || v != math.Trunc(v) {
		return false
	}
	c := uint(v)
	return ct.masks[cat][c>>6]&(1<<(c&63)) != 0
}

// leaf returns the slot of the leaf x falls in.
func (ct *compactTree) leaf(x []float64) int {
	i := 0
	for ct.nodes[i].cat != catLeaf {
		i = ct.step(i, x)
	}
	return i
}

// sumValues returns Σ weights[i]·value_i(x) over scalar trees (weights
// nil: all 1), walking four trees at a time.
func sumValues(trees []compactTree, weights []float64, x []float64) float64 {
	s := 0.0
	i := 0
	for ; i+4 <= len(trees); i += 4 {
		t0, t1, t2, t3 := &trees[i], &trees[i+1], &trees[i+2], &trees[i+3]
		a, b, c, d := 0, 0, 0, 0
		steps := max(t0.depth, t1.depth, t2.depth, t3.depth)
		for range steps {
			a = t0.step(a, x)
			b = t1.step(b, x)
			c = t2.step(c, x)
			d = t3.step(d, x)
		}
		// Added in tree order, so the sum equals a plain loop's bit for bit.
		if weights == nil {
			s += t0.nodes[a].thr
			s += t1.nodes[b].thr
			s += t2.nodes[c].thr
			s += t3.nodes[d].thr
		} else {
			s += weights[i] * t0.nodes[a].thr
			s += weights[i+1] * t1.nodes[b].thr
			s += weights[i+2] * t2.nodes[c].thr
			s += weights[i+3] * t3.nodes[d].thr
		}
	}
	for ; i < len(trees); i++ {
		v := trees[i].nodes[trees[i].leaf(x)].thr
		if weights != nil {
			v *= weights[i]
		}
		s += v
	}
	return s
}

// compileAll compiles every tree.
func compileAll(trees []Tree, k int, leafVals func(n *Node, dst []float64)) []compactTree {
	out := make([]compactTree, len(trees))
	for i := range trees {
		out[i] = compile(&trees[i], k, leafVals)
	}
	return out
}

func leafCounts(n *Node, dst []float64) { copy(dst, n.Stats) }

func leafDistribution(n *Node, dst []float64) {
	total := 0.0
	for _, v := range n.Stats {
		total += v
	}
	if total == 0 {
		return
	}
	for i, v := range n.Stats {
		dst[i] = v / total
	}
}

var _ ml.ClassifierKernel = (*treeKernel)(nil)

// treeKernel is the per-row part of a classification model over compiled
// trees: the leaf counts of one tree (decision tree), the sum of the
// trees' leaf distributions (forest) or the boosted margin (GBT).
type treeKernel struct {
	trees    []compactTree
	weights  []float64 // GBT tree weights; nil otherwise
	classes  int
	features int
	margin   bool // GBT: raw = [−F, F], p = σ(2F)
}

// NumClasses returns the number of classes.
func (k *treeKernel) NumClasses() int { return k.classes }

// NumFeatures returns the number of features.
func (k *treeKernel) NumFeatures() int { return k.features }

// PredictRaw writes the raw scores of x.
func (k *treeKernel) PredictRaw(x, raw []float64) {
	if k.margin {
		f := sumValues(k.trees, k.weights, x)
		raw[0], raw[1] = -f, f
		return
	}
	clear(raw)
	trees := k.trees
	i := 0
	for ; i+4 <= len(trees); i += 4 {
		t0, t1, t2, t3 := &trees[i], &trees[i+1], &trees[i+2], &trees[i+3]
		a, b, c, d := 0, 0, 0, 0
		for range max(t0.depth, t1.depth, t2.depth, t3.depth) {
			a = t0.step(a, x)
			b = t1.step(b, x)
			c = t2.step(c, x)
			d = t3.step(d, x)
		}
		t0.addVals(a, raw)
		t1.addVals(b, raw)
		t2.addVals(c, raw)
		t3.addVals(d, raw)
	}
	for ; i < len(trees); i++ {
		trees[i].addVals(trees[i].leaf(x), raw)
	}
}

// addVals adds the values of the leaf in slot i to raw.
func (ct *compactTree) addVals(i int, raw []float64) {
	r := int(ct.nodes[i].row) * ct.k
	for c, v := range ct.vals[r : r+ct.k] {
		raw[c] += v
	}
}

// RawToProbability writes the class probabilities of raw scores.
func (k *treeKernel) RawToProbability(raw, prob []float64) bool {
	if k.margin {
		p := 1 / (1 + math.Exp(-2*raw[1]))
		prob[0], prob[1] = 1-p, p
		return true
	}
	normalize(raw, prob)
	return true
}

// sumOf returns a predictor summing the compiled trees' values with
// weights, or averaging them when weights is nil.
func sumOf(trees []compactTree, weights []float64) func(x []float64) float64 {
	return func(x []float64) float64 {
		s := sumValues(trees, weights, x)
		if weights == nil {
			s /= float64(len(trees))
		}
		return s
	}
}
