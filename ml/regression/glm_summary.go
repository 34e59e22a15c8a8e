package regression

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/sluice-dev/sluice/ml"
)

// GeneralizedLinearRegressionTrainingSummary holds Spark's
// GeneralizedLinearRegressionTrainingSummary for the training data.
type GeneralizedLinearRegressionTrainingSummary struct {
	// NumInstances is the number of rows. Rank is the number of
	// coefficients plus 1 for the intercept (constant features count, as
	// in Spark).
	NumInstances, Rank int
	// ResidualDegreeOfFreedom is NumInstances − Rank (Spark's
	// degreesOfFreedom too); ResidualDegreeOfFreedomNull is NumInstances
	// minus 1 for the intercept.
	ResidualDegreeOfFreedom, ResidualDegreeOfFreedomNull int
	// Dispersion is 1 for family binomial and poisson, otherwise the
	// Pearson χ² over the residual degrees of freedom (also for tweedie
	// with variancePower 1, as Spark decides by the family param).
	Dispersion float64
	// Deviance is Σ of the weighted unit deviances; NullDeviance that of
	// the intercept-only model (with the offset when there is one;
	// g⁻¹(offset) without an intercept).
	Deviance, NullDeviance float64
	// AIC is Spark's family AIC plus 2·Rank; NaN for the tweedie family,
	// which has none.
	AIC float64
	// CoefficientStandardErrors, TValues and PValues follow Spark's order:
	// coefficients, then the intercept when fitted. Standard errors are
	// √(diag((XᵀWX)⁻¹)·dispersion) with the last IRLS step's working
	// weights; p values are two-sided, from the standard normal for
	// family binomial and poisson, else from Student's t with
	// ResidualDegreeOfFreedom. NaN for constant features; nil when the
	// label was constant (no fit was needed).
	CoefficientStandardErrors, TValues, PValues []float64
	// NumIterations is the number of IRLS iterations (1 for the closed
	// form of gaussian/identity); Converged is false when maxIter
	// stopped IRLS first.
	NumIterations int
	Converged     bool
	// Solver is "irls".
	Solver string
	// ConstantFeatures lists features constant on the training rows
	// (coefficient 0); Warnings explain them and non-convergence.
	ConstantFeatures []int
	Warnings         []string

	y, mu, w []float64
	fam      glmFamily
	link     glmLink
}

// Residuals returns one residual per training row, of Spark's kind:
// "deviance" (sign(y−μ)·√(unit deviance), Spark's default), "pearson"
// ((y−μ)·√w/√V(μ)), "working" ((y−μ)·g'(μ)) or "response" (y−μ).
func (s *GeneralizedLinearRegressionTrainingSummary) Residuals(kind string) ([]float64, error) {
	out := make([]float64, len(s.y))
	for i, y := range s.y {
		mu, w := s.mu[i], s.w[i]
		switch strings.ToLower(kind) {
		case "deviance", "":
			out[i] = math.Copysign(math.Sqrt(max(s.fam.deviance(y, mu, w), 0)), y-mu)
		case "pearson":
			out[i] = (y - mu) * math.Sqrt(w) / math.Sqrt(s.fam.variance(mu))
		case "working":
			out[i] = (y - mu) * s.link.deriv(mu)
		case "response":
			out[i] = y - mu
		default:
			return nil, fmt.Errorf("residual kind %q; use deviance, pearson, working or response", kind)
		}
	}
	return out, nil
}

func (m *GeneralizedLinearRegressionModel) summarize(ctx context.Context, g *glmProblem, fit *glmFit) (*GeneralizedLinearRegressionTrainingSummary, error) {
	ds := g.ds
	n := ds.N
	k0 := 0
	if m.P.FitIntercept {
		k0 = 1
	}
	s := &GeneralizedLinearRegressionTrainingSummary{
		NumInstances: n, Rank: ds.D + k0, NumIterations: fit.iterations, Converged: fit.converged, Solver: "irls",
		y: ds.Y, mu: make([]float64, n), w: make([]float64, n), fam: g.fam, link: g.link,
	}
	s.ResidualDegreeOfFreedom = n - s.Rank
	s.ResidualDegreeOfFreedomNull = n - k0
	var pearson float64
	for i := range n {
		s.w[i] = ds.Weight(i)
		s.mu[i] = g.fam.project(g.link.unlink(m.PredictLink(ds.Row(i), g.off(i))))
		s.Deviance += g.fam.deviance(ds.Y[i], s.mu[i], s.w[i])
		r := ds.Y[i] - s.mu[i]
		pearson += s.w[i] * r * r / g.fam.variance(s.mu[i])
	}
	family := strings.ToLower(m.P.Family)
	normal := family == FamilyBinomial || family == FamilyPoisson
	s.Dispersion = 1
	if !normal {
		s.Dispersion = pearson / float64(s.ResidualDegreeOfFreedom)
	}
	null, err := g.nullDeviance(ctx)
	if err != nil {
		return nil, fmt.Errorf("null deviance: %w", err)
	}
	s.NullDeviance = null
	s.AIC = g.fam.aic(ds.Y, s.mu, s.w, s.Deviance) + 2*float64(s.Rank)
	if fit.diagInv != nil && len(fit.diagInv) == s.Rank {
		coef := append(append([]float64(nil), m.Coefficients...), m.Intercept)[:s.Rank]
		s.CoefficientStandardErrors, s.TValues, s.PValues = tTests(coef, fit.diagInv, s.Dispersion, float64(s.ResidualDegreeOfFreedom), normal)
	}
	for _, j := range fit.zeroVar {
		s.ConstantFeatures = append(s.ConstantFeatures, j)
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s is constant on the training rows; its coefficient is 0", ds.Attrs.Name(j)))
	}
	if !fit.converged {
		s.Warnings = append(s.Warnings, fmt.Sprintf("IRLS stopped at maxIter=%d before the coefficients settled within tol=%v; raise maxIter", m.P.MaxIter, m.P.Tol))
	}
	return s, nil
}

// nullDeviance is the deviance of the intercept-only model: the weighted
// label mean without an offset, an intercept-only IRLS fit with one, and
// g⁻¹(offset) without an intercept.
func (g *glmProblem) nullDeviance(ctx context.Context) (float64, error) {
	ds := g.ds
	mu0 := make([]float64, ds.N)
	switch {
	case g.p.FitIntercept && g.offset == nil:
		var sw, swy float64
		for i, y := range ds.Y {
			sw += ds.Weight(i)
			swy += ds.Weight(i) * y
		}
		for i := range mu0 {
			mu0[i] = swy / sw
		}
	case g.p.FitIntercept:
		null := &glmProblem{ds: &ml.Dataset{N: ds.N, D: 0, Y: ds.Y, W: ds.W}, offset: g.offset, fam: g.fam, link: g.link, p: g.p}
		fit, err := null.fit(ctx)
		if err != nil {
			return 0, err
		}
		for i := range mu0 {
			mu0[i] = g.link.unlink(fit.intercept + g.offset[i])
		}
	default:
		// As Spark: g⁻¹(offset), not kept inside the family's range.
		for i := range mu0 {
			mu0[i] = g.link.unlink(g.off(i))
		}
	}
	var dev float64
	for i, y := range ds.Y {
		dev += g.fam.deviance(y, mu0[i], ds.Weight(i))
	}
	return dev, nil
}
