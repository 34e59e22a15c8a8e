package classification

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// TestLogisticRegressionSparseMatchesDense fits the same data as sparse
// vectors (kept as CSR) and as dense vectors and checks the models agree.
func TestLogisticRegressionSparseMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n, d = 600, 40
	sparse := make([]ml.Vector, n)
	dense := make([]ml.Vector, n)
	y2, y3, w := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		row := make([]float64, d)
		var idx []int32
		var val []float64
		score := 0.0
		for j := range d {
			if r.Float64() < 0.05 {
				x := r.Float64() * 3
				row[j] = x
				idx, val = append(idx, int32(j)), append(val, x)
				score += x * float64(j%5-2)
			}
		}
		sparse[i] = ml.Sparse(d, idx, val)
		dense[i] = ml.Dense(row...)
		if score+r.NormFloat64() > 0 {
			y2[i] = 1
		}
		y3[i] = float64(int(math.Abs(score*2+r.NormFloat64())) % 3)
		w[i] = 0.5 + r.Float64()
	}
	frame := func(vs []ml.Vector, y []float64) *ml.Frame {
		f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{
			{Name: "features", Type: ml.VectorType, Nullable: true},
			{Name: "label", Type: arrow.PrimitiveTypes.Float64},
			{Name: "w", Type: arrow.PrimitiveTypes.Float64},
		}, nil), []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(y), ml.Float64Column(w)})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	cases := []struct {
		name string
		y    []float64
		set  func(p *LogisticRegressionParams)
	}{
		{"binomial", y2, func(p *LogisticRegressionParams) { p.RegParam = 0.01 }},
		{"binomial unstandardized weighted", y2, func(p *LogisticRegressionParams) {
			p.RegParam, p.Standardization, p.WeightCol = 0.01, false, "w"
		}},
		{"binomial elastic net", y2, func(p *LogisticRegressionParams) { p.RegParam, p.ElasticNetParam = 0.02, 0.5 }},
		{"binomial no intercept", y2, func(p *LogisticRegressionParams) { p.RegParam, p.FitIntercept = 0.01, false }},
		{"multinomial", y3, func(p *LogisticRegressionParams) { p.RegParam = 0.01 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fit := func(vs []ml.Vector) *LogisticRegressionModel {
				lr := NewLogisticRegression()
				c.set(&lr.P)
				m, err := lr.Fit(context.Background(), frame(vs, c.y))
				if err != nil {
					t.Fatal(err)
				}
				return m.(*LogisticRegressionModel)
			}
			ms, md := fit(sparse), fit(dense)
			for k := range md.CoefficientMatrix {
				for j, want := range md.CoefficientMatrix[k] {
					if got := ms.CoefficientMatrix[k][j]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
						t.Fatalf("coefficient [%d][%d]: sparse %v, dense %v", k, j, got, want)
					}
				}
				if got, want := ms.InterceptVector[k], md.InterceptVector[k]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
					t.Fatalf("intercept %d: sparse %v, dense %v", k, got, want)
				}
			}
		})
	}
}
