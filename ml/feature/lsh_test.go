package feature_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// lshHashes reads the array<double> hash column; NULL reads as nil.
func lshHashes(t testing.TB, f *ml.Frame, col string) [][]float64 {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, ch := range c.Chunks() {
		l := ch.(*array.List)
		vals := l.ListValues().(*array.Float64)
		for i := 0; i < l.Len(); i++ {
			if l.IsNull(i) {
				out = append(out, nil)
				continue
			}
			lo, hi := l.ValueOffsets(i)
			out = append(out, slices.Clone(vals.Float64Values()[lo:hi]))
		}
	}
	return out
}

func lshIDs(t testing.TB, f *ml.Frame, col string) []int64 {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, ch := range c.Chunks() {
		out = append(out, ch.(*array.Int64).Int64Values()...)
	}
	return out
}

func lshFloats(t testing.TB, f *ml.Frame, col string) []float64 {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, ch := range c.Chunks() {
		out = append(out, ch.(*array.Float64).Float64Values()...)
	}
	return out
}

func TestMinHashLSHHandComputed(t *testing.T) {
	ctx := context.Background()
	f := mkFrame(t, icol("id", []int64{0, 1, 2, 3}),
		vcol("features", ml.Sparse(6, []int32{3, 5}, []float64{1, 1}), ml.Dense(0, 2, 0, 0, 0, -1), null, ml.Sparse(6, []int32{0, 4}, []float64{0, 7})))
	m := &feature.MinHashLSHModel{P: feature.MinHashLSHParams{InputCol: "features", OutputCol: "hashes", NumHashTables: 2}, RandCoefficients: [][2]int{{1, 0}, {2, 3}}}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	// {3, 5}: min(1+i) = 4; min(2(1+i)+3) = 11. {1, 5}: 2; 7. NULL stays
	// NULL. {4} (index 0 holds an explicit zero): 5; 13.
	want := [][]float64{{4, 11}, {2, 7}, nil, {5, 13}}
	if got := lshHashes(t, out, "hashes"); !reflect.DeepEqual(got, want) {
		t.Errorf("hashes = %v, want %v", got, want)
	}
	// A large coefficient wraps modulo the prime: (1+5)·2038074742 + 0 ≡
	// -6 ≡ 2038074737.
	m.RandCoefficients = [][2]int{{2038074742, 0}, {1, 0}}
	out, err = m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := lshHashes(t, out, "hashes")[0][0]; got != 2038074737 {
		t.Errorf("wrapped hash = %v, want 2038074737", got)
	}
	// An all-zero vector cannot be hashed.
	zero := mkFrame(t, vcol("features", ml.Sparse(6, []int32{1}, []float64{1}), ml.Dense(0, 0, 0, 0, 0, 0)))
	if _, err := m.Transform(ctx, zero); err == nil || !strings.Contains(err.Error(), "column features, row 2: MinHashLSH needs at least 1 non-zero entry") {
		t.Errorf("all-zero vector: %v", err)
	}
}

func TestMinHashLSHJaccardAndJoin(t *testing.T) {
	ctx := context.Background()
	// Spark's MinHashLSH example sets over 6 elements.
	sp := func(idx ...int32) ml.Vector { return ml.Sparse(6, idx, []float64{1, 1, 1}) }
	dfA := mkFrame(t, icol("id", []int64{0, 1, 2}), vcol("features", sp(0, 1, 2), sp(2, 3, 4), sp(0, 2, 4)))
	dfB := mkFrame(t, icol("id", []int64{3, 4, 5}), vcol("features", sp(1, 3, 5), sp(2, 3, 5), sp(1, 2, 4)))
	mh := feature.NewMinHashLSH()
	mh.P.InputCol, mh.P.OutputCol, mh.P.NumHashTables = "features", "hashes", 60
	model, err := mh.Fit(ctx, dfA)
	if err != nil {
		t.Fatal(err)
	}
	m := model.(*feature.MinHashLSHModel)
	// Jaccard distances by hand: |A∩B| / |A∪B|.
	jd := map[[2]int64]float64{
		{0, 3}: 1 - 1.0/5, {0, 4}: 1 - 1.0/5, {0, 5}: 1 - 2.0/4,
		{1, 3}: 1 - 1.0/5, {1, 4}: 1 - 2.0/4, {1, 5}: 1 - 2.0/4,
		{2, 3}: 1 - 0.0/6, {2, 4}: 1 - 1.0/5, {2, 5}: 1 - 2.0/4,
	}
	joined, err := m.ApproxSimilarityJoin(ctx, dfA, dfB, 0.6, "JaccardDistance")
	if err != nil {
		t.Fatal(err)
	}
	if got := ml.ColumnNames(joined.Schema()); !reflect.DeepEqual(got, []string{"datasetA", "datasetB", "JaccardDistance"}) {
		t.Fatalf("columns %v", got)
	}
	sa, _ := joined.Column("datasetA")
	sb, _ := joined.Column("datasetB")
	dist := lshFloats(t, joined, "JaccardDistance")
	var got [][2]int64
	for i := range dist {
		ia := sa.Chunk(0).(*array.Struct).Field(0).(*array.Int64).Value(i)
		ib := sb.Chunk(0).(*array.Struct).Field(0).(*array.Int64).Value(i)
		got = append(got, [2]int64{ia, ib})
		if math.Abs(dist[i]-jd[[2]int64{ia, ib}]) > 1e-12 {
			t.Errorf("pair %d-%d: distance %v, want %v", ia, ib, dist[i], jd[[2]int64{ia, ib}])
		}
	}
	// Pairs below 0.6 (strictly): (0,5) (1,4) (1,5) (2,5), all 0.5.
	if want := [][2]int64{{0, 5}, {1, 4}, {1, 5}, {2, 5}}; !reflect.DeepEqual(got, want) {
		t.Errorf("joined pairs %v, want %v", got, want)
	}
	// The struct holds the whole row, hashes included.
	if st := sa.DataType().String(); !strings.Contains(st, "id: int64") || !strings.Contains(st, "features:") || !strings.Contains(st, "hashes: list<item: float64") {
		t.Errorf("datasetA type %s", st)
	}

	// Nearest neighbors of key {1, 3}: B3 {1,3,5} at 1 - 2/3, B4 {2,3,5} at
	// 3/4, B5 {1,2,4} at 3/4.
	key := ml.Sparse(6, []int32{1, 3}, []float64{1, 1})
	nn, err := m.ApproxNearestNeighbors(ctx, dfB, key, 2, "distCol")
	if err != nil {
		t.Fatal(err)
	}
	if ids, d := lshIDs(t, nn, "id"), lshFloats(t, nn, "distCol"); !reflect.DeepEqual(ids, []int64{3, 4}) || math.Abs(d[0]-1.0/3) > 1e-12 || math.Abs(d[1]-0.75) > 1e-12 {
		t.Errorf("nearest ids %v distances %v, want [3 4] [1/3 0.75]", ids, d)
	}
	if got := ml.ColumnNames(nn.Schema()); !reflect.DeepEqual(got, []string{"id", "features", "hashes", "distCol"}) {
		t.Errorf("nearest columns %v", got)
	}
	// An all-zero key is refused.
	if _, err := m.ApproxNearestNeighbors(ctx, dfB, ml.Sparse(6, nil, nil), 2, "distCol"); err == nil || !strings.Contains(err.Error(), "key: MinHashLSH needs at least 1 non-zero entry") {
		t.Errorf("zero key: %v", err)
	}
}

func TestBucketedRandomProjectionLSHHandComputed(t *testing.T) {
	ctx := context.Background()
	m := &feature.BucketedRandomProjectionLSHModel{
		P:               feature.BucketedRandomProjectionLSHParams{InputCol: "v", OutputCol: "h", NumHashTables: 2, BucketLength: 2},
		RandUnitVectors: [][]float64{{1, 0}, {0.6, 0.8}},
	}
	f := mkFrame(t, icol("id", []int64{1, 2, 3, 4}), vcol("v", ml.Dense(3, 4), ml.Dense(-1, 0), ml.Sparse(2, []int32{1}, []float64{2.5}), null))
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	// (3,4): floor(3/2) = 1, floor(5/2) = 2. (-1,0): floor(-0.5) = -1,
	// floor(-0.3) = -1. (0,2.5): 0, floor(2/2) = 1.
	if got, want := lshHashes(t, out, "h"), [][]float64{{1, 2}, {-1, -1}, {0, 1}, nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("hashes = %v, want %v", got, want)
	}
	// Nearest to (0.5, 2): shares bucket 0 of table 0 with (0, 2.5) only
	// (table 1: floor(1.9/2) = 0 matches no row), at distance √(0.25+0.25).
	nn, err := m.ApproxNearestNeighbors(ctx, f, ml.Dense(0.5, 2), 3, "distCol")
	if err != nil {
		t.Fatal(err)
	}
	if ids, d := lshIDs(t, nn, "id"), lshFloats(t, nn, "distCol"); !reflect.DeepEqual(ids, []int64{3}) || math.Abs(d[0]-math.Sqrt(0.5)) > 1e-12 {
		t.Errorf("nearest ids %v dist %v, want [3] [√0.5] (fewer than numNearest: one candidate)", ids, d)
	}
	// A transformed frame's hashes are used as they are.
	nn2, err := m.ApproxNearestNeighbors(ctx, out, ml.Dense(0.5, 2), 3, "distCol")
	if err != nil {
		t.Fatal(err)
	}
	if ids := lshIDs(t, nn2, "id"); !reflect.DeepEqual(ids, []int64{3}) {
		t.Errorf("nearest on a transformed frame: ids %v", ids)
	}
	// Wrong dimensions and NaN name the row.
	bad := mkFrame(t, vcol("v", ml.Dense(1, 2), ml.Dense(1, 2, 3)))
	if _, err := m.Transform(ctx, bad); err == nil || !strings.Contains(err.Error(), "column v, row 2: vector of size 3, the model was fitted on size 2") {
		t.Errorf("size mismatch: %v", err)
	}
	nan := mkFrame(t, vcol("v", ml.Dense(math.NaN(), 2)))
	if _, err := m.Transform(ctx, nan); err == nil || !strings.Contains(err.Error(), "column v, row 1: vector has NaN") {
		t.Errorf("NaN: %v", err)
	}
	if _, err := m.ApproxNearestNeighbors(ctx, f, ml.Dense(1, 2, 3), 1, "d"); err == nil || !strings.Contains(err.Error(), "key: vector of size 3") {
		t.Errorf("key size: %v", err)
	}
	if _, err := m.ApproxNearestNeighbors(ctx, f, ml.Dense(1, 2), 0, "d"); err == nil || !strings.Contains(err.Error(), "numNearest is 0") {
		t.Errorf("numNearest 0: %v", err)
	}
	if _, err := m.ApproxNearestNeighbors(ctx, f, ml.Dense(1, 2), 1, "id"); err == nil || !strings.Contains(err.Error(), `distCol "id" is already a column`) {
		t.Errorf("distCol clash: %v", err)
	}
	if _, err := m.ApproxSimilarityJoin(ctx, f, f, math.NaN(), "d"); err == nil || !strings.Contains(err.Error(), "threshold is NaN") {
		t.Errorf("NaN threshold: %v", err)
	}
}

// randomPoints draws n points in d dimensions around a few centres.
func randomPoints(n, d int, seed int64) []ml.Vector {
	rng := ml.NewRand(seed)
	centres := make([][]float64, 4)
	for c := range centres {
		centres[c] = make([]float64, d)
		for j := range centres[c] {
			centres[c][j] = 6 * rng.NormFloat64()
		}
	}
	out := make([]ml.Vector, n)
	for i := range out {
		c := centres[rng.IntN(len(centres))]
		v := make([]float64, d)
		for j := range v {
			v[j] = c[j] + rng.NormFloat64()
		}
		out[i] = ml.Dense(v...)
	}
	return out
}

func euclid(a, b ml.Vector) float64 {
	s := 0.0
	for i := range a.Values {
		d := a.Values[i] - b.Values[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// With many hash tables and buckets wider than the distances asked
// about, the approximate answers equal brute force.
func TestBucketedRandomProjectionLSHMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	pts := randomPoints(150, 5, 1)
	ids := make([]int64, len(pts))
	for i := range ids {
		ids[i] = int64(i)
	}
	f := mkFrame(t, icol("id", ids), vcol("features", pts...))
	brp := feature.NewBucketedRandomProjectionLSH()
	brp.P.InputCol, brp.P.OutputCol, brp.P.BucketLength, brp.P.NumHashTables = "features", "hashes", 4, 30
	model, err := brp.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	m := model.(*feature.BucketedRandomProjectionLSHModel)
	for _, u := range m.RandUnitVectors {
		norm := 0.0
		for _, x := range u {
			norm += x * x
		}
		if math.Abs(norm-1) > 1e-12 {
			t.Fatalf("random vector norm² %v, want 1", norm)
		}
	}
	// Nearest neighbors of a few keys.
	for _, k := range []int{0, 17, 99} {
		key := pts[k]
		nn, err := m.ApproxNearestNeighbors(ctx, f, key, 5, "distCol")
		if err != nil {
			t.Fatal(err)
		}
		order := make([]int, len(pts))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return euclid(pts[order[a]], key) < euclid(pts[order[b]], key) })
		want := make([]int64, 5)
		for i := range want {
			want[i] = int64(order[i])
		}
		if got := lshIDs(t, nn, "id"); !reflect.DeepEqual(got, want) {
			t.Errorf("key %d: nearest %v, brute force %v", k, got, want)
		}
		d := lshFloats(t, nn, "distCol")
		for i, id := range want {
			if math.Abs(d[i]-euclid(pts[id], key)) > 1e-12 {
				t.Errorf("key %d: distance %v, want %v", k, d[i], euclid(pts[id], key))
			}
		}
	}
	// Similarity join of the first 60 points with the rest.
	fa, _ := f.Take(ctx, seq(0, 60))
	fb, _ := f.Take(ctx, seq(60, 150))
	const threshold = 1.5
	joined, err := m.ApproxSimilarityJoin(ctx, fa, fb, threshold, "EuclideanDistance")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 60; i++ {
		for j := 60; j < 150; j++ {
			if euclid(pts[i], pts[j]) < threshold {
				want = append(want, fmt.Sprintf("%d-%d", i, j))
			}
		}
	}
	sa, _ := joined.Column("datasetA")
	sb, _ := joined.Column("datasetB")
	dist := lshFloats(t, joined, "EuclideanDistance")
	var got []string
	for i := range dist {
		ia := sa.Chunk(0).(*array.Struct).Field(0).(*array.Int64).Value(i)
		ib := sb.Chunk(0).(*array.Struct).Field(0).(*array.Int64).Value(i)
		got = append(got, fmt.Sprintf("%d-%d", ia, ib))
		if math.Abs(dist[i]-euclid(pts[ia], pts[ib])) > 1e-12 {
			t.Errorf("pair %d-%d: distance %v", ia, ib, dist[i])
		}
	}
	if len(want) < 20 {
		t.Fatalf("only %d pairs below the threshold: the test data is too sparse", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("join: %d pairs, brute force %d\n got %v\nwant %v", len(got), len(want), got, want)
	}
}

func seq(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestMinHashLSHJoinMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	rng := ml.NewRand(4)
	var vs []ml.Vector
	var sets [][]int32
	base := [][]int32{{0, 1, 2, 3, 4, 5}, {10, 11, 12, 13, 14}, {20, 21, 22, 23, 24, 25, 26}}
	for range 80 {
		b := base[rng.IntN(len(base))]
		var s []int32
		for _, x := range b {
			if rng.Float64() < 0.8 {
				s = append(s, x)
			}
		}
		if rng.Float64() < 0.5 {
			s = append(s, int32(30+rng.IntN(10)))
		}
		if len(s) == 0 {
			s = []int32{b[0]}
		}
		vals := make([]float64, len(s))
		for i := range vals {
			vals[i] = 1
		}
		sets = append(sets, s)
		vs = append(vs, ml.Sparse(40, s, vals))
	}
	ids := make([]int64, len(vs))
	for i := range ids {
		ids[i] = int64(i)
	}
	f := mkFrame(t, icol("id", ids), vcol("features", vs...))
	mh := feature.NewMinHashLSH()
	mh.P.InputCol, mh.P.OutputCol, mh.P.NumHashTables = "features", "hashes", 40
	model, err := mh.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	joined, err := model.(*feature.MinHashLSHModel).ApproxSimilarityJoin(ctx, f, f, 0.5, "d")
	if err != nil {
		t.Fatal(err)
	}
	jac := func(a, b []int32) float64 {
		inter := 0
		for _, x := range a {
			if slices.Contains(b, x) {
				inter++
			}
		}
		return 1 - float64(inter)/float64(len(a)+len(b)-inter)
	}
	want := 0
	for i := range sets {
		for j := range sets {
			if jac(sets[i], sets[j]) < 0.5 {
				want++
			}
		}
	}
	if n := int(joined.NumRows()); n != want {
		t.Errorf("self join: %d pairs, brute force %d", n, want)
	}
}

func TestLSHParamsAndPersistence(t *testing.T) {
	ctx := context.Background()
	f := mkFrame(t, icol("id", []int64{1, 2}), vcol("features", ml.Dense(1, 0, 1), ml.Dense(0, 1, 1)))
	tests := []struct {
		name string
		e    ml.Estimator
		want string
	}{
		{"bucketLength unset", &feature.BucketedRandomProjectionLSH{P: feature.BucketedRandomProjectionLSHParams{InputCol: "features", OutputCol: "h", NumHashTables: 1}}, "bucketLength is 0"},
		{"bucketLength negative", &feature.BucketedRandomProjectionLSH{P: feature.BucketedRandomProjectionLSHParams{InputCol: "features", OutputCol: "h", NumHashTables: 1, BucketLength: -1}}, "bucketLength is -1"},
		{"brp numHashTables", &feature.BucketedRandomProjectionLSH{P: feature.BucketedRandomProjectionLSHParams{InputCol: "features", OutputCol: "h", BucketLength: 1}}, "numHashTables is 0"},
		{"minhash numHashTables", &feature.MinHashLSH{P: feature.MinHashLSHParams{InputCol: "features", OutputCol: "h"}}, "numHashTables is 0"},
		{"no inputCol", feature.NewMinHashLSH(), "set inputCol and outputCol"},
		{"output exists", &feature.MinHashLSH{P: feature.MinHashLSHParams{InputCol: "features", OutputCol: "id", NumHashTables: 1}}, `output column "id" already exists`},
		{"not a vector", &feature.MinHashLSH{P: feature.MinHashLSHParams{InputCol: "id", OutputCol: "h", NumHashTables: 1}}, `inputCol "id" has type int64; want a vector column`},
		{"no rows", &feature.MinHashLSH{P: feature.MinHashLSHParams{InputCol: "features", OutputCol: "h", NumHashTables: 1}}, "has no vectors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f
			if tt.name == "no rows" {
				in = mkFrame(t, vcol("features", null))
			}
			if _, err := tt.e.Fit(ctx, in); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Fit error %v, want %q", err, tt.want)
			}
		})
	}
	// Default seeds are Spark's (Java hash codes of the class names), so
	// the same defaults draw the same functions every time.
	if p := feature.NewMinHashLSH().P; p.NumHashTables != 1 || p.Seed == 0 {
		t.Errorf("MinHashLSH defaults %+v", p)
	}
	brp := feature.NewBucketedRandomProjectionLSH()
	brp.P.InputCol, brp.P.OutputCol, brp.P.BucketLength, brp.P.NumHashTables = "features", "h", 1.5, 3
	mh := feature.NewMinHashLSH()
	mh.P.InputCol, mh.P.OutputCol, mh.P.NumHashTables = "features", "h", 3
	for _, e := range []ml.Estimator{brp, mh} {
		m, err := e.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		m2, _ := e.Fit(ctx, f)
		if !reflect.DeepEqual(m, m2) {
			t.Errorf("%s: two fits with one seed differ", e.StageName())
		}
		dir := filepath.Join(t.TempDir(), "m")
		if err := ml.Save(dir, m); err != nil {
			t.Fatal(err)
		}
		loaded, err := ml.Load(dir, registry())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(loaded, m) {
			t.Errorf("%s: loaded %+v, saved %+v", e.StageName(), loaded, m)
		}
		a, _ := m.Transform(ctx, f)
		b, err := loaded.(ml.Transformer).Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(lshHashes(t, a, "h"), lshHashes(t, b, "h")) {
			t.Errorf("%s: hashes differ after load", e.StageName())
		}
		if ds := m.(interface{ DebugString() string }).DebugString(); !strings.Contains(ds, "3 hash table(s)") {
			t.Errorf("DebugString %q", ds)
		}
	}
}

func ExampleBucketedRandomProjectionLSHModel_ApproxNearestNeighbors() {
	ctx := context.Background()
	points := ml.VectorsColumn([]ml.Vector{ml.Dense(1, 1), ml.Dense(1, -1), ml.Dense(-1, -1), ml.Dense(-1, 1), ml.Dense(5, 5)})
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType}}, nil), []*arrow.Chunked{points})

	brp := feature.NewBucketedRandomProjectionLSH()
	brp.P.InputCol, brp.P.OutputCol = "features", "hashes"
	brp.P.BucketLength, brp.P.NumHashTables = 2, 3
	model, err := brp.Fit(ctx, f)
	if err != nil {
		panic(err)
	}
	m := model.(*feature.BucketedRandomProjectionLSHModel)
	nn, err := m.ApproxNearestNeighbors(ctx, f, ml.Dense(1, 0), 2, "distCol")
	if err != nil {
		panic(err)
	}
	d, _ := nn.Column("distCol")
	fmt.Println(d.Chunk(0))
	// Output:
	// [1 1]
}

func ExampleMinHashLSHModel_ApproxSimilarityJoin() {
	ctx := context.Background()
	// Sets as binary sparse vectors (Spark's MinHashLSH example).
	set := func(idx ...int32) ml.Vector { return ml.Sparse(6, idx, []float64{1, 1, 1}) }
	frame := func(ids []int64, sets ...ml.Vector) *ml.Frame {
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		ib.AppendValues(ids, nil)
		id := ib.NewArray()
		f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "features", Type: ml.VectorType}}, nil),
			[]*arrow.Chunked{arrow.NewChunked(id.DataType(), []arrow.Array{id}), ml.VectorsColumn(sets)})
		return f
	}
	dfA := frame([]int64{0, 1, 2}, set(0, 1, 2), set(2, 3, 4), set(0, 2, 4))
	dfB := frame([]int64{3, 4, 5}, set(1, 3, 5), set(2, 3, 5), set(1, 2, 4))

	mh := feature.NewMinHashLSH()
	mh.P.InputCol, mh.P.OutputCol, mh.P.NumHashTables = "features", "hashes", 20
	model, err := mh.Fit(ctx, dfA)
	if err != nil {
		panic(err)
	}
	joined, err := model.(*feature.MinHashLSHModel).ApproxSimilarityJoin(ctx, dfA, dfB, 0.6, "JaccardDistance")
	if err != nil {
		panic(err)
	}
	a, _ := joined.Column("datasetA")
	b, _ := joined.Column("datasetB")
	d, _ := joined.Column("JaccardDistance")
	for i := 0; i < int(joined.NumRows()); i++ {
		fmt.Println(a.Chunk(0).(*array.Struct).Field(0).(*array.Int64).Value(i),
			b.Chunk(0).(*array.Struct).Field(0).(*array.Int64).Value(i),
			d.Chunk(0).(*array.Float64).Value(i))
	}
	// Output:
	// 0 5 0.5
	// 1 4 0.5
	// 1 5 0.5
	// 2 5 0.5
}
