package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// BisectingKMeansModel is a fitted BisectingKMeans: the cluster tree, its
// leaf centres and the training summary. Transform adds predictionCol
// (int32, the leaf reached by descending the tree) and, when distanceCol
// is set, the distance to that leaf's centre. A model is safe for
// concurrent use while its fields and params are not changed.
type BisectingKMeansModel struct {
	P BisectingKMeansParams
	// Centers are the leaf clusters' centres, by cluster index.
	Centers [][]float64
	// TrainingCost is the sum of the leaves' costs (Spark's
	// summary.trainingCost).
	TrainingCost float64
	// NumIter is maxIter (Spark's summary.numIter).
	NumIter int
	// ClusterSizes counts the training rows predicted in each cluster.
	ClusterSizes []int64

	tree []bkmTreeNode // pre-order; tree[0] is the root
}

// bkmTreeNode is one node of a fitted tree (Spark's ClusteringTreeNode).
type bkmTreeNode struct {
	index    int // leaf: cluster index >= 0; internal: -1, -2, …
	parent   int // position of the parent, -1 for the root
	size     int64
	center   []float64
	cost     float64
	height   float64 // largest distance from the centre to a child's
	children []int   // positions, left first
	n2       float64 // ‖center‖², cached for predict
}

var (
	_ ml.Model       = (*BisectingKMeansModel)(nil)
	_ ml.ModelFrames = (*BisectingKMeansModel)(nil)
	_ ml.Saver       = (*BisectingKMeansModel)(nil)
	_ ml.Loader      = (*BisectingKMeansModel)(nil)
)

// StageName returns "BisectingKMeansModel".
func (m *BisectingKMeansModel) StageName() string { return "BisectingKMeansModel" }

// Params returns the params.
func (m *BisectingKMeansModel) Params() any { return &m.P }

// ClusterCenters returns a copy of the leaf centres.
func (m *BisectingKMeansModel) ClusterCenters() [][]float64 {
	return kmCopyCenters(m.Centers)
}

// NumFeatures returns the size of the feature vectors the model takes.
func (m *BisectingKMeansModel) NumFeatures() int {
	return kmNumFeatures(m.Centers)
}

// TransformSchema checks the features column and adds the prediction and
// distance columns.
func (m *BisectingKMeansModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return kmModelSchema(in, m.P.FeaturesCol, m.P.PredictionCol, m.P.DistanceCol)
}

func (m *BisectingKMeansModel) check() error {
	if err := kmCheckMeasure(m.P.DistanceMeasure); err != nil {
		return err
	}
	if len(m.tree) == 0 {
		return errors.New("the model has no cluster tree; fit it first")
	}
	return kmCheckCenters(m.Centers)
}

// leaf descends the tree for row i of p and returns the leaf's position.
func (m *BisectingKMeansModel) leaf(p *kmData, i int) int {
	cosine := m.P.DistanceMeasure == kmCosine
	at := 0
	for len(m.tree[at].children) > 0 {
		best, bs := m.tree[at].children[0], math.Inf(1)
		for _, c := range m.tree[at].children {
			nd := &m.tree[c]
			var s float64
			if cosine {
				s = -p.dotWith(i, nd.center)
			} else {
				s = nd.n2 - 2*p.dotWith(i, nd.center)
			}
			if s < bs {
				best, bs = c, s
			}
		}
		at = best
	}
	return at
}

// Transform assigns every row of f to a leaf cluster, in parallel over
// row ranges. Errors are as KMeansModel.Transform's.
func (m *BisectingKMeansModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	cosine := m.P.DistanceMeasure == kmCosine
	return kmTransform(ctx, f, m.P.FeaturesCol, m.P.PredictionCol, m.P.DistanceCol, m.NumFeatures(), cosine,
		func(p *kmData, lo, hi int, _ *kmScratch, lab []int32, dist []float64) {
			for i := lo; i < hi; i++ {
				nd := &m.tree[m.leaf(p, i)]
				lab[i-lo] = int32(nd.index)
				if dist == nil {
					continue
				}
				if cosine {
					dist[i-lo] = min(2, max(0, 1-p.dotWith(i, nd.center)*p.inv[i]))
				} else {
					dist[i-lo] = math.Sqrt(p.sqDistTo(i, nd.center, nd.n2))
				}
			}
		})
}

// cacheNorms fills the nodes' ‖center‖²; fitting and loading call it
// once, before the model is shared.
func (m *BisectingKMeansModel) cacheNorms() {
	for i := range m.tree {
		m.tree[i].n2 = kmDot(m.tree[i].center, m.tree[i].center)
	}
}

// sizes counts the rows of p predicted in each cluster.
func (m *BisectingKMeansModel) sizes(ctx context.Context, p *kmData) ([]int64, error) {
	rs := kmSplit(p.n, 0)
	parts := make([][]int64, rs.nr)
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		cnt := make([]int64, len(m.Centers))
		lo, hi := rs.bounds(r)
		for i := lo; i < hi; i++ {
			if (i-lo)%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			cnt[m.tree[m.leaf(p, i)].index]++
		}
		parts[r] = cnt
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(m.Centers))
	for _, cnt := range parts {
		for j, c := range cnt {
			out[j] += c
		}
	}
	return out, nil
}

// Predict returns the cluster of one feature vector and its distance to
// the cluster's centre.
func (m *BisectingKMeansModel) Predict(v ml.Vector) (cluster int, distance float64, err error) {
	if err := m.check(); err != nil {
		return 0, 0, err
	}
	cosine := m.P.DistanceMeasure == kmCosine
	x, err := kmVectorValues(v, m.NumFeatures(), cosine)
	if err != nil {
		return 0, 0, err
	}
	p := &kmData{n: 1, d: len(x), x: x, inv: []float64{1}}
	nd := &m.tree[m.leaf(p, 0)]
	return nd.index, kmDistance(x, nd.center, cosine), nil
}

// FrameNames returns "clusterCenters".
func (m *BisectingKMeansModel) FrameNames() []string { return []string{"clusterCenters"} }

// ModelFrame returns clusterCenters: one row per leaf cluster with
// columns cluster (int32), center (vector) and size (int64).
func (m *BisectingKMeansModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if name != "clusterCenters" {
		return nil, fmt.Errorf("BisectingKMeansModel has no frame %q; it has %s", name, strings.Join(m.FrameNames(), ", "))
	}
	return kmCentersFrame(m.Centers, m.ClusterSizes)
}

// DebugString describes the model: summary, tree and leaf centres.
func (m *BisectingKMeansModel) DebugString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "BisectingKMeansModel: %d clusters (k=%d), distanceMeasure=%s, numFeatures=%d\n", len(m.Centers), m.P.K, m.P.DistanceMeasure, m.NumFeatures())
	fmt.Fprintf(&b, "trainingCost=%.6g numIter=%d\ntree:\n", m.TrainingCost, m.NumIter)
	var walk func(at, depth int)
	walk = func(at, depth int) {
		nd := &m.tree[at]
		indent := strings.Repeat("  ", depth+1)
		if len(nd.children) == 0 {
			fmt.Fprintf(&b, "%scluster %d: %d rows, cost %.6g\n", indent, nd.index, nd.size, nd.cost)
			return
		}
		fmt.Fprintf(&b, "%snode %d: %d rows, cost %.6g, height %.6g\n", indent, nd.index, nd.size, nd.cost, nd.height)
		for _, c := range nd.children {
			walk(c, depth+1)
		}
	}
	if len(m.tree) > 0 {
		walk(0, 0)
	}
	b.WriteString("centres:\n")
	kmWriteCenters(&b, m.Centers, m.ClusterSizes)
	return b.String()
}

// bkmSummary is the small state persisted as JSON.
type bkmSummary struct {
	TrainingCost float64 `json:"trainingCost"`
	NumIter      int     `json:"numIter"`
	ClusterSizes []int64 `json:"clusterSizes"`
}

// SaveData writes the tree (one row per node, pre-order) and the summary.
func (m *BisectingKMeansModel) SaveData(w *ml.DataWriter) error {
	if err := m.check(); err != nil {
		return err
	}
	n := len(m.tree)
	idx, parent := make([]int, n), make([]int, n)
	size := make([]int64, n)
	cost, height := make([]float64, n), make([]float64, n)
	centers := make([][]float64, n)
	for i, nd := range m.tree {
		idx[i], parent[i], size[i], cost[i], height[i], centers[i] = nd.index, nd.parent, nd.size, nd.cost, nd.height, nd.center
	}
	cols := new(ml.Columns).AddInt("index", idx).AddInt("parent", parent).AddInt64("size", size).
		AddFloat64("cost", cost).AddFloat64("height", height).AddFloat64s("center", centers)
	if err := w.WriteColumns("tree", cols); err != nil {
		return err
	}
	return w.WriteJSON("summary", bkmSummary{TrainingCost: m.TrainingCost, NumIter: m.NumIter, ClusterSizes: m.ClusterSizes})
}

// LoadData reads what SaveData wrote and checks the tree's shape.
func (m *BisectingKMeansModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("tree")
	if err != nil {
		return err
	}
	idx, err := c.Int("index")
	if err != nil {
		return err
	}
	parent, err := c.Int("parent")
	if err != nil {
		return err
	}
	size, err := c.Int64("size")
	if err != nil {
		return err
	}
	cost, err := c.Float64("cost")
	if err != nil {
		return err
	}
	height, err := c.Float64("height")
	if err != nil {
		return err
	}
	centers, err := c.Float64s("center")
	if err != nil {
		return err
	}
	corrupt := func(format string, a ...any) error {
		return fmt.Errorf("data/tree.arrow: "+format+"; the model directory is corrupt, re-save it", a...)
	}
	n := len(idx)
	if n == 0 || parent[0] != -1 {
		return corrupt("no root node")
	}
	m.tree = make([]bkmTreeNode, n)
	for i := range n {
		m.tree[i] = bkmTreeNode{index: idx[i], parent: parent[i], size: size[i], cost: cost[i], height: height[i], center: centers[i]}
		if i > 0 {
			if parent[i] < 0 || parent[i] >= i {
				return corrupt("node %d has parent %d", i, parent[i])
			}
			m.tree[parent[i]].children = append(m.tree[parent[i]].children, i)
		}
	}
	var leaves []int
	for i, nd := range m.tree {
		if len(nd.children) == 0 {
			leaves = append(leaves, i)
		}
	}
	m.Centers = make([][]float64, len(leaves))
	for _, i := range leaves {
		j := m.tree[i].index
		if j < 0 || j >= len(leaves) || m.Centers[j] != nil {
			return corrupt("leaf %d has cluster index %d", i, j)
		}
		m.Centers[j] = m.tree[i].center
	}
	if err := kmCheckCenters(m.Centers); err != nil {
		return corrupt("%v", err)
	}
	for i, nd := range m.tree {
		if len(nd.center) != len(m.Centers[0]) {
			return corrupt("node %d has %d values, the leaves %d", i, len(nd.center), len(m.Centers[0]))
		}
	}
	var s bkmSummary
	if err := r.ReadJSON("summary", &s); err != nil {
		return err
	}
	m.TrainingCost, m.NumIter, m.ClusterSizes = s.TrainingCost, s.NumIter, s.ClusterSizes
	m.cacheNorms()
	return nil
}
