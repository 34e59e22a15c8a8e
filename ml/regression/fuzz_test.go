package regression_test

import (
	"context"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml/regression"
)

// FuzzGLMParams feeds arbitrary family/link text and powers (as YAML
// specs would) through validation and a tiny fit: no panics, and params
// that validate fit or fail with an error.
func FuzzGLMParams(f *testing.F) {
	for _, s := range []struct {
		fam, link string
		vp, lp    float64
	}{
		{"gaussian", "", 0, math.NaN()}, {"binomial", "probit", 0, math.NaN()}, {"tweedie", "", 1.5, 0},
		{"Poisson", "SQRT", 0, math.NaN()}, {"tweedie", "", 3, -2.5}, {"gamma", "logit", 0, math.NaN()},
		{"", "", -1, math.Inf(1)}, {"tweedie", "", 0.5, math.NaN()},
	} {
		f.Add(s.fam, s.link, s.vp, s.lp)
	}
	x := column(0.5, 1, 1.5, 2, 3, 4)
	y := []float64{0.2, 0.4, 0.5, 0.7, 0.8, 1}
	frame := mustFrame(f, x, y, nil)
	f.Fuzz(func(t *testing.T, fam, link string, vp, lp float64) {
		if len(fam) > 64 || len(link) > 64 {
			return
		}
		glr := regression.NewGeneralizedLinearRegression()
		glr.P.Family, glr.P.Link, glr.P.VariancePower, glr.P.LinkPower = fam, link, vp, lp
		glr.P.MaxIter = 5
		if err := glr.P.Validate(); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		m, err := glr.Fit(context.Background(), frame)
		if err != nil {
			return
		}
		if _, err := m.Transform(context.Background(), frame); err != nil {
			t.Fatalf("fitted model does not transform its training data: %v", err)
		}
	})
}
