package tree

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Node is one node of a fitted tree. A tree is a flat table of nodes
// (Tree.Nodes) with the root at index 0; children are addressed by index,
// like the node table Spark's model writer produces.
type Node struct {
	// Feature is the index of the feature the node splits on, or -1 for a
	// leaf.
	Feature int
	// Threshold: for a continuous split, rows with x[Feature] <= Threshold
	// go left.
	Threshold float64
	// Categories: for a categorical split, the (sorted) categories that go
	// left; every other value goes right. Nil for continuous splits.
	Categories []float64
	// NumCategories is the number of categories of a categorical split's
	// feature, -1 for continuous splits and leaves (Spark's SplitData).
	NumCategories int
	// Left and Right are the children's indices, -1 for leaves.
	Left, Right int
	// Prediction is the node's prediction: the majority class
	// (classification), the weighted mean label (regression) or the
	// boosting step (boosted trees, before the tree weight).
	Prediction float64
	// Impurity is the node's impurity on the training data (0 for boosted
	// classification trees, which split on gradient statistics and do not
	// track it).
	Impurity float64
	// Gain is the impurity decrease of the node's split, -1 for leaves.
	Gain float64
	// Weight is the weighted number of training rows in the node, RawCount
	// the unweighted one (bootstrap multiplicities included).
	Weight   float64
	RawCount int64
	// Stats are Spark's impurity statistics: weighted class counts for
	// classification trees, [Σw, Σwy, Σwy²] for regression trees and
	// [Σg, Σh] (gradient and hessian sums) for boosted classification
	// trees.
	Stats []float64

	mask *[4]uint64 // categories going left (categorical splits)
}

// IsLeaf reports whether the node is a leaf.
func (n *Node) IsLeaf() bool { return n.Feature < 0 }

// goLeft reports whether a row with value x of the node's feature goes
// left.
func (n *Node) goLeft(x float64) bool {
	if n.NumCategories < 0 {
		return x <= n.Threshold
	}
	if x < 0 || x >= 256 || x != math.Trunc(x) {
		return false
	}
	c := uint(x)
	return n.mask != nil && n.mask[c>>6]&(1<<(c&63)) != 0
}

// setCategories sets the left categories and the lookup mask.
func (n *Node) setCategories(cats []float64) {
	n.Categories = cats
	n.mask = new([4]uint64)
	for _, c := range cats {
		if c >= 0 && c < 256 {
			n.mask[uint(c)>>6] |= 1 << (uint(c) & 63)
		}
	}
}

// Tree is a fitted decision tree: a table of nodes, root first.
type Tree struct {
	Nodes []Node
}

// leaf returns the index of the leaf x falls in.
func (t *Tree) leaf(x []float64) int {
	i := 0
	nodes := t.Nodes
	for {
		n := &nodes[i]
		if n.Feature < 0 {
			return i
		}
		if n.goLeft(x[n.Feature]) {
			i = n.Left
		} else {
			i = n.Right
		}
	}
}

// Predict returns the prediction of the leaf x falls in.
func (t *Tree) Predict(x []float64) float64 { return t.Nodes[t.leaf(x)].Prediction }

// NumNodes returns the number of nodes, leaves included.
func (t *Tree) NumNodes() int { return len(t.Nodes) }

// Depth returns the depth of the tree: 0 for a single leaf.
func (t *Tree) Depth() int {
	if len(t.Nodes) == 0 {
		return 0
	}
	var depth func(i int) int
	depth = func(i int) int {
		n := &t.Nodes[i]
		if n.Feature < 0 {
			return 0
		}
		return 1 + max(depth(n.Left), depth(n.Right))
	}
	return depth(0)
}

// importances adds the tree's impurity-gain importances (gain × node
// weight per split feature) to imp, normalized to sum to 1 when
// normalize is set (Spark's computeFeatureImportance).
func (t *Tree) importances(imp []float64, normalize bool) {
	local := make([]float64, len(imp))
	total := 0.0
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if n.Feature < 0 || n.Feature >= len(imp) {
			continue
		}
		v := n.Gain * n.Weight
		local[n.Feature] += v
		total += v
	}
	if normalize {
		if total == 0 {
			return
		}
		for j := range local {
			local[j] /= total
		}
	}
	for j, v := range local {
		imp[j] += v
	}
}

// featureImportances is Spark's TreeEnsembleModel.featureImportances:
// the (optionally per-tree normalized) sum of the trees' importances,
// normalized to sum to 1.
func featureImportances(trees []Tree, numFeatures int, perTreeNormalization bool) []float64 {
	imp := make([]float64, numFeatures)
	for i := range trees {
		trees[i].importances(imp, perTreeNormalization)
	}
	total := 0.0
	for _, v := range imp {
		total += v
	}
	if total != 0 {
		for j := range imp {
			imp[j] /= total
		}
	}
	return imp
}

// writeSubtree writes Spark's Node.subtreeToString layout: "If (…)" /
// "Else (…)" lines and "Predict: …" leaves, indented one space per level
// starting at indent.
func (t *Tree) writeSubtree(sb *strings.Builder, i, indent int) {
	n := &t.Nodes[i]
	pad := strings.Repeat(" ", indent)
	if n.Feature < 0 {
		sb.WriteString(pad + "Predict: " + javaDouble(n.Prediction) + "\n")
		return
	}
	sb.WriteString(pad + "If (" + splitString(n, true) + ")\n")
	t.writeSubtree(sb, n.Left, indent+1)
	sb.WriteString(pad + "Else (" + splitString(n, false) + ")\n")
	t.writeSubtree(sb, n.Right, indent+1)
}

func splitString(n *Node, left bool) string {
	f := "feature " + strconv.Itoa(n.Feature)
	if n.NumCategories < 0 {
		if left {
			return f + " <= " + javaDouble(n.Threshold)
		}
		return f + " > " + javaDouble(n.Threshold)
	}
	cats := make([]string, len(n.Categories))
	for i, c := range n.Categories {
		cats[i] = javaDouble(c)
	}
	set := "{" + strings.Join(cats, ",") + "}"
	if left {
		return f + " in " + set
	}
	return f + " not in " + set
}

// javaDouble formats v as Java's Double.toString does (Scala string
// interpolation of a Double): "1.0", "0.5", "1.0E-4", "1.2345678E7".
func javaDouble(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v == 0:
		if math.Signbit(v) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(v)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(v, 'E', -1, 64) // e.g. 1.5E-05, 1E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// validate checks a tree's structure (used after loading): children in
// range, no cycles, features in range.
func (t *Tree) validate(numFeatures int) error {
	if len(t.Nodes) == 0 {
		return fmt.Errorf("tree has no nodes")
	}
	seen := make([]bool, len(t.Nodes))
	stack := []int{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[i] {
			return fmt.Errorf("node %d is reached twice", i)
		}
		seen[i] = true
		n := &t.Nodes[i]
		if n.Feature < 0 {
			continue
		}
		if n.Feature >= numFeatures {
			return fmt.Errorf("node %d splits on feature %d of %d", i, n.Feature, numFeatures)
		}
		for _, c := range []int{n.Left, n.Right} {
			if c <= 0 || c >= len(t.Nodes) {
				return fmt.Errorf("node %d has child %d outside the %d nodes", i, c, len(t.Nodes))
			}
			stack = append(stack, c)
		}
	}
	if i := slices.Index(seen, false); i >= 0 {
		return fmt.Errorf("node %d is not reachable from the root", i)
	}
	return nil
}
