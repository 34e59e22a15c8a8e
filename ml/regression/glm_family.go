package regression

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sluice-dev/sluice/ml"
)

// GLM families and links, Spark's names.
const (
	FamilyGaussian = "gaussian"
	FamilyBinomial = "binomial"
	FamilyPoisson  = "poisson"
	FamilyGamma    = "gamma"
	FamilyTweedie  = "tweedie"

	LinkIdentity = "identity"
	LinkLog      = "log"
	LinkLogit    = "logit"
	LinkProbit   = "probit"
	LinkCloglog  = "cloglog"
	LinkInverse  = "inverse"
	LinkSqrt     = "sqrt"
)

var (
	familyNames = []string{FamilyGaussian, FamilyBinomial, FamilyPoisson, FamilyGamma, FamilyTweedie}
	linkNames   = []string{LinkIdentity, LinkLog, LinkLogit, LinkProbit, LinkCloglog, LinkInverse, LinkSqrt}
	// familyLinks lists the links Spark allows per family, canonical
	// (default) link first.
	familyLinks = map[string][]string{
		FamilyGaussian: {LinkIdentity, LinkLog, LinkInverse},
		FamilyBinomial: {LinkLogit, LinkProbit, LinkCloglog},
		FamilyPoisson:  {LinkLog, LinkIdentity, LinkSqrt},
		FamilyGamma:    {LinkInverse, LinkIdentity, LinkLog},
	}
)

const (
	// glmEpsilon bounds fitted means away from 0 (and 1 for binomial), as
	// Spark's Family.project.
	glmEpsilon = 1e-16
	// tweedieDelta replaces zero labels when starting IRLS and in the
	// Tweedie deviance for 1 ≤ p < 2 (Spark's Tweedie.delta).
	tweedieDelta = 0.1
)

// glmLink is a link function g: η = g(μ). power is used by "power".
type glmLink struct {
	name  string
	power float64
}

func (l glmLink) String() string {
	if l.name == "power" {
		return fmt.Sprintf("power(%g)", l.power)
	}
	return l.name
}

func (l glmLink) link(mu float64) float64 {
	switch l.name {
	case LinkIdentity:
		return mu
	case LinkLog:
		return math.Log(mu)
	case LinkLogit:
		return math.Log(mu / (1 - mu))
	case LinkProbit:
		return distuv.UnitNormal.Quantile(mu)
	case LinkCloglog:
		return math.Log(-math.Log1p(-mu))
	case LinkInverse:
		return 1 / mu
	case LinkSqrt:
		return math.Sqrt(mu)
	}
	return math.Pow(mu, l.power)
}

func (l glmLink) unlink(eta float64) float64 {
	switch l.name {
	case LinkIdentity:
		return eta
	case LinkLog:
		return math.Exp(eta)
	case LinkLogit:
		return 1 / (1 + math.Exp(-eta))
	case LinkProbit:
		return distuv.UnitNormal.CDF(eta)
	case LinkCloglog:
		return -math.Expm1(-math.Exp(eta))
	case LinkInverse:
		return 1 / eta
	case LinkSqrt:
		return eta * eta
	}
	return math.Pow(eta, 1/l.power)
}

// deriv is dη/dμ.
func (l glmLink) deriv(mu float64) float64 {
	switch l.name {
	case LinkIdentity:
		return 1
	case LinkLog:
		return 1 / mu
	case LinkLogit:
		return 1 / (mu * (1 - mu))
	case LinkProbit:
		return 1 / distuv.UnitNormal.Prob(distuv.UnitNormal.Quantile(mu))
	case LinkCloglog:
		return 1 / ((mu - 1) * math.Log1p(-mu))
	case LinkInverse:
		return -1 / (mu * mu)
	case LinkSqrt:
		return 1 / (2 * math.Sqrt(mu))
	}
	return l.power * math.Pow(mu, l.power-1)
}

// powerLink maps a Tweedie link power to Spark's link: 0 log, 1
// identity, −1 inverse, ½ sqrt, else μ^p.
func powerLink(p float64) glmLink {
	switch p {
	case 0:
		return glmLink{name: LinkLog}
	case 1:
		return glmLink{name: LinkIdentity}
	case -1:
		return glmLink{name: LinkInverse}
	case 0.5:
		return glmLink{name: LinkSqrt}
	}
	return glmLink{name: "power", power: p}
}

// glmFamily is an exponential-dispersion family. name is the family
// object Spark uses (tweedie with variance power 0, 1 or 2 is gaussian,
// poisson or gamma); p is the Tweedie variance power.
type glmFamily struct {
	name string
	p    float64
}

// familyOf returns Spark's Family.fromParams.
func familyOf(name string, variancePower float64) glmFamily {
	if name == FamilyTweedie {
		switch variancePower {
		case 0:
			return glmFamily{name: FamilyGaussian, p: 0}
		case 1:
			return glmFamily{name: FamilyPoisson, p: 1}
		case 2:
			return glmFamily{name: FamilyGamma, p: 2}
		}
		return glmFamily{name: FamilyTweedie, p: variancePower}
	}
	return glmFamily{name: name}
}

func (f glmFamily) defaultLink() glmLink {
	if f.name == FamilyTweedie {
		return powerLink(1 - f.p)
	}
	return glmLink{name: familyLinks[f.name][0]}
}

func (f glmFamily) variance(mu float64) float64 {
	switch f.name {
	case FamilyGaussian:
		return 1
	case FamilyBinomial:
		return mu * (1 - mu)
	case FamilyPoisson:
		return mu
	case FamilyGamma:
		return mu * mu
	}
	return math.Pow(mu, f.p)
}

// project keeps a fitted mean in the family's domain (Spark's project).
func (f glmFamily) project(mu float64) float64 {
	switch f.name {
	case FamilyGaussian:
		if math.IsInf(mu, -1) {
			return -math.MaxFloat64
		}
		if math.IsInf(mu, 1) {
			return math.MaxFloat64
		}
		return mu
	case FamilyBinomial:
		return min(max(mu, glmEpsilon), 1-glmEpsilon)
	}
	if mu < glmEpsilon {
		return glmEpsilon
	}
	if math.IsInf(mu, 1) {
		return math.MaxFloat64
	}
	return mu
}

// checkLabel reports whether y is a valid response for the family and,
// if not, what is wanted.
func (f glmFamily) checkLabel(y float64) (ok bool, want string) {
	switch f.name {
	case FamilyBinomial:
		return y >= 0 && y <= 1, "between 0 and 1 (a 0/1 outcome or a proportion)"
	case FamilyPoisson:
		return y >= 0, ">= 0 (a count)"
	case FamilyGamma:
		return y > 0, "> 0"
	case FamilyTweedie:
		if f.p >= 2 {
			return y > 0, "> 0"
		}
		return y >= 0, ">= 0"
	}
	return true, ""
}

// initialize returns the starting mean for IRLS (Spark's initialize).
func (f glmFamily) initialize(y, w float64) float64 {
	switch f.name {
	case FamilyBinomial:
		return (w*y + 0.5) / (w + 1)
	case FamilyGaussian, FamilyGamma:
		return y
	case FamilyPoisson:
		return max(y, tweedieDelta) // R's y + δ idea: keep log μ finite
	}
	if y == 0 {
		return tweedieDelta
	}
	return y
}

func ylogy(y, mu float64) float64 {
	if y == 0 {
		return 0
	}
	return y * math.Log(y/mu)
}

// deviance is the weighted unit deviance of one observation.
func (f glmFamily) deviance(y, mu, w float64) float64 {
	switch f.name {
	case FamilyGaussian:
		return w * (y - mu) * (y - mu)
	case FamilyBinomial:
		return 2 * w * (ylogy(y, mu) + ylogy(1-y, 1-mu))
	case FamilyPoisson:
		return 2 * w * (ylogy(y, mu) - (y - mu))
	case FamilyGamma:
		return -2 * w * (math.Log(y/mu) - (y-mu)/mu)
	}
	p := f.p
	y1 := y
	if p >= 1 && p < 2 {
		y1 = max(y, tweedieDelta)
	}
	return 2 * w * (y*math.Pow(y1, 1-p)/(1-p) - y*math.Pow(mu, 1-p)/(1-p) -
		math.Pow(y, 2-p)/(2-p) + math.Pow(mu, 2-p)/(2-p))
}

// aic returns Spark's family AIC term (before + 2·rank) for labels y,
// fitted means mu and weights w, or NaN for the Tweedie family, which
// has none.
func (f glmFamily) aic(y, mu, w []float64, deviance float64) float64 {
	n := float64(len(y))
	var wSum float64
	for _, v := range w {
		wSum += v
	}
	s := 0.0
	switch f.name {
	case FamilyGaussian:
		for _, v := range w {
			s += math.Log(v)
		}
		return n*(math.Log(deviance/n*2*math.Pi)+1) + 2 - s
	case FamilyBinomial:
		for i := range y {
			wt := math.Round(w[i])
			if wt == 0 {
				continue
			}
			k := math.Round(y[i] * w[i])
			s += binomialLogProb(k, wt, mu[i])
		}
		return -2 * s
	case FamilyPoisson:
		for i := range y {
			k := math.Trunc(y[i])
			lg, _ := math.Lgamma(k + 1)
			s += w[i] * (k*math.Log(mu[i]) - mu[i] - lg)
		}
		return -2 * s
	case FamilyGamma:
		disp := deviance / wSum
		shape := 1 / disp
		lgShape, _ := math.Lgamma(shape)
		for i := range y {
			scale := mu[i] * disp
			s += w[i] * ((shape-1)*math.Log(y[i]) - y[i]/scale - lgShape - shape*math.Log(scale))
		}
		return -2*s + 2
	}
	return math.NaN()
}

func binomialLogProb(k, n, p float64) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	a, _ := math.Lgamma(n + 1)
	b, _ := math.Lgamma(k + 1)
	c, _ := math.Lgamma(n - k + 1)
	out := a - b - c
	if k > 0 {
		out += k * math.Log(p)
	}
	if n-k > 0 {
		out += (n - k) * math.Log1p(-p)
	}
	return out
}

// familyAndLink resolves the params to Spark's family and link objects,
// or explains which combination is not allowed.
func (p GeneralizedLinearRegressionParams) familyAndLink() (glmFamily, glmLink, error) {
	fam := strings.ToLower(p.Family)
	lk := strings.ToLower(p.Link)
	if _, ok := familyLinks[fam]; !ok && fam != FamilyTweedie {
		msg := fmt.Sprintf("family is %q; use %s", p.Family, strings.Join(familyNames, ", "))
		if near := ml.Nearest(fam, familyNames); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return glmFamily{}, glmLink{}, fmt.Errorf("%s", msg)
	}
	if fam == FamilyTweedie {
		if lk != "" {
			return glmFamily{}, glmLink{}, fmt.Errorf("family tweedie takes its link from linkPower, but link is %q; clear link and set linkPower (0 log, 1 identity, -1 inverse, 0.5 sqrt, or any power)", p.Link)
		}
		if !(p.VariancePower == 0 || p.VariancePower >= 1) || math.IsInf(p.VariancePower, 0) {
			return glmFamily{}, glmLink{}, fmt.Errorf("variancePower is %v; set it to 0 or a finite value >= 1 (1 < p < 2 is compound Poisson-gamma)", p.VariancePower)
		}
		f := familyOf(fam, p.VariancePower)
		if math.IsNaN(p.LinkPower) {
			return f, powerLink(1 - p.VariancePower), nil
		}
		if math.IsInf(p.LinkPower, 0) {
			return glmFamily{}, glmLink{}, fmt.Errorf("linkPower is %v; set a finite power, or leave it unset (NaN) for 1 - variancePower", p.LinkPower)
		}
		return f, powerLink(p.LinkPower), nil
	}
	if p.VariancePower != 0 {
		return glmFamily{}, glmLink{}, fmt.Errorf("variancePower is %v but family is %s; variancePower applies to family tweedie only, set it to 0 or use family tweedie", p.VariancePower, fam)
	}
	if !math.IsNaN(p.LinkPower) {
		return glmFamily{}, glmLink{}, fmt.Errorf("linkPower is %v but family is %s; linkPower applies to family tweedie only, use link instead (unset linkPower with NaN)", p.LinkPower, fam)
	}
	f := familyOf(fam, 0)
	if lk == "" {
		return f, f.defaultLink(), nil
	}
	allowed := familyLinks[fam]
	for _, a := range allowed {
		if a == lk {
			return f, glmLink{name: lk}, nil
		}
	}
	known := false
	for _, a := range linkNames {
		known = known || a == lk
	}
	if !known {
		msg := fmt.Sprintf("link is %q; family %s supports %s", p.Link, fam, strings.Join(allowed, ", "))
		if near := ml.Nearest(lk, allowed); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return glmFamily{}, glmLink{}, fmt.Errorf("%s", msg)
	}
	return glmFamily{}, glmLink{}, fmt.Errorf("family %s does not support link %s; use %s (the first is the canonical default), or a family that supports %s", fam, lk, strings.Join(allowed, ", "), lk)
}
