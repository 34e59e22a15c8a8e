package recommendation

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// ratingsFrame builds a (user int32, item int32, rating float32) frame.
func ratingsFrame(tb testing.TB, users, items []int32, ratings []float32) *ml.Frame {
	tb.Helper()
	mem := memory.DefaultAllocator
	ub := array.NewInt32Builder(mem)
	ub.AppendValues(users, nil)
	ib := array.NewInt32Builder(mem)
	ib.AppendValues(items, nil)
	rb := array.NewFloat32Builder(mem)
	rb.AppendValues(ratings, nil)
	cols := []arrow.Array{ub.NewArray(), ib.NewArray(), rb.NewArray()}
	fields := []arrow.Field{
		{Name: "user", Type: arrow.PrimitiveTypes.Int32},
		{Name: "item", Type: arrow.PrimitiveTypes.Int32},
		{Name: "rating", Type: arrow.PrimitiveTypes.Float32},
	}
	ch := make([]*arrow.Chunked, len(cols))
	for i, c := range cols {
		ch[i] = arrow.NewChunked(c.DataType(), []arrow.Array{c})
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), ch)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// planted is a synthetic rating set: ratings = U·Vᵀ + noise, for a random
// subset of cells, split into training and held-out cells.
type planted struct {
	trainU, trainI, testU, testI []int32
	trainR, testR                []float32
	truth                        func(u, i int32) float64
}

func makePlanted(nu, ni, rank int, density, noise float64, seed int64, implicit bool) planted {
	rng := ml.NewRand(seed)
	U := make([]float64, nu*rank)
	V := make([]float64, ni*rank)
	for i := range U {
		U[i] = rng.NormFloat64()
	}
	for i := range V {
		V[i] = rng.NormFloat64()
	}
	truth := func(u, i int32) float64 {
		s := 0.0
		for f := 0; f < rank; f++ {
			s += U[int(u)*rank+f] * V[int(i)*rank+f]
		}
		return s / math.Sqrt(float64(rank))
	}
	var p planted
	p.truth = truth
	for u := 0; u < nu; u++ {
		for i := 0; i < ni; i++ {
			if rng.Float64() >= density {
				continue
			}
			r := truth(int32(u), int32(i)) + noise*rng.NormFloat64()
			if implicit {
				if r < 1 {
					continue
				}
				r = 1 + math.Floor(r)
			}
			if rng.Float64() < 0.8 {
				p.trainU, p.trainI, p.trainR = append(p.trainU, int32(u)), append(p.trainI, int32(i)), append(p.trainR, float32(r))
			} else {
				p.testU, p.testI, p.testR = append(p.testU, int32(u)), append(p.testI, int32(i)), append(p.testR, float32(r))
			}
		}
	}
	return p
}

func mustFit(tb testing.TB, a *ALS, f *ml.Frame) *ALSModel {
	tb.Helper()
	m, err := a.Fit(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return m.(*ALSModel)
}

// heldOutRMSE is the RMSE of m on cells (u, i, r), skipping cold starts.
func heldOutRMSE(m *ALSModel, us, is []int32, rs []float32) float64 {
	s, n := 0.0, 0
	for j := range us {
		p, ok := m.Predict(us[j], is[j])
		if !ok {
			continue
		}
		d := p - float64(rs[j])
		s += d * d
		n++
	}
	return math.Sqrt(s / float64(n))
}

// setParamAny sets a param from a JSON value.
func setParamAny(a *ALS, name string, v any) error {
	return ml.SetParam(a, name, v)
}
