// Command alsbench is the Sluice side of bench/als: ALS quality on
// MovieLens and ALS speed on a large synthetic rating set. It prints one
// JSON line per case; bench/als/run.sh puts them in a table beside the
// numpy peer (bench/als/peer.py).
//
//	alsbench movielens --ratings FILE [--seed 42] [--split-dir DIR]
//	                   [--rank 10 --reg 0.1 --iter 15 --bias-reg 5 --bias user+item]
//	alsbench scale [--ratings-n 20000000 --users 138493 --items 27278]
//	               [--rank 64] [--implicit] [--solver auto] [--iters 2]
//	alsbench report [--small] < lines.jsonl
//
// movielens reads a MovieLens ratings CSV (columns found by header:
// userId, movieId, rating; the dslabs export's extra columns are
// ignored), splits it 80/20 with Frame.RandomSplit(seed), writes the
// split to --split-dir/{train,test}.csv when given (so the peer fits on
// the very same rows), and reports the test RMSE (coldStartStrategy drop)
// of: the global mean, Spark-style ALS (rank 10, regParam 0.15, 15
// iterations, no bias, Cholesky) and Sluice's ALS with bias terms.
//
// scale generates a synthetic MovieLens-like set in memory with
// internal/datagen (MovieLens 20M's shape by default) and fits ALS
// with --iters iterations, reporting the seconds of each iteration (from
// ALS.OnIteration), the set-up time (reading and indexing the frame) and
// this process's peak RSS.
//
// report reads the JSON lines of both sides (run.sh adds the spawner's
// usage to the scale lines) and prints the markdown tables with targets
// and verdicts.
package main

import (
	"context"
	"encoding/csv"
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
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/internal/datagen"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/recommendation"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "alsbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: alsbench movielens|scale|report [flags]")
	}
	switch args[0] {
	case "movielens":
		return runMovieLens(ctx, args[1:], out)
	case "scale":
		return runScale(ctx, args[1:], out)
	case "report":
		return runReport(args[1:], os.Stdin, out)
	}
	return fmt.Errorf("unknown command %q; use movielens, scale or report", args[0])
}

// result is one JSON line.
type result struct {
	Side        string         `json:"side"`
	Case        string         `json:"case"`
	RMSE        float64        `json:"rmse,omitempty"`
	FitSeconds  float64        `json:"fit_seconds,omitempty"`
	TestRows    int64          `json:"test_rows,omitempty"`
	Params      map[string]any `json:"params,omitempty"`
	IterSeconds []float64      `json:"iter_seconds,omitempty"`
	IterCPU     []float64      `json:"iter_cpu_seconds,omitempty"`
	SetupSecs   float64        `json:"setup_seconds,omitempty"`
	GenSeconds  float64        `json:"gen_seconds,omitempty"`
	Ratings     int64          `json:"ratings,omitempty"`
	PeakRSSMB   float64        `json:"peak_rss_mb,omitempty"`
	// RecommendSecs and RecommendCPU time Recommend for all users (scale --recommend K).
	RecommendSecs float64 `json:"recommend_seconds,omitempty"`
	RecommendCPU  float64 `json:"recommend_cpu_seconds,omitempty"`
	GoMaxProcs    int     `json:"gomaxprocs"`
}

func emit(out io.Writer, r result) error {
	r.Side = "sluice"
	r.GoMaxProcs = runtime.GOMAXPROCS(0)
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, string(b))
	return err
}

func runMovieLens(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("movielens", flag.ContinueOnError)
	path := fs.String("ratings", "", "MovieLens ratings CSV (userId, movieId, rating columns)")
	seed := fs.Int64("seed", 42, "seed of the 80/20 split")
	splitDir := fs.String("split-dir", "", "write train.csv and test.csv of the split here")
	rank := fs.Int("rank", 10, "rank of Sluice's bias ALS")
	reg := fs.Float64("reg", 0.1, "regParam of Sluice's bias ALS")
	iters := fs.Int("iter", 15, "maxIter of Sluice's bias ALS")
	biasReg := fs.Float64("bias-reg", 5, "biasRegParam of Sluice's bias ALS")
	biasMode := fs.String("bias", recommendation.BiasUserItem, "biasMode of Sluice's bias ALS")
	solver := fs.String("solver", recommendation.SolverAuto, "solver of Sluice's bias ALS")
	only := fs.String("only", "", "run only this case: mean, spark or bias")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("movielens: --ratings FILE is required")
	}
	f, err := readRatingsCSV(*path)
	if err != nil {
		return err
	}
	parts, err := f.RandomSplit(ctx, []float64{0.8, 0.2}, *seed)
	if err != nil {
		return err
	}
	train, test := parts[0], parts[1]
	if *splitDir != "" {
		if err := writeSplit(filepath.Join(*splitDir, "train.csv"), train); err != nil {
			return err
		}
		if err := writeSplit(filepath.Join(*splitDir, "test.csv"), test); err != nil {
			return err
		}
	}
	if *only == "" || *only == "mean" {
		r, err := globalMean(train, test)
		if err != nil {
			return err
		}
		if err := emit(out, r); err != nil {
			return err
		}
	}
	cases := []struct {
		name   string
		params map[string]any
	}{
		{"spark", map[string]any{"rank": 10, "regParam": 0.15, "maxIter": 15, "biasMode": "none", "solver": "cholesky"}},
		{"bias", map[string]any{"rank": *rank, "regParam": *reg, "maxIter": *iters, "biasMode": *biasMode, "biasRegParam": *biasReg, "solver": *solver}},
	}
	for _, c := range cases {
		if *only != "" && *only != c.name {
			continue
		}
		r, err := fitEval(ctx, train, test, c.params)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		r.Case = c.name
		if err := emit(out, r); err != nil {
			return err
		}
	}
	return nil
}

func fitEval(ctx context.Context, train, test *ml.Frame, params map[string]any) (result, error) {
	als := recommendation.NewALS()
	for k, v := range map[string]any{"userCol": "userId", "itemCol": "movieId", "ratingCol": "rating", "coldStartStrategy": "drop"} {
		if err := ml.SetParam(als, k, v); err != nil {
			return result{}, err
		}
	}
	for k, v := range params {
		if err := ml.SetParam(als, k, v); err != nil {
			return result{}, err
		}
	}
	runtime.GC()
	start := time.Now()
	m, err := als.Fit(ctx, train)
	if err != nil {
		return result{}, err
	}
	fit := time.Since(start).Seconds()
	pred, err := m.Transform(ctx, test)
	if err != nil {
		return result{}, err
	}
	ev := evaluation.NewRegressionEvaluator()
	ev.P.LabelCol = "rating"
	rmse, err := ev.Evaluate(ctx, pred)
	if err != nil {
		return result{}, err
	}
	return result{RMSE: rmse, FitSeconds: fit, TestRows: pred.NumRows(), Params: params}, nil
}

// globalMean is the test RMSE of predicting the training mean for every
// test row whose user and item occur in training (the rows ALS with
// coldStartStrategy drop keeps).
func globalMean(train, test *ml.Frame) (result, error) {
	start := time.Now()
	tr, err := columns(train)
	if err != nil {
		return result{}, err
	}
	te, err := columns(test)
	if err != nil {
		return result{}, err
	}
	users, items := map[int32]bool{}, map[int32]bool{}
	mean := 0.0
	for i := range tr.r {
		users[tr.u[i]], items[tr.i[i]] = true, true
		mean += tr.r[i]
	}
	mean /= float64(len(tr.r))
	s, n := 0.0, 0
	for i := range te.r {
		if !users[te.u[i]] || !items[te.i[i]] {
			continue
		}
		d := te.r[i] - mean
		s += d * d
		n++
	}
	return result{Case: "mean", RMSE: math.Sqrt(s / float64(n)), TestRows: int64(n), FitSeconds: time.Since(start).Seconds()}, nil
}

type cols struct {
	u, i []int32
	r    []float64
}

func columns(f *ml.Frame) (cols, error) {
	var c cols
	get := func(name string) (arrow.Array, error) {
		ch, err := f.Column(name)
		if err != nil {
			return nil, err
		}
		return ml.Flatten(ch)
	}
	ua, err := get("userId")
	if err != nil {
		return c, err
	}
	ia, err := get("movieId")
	if err != nil {
		return c, err
	}
	ra, err := get("rating")
	if err != nil {
		return c, err
	}
	c.u = ua.(*array.Int32).Int32Values()
	c.i = ia.(*array.Int32).Int32Values()
	c.r = ra.(*array.Float64).Float64Values()
	return c, nil
}

// readRatingsCSV reads userId, movieId and rating (by header name).
func readRatingsCSV(path string) (*ml.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w; export MovieLens with examples/movielens/get-data.sh (see bench/als/README.md)", err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		pos[h] = i
	}
	for _, want := range []string{"userId", "movieId", "rating"} {
		if _, ok := pos[want]; !ok {
			return nil, fmt.Errorf("%s: no %s column (header %v)", path, want, header)
		}
	}
	mem := memory.DefaultAllocator
	ub, ib, rb := array.NewInt32Builder(mem), array.NewInt32Builder(mem), array.NewFloat64Builder(mem)
	line := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line++
		u, err1 := strconv.ParseInt(rec[pos["userId"]], 10, 32)
		it, err2 := strconv.ParseInt(rec[pos["movieId"]], 10, 32)
		rt, err3 := strconv.ParseFloat(rec[pos["rating"]], 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		ub.Append(int32(u))
		ib.Append(int32(it))
		rb.Append(rt)
	}
	return frameOf(ub.NewArray(), ib.NewArray(), rb.NewArray())
}

func frameOf(u, i, r arrow.Array) (*ml.Frame, error) {
	fields := []arrow.Field{
		{Name: "userId", Type: u.DataType()},
		{Name: "movieId", Type: i.DataType()},
		{Name: "rating", Type: r.DataType()},
	}
	return ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{
		arrow.NewChunked(u.DataType(), []arrow.Array{u}),
		arrow.NewChunked(i.DataType(), []arrow.Array{i}),
		arrow.NewChunked(r.DataType(), []arrow.Array{r}),
	})
}

// writeSplit writes userId,movieId,rating rows of f to path.
func writeSplit(path string, f *ml.Frame) error {
	c, err := columns(f)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(fh)
	_ = w.Write([]string{"userId", "movieId", "rating"})
	for j := range c.r {
		_ = w.Write([]string{strconv.Itoa(int(c.u[j])), strconv.Itoa(int(c.i[j])), strconv.FormatFloat(c.r[j], 'g', -1, 64)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func runScale(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	n := fs.Int64("ratings-n", 20_000_000, "number of ratings")
	users := fs.Int("users", 138_493, "number of users (MovieLens 20M's)")
	items := fs.Int("items", 27_278, "number of movies (MovieLens 20M's)")
	rank := fs.Int("rank", 64, "ALS rank")
	implicit := fs.Bool("implicit", false, "implicit feedback")
	solver := fs.String("solver", recommendation.SolverAuto, "ALS solver: auto, cholesky or cg")
	iters := fs.Int("iters", 2, "iterations to time")
	seed := fs.Int64("seed", 1, "generator seed")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the fit to this file")
	recK := fs.Int("recommend", 0, "after the fit, time Recommend for all users with this k (0: skip)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	cfg := datagen.DefaultMovieLensConfig()
	cfg.Users, cfg.Movies, cfg.Ratings, cfg.Seed = *users, *items, *n, *seed
	f, count, err := synthetic(ctx, cfg)
	if err != nil {
		return err
	}
	gen := time.Since(start).Seconds()
	als := recommendation.NewALS()
	als.P.UserCol, als.P.ItemCol = "userId", "movieId"
	als.P.Rank, als.P.MaxIter, als.P.ImplicitPrefs, als.P.Solver = *rank, *iters, *implicit, *solver
	var its, cpu []float64
	var lastCPU float64
	als.OnIteration = func(_ int, d time.Duration) {
		its = append(its, d.Seconds())
		now := cpuSeconds()
		cpu = append(cpu, now-lastCPU)
		lastCPU = now
	}
	runtime.GC()
	if *profile != "" {
		pf, err := os.Create(*profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pf.Close()
		defer pprof.StopCPUProfile()
	}
	start = time.Now()
	lastCPU = cpuSeconds() // from here the first iteration's CPU time includes the set-up
	model, err := als.Fit(ctx, f)
	if err != nil {
		return err
	}
	total := time.Since(start).Seconds()
	var recSecs, recCPU float64
	if *recK > 0 {
		c0, t0 := cpuSeconds(), time.Now()
		recs, err := model.(*recommendation.ALSModel).Recommend(ctx, recommendation.RecommendOptions{K: *recK})
		if err != nil {
			return err
		}
		recSecs, recCPU = time.Since(t0).Seconds(), cpuSeconds()-c0
		_ = recs
	}
	setup := total
	for _, s := range its {
		setup -= s
	}
	name := "explicit"
	if *implicit {
		name = "implicit"
	}
	return emit(out, result{
		Case: name, IterSeconds: its, IterCPU: cpu, SetupSecs: setup, GenSeconds: gen, Ratings: count, PeakRSSMB: peakRSSMB(),
		RecommendSecs: recSecs, RecommendCPU: recCPU,
		Params: map[string]any{"rank": *rank, "solver": *solver, "users": *users, "items": *items, "implicitPrefs": *implicit},
	})
}

// synthetic builds the (userId int32, movieId int32, rating float32) frame.
func synthetic(ctx context.Context, c datagen.MovieLensConfig) (*ml.Frame, int64, error) {
	mem := memory.DefaultAllocator
	ub, ib, rb := array.NewInt32Builder(mem), array.NewInt32Builder(mem), array.NewFloat32Builder(mem)
	ub.Reserve(int(c.Ratings))
	ib.Reserve(int(c.Ratings))
	rb.Reserve(int(c.Ratings))
	var n int64
	err := datagen.MovieLensRatings(ctx, c, func(r datagen.Rating) error {
		ub.Append(r.UserID)
		ib.Append(r.MovieID)
		rb.Append(r.Rating)
		n++
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	f, err := frameOf(ub.NewArray(), ib.NewArray(), rb.NewArray())
	return f, n, err
}
