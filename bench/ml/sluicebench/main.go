// Command sluicebench is the Sluice side of the ML benchmark in bench/ml:
// it fits one model on one task and prints one JSON line with the same
// keys as bench/ml/peer.py, so bench/ml/compare can put the two side by
// side.
//
//	go run ./bench/ml/sluicebench --task churn|synthetic --model dt|rf|gbt|lr \
//	    [--params '{"maxDepth": 8}'] [--repeat R] [--warmup W] [--n-jobs N] \
//	    [--train FILE] [--test FILE]
//
// The estimator is built by its Spark class name through the registry of
// every stage (ml/stages), and --params uses Spark's param names. The
// defaults mirror peer.py's scikit-learn/xgboost settings; see
// bench/ml/README.md for the mapping and where it is not exact.
//
// Timing: fit_seconds and predict_seconds are wall-clock medians over
// --repeat runs of Estimator.Fit and Model.Transform on the test frame
// (Transform writes rawPrediction, probability and prediction). Reading
// and encoding the CSVs is not timed. A garbage collection runs, untimed,
// before every timed call so one run's garbage is not charged to the
// next. There is no warm-up unless --warmup asks for one, as peer.py has
// none.
//
// auc is the area under the ROC curve of probability[1] (rawPrediction[1]
// when the model writes no probability) on the test set; accuracy
// thresholds probability[1] at 0.5 like peer.py. peak_rss_mb is
// getrusage(RUSAGE_SELF).ru_maxrss of the whole process in MiB.
//
// When the registry does not know the stage yet, sluicebench prints a line
// with "error" and exits 0, so the runner shows the row as n/a; other
// failures print such a line too but exit 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/stages"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config holds the command line.
type config struct {
	task, model string
	train, test string
	params      string
	repeat      int
	warmup      int
	nJobs       int
	repoRoot    string
	extraParams map[string]any
}

// result is the JSON line; keys match peer.py's, plus stage, side and
// go_version.
type result struct {
	Side           string         `json:"side"`
	Task           string         `json:"task"`
	Model          string         `json:"model"`
	Stage          string         `json:"stage"`
	Params         map[string]any `json:"params"`
	NTrain         int            `json:"n_train"`
	NTest          int            `json:"n_test"`
	NFeatures      int            `json:"n_features"`
	NJobs          int            `json:"n_jobs"`
	Repeat         int            `json:"repeat"`
	FitSeconds     float64        `json:"fit_seconds"`
	PredictSeconds float64        `json:"predict_seconds"`
	AUC            float64        `json:"auc"`
	Accuracy       float64        `json:"accuracy"`
	PeakRSSMB      float64        `json:"peak_rss_mb"`
	GoVersion      string         `json:"go_version"`
}

// failure is the JSON line printed instead of a result.
type failure struct {
	Side      string  `json:"side"`
	Task      string  `json:"task"`
	Model     string  `json:"model"`
	Stage     string  `json:"stage,omitempty"`
	Error     string  `json:"error"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	GoVersion string  `json:"go_version"`
}

// errUnknownStage marks a stage the registry does not have (yet).
var errUnknownStage = errors.New("unknown stage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "sluicebench:", err)
		return 2
	}
	runtime.GOMAXPROCS(cfg.nJobs)
	res, err := bench(ctx, cfg, stages.Registry(nil))
	enc := json.NewEncoder(stdout)
	if err != nil {
		f := failure{Side: "sluice", Task: cfg.task, Model: cfg.model, Stage: stageName(cfg.model), Error: err.Error(), PeakRSSMB: round(peakRSSMB(), 1), GoVersion: runtime.Version()}
		if encErr := enc.Encode(f); encErr != nil {
			fmt.Fprintln(stderr, "sluicebench:", encErr)
		}
		fmt.Fprintln(stderr, "sluicebench:", err)
		if errors.Is(err, errUnknownStage) {
			return 0
		}
		return 1
	}
	if err := enc.Encode(res); err != nil {
		fmt.Fprintln(stderr, "sluicebench:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("sluicebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	fs.StringVar(&cfg.task, "task", "", "churn or synthetic (required)")
	fs.StringVar(&cfg.model, "model", "", "dt, rf, gbt or lr (required)")
	fs.StringVar(&cfg.train, "train", "", "training CSV (churn: examples/churn/data/mlc_churn.csv rows 1-3,333; synthetic: bench/ml/data/synthetic_train.csv)")
	fs.StringVar(&cfg.test, "test", "", "test CSV (churn: mlc_churn.csv rows 3,334-5,000; synthetic: bench/ml/data/synthetic_test.csv)")
	fs.StringVar(&cfg.params, "params", "{}", "JSON object of params with Spark's names; overrides the defaults")
	fs.IntVar(&cfg.repeat, "repeat", 1, "timed fit/transform runs; the medians are reported")
	fs.IntVar(&cfg.warmup, "warmup", 0, "untimed fit/transform runs before the timed ones")
	fs.IntVar(&cfg.nJobs, "n-jobs", 2, "GOMAXPROCS: the cores Go may use (peer.py's --n-jobs)")
	fs.StringVar(&cfg.repoRoot, "root", "", "repository root (default: found from the working directory)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch cfg.task {
	case "churn", "synthetic":
	default:
		return nil, fmt.Errorf("--task %q: use churn or synthetic", cfg.task)
	}
	if stageName(cfg.model) == "" {
		return nil, fmt.Errorf("--model %q: use dt, rf, gbt or lr", cfg.model)
	}
	if cfg.repeat < 1 || cfg.warmup < 0 || cfg.nJobs < 1 {
		return nil, errors.New("--repeat and --n-jobs must be >= 1, --warmup >= 0")
	}
	if err := json.Unmarshal([]byte(cfg.params), &cfg.extraParams); err != nil || cfg.extraParams == nil {
		return nil, fmt.Errorf("--params %q is not a JSON object of Spark param names, e.g. '{\"maxDepth\": 8}'", cfg.params)
	}
	if cfg.repoRoot == "" {
		root, err := findRoot()
		if err != nil {
			return nil, err
		}
		cfg.repoRoot = root
	}
	return cfg, nil
}

// findRoot walks up from the working directory to the directory holding
// go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; run from the repository or pass --root")
		}
		dir = parent
	}
}

// stageName maps --model to the Spark estimator class.
func stageName(model string) string {
	switch model {
	case "dt":
		return "DecisionTreeClassifier"
	case "rf":
		return "RandomForestClassifier"
	case "gbt":
		return "GBTClassifier"
	case "lr":
		return "LogisticRegression"
	}
	return ""
}

// defaultParams returns the Spark params that mirror peer.py's estimator
// for task and model, given d features and n training rows. README.md
// explains each choice.
func defaultParams(task, model string, d, n int) map[string]any {
	synthetic := task == "synthetic"
	switch model {
	case "dt":
		// DecisionTreeClassifier(max_depth=5 | 10, random_state=42).
		return map[string]any{"maxDepth": pick(synthetic, 10, 5), "seed": 42}
	case "rf":
		// RandomForestClassifier(n_estimators=100 | 50, max_depth=None,
		// max_features="sqrt"): scikit-learn's sqrt is int(sqrt(d))
		// (4 of 20) where Spark's is ceil(sqrt(d)) (5), so the count is
		// passed as a number. Spark caps maxDepth at 30.
		return map[string]any{
			"numTrees":              pick(synthetic, 50, 100),
			"maxDepth":              30,
			"featureSubsetStrategy": strconv.Itoa(max(1, int(math.Sqrt(float64(d))))),
			"seed":                  42,
		}
	case "gbt":
		if synthetic {
			// XGBClassifier(tree_method="hist", n_estimators=100,
			// max_depth=6, learning_rate=0.3), max_bin 256.
			return map[string]any{"maxIter": 100, "maxDepth": 6, "stepSize": 0.3, "maxBins": 256, "seed": 42}
		}
		// GradientBoostingClassifier(n_estimators=100,
		// learning_rate=0.1, max_depth=3).
		return map[string]any{"maxIter": 100, "maxDepth": 3, "stepSize": 0.1, "seed": 42}
	case "lr":
		// StandardScaler + LogisticRegression(C=1, max_iter=1000):
		// scikit-learn minimizes C·Σloss + ½‖w‖², Spark
		// (1/n)·Σloss + (regParam/2)‖w‖², so regParam = 1/(C·n).
		return map[string]any{"maxIter": 1000, "regParam": 1 / float64(n), "elasticNetParam": 0.0, "standardization": true}
	}
	return nil
}

func pick(cond bool, a, b int) int {
	if cond {
		return a
	}
	return b
}

// bench loads the data, fits and scores, building the estimator from reg.
func bench(ctx context.Context, cfg *config, reg *ml.Registry) (*result, error) {
	stage := stageName(cfg.model)
	if _, err := reg.New(stage); err != nil {
		return nil, fmt.Errorf("%w: ml/stages does not register %s yet", errUnknownStage, stage)
	}

	train, test, err := load(cfg)
	if err != nil {
		return nil, err
	}
	d := len(train.names)
	params := defaultParams(cfg.task, cfg.model, d, train.rows())
	for k, v := range cfg.extraParams {
		params[k] = v
	}
	newEstimator := func() (ml.Estimator, error) {
		hp, err := reg.New(stage)
		if err != nil {
			return nil, err
		}
		est, ok := hp.(ml.Estimator)
		if !ok {
			return nil, fmt.Errorf("%s is registered but is not an estimator", stage)
		}
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := ml.SetParam(est, k, params[k]); err != nil {
				return nil, err
			}
		}
		if v, ok := est.Params().(ml.Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("%s: %w", stage, err)
			}
		}
		return est, nil
	}

	trainF, err := train.frame()
	if err != nil {
		return nil, fmt.Errorf("train frame: %w", err)
	}
	testF, err := test.frame()
	if err != nil {
		return nil, fmt.Errorf("test frame: %w", err)
	}

	var fitTimes, predTimes []float64
	var out *ml.Frame
	for i := range cfg.warmup + cfg.repeat {
		est, err := newEstimator()
		if err != nil {
			return nil, err
		}
		runtime.GC()
		t0 := time.Now()
		model, err := est.Fit(ctx, trainF)
		fitDur := time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("%s.Fit: %w", stage, err)
		}
		runtime.GC()
		t0 = time.Now()
		out, err = model.Transform(ctx, testF)
		predDur := time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("%s model Transform: %w", stage, err)
		}
		if i >= cfg.warmup {
			fitTimes = append(fitTimes, fitDur.Seconds())
			predTimes = append(predTimes, predDur.Seconds())
		}
	}

	scores, isProb, err := positiveScores(out)
	if err != nil {
		return nil, err
	}
	auc, err := evaluation.AreaUnderROC(scores, test.y, nil)
	if err != nil {
		return nil, fmt.Errorf("test AUC: %w", err)
	}
	var acc float64
	if isProb {
		acc = accuracy(scores, test.y)
	} else if acc, err = predictionAccuracy(out, test.y); err != nil {
		return nil, err
	}
	return &result{
		Side:           "sluice",
		Task:           cfg.task,
		Model:          cfg.model,
		Stage:          stage,
		Params:         params,
		NTrain:         train.rows(),
		NTest:          test.rows(),
		NFeatures:      d,
		NJobs:          cfg.nJobs,
		Repeat:         cfg.repeat,
		FitSeconds:     round(median(fitTimes), 6),
		PredictSeconds: round(median(predTimes), 6),
		AUC:            round(auc, 6),
		Accuracy:       round(acc, 6),
		PeakRSSMB:      round(peakRSSMB(), 1),
		GoVersion:      runtime.Version(),
	}, nil
}

func load(cfg *config) (train, test *table, err error) {
	trainPath, testPath := cfg.train, cfg.test
	if cfg.task == "churn" {
		churn := filepath.Join(cfg.repoRoot, "examples", "churn", "data", "mlc_churn.csv")
		if trainPath == "" {
			trainPath = churn
		}
		if testPath == "" {
			testPath = churn
		}
		return loadChurn(trainPath, testPath)
	}
	data := filepath.Join(cfg.repoRoot, "bench", "ml", "data")
	if trainPath == "" {
		trainPath = filepath.Join(data, "synthetic_train.csv")
	}
	if testPath == "" {
		testPath = filepath.Join(data, "synthetic_test.csv")
	}
	return loadSynthetic(trainPath, testPath)
}

// positiveScores returns probability[1] of every row of out (isProb), or
// rawPrediction[1] when there is no probability column.
func positiveScores(out *ml.Frame) (scores []float64, isProb bool, err error) {
	var col string
	for _, c := range []string{"probability", "rawPrediction"} {
		if slices.Contains(ml.ColumnNames(out.Schema()), c) {
			col = c
			break
		}
	}
	if col == "" {
		return nil, false, fmt.Errorf("the model's output has neither probability nor rawPrediction (columns %v)", ml.ColumnNames(out.Schema()))
	}
	chunked, err := out.Column(col)
	if err != nil {
		return nil, false, err
	}
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, false, err
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return nil, false, fmt.Errorf("column %s: %w", col, err)
	}
	scores = make([]float64, vc.Len())
	for i := range scores {
		if vc.IsNull(i) {
			return nil, false, fmt.Errorf("column %s: row %d is NULL", col, i+1)
		}
		v := vc.At(i)
		if v.Size < 2 {
			return nil, false, fmt.Errorf("column %s: row %d has %d values, want 2 (binary classifier)", col, i+1, v.Size)
		}
		scores[i] = v.At(1)
	}
	return scores, col == "probability", nil
}

// accuracy thresholds the positive-class score at 0.5, as peer.py does.
func accuracy(scores, labels []float64) float64 {
	if len(labels) == 0 {
		return math.NaN()
	}
	right := 0
	for i, s := range scores {
		pred := 0.0
		if s >= 0.5 {
			pred = 1
		}
		if pred == labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// peakRSSMB is ru_maxrss of this process in MiB (Linux reports KiB).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024
}

// predictionAccuracy is the share of rows whose prediction column equals
// the label.
func predictionAccuracy(out *ml.Frame, labels []float64) (float64, error) {
	chunked, err := out.Column("prediction")
	if err != nil {
		return 0, err
	}
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return 0, err
	}
	defer arr.Release()
	pred, _, err := ml.Float64s(arr)
	if err != nil {
		return 0, fmt.Errorf("column prediction: %w", err)
	}
	if len(pred) != len(labels) || len(labels) == 0 {
		return 0, fmt.Errorf("column prediction has %d rows, the test set %d", len(pred), len(labels))
	}
	right := 0
	for i, p := range pred {
		if p == labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(labels)), nil
}
