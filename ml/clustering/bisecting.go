package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// bkmDefaultSeed is Spark's default seed for BisectingKMeans: the Java
// hashCode of "org.apache.spark.ml.clustering.BisectingKMeans".
const bkmDefaultSeed = 566573821

// bkmLevelLimit is Spark's limit on the depth of the cluster tree
// (log2 of Long.MaxValue: node ids must fit a long).
const bkmLevelLimit = 63

// bkmEpsilon is Spark's MLUtils.EPSILON (the double machine epsilon): a
// cluster whose cost is at most EPSILON × size is not divided.
const bkmEpsilon = 2.220446049250313e-16

// BisectingKMeansParams are BisectingKMeans's params, with Spark 3.5's
// names and (from NewBisectingKMeans) defaults, plus Sluice's distanceCol.
type BisectingKMeansParams struct {
	FeaturesCol             string  `param:"featuresCol" doc:"vector column of features"`
	PredictionCol           string  `param:"predictionCol" doc:"column the cluster index (int) is written to"`
	K                       int     `param:"k" doc:"desired number of leaf clusters (>= 2); fewer when no cluster is divisible"`
	MaxIter                 int     `param:"maxIter" doc:"k-means iterations of each bisection (>= 1)"`
	Seed                    int     `param:"seed" doc:"random seed of the bisections"`
	MinDivisibleClusterSize float64 `param:"minDivisibleClusterSize" doc:"smallest cluster that is divided: a number of rows when >= 1, else a fraction of all rows (> 0)"`
	DistanceMeasure         string  `param:"distanceMeasure" doc:"euclidean or cosine"`
	WeightCol               string  `param:"weightCol" doc:"column of non-negative instance weights; empty gives every row weight 1"`
	DistanceCol             string  `param:"distanceCol" doc:"Sluice extension: column of each row's distance to its cluster's centre (euclidean, or cosine distance); empty to skip"`
}

// Validate checks each param's range, naming the param and the fix.
func (p BisectingKMeansParams) Validate() error {
	switch {
	case p.FeaturesCol == "":
		return errors.New("featuresCol is empty; name the vector column, e.g. features")
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the output column, e.g. prediction")
	case p.K < 2:
		return fmt.Errorf("k is %d; BisectingKMeans needs k >= 2 clusters (Spark's rule)", p.K)
	case p.MaxIter < 1:
		return fmt.Errorf("maxIter is %d; each bisection needs at least 1 iteration", p.MaxIter)
	case !(p.MinDivisibleClusterSize > 0) || math.IsInf(p.MinDivisibleClusterSize, 0):
		return fmt.Errorf("minDivisibleClusterSize is %v; use a number of rows >= 1 or a fraction in (0, 1)", p.MinDivisibleClusterSize)
	case p.DistanceCol != "" && p.DistanceCol == p.PredictionCol:
		return fmt.Errorf("distanceCol and predictionCol are both %q; give them different names", p.DistanceCol)
	}
	return kmCheckMeasure(p.DistanceMeasure)
}

// BisectingKMeans is Spark's BisectingKMeans, a divisive hierarchical
// k-means. All rows start in one cluster. Level by level, every
// divisible cluster of the level — at least minDivisibleClusterSize rows
// and a cost above machine epsilon per row; the largest ones when more
// are divisible than leaves are still needed — is split in two: its
// centre c becomes c ± 10⁻⁴‖c‖·u with u uniform random in [0, 1)^d
// (normalized for the cosine measure), and maxIter k-means iterations
// with those two centres run on its rows. It stops at k leaves, when no
// cluster is divisible, or at depth 63.
//
// The model keeps the tree: a row's cluster is found by descending from
// the root to the nearer child at every level (Spark's predict), which
// is not always the leaf with the nearest centre. Leaves are numbered in
// depth-first order, left child first. TrainingCost is the sum of the
// leaves' costs (weighted squared euclidean, or cosine, distances to
// their centres); NumIter is maxIter, as Spark's summary reports.
//
// Deviation: a centre of norm 0 (Spark would split it into two equal
// centres) is split with an offset of 10⁻⁴·u instead.
type BisectingKMeans struct {
	P BisectingKMeansParams
}

var _ ml.Estimator = (*BisectingKMeans)(nil)

// NewBisectingKMeans returns a BisectingKMeans with Spark's defaults: k
// 4, maxIter 20, minDivisibleClusterSize 1, distanceMeasure euclidean,
// seed the hash of Spark's class name; no distance column.
func NewBisectingKMeans() *BisectingKMeans {
	return &BisectingKMeans{P: BisectingKMeansParams{
		FeaturesCol: "features", PredictionCol: "prediction", K: 4, MaxIter: 20, Seed: bkmDefaultSeed,
		MinDivisibleClusterSize: 1, DistanceMeasure: kmEuclidean,
	}}
}

// StageName returns "BisectingKMeans".
func (b *BisectingKMeans) StageName() string { return "BisectingKMeans" }

// Params returns the params.
func (b *BisectingKMeans) Params() any { return &b.P }

// TransformSchema checks the params and the features and weight columns,
// and adds the prediction and distance columns.
func (b *BisectingKMeans) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := b.P.Validate(); err != nil {
		return nil, err
	}
	return kmSchema(in, b.P.FeaturesCol, b.P.PredictionCol, b.P.DistanceCol, b.P.WeightCol)
}

// bkmNode is one node of the cluster tree under construction.
type bkmNode struct {
	id       uint64 // Spark's index: root 1, children 2i and 2i+1
	size     int64
	wsum     float64
	center   []float64
	cost     float64
	children []int // positions in the node list, left first
}

// bkmAcc accumulates one child cluster's summary.
type bkmAcc struct {
	sum  []float64 // weighted sum (cosine: of unit rows)
	wsum float64
	sq   float64 // Σ w‖x‖² (euclidean)
	cnt  int64
}

func (a *bkmAcc) reset() {
	clear(a.sum)
	a.wsum, a.sq, a.cnt = 0, 0, 0
}

// Fit builds the cluster tree. Errors are as KMeans.Fit's.
func (b *BisectingKMeans) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := b.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	cosine := b.P.DistanceMeasure == kmCosine
	p, err := kmLoad(ctx, f, kmLoadOpts{featuresCol: b.P.FeaturesCol, weightCol: b.P.WeightCol, numFeatures: -1, cosine: cosine, fit: true})
	if err != nil {
		return nil, err
	}
	kf, err := newKMFit(ctx, p, cosine)
	if err != nil {
		return nil, err
	}
	if err := kf.checkWeights(b.P.WeightCol); err != nil {
		return nil, err
	}
	bt := &bkmTree{kf: kf, rowNode: make([]int32, p.n)}
	if err := bt.build(ctx, b.P); err != nil {
		return nil, err
	}
	m := bt.model(b.P)
	if m.ClusterSizes, err = m.sizes(ctx, p); err != nil {
		return nil, err
	}
	return m, nil
}

// bkmTree is the state of one BisectingKMeans fit.
type bkmTree struct {
	kf      *kmFit
	nodes   []bkmNode
	rowNode []int32 // each row's current (deepest) node
}

func (bt *bkmTree) build(ctx context.Context, P BisectingKMeansParams) error {
	p, d := bt.kf.p, bt.kf.p.d
	// The root's summary: every row.
	root := []bkmAcc{{sum: make([]float64, d)}}
	bt.nodes = []bkmNode{{id: 1}}
	if err := bt.summarize(ctx, []int{0}, nil, root); err != nil {
		return err
	}
	bt.nodes[0] = bt.node(1, &root[0])
	minSize := int64(math.Ceil(P.MinDivisibleClusterSize))
	if P.MinDivisibleClusterSize < 1 {
		minSize = int64(math.Ceil(P.MinDivisibleClusterSize * float64(p.n)))
	}
	rng := rand.New(rand.NewPCG(uint64(P.Seed), 0x626b6d65616e73)) // "bkmeans"
	active := []int{0}
	needed := P.K - 1
	for level := 1; len(active) > 0 && needed > 0 && level < bkmLevelLimit; level++ {
		var div []int
		for _, a := range active {
			if nd := &bt.nodes[a]; nd.size >= minSize && nd.cost > bkmEpsilon*float64(nd.size) {
				div = append(div, a)
			}
		}
		if len(div) > needed { // the largest ones
			slices.SortStableFunc(div, func(a, b int) int {
				if sa, sb := bt.nodes[a].size, bt.nodes[b].size; sa != sb {
					if sa > sb {
						return -1
					}
					return 1
				}
				return 0
			})
			div = div[:needed]
			slices.Sort(div)
		}
		if len(div) == 0 {
			break
		}
		// Split each centre; children 2j (left) and 2j+1 (right).
		centers := make([][]float64, 2*len(div))
		for j, a := range div {
			centers[2*j], centers[2*j+1] = bt.split(bt.nodes[a].center, rng)
		}
		accs := make([]bkmAcc, 2*len(div))
		for c := range accs {
			accs[c].sum = make([]float64, d)
		}
		for range P.MaxIter {
			if err := bt.summarize(ctx, div, centers, accs); err != nil {
				return err
			}
			still := true
			for c := range accs {
				var nc []float64
				if accs[c].cnt > 0 {
					nc = bt.center(&accs[c])
				} // else the child vanished
				if !slices.Equal(nc, centers[c]) || (nc == nil) != (centers[c] == nil) {
					still = false
				}
				centers[c] = nc
			}
			if still {
				break // the remaining iterations would repeat this one exactly
			}
		}
		// The final assignment uses the last centres; the children's
		// summaries are those of the last iteration (as Spark).
		var next []int
		childNode := make([]int, len(accs))
		for j, a := range div {
			for side := range 2 {
				c := 2*j + side
				childNode[c] = -1
				if centers[c] == nil {
					continue
				}
				childNode[c] = len(bt.nodes)
				bt.nodes[a].children = append(bt.nodes[a].children, len(bt.nodes))
				next = append(next, len(bt.nodes))
				bt.nodes = append(bt.nodes, bt.node(2*bt.nodes[a].id+uint64(side), &accs[c]))
			}
		}
		if err := bt.reassign(ctx, div, centers, childNode); err != nil {
			return err
		}
		active = next
		needed -= len(div)
	}
	return nil
}

// node makes a tree node from a child's summary.
func (bt *bkmTree) node(id uint64, a *bkmAcc) bkmNode {
	c := bt.center(a)
	return bkmNode{id: id, size: a.cnt, wsum: a.wsum, center: c, cost: bt.cost(a, c)}
}

// center is the weighted mean (cosine: the normalized mean of unit rows).
func (bt *bkmTree) center(a *bkmAcc) []float64 {
	c := make([]float64, len(a.sum))
	if a.wsum == 0 {
		return c
	}
	for t, v := range a.sum {
		c[t] = v / a.wsum
	}
	if bt.kf.cosine {
		if nn := math.Sqrt(kmDot(c, c)); nn > 0 {
			for t := range c {
				c[t] /= nn
			}
		}
	}
	return c
}

// cost is the cluster's weighted cost around centre c (Spark's
// clusterCost).
func (bt *bkmTree) cost(a *bkmAcc, c []float64) float64 {
	if bt.kf.cosine {
		return max(0, a.wsum-kmDot(c, a.sum))
	}
	return max(0, a.sq-a.wsum*kmDot(c, c))
}

// split returns Spark's two initial child centres of centre c.
func (bt *bkmTree) split(c []float64, rng *rand.Rand) (left, right []float64) {
	d := len(c)
	level := 1e-4 * math.Sqrt(kmDot(c, c))
	if level == 0 {
		level = 1e-4
	}
	left, right = make([]float64, d), make([]float64, d)
	for t := range d {
		u := rng.Float64()
		left[t] = c[t] - level*u
		right[t] = c[t] + level*u
	}
	if bt.kf.cosine {
		for _, v := range [][]float64{left, right} {
			if nn := math.Sqrt(kmDot(v, v)); nn > 0 {
				for t := range v {
					v[t] /= nn
				}
			}
		}
	}
	return left, right
}

// bkmPair decides between a node's two child centres with one dot
// product per row: for euclidean centres l and r, r is nearer when
// 2x·(r − l) > ‖r‖² − ‖l‖²; for unit (cosine) centres when x·(r − l) > 0.
// only is 0 or 1 when one child is left, -1 when both are.
type bkmPair struct {
	diff []float64 // r − l
	thr  float64
	only int
}

// pairs prepares the decisions for children centers[2j], centers[2j+1].
func (bt *bkmTree) pairs(centers [][]float64) []bkmPair {
	out := make([]bkmPair, len(centers)/2)
	for j := range out {
		l, r := centers[2*j], centers[2*j+1]
		switch {
		case r == nil:
			out[j].only = 0
		case l == nil:
			out[j].only = 1
		default:
			out[j].only = -1
			out[j].diff = make([]float64, len(l))
			for t := range l {
				out[j].diff[t] = r[t] - l[t]
			}
			if !bt.kf.cosine {
				out[j].thr = kmDot(r, r) - kmDot(l, l)
			}
		}
	}
	return out
}

// side returns 0 (left) or 1 (right): the nearer child of row i, ties to
// the left.
func (bt *bkmTree) side(i int, pr *bkmPair) int {
	if pr.only >= 0 {
		return pr.only
	}
	dot := bt.kf.p.dotWith(i, pr.diff)
	if !bt.kf.cosine {
		dot *= 2
	}
	if dot > pr.thr {
		return 1
	}
	return 0
}

// summarize accumulates the rows of the nodes in div (positions in
// bt.nodes, sorted) into accs: with centers nil, node j's rows into
// accs[j]; else each row into the nearer of its node's children
// (centers[2j], centers[2j+1]) at accs[2j+side].
func (bt *bkmTree) summarize(ctx context.Context, div []int, centers [][]float64, accs []bkmAcc) error {
	p := bt.kf.p
	slot := bt.slots(div)
	var prs []bkmPair
	if centers != nil {
		prs = bt.pairs(centers)
	}
	rs := kmSplit(p.n, len(accs)*(p.d+3))
	parts := make([][]bkmAcc, rs.nr)
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		part := make([]bkmAcc, len(accs))
		for c := range part {
			part[c].sum = make([]float64, p.d)
		}
		lo, hi := rs.bounds(r)
		for i := lo; i < hi; i++ {
			if (i-lo)%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			j := slot[bt.rowNode[i]]
			if j < 0 {
				continue
			}
			c := int(j)
			if centers != nil {
				c = 2*c + bt.side(i, &prs[c])
			}
			a := &part[c]
			w := p.weight(i)
			a.cnt++
			if w == 0 {
				continue
			}
			a.wsum += w
			if bt.kf.cosine {
				p.addTo(i, w*p.inv[i], a.sum)
			} else {
				p.addTo(i, w, a.sum)
				a.sq += w * bt.kf.xx[i]
			}
		}
		parts[r] = part
		return nil
	})
	if err != nil {
		return err
	}
	for c := range accs {
		accs[c].reset()
		for _, part := range parts {
			a := &part[c]
			accs[c].cnt += a.cnt
			accs[c].wsum += a.wsum
			accs[c].sq += a.sq
			for t, v := range a.sum {
				accs[c].sum[t] += v
			}
		}
	}
	return nil
}

// slots maps node positions to their index in div (-1 when absent).
func (bt *bkmTree) slots(div []int) []int32 {
	slot := make([]int32, len(bt.nodes))
	for i := range slot {
		slot[i] = -1
	}
	for j, a := range div {
		slot[a] = int32(j)
	}
	return slot
}

// reassign moves the rows of the divided nodes to their nearer child
// (node positions childNode[2j+side]).
func (bt *bkmTree) reassign(ctx context.Context, div []int, centers [][]float64, childNode []int) error {
	slot := bt.slots(div)
	prs := bt.pairs(centers)
	rs := bt.kf.rs
	return kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		lo, hi := rs.bounds(r)
		for i := lo; i < hi; i++ {
			if (i-lo)%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			j := slot[bt.rowNode[i]]
			if j < 0 {
				continue
			}
			bt.rowNode[i] = int32(childNode[2*int(j)+bt.side(i, &prs[j])])
		}
		return nil
	})
}

// model turns the tree into a BisectingKMeansModel: nodes in pre-order,
// leaves numbered left to right, internal nodes -1, -2, … (Spark).
func (bt *bkmTree) model(P BisectingKMeansParams) *BisectingKMeansModel {
	m := &BisectingKMeansModel{P: P, NumIter: P.MaxIter}
	leaf, internal := 0, -1
	var walk func(at, parent int) int
	walk = func(at, parent int) int {
		nd := &bt.nodes[at]
		pos := len(m.tree)
		m.tree = append(m.tree, bkmTreeNode{parent: parent, size: nd.size, center: nd.center, cost: nd.cost})
		if len(nd.children) == 0 {
			m.tree[pos].index = leaf
			leaf++
			m.Centers = append(m.Centers, nd.center)
			m.TrainingCost += nd.cost
			return pos
		}
		m.tree[pos].index = internal
		internal--
		var h float64
		for _, c := range nd.children {
			h = max(h, kmDistance(nd.center, bt.nodes[c].center, bt.kf.cosine))
		}
		m.tree[pos].height = h
		for _, c := range nd.children {
			m.tree[pos].children = append(m.tree[pos].children, walk(c, pos))
		}
		return pos
	}
	walk(0, -1)
	m.cacheNorms()
	return m
}
