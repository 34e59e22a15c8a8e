package recommendation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// alsDefaultSeed is Spark's default seed for ALS: the Java hashCode of
// "org.apache.spark.ml.recommendation.ALS".
const alsDefaultSeed = 1994790107

// Cold-start strategies (Spark's coldStartStrategy values).
const (
	ColdStartNaN  = "nan"
	ColdStartDrop = "drop"
)

// Bias modes (Sluice's biasMode param).
const (
	BiasNone     = "none"
	BiasGlobal   = "global"
	BiasUserItem = "user+item"
)

// Solvers (Sluice's solver param).
const (
	SolverAuto     = "auto"
	SolverCholesky = "cholesky"
	SolverCG       = "cg"
)

// autoCGRank is the rank from which solver "auto" uses conjugate
// gradient instead of Cholesky (explicit and implicit, not nonnegative).
const autoCGRank = 24

// ALSModelParams are the params ALS and ALSModel share (Spark's
// ALSModelParams): column names, the cold-start strategy and the block
// size of top-k scoring.
type ALSModelParams struct {
	UserCol           string `param:"userCol" doc:"column of user ids: integers (or whole doubles) in the int32 range"`
	ItemCol           string `param:"itemCol" doc:"column of item ids: integers (or whole doubles) in the int32 range"`
	PredictionCol     string `param:"predictionCol" doc:"column the predicted rating (float) is written to"`
	ColdStartStrategy string `param:"coldStartStrategy" doc:"unknown user or item at transform: nan (prediction NaN) or drop (row dropped)"`
	BlockSize         int    `param:"blockSize" doc:"number of factor rows scored per block in top-k recommendation (> 0)"`
}

// Validate checks the params.
func (p ALSModelParams) Validate() error {
	switch {
	case p.UserCol == "":
		return errors.New("userCol is empty; name the user id column, e.g. userId")
	case p.ItemCol == "":
		return errors.New("itemCol is empty; name the item id column, e.g. movieId")
	case p.UserCol == p.ItemCol:
		return fmt.Errorf("userCol and itemCol are both %q; they must name two different columns", p.UserCol)
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the output column, e.g. prediction")
	case p.BlockSize <= 0:
		return fmt.Errorf("blockSize is %d; it must be > 0 (Spark's default is 4096)", p.BlockSize)
	}
	switch strings.ToLower(p.ColdStartStrategy) {
	case ColdStartNaN, ColdStartDrop:
	default:
		return fmt.Errorf("coldStartStrategy is %q; use nan or drop", p.ColdStartStrategy)
	}
	return nil
}

func (p ALSModelParams) drop() bool { return strings.EqualFold(p.ColdStartStrategy, ColdStartDrop) }

// ALSParams are ALS's params: Spark 3.5's names and defaults, plus
// Sluice's biasMode, biasRegParam, solver and cgSteps (see the package
// documentation for the model each one fits).
type ALSParams struct {
	ALSModelParams
	RatingCol          string  `param:"ratingCol" doc:"numeric column of ratings (explicit) or interaction strengths (implicit); empty: every rating is 1"`
	Rank               int     `param:"rank" doc:"number of latent factors (>= 1)"`
	MaxIter            int     `param:"maxIter" doc:"number of iterations; each solves the item factors, then the user factors (>= 0)"`
	RegParam           float64 `param:"regParam" doc:"L2 regularization of the factors, scaled by each user's and item's number of ratings as in Spark (>= 0)"`
	ImplicitPrefs      bool    `param:"implicitPrefs" doc:"treat ratings as implicit feedback (preference r > 0, confidence 1 + alpha·|r|)"`
	Alpha              float64 `param:"alpha" doc:"confidence scale of implicit feedback (>= 0)"`
	Nonnegative        bool    `param:"nonnegative" doc:"constrain the factors to be >= 0 (nonnegative least squares)"`
	Seed               int     `param:"seed" doc:"seed of the random initial factors"`
	NumUserBlocks      int     `param:"numUserBlocks" doc:"accepted for Spark compatibility (>= 1); Sluice solves in parallel over all cores whatever the value, with the same result"`
	NumItemBlocks      int     `param:"numItemBlocks" doc:"accepted for Spark compatibility (>= 1); no effect"`
	CheckpointInterval int     `param:"checkpointInterval" doc:"accepted for Spark compatibility (-1 or >= 1); no effect, Sluice keeps no lineage to cut"`
	BiasMode           string  `param:"biasMode" doc:"Sluice extension, explicit ratings only: none (Spark's model), global (a global mean), or user+item (global mean plus a learned bias per user and per item)"`
	BiasRegParam       float64 `param:"biasRegParam" doc:"Sluice extension: L2 regularization of the user and item biases, not scaled by rating counts (>= 0)"`
	Solver             string  `param:"solver" doc:"Sluice extension: auto, cholesky (exact normal equations, Spark's solver) or cg (conjugate gradient warm-started from the last iteration)"`
	CGSteps            int     `param:"cgSteps" doc:"Sluice extension: conjugate-gradient steps per factor and half-iteration when the solver is cg (>= 1)"`
}

// Validate checks the params.
func (p ALSParams) Validate() error {
	if err := p.ALSModelParams.Validate(); err != nil {
		return err
	}
	bad := func(name string, v any, want string) error {
		return fmt.Errorf("%s is %v; it must be %s", name, v, want)
	}
	switch {
	case p.Rank < 1:
		return bad("rank", p.Rank, ">= 1 (Spark's default is 10)")
	case p.MaxIter < 0:
		return bad("maxIter", p.MaxIter, ">= 0")
	case !(p.RegParam >= 0) || math.IsInf(p.RegParam, 1):
		return bad("regParam", p.RegParam, "a finite number >= 0")
	case !(p.Alpha >= 0) || math.IsInf(p.Alpha, 1):
		return bad("alpha", p.Alpha, "a finite number >= 0")
	case p.NumUserBlocks < 1:
		return bad("numUserBlocks", p.NumUserBlocks, ">= 1")
	case p.NumItemBlocks < 1:
		return bad("numItemBlocks", p.NumItemBlocks, ">= 1")
	case p.CheckpointInterval != -1 && p.CheckpointInterval < 1:
		return bad("checkpointInterval", p.CheckpointInterval, "-1 (off) or >= 1")
	case !(p.BiasRegParam >= 0) || math.IsInf(p.BiasRegParam, 1):
		return bad("biasRegParam", p.BiasRegParam, "a finite number >= 0")
	case p.CGSteps < 1:
		return bad("cgSteps", p.CGSteps, ">= 1")
	case p.Rank > 4096:
		return bad("rank", p.Rank, "<= 4096")
	}
	switch p.BiasMode {
	case BiasNone, BiasGlobal, BiasUserItem:
	default:
		return fmt.Errorf("biasMode is %q; use none, global or user+item", p.BiasMode)
	}
	switch p.Solver {
	case SolverAuto, SolverCholesky, SolverCG:
	default:
		return fmt.Errorf("solver is %q; use auto, cholesky or cg", p.Solver)
	}
	if p.ImplicitPrefs && p.BiasMode != BiasNone {
		return fmt.Errorf("biasMode %s applies to explicit ratings; set biasMode none with implicitPrefs true", p.BiasMode)
	}
	if p.Nonnegative && p.Solver == SolverCG {
		return errors.New("solver cg cannot keep factors nonnegative; use solver auto or cholesky with nonnegative true")
	}
	return nil
}

// useCG reports whether the fit runs conjugate gradient.
func (p ALSParams) useCG() bool {
	switch p.Solver {
	case SolverCG:
		return true
	case SolverAuto:
		return !p.Nonnegative && p.Rank >= autoCGRank
	}
	return false
}

// ALS is Spark's ALS estimator: alternating least squares matrix
// factorization of a ratings table, for explicit ratings or implicit
// feedback, with Sluice's optional bias terms. See the package
// documentation for the objective and the solvers.
//
// Fit reads userCol, itemCol and ratingCol; NULL ids, ids that are not
// whole numbers in the int32 range, NULL, NaN or infinite ratings and an
// empty frame are errors naming the column and row. Fit uses all cores
// (GOMAXPROCS) and checks ctx between blocks of rows.
type ALS struct {
	P ALSParams
	// OnIteration, when not nil, is called after each iteration with its
	// 1-based number and the time its two half-steps took (benchmarks and
	// progress logs use it). It is not a param and is not saved.
	OnIteration func(iter int, took time.Duration)

	// initFactors, when set (tests), replaces the random initial factors.
	initFactors func(users, items *factors)
}

var _ ml.Estimator = (*ALS)(nil)

// NewALS returns an ALS with Spark 3.5's defaults: userCol "user",
// itemCol "item", ratingCol "rating", predictionCol "prediction", rank
// 10, maxIter 10, regParam 0.1, implicitPrefs false, alpha 1.0,
// nonnegative false, seed 1994790107, coldStartStrategy "nan",
// numUserBlocks and numItemBlocks 10, checkpointInterval 10, blockSize
// 4096; and Sluice's biasMode "none", biasRegParam 2 (tuned on
// MovieLens, see the package doc), solver "auto", cgSteps 3.
func NewALS() *ALS {
	return &ALS{P: ALSParams{
		ALSModelParams: defaultModelParams(),
		RatingCol:      "rating", Rank: 10, MaxIter: 10, RegParam: 0.1, Alpha: 1.0,
		Seed: alsDefaultSeed, NumUserBlocks: 10, NumItemBlocks: 10, CheckpointInterval: 10,
		BiasMode: BiasNone, BiasRegParam: 2, Solver: SolverAuto, CGSteps: 3,
	}}
}

func defaultModelParams() ALSModelParams {
	return ALSModelParams{UserCol: "user", ItemCol: "item", PredictionCol: "prediction", ColdStartStrategy: ColdStartNaN, BlockSize: 4096}
}

// StageName returns "ALS".
func (a *ALS) StageName() string { return "ALS" }

// Params returns the params.
func (a *ALS) Params() any { return &a.P }

// TransformSchema checks that userCol, itemCol and ratingCol (unless
// empty) are numeric and adds predictionCol (float).
func (a *ALS) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := a.P.Validate(); err != nil {
		return nil, err
	}
	if a.P.RatingCol != "" {
		if err := ml.CheckNumericCol(in, "ratingCol", a.P.RatingCol); err != nil {
			return nil, err
		}
	}
	return modelSchema(a.P.ALSModelParams, in)
}

func modelSchema(p ALSModelParams, in *arrow.Schema) (*arrow.Schema, error) {
	if err := checkIDCol(in, "userCol", p.UserCol); err != nil {
		return nil, err
	}
	if err := checkIDCol(in, "itemCol", p.ItemCol); err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: p.PredictionCol, Type: arrow.PrimitiveTypes.Float32, Nullable: true})
}

// Fit factorizes the ratings in f. The same rows in the same order, params
// and seed give the same model whatever the number of cores. Errors are
// described at ALS; ctx cancels the fit between chunks of rows.
func (a *ALS) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := a.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("ALS: %w", err)
	}
	return m, nil
}

func (a *ALS) fit(ctx context.Context, f *ml.Frame) (*ALSModel, error) {
	if _, err := a.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, errors.New("the training data has no rows; check the input table or the filter before fitting")
	}
	rd, err := loadRatings(ctx, f, a.P)
	if err != nil {
		return nil, err
	}
	p := a.P
	cfg := solveConfig{
		k: p.Rank, reg: p.RegParam, biasReg: p.BiasRegParam, implicit: p.ImplicitPrefs,
		alpha: p.Alpha, nonneg: p.Nonnegative, cg: p.useCG(), cgSteps: p.CGSteps,
		bias: p.BiasMode == BiasUserItem, workers: runtime.GOMAXPROCS(0),
	}
	if p.BiasMode != BiasNone {
		cfg.mu = rd.mean
	}
	users := newFactors(len(rd.userIDs), p.Rank, cfg.bias)
	items := newFactors(len(rd.itemIDs), p.Rank, cfg.bias)
	rng := ml.NewRand(int64(p.Seed))
	userSeed, itemSeed := rng.Int64(), rng.Int64()
	users.randomize(userSeed)
	items.randomize(itemSeed)
	if a.initFactors != nil {
		a.initFactors(users, items)
	}
	s := newSolver(cfg, max(len(rd.userIDs), len(rd.itemIDs)))
	for it := 1; it <= p.MaxIter; it++ {
		start := time.Now()
		if err := s.halfStep(ctx, items, users, &rd.byItem); err != nil {
			return nil, err
		}
		if err := s.halfStep(ctx, users, items, &rd.byUser); err != nil {
			return nil, err
		}
		if a.OnIteration != nil {
			a.OnIteration(it, time.Since(start))
		}
	}
	m := &ALSModel{
		P: a.P.ALSModelParams, rank: p.Rank, implicit: p.ImplicitPrefs, biasMode: p.BiasMode, globalMean: cfg.mu,
		users:      factorTable{ids: rd.userIDs, x: users.x, bias: users.bias},
		items:      factorTable{ids: rd.itemIDs, x: items.x, bias: items.bias},
		numRatings: int64(len(rd.byUser.idx)), trainRMSE: math.NaN(),
	}
	m.index()
	if !p.ImplicitPrefs {
		if m.trainRMSE, err = s.rmse(ctx, m, &rd.byUser); err != nil {
			return nil, err
		}
	}
	return m, nil
}
