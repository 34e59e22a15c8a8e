package recommendation

import (
	"math"
	"testing"
)

// TestHalfStepClosedForm solves one row's least squares by hand (2×2 and
// 3×3 normal equations) and checks both solvers against it.
func TestHalfStepClosedForm(t *testing.T) {
	// Source rows y0 = (1, 0), y1 = (1, 1), y2 = (0, 1).
	src := newFactors(3, 2, false)
	copy(src.x, []float32{1, 0, 1, 1, 0, 1})
	srcBias := newFactors(3, 2, true)
	copy(srcBias.x, src.x)
	copy(srcBias.bias, []float32{0.5, -0.5, 0})
	tests := []struct {
		name     string
		cfg      solveConfig
		src      *factors
		idx      []int32
		val      []float32
		want     []float64 // factors, then the bias if any
		wantBias bool
	}{
		{
			// A = y0y0ᵀ + y1y1ᵀ + 0.5·2·I = [[3 1] [1 2]], b = 3·y0 + 5·y1 = (8, 5)
			// x = A⁻¹b = (11/5, 7/5).
			name: "explicit", cfg: solveConfig{k: 2, reg: 0.5},
			src: src, idx: []int32{0, 1}, val: []float32{3, 5}, want: []float64{2.2, 1.4},
		},
		{
			// YᵀY = [[2 1] [1 2]]; one positive rating 2 on y0: c1 = 2,
			// A = YᵀY + 2·y0y0ᵀ + 0.5·1·I = [[4.5 1] [1 2.5]], b = 3·y0.
			name: "implicit", cfg: solveConfig{k: 2, reg: 0.5, implicit: true, alpha: 1},
			src: src, idx: []int32{0}, val: []float32{2}, want: []float64{7.5 / 10.25, -3 / 10.25},
		},
		{
			// μ = 3, source biases 0.5, -0.5: targets -0.5, 2.5 on design
			// rows (1, 0, 1), (1, 1, 1); A = [[3 1 2] [1 2 1] [2 1 3]],
			// b = (2, 2.5, 2) → x = (0.1875, 1.0625), bias 0.1875.
			name: "user+item", cfg: solveConfig{k: 2, reg: 0.5, bias: true, biasReg: 1, mu: 3},
			src: srcBias, idx: []int32{0, 1}, val: []float32{3, 5}, want: []float64{0.1875, 1.0625, 0.1875}, wantBias: true,
		},
	}
	for _, tc := range tests {
		for _, cg := range []bool{false, true} {
			name := tc.name + "/cholesky"
			if cg {
				name = tc.name + "/cg"
			}
			t.Run(name, func(t *testing.T) {
				cfg := tc.cfg
				cfg.workers, cfg.cg, cfg.cgSteps = 1, cg, 3
				s := newSolver(cfg, 1)
				if cfg.implicit {
					if err := s.computeYtY(t.Context(), tc.src); err != nil {
						t.Fatal(err)
					}
				}
				dst := newFactors(1, 2, tc.wantBias)
				r := &csr{ptr: []int64{0, int64(len(tc.idx))}, idx: tc.idx, val: tc.val}
				if cg {
					s.solveCG(s.scratch[0], dst, tc.src, r, 0)
				} else {
					s.solveNormal(s.scratch[0], dst, tc.src, r, 0)
				}
				got := []float64{float64(dst.x[0]), float64(dst.x[1])}
				if tc.wantBias {
					got = append(got, float64(dst.bias[0]))
				}
				for j := range tc.want {
					if math.Abs(got[j]-tc.want[j]) > 1e-5 {
						t.Errorf("solution %v, want %v", got, tc.want)
						break
					}
				}
			})
		}
	}
}

// TestCholSolve checks the Cholesky kernel on a 3×3 system and that it
// reports an indefinite matrix.
func TestCholSolve(t *testing.T) {
	a := []float64{4, 2, 0, 0, 3, 1, 0, 0, 2} // upper triangle of [[4 2 0] [2 3 1] [0 1 2]]
	b := []float64{2, 5, 3}
	want := solve3([][]float64{{4, 2, 0}, {2, 3, 1}, {0, 1, 2}}, []float64{2, 5, 3})
	if !cholSolve(a, b, 3) {
		t.Fatal("cholSolve: reported not positive definite")
	}
	for i := range b {
		if math.Abs(b[i]-want[i]) > 1e-12 {
			t.Fatalf("x = %v, want %v", b, want)
		}
	}
	if cholSolve([]float64{1, 2, 0, 1}, []float64{1, 1}, 2) {
		t.Error("cholSolve accepted the indefinite [[1 2] [2 1]]")
	}
}

// solve3 solves a 3×3 system by Cramer's rule.
func solve3(a [][]float64, b []float64) []float64 {
	det := func(m [][]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(a)
	out := make([]float64, 3)
	for c := range 3 {
		m := [][]float64{append([]float64{}, a[0]...), append([]float64{}, a[1]...), append([]float64{}, a[2]...)}
		for r := range 3 {
			m[r][c] = b[r]
		}
		out[c] = det(m) / d
	}
	return out
}

// TestNNLS checks the coordinate-descent NNLS on a case with an active
// constraint: min ½xᵀAx − bᵀx, A = [[2 1] [1 2]], b = (-1, 3) → x = (0, 1.5).
func TestNNLS(t *testing.T) {
	x := []float64{1, 1}
	nnlsCD([]float64{2, 1, 1, 2}, []float64{-1, 3}, x, 2, 2, 1e-12, 1000)
	if math.Abs(x[0]) > 1e-9 || math.Abs(x[1]-1.5) > 1e-9 {
		t.Errorf("x = %v, want (0, 1.5)", x)
	}
	// The free coordinate (index >= nonneg) may go negative.
	x = []float64{1, 1}
	nnlsCD([]float64{2, 1, 1, 2}, []float64{3, -3}, x, 2, 1, 1e-12, 1000)
	if math.Abs(x[0]-3) > 1e-9 || math.Abs(x[1]+3) > 1e-9 {
		t.Errorf("x = %v, want (3, -3)", x)
	}
}
