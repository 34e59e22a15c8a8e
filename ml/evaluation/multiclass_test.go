package evaluation

import (
	"errors"
	"math"
	"testing"
)

// MustConfusion builds a Confusion or fails the test.
func MustConfusion(tb testing.TB, predictions, labels, weights []float64) *Confusion {
	tb.Helper()
	c, err := NewConfusion(predictions, labels, weights)
	if err != nil {
		tb.Fatalf("NewConfusion: %v", err)
	}
	return c
}

func TestConfusion(t *testing.T) {
	// Rows: (pred, label) = (0,0) (1,1) (1,2) (2,2) (0,1).
	c := MustConfusion(t, []float64{0, 1, 1, 2, 0}, []float64{0, 1, 2, 2, 1}, nil)
	if got := c.Labels(); len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 2 {
		t.Fatalf("Labels: got %v, want [0 1 2]", got)
	}
	scalar := []struct {
		name      string
		got, want float64
	}{
		{"accuracy", c.Accuracy(), 0.6},
		{"hammingLoss", c.HammingLoss(), 0.4},
		{"weightedPrecision", c.WeightedPrecision(), 0.7},
		{"weightedRecall", c.WeightedRecall(), 0.6},
		{"weightedTruePositiveRate", c.WeightedTruePositiveRate(), 0.6},
		{"weightedFalsePositiveRate", c.WeightedFalsePositiveRate(), 0.25*0.2 + 1.0/3*0.4},
		{"f1", c.F1(), 2.0/3*0.2 + 0.5*0.4 + 2.0/3*0.4},
		{"weightSum", c.WeightSum(), 5},
	}
	for _, s := range scalar {
		if !near(s.got, s.want, 1e-15) {
			t.Errorf("%s: got %v, want %v", s.name, s.got, s.want)
		}
	}
	perLabel := []struct {
		label                         float64
		precision, recall, fpr, f1, f float64 // f is F-beta with beta 2
	}{
		{0, 0.5, 1, 0.25, 2.0 / 3, 5 * 0.5 / (4*0.5 + 1)},
		{1, 0.5, 0.5, 1.0 / 3, 0.5, 0.5},
		{2, 1, 0.5, 0, 2.0 / 3, 5 * 0.5 / (4 + 0.5)},
	}
	for _, p := range perLabel {
		check := func(name string, got float64, err error, want float64) {
			t.Helper()
			if err != nil {
				t.Errorf("%s(%v): %v", name, p.label, err)
			} else if !near(got, want, 1e-15) {
				t.Errorf("%s(%v): got %v, want %v", name, p.label, got, want)
			}
		}
		v, err := c.Precision(p.label)
		check("precision", v, err, p.precision)
		v, err = c.Recall(p.label)
		check("recall", v, err, p.recall)
		v, err = c.TruePositiveRate(p.label)
		check("truePositiveRate", v, err, p.recall)
		v, err = c.FalsePositiveRate(p.label)
		check("falsePositiveRate", v, err, p.fpr)
		v, err = c.FMeasure(p.label, 1)
		check("fMeasure(1)", v, err, p.f1)
		v, err = c.FMeasure(p.label, 2)
		check("fMeasure(2)", v, err, p.f)
	}
}

func TestConfusionWeighted(t *testing.T) {
	// Weight 3 on the correct row of class 1; weight 0 row with label 9 is ignored.
	c := MustConfusion(t, []float64{1, 1, 0, 5}, []float64{1, 0, 0, 9}, []float64{3, 1, 2, 0})
	if got := c.Labels(); len(got) != 2 {
		t.Fatalf("Labels: got %v, want [0 1]", got)
	}
	if got, want := c.Accuracy(), 5.0/6; !near(got, want, 1e-15) {
		t.Errorf("accuracy: got %v, want %v", got, want)
	}
	// class 0: tp 2, count 3, fp 0 -> p 1, r 2/3; class 1: tp 3, fp 1, count 3 -> p .75, r 1.
	if got, want := c.WeightedPrecision(), 0.5*1+0.5*0.75; !near(got, want, 1e-15) {
		t.Errorf("weightedPrecision: got %v, want %v", got, want)
	}
	if _, err := c.Precision(9); !errors.Is(err, ErrUnknownLabel) {
		t.Errorf("Precision(9): got error %v, want ErrUnknownLabel", err)
	}
	if _, err := c.Precision(5); !errors.Is(err, ErrUnknownLabel) {
		t.Errorf("Precision(5) (prediction only): got error %v, want ErrUnknownLabel", err)
	}
}

func TestConfusionErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name                string
		preds, labels, wgts []float64
		want                error
	}{
		{"length", []float64{1}, []float64{1, 2}, nil, ErrLengthMismatch},
		{"NaN prediction", []float64{nan}, []float64{1}, nil, ErrInvalidScore},
		{"NaN label", []float64{1}, []float64{nan}, nil, ErrInvalidLabel},
		{"negative weight", []float64{1}, []float64{1}, []float64{-1}, ErrInvalidWeight},
		{"empty", nil, nil, nil, ErrEmpty},
		{"all zero weight", []float64{1}, []float64{1}, []float64{0}, ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewConfusion(tt.preds, tt.labels, tt.wgts); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
	c := MustConfusion(t, []float64{1}, []float64{1}, nil)
	for _, beta := range []float64{0, -1, nan, math.Inf(1)} {
		if _, err := c.WeightedFMeasure(beta); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("WeightedFMeasure(%v): got error %v, want ErrInvalidParam", beta, err)
		}
		if _, err := c.FMeasure(1, beta); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("FMeasure(1, %v): got error %v, want ErrInvalidParam", beta, err)
		}
	}
	// One label only: Spark's false positive rate is 0/0.
	if got := c.WeightedFalsePositiveRate(); !math.IsNaN(got) {
		t.Errorf("weightedFalsePositiveRate with one label: got %v, want NaN", got)
	}
}

func TestLogLoss(t *testing.T) {
	probs := [][]float64{{0.8, 0.2}, {0.3, 0.7}, {1, 0}, {0, 1}}
	tests := []struct {
		name    string
		probs   [][]float64
		labels  []float64
		weights []float64
		want    float64
	}{
		{"plain", probs[:2], []float64{0, 1}, nil, (-math.Log(0.8) - math.Log(0.7)) / 2},
		{"weighted", probs[:2], []float64{0, 1}, []float64{1, 3}, (-math.Log(0.8) - 3*math.Log(0.7)) / 4},
		{"clipped low", probs[2:3], []float64{1}, nil, -math.Log(1e-15)},
		{"clipped high", probs[3:4], []float64{1}, nil, -math.Log1p(-1e-15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LogLoss(tt.probs, tt.labels, tt.weights, DefaultLogLossEps)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tt.want, 1e-15) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	errs := []struct {
		name   string
		labels []float64
		eps    float64
		want   error
	}{
		{"eps 0", []float64{0, 1}, 0, ErrInvalidParam},
		{"eps 0.5", []float64{0, 1}, 0.5, ErrInvalidParam},
		{"fractional label", []float64{0.5, 1}, 1e-15, ErrInvalidLabel},
		{"label out of range", []float64{0, 2}, 1e-15, ErrInvalidLabel},
		{"negative label", []float64{-1, 1}, 1e-15, ErrInvalidLabel},
		{"length", []float64{0}, 1e-15, ErrLengthMismatch},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LogLoss(probs[:2], tt.labels, nil, tt.eps); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := LogLoss([][]float64{{math.NaN(), 1}}, []float64{0}, nil, 1e-15); !errors.Is(err, ErrInvalidScore) {
		t.Errorf("NaN probability: got error %v, want ErrInvalidScore", err)
	}
}
