package clustering

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"
)

// ldaGammaShape is the shape of the Gamma(shape, 1/shape) draws that
// initialise the topics and each document's topic weights (Spark's
// gammaShape: values near 1).
const ldaGammaShape = 100

// ldaDigamma is ψ, the derivative of ln Γ.
func ldaDigamma(x float64) float64 { return mathext.Digamma(x) }

// ldaTrigamma is ψ′, the derivative of ψ, for x > 0: the recurrence
// ψ′(x) = ψ′(x+1) + 1/x² up to x >= 10, then the asymptotic series
// (error below 1e-13 there).
func ldaTrigamma(x float64) float64 {
	if math.IsNaN(x) || x <= 0 {
		return math.NaN()
	}
	var r float64
	for x < 10 {
		r += 1 / (x * x)
		x++
	}
	inv := 1 / x
	inv2 := inv * inv
	// 1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵) + 1/(42x⁷) − 1/(30x⁹)
	r += inv + inv2/2 + inv*inv2*(1.0/6-inv2*(1.0/30-inv2*(1.0/42-inv2/30)))
	return r
}

// ldaGamma draws from Gamma(shape, 1/shape) (mean 1) with Marsaglia and
// Tsang's method.
func ldaGamma(rng *rand.Rand, shape float64) float64 {
	boost := 1.0
	a := shape
	if a < 1 { // Gamma(a) = Gamma(a+1)·U^(1/a)
		boost = math.Pow(rng.Float64(), 1/a)
		a++
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		var x, v float64
		for v <= 0 {
			x = rng.NormFloat64()
			v = 1 + c*x
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return boost * d * v / shape
		}
	}
}

// ldaExpDirichlet writes exp(E[ln θ]) for θ ~ Dirichlet(g) into out:
// exp(ψ(g_t) − ψ(Σ g)).
func ldaExpDirichlet(g, out []float64) {
	var s float64
	for _, v := range g {
		s += v
	}
	ds := ldaDigamma(s)
	out = out[:len(g)]
	for t, v := range g {
		out[t] = math.Exp(ldaDigamma(v) - ds)
	}
}

// ldaDirichletExpectation writes E[ln θ] for θ ~ Dirichlet(g) into out.
func ldaDirichletExpectation(g, out []float64) {
	var s float64
	for _, v := range g {
		s += v
	}
	ds := ldaDigamma(s)
	out = out[:len(g)]
	for t, v := range g {
		out[t] = ldaDigamma(v) - ds
	}
}

// ldaLgamma is ln |Γ(x)|.
func ldaLgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
