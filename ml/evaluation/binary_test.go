package evaluation

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func TestAreaUnderROC(t *testing.T) {
	tests := []struct {
		name                    string
		scores, labels, weights []float64
		want                    float64
	}{
		{"perfect", []float64{0.9, 0.8, 0.2, 0.1}, []float64{1, 1, 0, 0}, nil, 1},
		{"inverted", []float64{0.1, 0.2, 0.8, 0.9}, []float64{1, 1, 0, 0}, nil, 0},
		{"alternating", []float64{0.9, 0.8, 0.7, 0.6}, []float64{1, 0, 1, 0}, nil, 0.75},
		{"all tied", []float64{0.5, 0.5}, []float64{1, 0}, nil, 0.5},
		{"tie group", []float64{0.9, 0.5, 0.5, 0.1}, []float64{1, 1, 0, 0}, nil, 0.875},
		{"weighted", []float64{0.9, 0.8, 0.7, 0.6}, []float64{1, 0, 1, 0}, []float64{1, 1, 3, 1}, 0.625},
		{"zero weight ignored", []float64{0.9, 0.8, 0.7, 0.6, 0.95}, []float64{1, 0, 1, 0, 0}, []float64{1, 1, 1, 1, 0}, 0.75},
		{"minus zero ties plus zero", []float64{math.Copysign(0, -1), 0}, []float64{1, 0}, nil, 0.5},
		{"infinite scores", []float64{math.Inf(1), math.Inf(-1)}, []float64{1, 0}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AreaUnderROC(tt.scores, tt.labels, tt.weights)
			if err != nil {
				t.Fatalf("AreaUnderROC: %v", err)
			}
			if !near(got, tt.want, 1e-15) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAreaUnderPR(t *testing.T) {
	tests := []struct {
		name                    string
		scores, labels, weights []float64
		want                    float64
	}{
		{"perfect", []float64{0.9, 0.8, 0.2, 0.1}, []float64{1, 1, 0, 0}, nil, 1},
		// (0,1) (.5,1) (.5,.5) (1,2/3) (1,.5)
		{"alternating", []float64{0.9, 0.8, 0.7, 0.6}, []float64{1, 0, 1, 0}, nil, 19.0 / 24},
		// Spark starts at (0, precision of the first point) = (0, 0), not (0, 1).
		{"negative first", []float64{0.9, 0.8}, []float64{0, 1}, nil, 0.25},
		// One threshold: (0, .5) (1, .5).
		{"all tied", []float64{0.5, 0.5}, []float64{1, 0}, nil, 0.5},
		// Weighted: P=4; points (.25,1) (.25,.5) (1,.8) (1,2/3); start (0,1).
		{"weighted", []float64{0.9, 0.8, 0.7, 0.6}, []float64{1, 0, 1, 0}, []float64{1, 1, 3, 1}, 0.25 + 0.75*1.3/2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AreaUnderPR(tt.scores, tt.labels, tt.weights)
			if err != nil {
				t.Fatalf("AreaUnderPR: %v", err)
			}
			if !near(got, tt.want, 1e-15) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCurves(t *testing.T) {
	scores := []float64{0.9, 0.5, 0.5, 0.1}
	labels := []float64{1, 1, 0, 0}
	roc, err := ROCCurve(scores, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantROC := []ROCPoint{
		{math.Inf(1), 0, 0}, {0.9, 0, 0.5}, {0.5, 0.5, 1}, {0.1, 1, 1}, {math.Inf(-1), 1, 1},
	}
	if len(roc) != len(wantROC) {
		t.Fatalf("ROC: got %d points %v, want %v", len(roc), roc, wantROC)
	}
	for i := range roc {
		if roc[i] != wantROC[i] {
			t.Errorf("ROC point %d: got %+v, want %+v", i, roc[i], wantROC[i])
		}
	}
	pr, err := PRCurve(scores, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPR := []PRPoint{
		{math.Inf(1), 0, 1}, {0.9, 0.5, 1}, {0.5, 1, 2.0 / 3}, {0.1, 1, 0.5},
	}
	if len(pr) != len(wantPR) {
		t.Fatalf("PR: got %d points %v, want %v", len(pr), pr, wantPR)
	}
	for i := range pr {
		if pr[i] != wantPR[i] {
			t.Errorf("PR point %d: got %+v, want %+v", i, pr[i], wantPR[i])
		}
	}
}

func TestBinaryErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name                    string
		scores, labels, weights []float64
		want                    error
	}{
		{"length", []float64{1, 2}, []float64{1}, nil, ErrLengthMismatch},
		{"weights length", []float64{1, 2}, []float64{1, 0}, []float64{1}, ErrLengthMismatch},
		{"NaN score", []float64{nan, 2}, []float64{1, 0}, nil, ErrInvalidScore},
		{"label 2", []float64{1, 2}, []float64{2, 0}, nil, ErrInvalidLabel},
		{"NaN label", []float64{1, 2}, []float64{nan, 0}, nil, ErrInvalidLabel},
		{"negative weight", []float64{1, 2}, []float64{1, 0}, []float64{1, -1}, ErrInvalidWeight},
		{"NaN weight", []float64{1, 2}, []float64{1, 0}, []float64{nan, 1}, ErrInvalidWeight},
		{"Inf weight", []float64{1, 2}, []float64{1, 0}, []float64{math.Inf(1), 1}, ErrInvalidWeight},
		{"empty", nil, nil, nil, ErrEmpty},
		{"zero weights", []float64{1, 2}, []float64{1, 0}, []float64{0, 0}, ErrEmpty},
		{"only positives", []float64{1, 2}, []float64{1, 1}, nil, ErrSingleClass},
		{"only negatives", []float64{1, 2}, []float64{0, 0}, nil, ErrSingleClass},
		{"negatives weigh 0", []float64{1, 2}, []float64{1, 0}, []float64{1, 0}, ErrSingleClass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []func(a, b, c []float64) (float64, error){AreaUnderROC, AreaUnderPR} {
				if _, err := f(tt.scores, tt.labels, tt.weights); !errors.Is(err, tt.want) {
					t.Errorf("got error %v, want %v", err, tt.want)
				}
			}
			if _, err := ROCCurve(tt.scores, tt.labels, tt.weights); !errors.Is(err, tt.want) {
				t.Errorf("ROCCurve: got error %v, want %v", err, tt.want)
			}
			if _, err := PRCurve(tt.scores, tt.labels, tt.weights); !errors.Is(err, tt.want) {
				t.Errorf("PRCurve: got error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestRadixSortMatchesComparisonSort checks the large-input path against a
// brute-force pairwise AUC (Mann-Whitney with ties counted one half).
func TestRadixSortMatchesPairwise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	scores := make([]float64, n)
	labels := make([]float64, n)
	weights := make([]float64, n)
	for i := range scores {
		switch r.IntN(10) {
		case 0:
			scores[i] = math.Inf(-1)
		case 1:
			scores[i] = -r.Float64() * 1e300
		default:
			scores[i] = math.Round(r.NormFloat64()*20) / 10
		}
		if r.Float64() < 0.4 {
			labels[i] = 1
		}
		weights[i] = float64(r.IntN(4))
	}
	var num, den float64
	for i := range n {
		if labels[i] != 1 {
			continue
		}
		for j := range n {
			if labels[j] != 0 {
				continue
			}
			w := weights[i] * weights[j]
			den += w
			switch {
			case scores[i] > scores[j]:
				num += w
			case scores[i] == scores[j]:
				num += w / 2
			}
		}
	}
	got, err := AreaUnderROC(scores, labels, weights)
	if err != nil {
		t.Fatal(err)
	}
	if want := num / den; !near(got, want, 1e-12) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func FuzzAreaUnderROC(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xe0\x3f\x01\x00\x00\x00\x00\x00\x00\xe0\x3f\x00"), false)
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuv"), true)
	f.Fuzz(func(t *testing.T, data []byte, weighted bool) {
		const rec = 8 + 1 + 1 // score, label, weight byte
		if len(data) > 1000*rec {
			t.Skip("input too large")
		}
		n := len(data) / rec
		scores := make([]float64, n)
		labels := make([]float64, n)
		var weights []float64
		if weighted {
			weights = make([]float64, n)
		}
		for i := range n {
			b := data[i*rec:]
			scores[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			labels[i] = float64(b[8] % 3) // 2 is invalid on purpose
			if weighted {
				weights[i] = float64(int8(b[9])) / 8 // some negative on purpose
			}
		}
		for _, fn := range []func(a, b, c []float64) (float64, error){AreaUnderROC, AreaUnderPR} {
			got, err := fn(scores, labels, weights)
			if err != nil {
				continue
			}
			if !(got >= 0 && got <= 1+1e-12) {
				t.Fatalf("area %v outside [0, 1]", got)
			}
		}
	})
}

var sinkFloat float64

func BenchmarkAreaUnderROC(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		r := rand.New(rand.NewPCG(3, 4))
		scores := make([]float64, n)
		labels := make([]float64, n)
		for i := range scores {
			scores[i] = r.Float64()
			if r.Float64() < scores[i] {
				labels[i] = 1
			}
		}
		b.Run(sizeName(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := AreaUnderROC(scores, labels, nil)
				if err != nil {
					b.Fatal(err)
				}
				sinkFloat = v
			}
		})
	}
}

func BenchmarkAreaUnderPR(b *testing.B) {
	n := 1_000_000
	r := rand.New(rand.NewPCG(5, 6))
	scores := make([]float64, n)
	labels := make([]float64, n)
	for i := range scores {
		scores[i] = math.Round(r.Float64()*1e4) / 1e4 // many ties
		if r.Float64() < scores[i] {
			labels[i] = 1
		}
	}
	b.Run(sizeName(n)+"/ties", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, err := AreaUnderPR(scores, labels, nil)
			if err != nil {
				b.Fatal(err)
			}
			sinkFloat = v
		}
	})
}

func sizeName(n int) string {
	switch {
	case n >= 1_000_000:
		return "n=1e6"
	case n >= 1_000:
		return "n=1e3"
	}
	return "n=small"
}
