package recommendation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// factorTable is one side of a fitted model: sorted distinct ids, their
// factors (len(ids)×rank, row-major) and, with biasMode user+item, their
// biases.
type factorTable struct {
	ids  []int32
	x    []float32
	bias []float32
	idx  idIndex
}

// ALSModel is a fitted ALS model (Spark's ALSModel): user and item
// factors, and with Sluice's biasMode the global mean and per-user and
// per-item biases. The predicted rating of user u for item i is
//
//	globalMean + userBias[u] + itemBias[i] + Σ_f userFactors[u][f]·itemFactors[i][f]
//
// (the dot product summed left to right in float32 as Spark's predict;
// globalMean and the biases are 0 for biasMode none). A model is safe for
// concurrent use while its params are not changed.
type ALSModel struct {
	P ALSModelParams

	rank       int
	implicit   bool
	biasMode   string
	globalMean float64
	users      factorTable
	items      factorTable
	numRatings int64
	trainRMSE  float64
}

var (
	_ ml.Model       = (*ALSModel)(nil)
	_ ml.ModelFrames = (*ALSModel)(nil)
)

// StageName returns "ALSModel".
func (m *ALSModel) StageName() string { return "ALSModel" }

// Params returns the params.
func (m *ALSModel) Params() any { return &m.P }

// Rank returns the number of latent factors.
func (m *ALSModel) Rank() int { return m.rank }

// NumUsers and NumItems return the number of users and items with factors.
func (m *ALSModel) NumUsers() int { return len(m.users.ids) }

// NumItems returns the number of items with factors.
func (m *ALSModel) NumItems() int { return len(m.items.ids) }

// BiasMode returns the biasMode the model was fitted with.
func (m *ALSModel) BiasMode() string { return m.biasMode }

// GlobalMean returns the global mean of the ratings (biasMode global and
// user+item; 0 for none).
func (m *ALSModel) GlobalMean() float64 { return m.globalMean }

// TrainingRMSE returns the root mean squared error on the training
// ratings (explicit ratings; NaN for implicit feedback).
func (m *ALSModel) TrainingRMSE() float64 { return m.trainRMSE }

func (m *ALSModel) index() {
	m.users.idx = newIDIndex(m.users.ids)
	m.items.idx = newIDIndex(m.items.ids)
}

func (t *factorTable) row(i int32, k int) []float32 {
	return t.x[int(i)*k : (int(i)+1)*k : (int(i)+1)*k]
}

// score is the prediction for dense user index u and item index i.
func (m *ALSModel) score(u, i int32) float64 {
	return m.finish(dot32(m.users.row(u, m.rank), m.items.row(i, m.rank)), u, i)
}

// finish adds the global mean and biases to a dot product of user u and
// item i. Every scoring path goes through it, so they agree bit for bit.
func (m *ALSModel) finish(dot float32, u, i int32) float64 {
	s := float64(dot)
	if m.biasMode == BiasNone {
		return s
	}
	s += m.globalMean
	if m.users.bias != nil {
		s += float64(m.users.bias[u]) + float64(m.items.bias[i])
	}
	return s
}

// Predict returns the predicted rating of user for item, and false when
// the model has no factors for one of them (a cold start).
func (m *ALSModel) Predict(user, item int32) (float64, bool) {
	u, ok := m.users.idx.lookup(user)
	if !ok {
		return math.NaN(), false
	}
	i, ok := m.items.idx.lookup(item)
	if !ok {
		return math.NaN(), false
	}
	return m.score(u, i), true
}

// TransformSchema checks that userCol and itemCol are numeric and adds
// predictionCol (float, like Spark).
func (m *ALSModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return modelSchema(m.P, in)
}

// Transform adds predictionCol: the predicted rating as a float (Spark's
// FloatType). A user or item the model has no factors for gets NaN with
// coldStartStrategy nan, or its row is dropped with drop (Spark drops
// every row whose prediction is NaN). NULL ids, fractional ids and ids
// outside the int32 range are errors naming the row. ctx is checked
// between blocks of rows.
func (m *ALSModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := m.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("ALSModel: %w", err)
	}
	return out, nil
}

func (m *ALSModel) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := m.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	if m.rank <= 0 {
		return nil, errNoFactors
	}
	users, err := readIDs(ctx, f, "userCol", m.P.UserCol)
	if err != nil {
		return nil, err
	}
	items, err := readIDs(ctx, f, "itemCol", m.P.ItemCol)
	if err != nil {
		return nil, err
	}
	pred := make([]float32, len(users))
	const chunk = 1 << 14
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for lo := 0; lo < len(users); lo += chunk {
		hi := min(lo+chunk, len(users))
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			for r := lo; r < hi; r++ {
				v, _ := m.Predict(users[r], items[r])
				pred[r] = float32(v)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	b := array.NewFloat32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(pred, nil)
	arr := b.NewArray()
	defer arr.Release()
	field := sc.Field(sc.NumFields() - 1)
	out, err := f.WithColumn(field, arrow.NewChunked(field.Type, []arrow.Array{arr}))
	if err != nil {
		return nil, err
	}
	if !m.P.drop() {
		return out, nil
	}
	keep := make([]bool, len(pred))
	all := true
	for r, v := range pred {
		keep[r] = !math.IsNaN(float64(v))
		all = all && keep[r]
	}
	if all {
		return out, nil
	}
	return out.Filter(ctx, keep)
}

// Frame names (Spark's).
const (
	FrameUserFactors = "userFactors"
	FrameItemFactors = "itemFactors"
)

// FrameNames returns "userFactors" and "itemFactors".
func (m *ALSModel) FrameNames() []string { return []string{FrameUserFactors, FrameItemFactors} }

// ModelFrame returns UserFactors or ItemFactors by Spark's name.
func (m *ALSModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch name {
	case FrameUserFactors:
		return m.UserFactors(), nil
	case FrameItemFactors:
		return m.ItemFactors(), nil
	}
	msg := fmt.Sprintf("ALSModel has no frame %q", name)
	if near := ml.Nearest(name, m.FrameNames()); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return nil, fmt.Errorf("%s (frames: %s)", msg, strings.Join(m.FrameNames(), ", "))
}

// UserFactors returns Spark's userFactors frame: id (int32) and features
// (list<float32>, rank values), one row per user in increasing id order;
// with biasMode user+item also bias (float32), the user's bias.
func (m *ALSModel) UserFactors() *ml.Frame { return m.factorFrame(&m.users) }

// ItemFactors returns Spark's itemFactors frame (see UserFactors).
func (m *ALSModel) ItemFactors() *ml.Frame { return m.factorFrame(&m.items) }

func (m *ALSModel) factorFrame(t *factorTable) *ml.Frame {
	mem := memory.DefaultAllocator
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.AppendValues(t.ids, nil)
	ids := ib.NewArray()
	defer ids.Release()
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Float32)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.Float32Builder)
	vb.Reserve(len(t.x))
	for i := range t.ids {
		lb.Append(true)
		vb.AppendValues(t.row(int32(i), m.rank), nil)
	}
	feats := lb.NewArray()
	defer feats.Release()
	fields := []arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "features", Type: feats.DataType(), Nullable: true},
	}
	cols := []*arrow.Chunked{
		arrow.NewChunked(ids.DataType(), []arrow.Array{ids}),
		arrow.NewChunked(feats.DataType(), []arrow.Array{feats}),
	}
	if t.bias != nil {
		fb := array.NewFloat32Builder(mem)
		defer fb.Release()
		fb.AppendValues(t.bias, nil)
		bias := fb.NewArray()
		defer bias.Release()
		fields = append(fields, arrow.Field{Name: "bias", Type: arrow.PrimitiveTypes.Float32})
		cols = append(cols, arrow.NewChunked(bias.DataType(), []arrow.Array{bias}))
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), cols)
	if err != nil {
		panic("recommendation: factor frame: " + err.Error()) // columns built above always match
	}
	return f
}

// DebugString describes the model: rank, users, items, feedback type,
// bias terms and factor statistics.
func (m *ALSModel) DebugString() string {
	var sb strings.Builder
	mode := "explicit ratings"
	if m.implicit {
		mode = "implicit feedback"
	}
	fmt.Fprintf(&sb, "ALSModel: rank %d, %d users, %d items, %s, fitted on %d ratings\n", m.rank, len(m.users.ids), len(m.items.ids), mode, m.numRatings)
	switch m.biasMode {
	case BiasNone, "":
		sb.WriteString("biasMode none (Spark's model: prediction = userFactors·itemFactors)\n")
	case BiasGlobal:
		fmt.Fprintf(&sb, "biasMode global: global mean %.4f\n", m.globalMean)
	case BiasUserItem:
		fmt.Fprintf(&sb, "biasMode user+item: global mean %.4f\n", m.globalMean)
		fmt.Fprintf(&sb, "  user bias %s\n", stats(m.users.bias))
		fmt.Fprintf(&sb, "  item bias %s\n", stats(m.items.bias))
	}
	if !math.IsNaN(m.trainRMSE) {
		fmt.Fprintf(&sb, "training RMSE %.4f\n", m.trainRMSE)
	}
	fmt.Fprintf(&sb, "user factor norms %s\n", normStats(m.users.x, m.rank))
	fmt.Fprintf(&sb, "item factor norms %s", normStats(m.items.x, m.rank))
	return sb.String()
}

func stats(v []float32) string {
	if len(v) == 0 {
		return "(none)"
	}
	var s, s2 float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		f := float64(x)
		s += f
		s2 += f * f
		lo, hi = min(lo, f), max(hi, f)
	}
	n := float64(len(v))
	mean := s / n
	sd := math.Sqrt(max(0, s2/n-mean*mean))
	return fmt.Sprintf("mean %.4f, sd %.4f, min %.4f, max %.4f", mean, sd, lo, hi)
}

func normStats(x []float32, k int) string {
	if k == 0 || len(x) == 0 {
		return "(none)"
	}
	norms := make([]float32, len(x)/k)
	for i := range norms {
		norms[i] = float32(math.Sqrt(float64(dot32(x[i*k:(i+1)*k], x[i*k:(i+1)*k]))))
	}
	return stats(norms)
}

var errNoFactors = errors.New("the model has no factors; fit it or load a saved model")
