package tree

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Spark's default seeds: the Java hashCode of the estimator's class name
// (Params.seed defaults to this.getClass.getName.hashCode).
const (
	seedDecisionTreeClassifier = 159147643
	seedDecisionTreeRegressor  = 926680331
	seedRandomForestClassifier = 207336481
	seedRandomForestRegressor  = 235498149
	seedGBTClassifier          = -1287390502
	seedGBTRegressor           = -131597770
)

// maxDepthLimit is Spark's limit on maxDepth.
const maxDepthLimit = 30

// TreeParams are the params every tree learner shares (Spark's
// DecisionTreeParams, HasSeed and HasWeightCol), with Spark's names.
type TreeParams struct {
	MaxDepth                 int     `param:"maxDepth" doc:"maximum depth of a tree: 0 is one leaf, 1 one split and two leaves; at most 30"`
	MaxBins                  int     `param:"maxBins" doc:"number of bins continuous features are cut into (2 … 256); must be at least the number of categories of every categorical feature"`
	MinInstancesPerNode      int     `param:"minInstancesPerNode" doc:"minimum number of rows each child of a split must have (>= 1)"`
	MinWeightFractionPerNode float64 `param:"minWeightFractionPerNode" doc:"minimum fraction of the total instance weight each child of a split must have, in [0, 0.5)"`
	MinInfoGain              float64 `param:"minInfoGain" doc:"minimum impurity decrease a split must bring (>= 0)"`
	Seed                     int     `param:"seed" doc:"random seed for sampling rows, features and bin boundaries"`
	WeightCol                string  `param:"weightCol" doc:"column of instance weights (>= 0); empty means every row weighs 1"`
}

func defaultTreeParams(seed int) TreeParams {
	return TreeParams{MaxDepth: 5, MaxBins: 32, MinInstancesPerNode: 1, Seed: seed}
}

// Validate checks the params and names the bad one.
func (p TreeParams) Validate() error {
	switch {
	case p.MaxDepth < 0 || p.MaxDepth > maxDepthLimit:
		return fmt.Errorf("maxDepth = %d; use 0 … %d", p.MaxDepth, maxDepthLimit)
	case p.MaxBins < 2 || p.MaxBins > maxBinsLimit:
		return fmt.Errorf("maxBins = %d; use 2 … %d (bins are stored in one byte)", p.MaxBins, maxBinsLimit)
	case p.MinInstancesPerNode < 1:
		return fmt.Errorf("minInstancesPerNode = %d; use 1 or more", p.MinInstancesPerNode)
	case !(p.MinWeightFractionPerNode >= 0 && p.MinWeightFractionPerNode < 0.5):
		return fmt.Errorf("minWeightFractionPerNode = %v; use a value in [0, 0.5)", p.MinWeightFractionPerNode)
	case !(p.MinInfoGain >= 0):
		return fmt.Errorf("minInfoGain = %v; use 0 or more", p.MinInfoGain)
	}
	return nil
}

// ForestParams are a random forest's sampling params (Spark's
// RandomForestParams and HasSubsamplingRate).
type ForestParams struct {
	NumTrees              int     `param:"numTrees" doc:"number of trees (>= 1)"`
	FeatureSubsetStrategy string  `param:"featureSubsetStrategy" doc:"features considered per split: auto, all, onethird, sqrt, log2, a whole number n or a fraction in (0, 1]"`
	SubsamplingRate       float64 `param:"subsamplingRate" doc:"fraction of the rows each tree is trained on, in (0, 1]"`
	Bootstrap             bool    `param:"bootstrap" doc:"sample rows with replacement (Poisson counts) for each tree"`
}

func defaultForestParams() ForestParams {
	return ForestParams{NumTrees: 20, FeatureSubsetStrategy: "auto", SubsamplingRate: 1, Bootstrap: true}
}

// Validate checks the params and names the bad one.
func (p ForestParams) Validate() error {
	if p.NumTrees < 1 {
		return fmt.Errorf("numTrees = %d; use 1 or more", p.NumTrees)
	}
	if err := validateRate(p.SubsamplingRate); err != nil {
		return err
	}
	_, err := featuresPerNode(p.FeatureSubsetStrategy, 1, p.NumTrees, true)
	return err
}

func validateRate(r float64) error {
	if !(r > 0 && r <= 1) {
		return fmt.Errorf("subsamplingRate = %v; use a fraction in (0, 1]", r)
	}
	return nil
}

// BoostParams are gradient boosting's params (Spark's GBTParams).
type BoostParams struct {
	MaxIter                int     `param:"maxIter" doc:"number of boosting rounds (trees), >= 1"`
	StepSize               float64 `param:"stepSize" doc:"learning rate: the weight of every tree after the first, in (0, 1]"`
	SubsamplingRate        float64 `param:"subsamplingRate" doc:"fraction of the training rows each round is fitted on (without replacement), in (0, 1]"`
	FeatureSubsetStrategy  string  `param:"featureSubsetStrategy" doc:"features considered per split: auto (= all), all, onethird, sqrt, log2, a whole number n or a fraction in (0, 1]"`
	ValidationIndicatorCol string  `param:"validationIndicatorCol" doc:"boolean column; rows where it is true are held out to stop boosting early (empty: no early stopping)"`
	ValidationTol          float64 `param:"validationTol" doc:"boosting stops when the validation error improves by less than validationTol × max(error, 0.01)"`
	Impurity               string  `param:"impurity" doc:"impurity of the boosted trees; only variance (Spark's only choice)"`
}

func defaultBoostParams() BoostParams {
	return BoostParams{MaxIter: 20, StepSize: 0.1, SubsamplingRate: 1, FeatureSubsetStrategy: "all", ValidationTol: 0.01, Impurity: "variance"}
}

// Validate checks the params and names the bad one.
func (p BoostParams) Validate() error {
	switch {
	case p.MaxIter < 1:
		return fmt.Errorf("maxIter = %d; use 1 or more", p.MaxIter)
	case !(p.StepSize > 0 && p.StepSize <= 1):
		return fmt.Errorf("stepSize = %v; use a value in (0, 1]", p.StepSize)
	case !(p.ValidationTol >= 0):
		return fmt.Errorf("validationTol = %v; use 0 or more", p.ValidationTol)
	case p.Impurity != "variance":
		return fmt.Errorf("impurity = %q; boosted trees support only variance", p.Impurity)
	}
	if err := validateRate(p.SubsamplingRate); err != nil {
		return err
	}
	_, err := featuresPerNode(p.FeatureSubsetStrategy, 1, 1, false)
	return err
}

// featuresPerNode returns the number of features a node considers under
// Spark's featureSubsetStrategy for d features: auto is all for a single
// tree, else sqrt (classification) or onethird (regression).
func featuresPerNode(strategy string, d, numTrees int, classification bool) (int, error) {
	s := strings.ToLower(strings.TrimSpace(strategy))
	if s == "auto" {
		switch {
		case numTrees == 1:
			s = "all"
		case classification:
			s = "sqrt"
		default:
			s = "onethird"
		}
	}
	switch s {
	case "all":
		return d, nil
	case "sqrt":
		return int(math.Ceil(math.Sqrt(float64(d)))), nil
	case "log2":
		return max(1, int(math.Ceil(math.Log2(float64(d))))), nil
	case "onethird":
		return int(math.Ceil(float64(d) / 3)), nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return min(n, d), nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f <= 1 {
		return int(math.Ceil(f * float64(d))), nil
	}
	return 0, fmt.Errorf("featureSubsetStrategy = %q; use auto, all, onethird, sqrt, log2, a whole number n > 0 or a fraction in (0, 1]", strategy)
}

func checkImpurity(imp string, allowed ...string) error {
	for _, a := range allowed {
		if imp == a {
			return nil
		}
	}
	return fmt.Errorf("impurity = %q; use %s", imp, strings.Join(allowed, " or "))
}

var errNoModel = errors.New("the model has no trees; fit it or load a saved one")
