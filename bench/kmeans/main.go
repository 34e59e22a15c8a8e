// Command kmbench is the Sluice side of the KMeans benchmark in
// bench/kmeans (see README.md there). It has three subcommands:
//
//	kmbench gen   --out FILE --n 1000000 --d 20 --k 16 --box 10 --seed 42
//	kmbench fit   --case NAME --data FILE --d 20 --params '{"k":16}' [--repeat 3]
//	kmbench table [--target-ratio 1.0 --cost-tol 0.01] < results.jsonl
//
// gen writes n Gaussian blobs (k centres uniform in [-box, box]^d, a
// standard deviation per cluster uniform in [0.5, 2], clusters chosen
// uniformly) as raw little-endian float64 values, row-major, which
// numpy.fromfile reads directly. It is deterministic for a seed.
//
// fit reads such a file into a frame without copying it (the vector
// column's values buffer is the file's bytes), builds KMeans by its Spark
// class name through a registry (ml/clustering's Register, the part of
// stages.Registry that holds it, so the benchmark builds even while other
// packages change), sets
// --params by Spark name with ml.SetParam and prints one JSON line:
// fit_seconds (median of --repeat timed Fit calls; building the frame is
// not timed; a garbage collection runs untimed before each), cost
// (TrainingCost), iterations, clusters and peak_rss_mb (getrusage
// ru_maxrss of the process).
//
// table reads the JSON lines of both sides (peer.py prints the same keys)
// and prints a markdown table with the time ratio sluice/peer, the
// relative cost difference and a verdict per case.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kmbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: kmbench gen|fit|table [flags]")
	}
	switch args[0] {
	case "gen":
		return gen(args[1:])
	case "fit":
		return fit(ctx, args[1:], stdout)
	case "table":
		return table(args[1:], stdin, stdout)
	}
	return fmt.Errorf("unknown subcommand %q; use gen, fit or table", args[0])
}

// gen writes the blobs file.
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	out := fs.String("out", "", "file to write")
	n := fs.Int("n", 1_000_000, "rows")
	d := fs.Int("d", 20, "features")
	k := fs.Int("k", 16, "clusters")
	box := fs.Float64("box", 10, "centres are uniform in [-box, box]^d")
	seed := fs.Uint64("seed", 42, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *n < 1 || *d < 1 || *k < 1 {
		return errors.New("gen: set --out and positive --n, --d, --k")
	}
	rng := rand.New(rand.NewPCG(*seed, 0x626c6f6273))
	centers := make([]float64, *k**d)
	for i := range centers {
		centers[i] = (2*rng.Float64() - 1) * *box
	}
	std := make([]float64, *k)
	for j := range std {
		std[j] = 0.5 + 1.5*rng.Float64()
	}
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf [8]byte
	for range *n {
		j := rng.IntN(*k)
		for t := range *d {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(centers[j**d+t]+std[j]*rng.NormFloat64()))
			if _, err := w.Write(buf[:]); err != nil {
				f.Close()
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, *out)
}

// result is one JSON line; peer.py prints the same keys.
type result struct {
	Side        string    `json:"side"`
	Case        string    `json:"case"`
	Impl        string    `json:"impl"`
	Rows        int       `json:"rows"`
	Features    int       `json:"features"`
	FitSeconds  float64   `json:"fit_seconds"`
	FitAll      []float64 `json:"fit_seconds_all"`
	CPUSeconds  float64   `json:"cpu_seconds"`
	CPUAll      []float64 `json:"cpu_seconds_all"`
	Cost        float64   `json:"cost"`
	Iterations  int       `json:"iterations"`
	Clusters    int       `json:"clusters"`
	PeakRSSMB   float64   `json:"peak_rss_mb"`
	Threads     int       `json:"threads"`
	Params      any       `json:"params,omitempty"`
	Error       string    `json:"error,omitempty"`
	Description string    `json:"description,omitempty"`
}

// fit times KMeans on one data file.
func fit(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	name := fs.String("case", "blobs", "case name for the table")
	data := fs.String("data", "", "raw float64 file written by gen")
	d := fs.Int("d", 20, "features per row")
	params := fs.String("params", `{"k":16}`, "KMeans params by Spark name, as JSON")
	repeat := fs.Int("repeat", 3, "timed fits (the median is reported)")
	stage := fs.String("stage", "KMeans", "estimator class name (KMeans or BisectingKMeans)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed fits to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var pm map[string]any
	if err := json.Unmarshal([]byte(*params), &pm); err != nil {
		return fmt.Errorf("--params: %w", err)
	}
	frame, n, err := readFrame(*data, *d)
	if err != nil {
		return err
	}
	reg := ml.NewRegistry()
	clustering.Register(reg)
	res := result{Side: "sluice", Case: *name, Impl: "sluice " + *stage + " (" + runtime.Version() + ")", Rows: n, Features: *d, Threads: runtime.GOMAXPROCS(0), Params: pm}
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var last ml.Model
	for range max(1, *repeat) {
		hs, err := reg.New(*stage)
		if err != nil {
			return err
		}
		est, ok := hs.(ml.Estimator)
		if !ok {
			return fmt.Errorf("%s is not an estimator", *stage)
		}
		for k, v := range pm {
			if err := ml.SetParam(est, k, v); err != nil {
				return err
			}
		}
		runtime.GC()
		cpu0 := cpuSeconds()
		start := time.Now()
		m, err := est.Fit(ctx, frame)
		if err != nil {
			return err
		}
		res.FitAll = append(res.FitAll, time.Since(start).Seconds())
		res.CPUAll = append(res.CPUAll, cpuSeconds()-cpu0)
		last = m
	}
	res.FitSeconds = median(res.FitAll)
	res.CPUSeconds = median(res.CPUAll)
	switch m := last.(type) {
	case *clustering.KMeansModel:
		res.Cost, res.Iterations, res.Clusters = m.TrainingCost, m.NumIter, len(m.Centers)
	case *clustering.BisectingKMeansModel:
		res.Cost, res.Iterations, res.Clusters = m.TrainingCost, m.NumIter, len(m.Centers)
	default:
		return fmt.Errorf("unexpected model %T", last)
	}
	res.PeakRSSMB = peakRSSMB()
	return json.NewEncoder(stdout).Encode(res)
}

// readFrame maps a raw float64 file into a one-column frame of dense
// vectors without copying the values.
func readFrame(path string, d int) (*ml.Frame, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if d < 1 || len(b)%(8*d) != 0 {
		return nil, 0, fmt.Errorf("%s has %d bytes, not a whole number of rows of %d float64 values", path, len(b), d)
	}
	n := len(b) / (8 * d)
	typ := make([]byte, n)
	size := make([]byte, 4*n)
	offIdx := make([]byte, 4*(n+1))
	offVal := make([]byte, 4*(n+1))
	for i := range n {
		typ[i] = 1
		binary.LittleEndian.PutUint32(size[4*i:], uint32(d))
	}
	for i := range n + 1 {
		binary.LittleEndian.PutUint32(offVal[4*i:], uint32(i*d))
	}
	buf := memory.NewBufferBytes
	vals := array.NewData(arrow.PrimitiveTypes.Float64, n*d, []*memory.Buffer{nil, buf(b)}, nil, 0, 0)
	idxVals := array.NewData(arrow.PrimitiveTypes.Int32, 0, []*memory.Buffer{nil, buf(nil)}, nil, 0, 0)
	st := ml.VectorType
	children := []arrow.ArrayData{
		array.NewData(arrow.PrimitiveTypes.Int8, n, []*memory.Buffer{nil, buf(typ)}, nil, 0, 0),
		array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{nil, buf(size)}, nil, 0, 0),
		array.NewData(st.Field(2).Type, n, []*memory.Buffer{nil, buf(offIdx)}, []arrow.ArrayData{idxVals}, 0, 0),
		array.NewData(st.Field(3).Type, n, []*memory.Buffer{nil, buf(offVal)}, []arrow.ArrayData{vals}, 0, 0),
	}
	sd := array.NewData(st, n, []*memory.Buffer{nil}, children, 0, 0)
	col := array.MakeFromData(sd)
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil),
		[]*arrow.Chunked{arrow.NewChunked(ml.VectorType, []arrow.Array{col})})
	if err != nil {
		return nil, 0, err
	}
	debug.FreeOSMemory()
	return f, n, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cpuSeconds is the user + system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return math.Round(float64(ru.Maxrss)/1024*10) / 10
}

// table prints the markdown comparison of the JSON lines on stdin.
func table(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	target := fs.Float64("target-ratio", 1.0, "fit time target: sluice/peer at most this")
	costTol := fs.Float64("cost-tol", 0.01, "cost target: |sluice/peer - 1| at most this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rows, err := readResults(stdin)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, renderTable(rows, *target, *costTol))
	return err
}

func readResults(r io.Reader) ([]result, error) {
	var out []result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || !strings.HasPrefix(line, "{") {
			continue
		}
		var res result
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return nil, fmt.Errorf("bad result line %q: %w", line, err)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// verdict is the outcome of one case.
type verdict struct {
	ratio, costDiff float64
	meets           bool
	text            string
}

func judge(s, p result, target, costTol float64) verdict {
	if s.Error != "" || p.Error != "" || !(p.FitSeconds > 0) || math.IsNaN(s.Cost) || !(p.Cost > 0) {
		return verdict{ratio: math.NaN(), costDiff: math.NaN(), text: "n/a"}
	}
	v := verdict{ratio: s.FitSeconds / p.FitSeconds, costDiff: s.Cost/p.Cost - 1}
	var miss []string
	if v.ratio > target {
		miss = append(miss, fmt.Sprintf("time %.2f× > %.1f×", v.ratio, target))
	}
	if math.Abs(v.costDiff) > costTol {
		miss = append(miss, fmt.Sprintf("cost %+.2f%% beyond ±%.0f%%", 100*v.costDiff, 100*costTol))
	}
	v.meets = len(miss) == 0
	v.text = "meets"
	if !v.meets {
		v.text = "misses: " + strings.Join(miss, "; ")
	}
	return v
}

func renderTable(rows []result, target, costTol float64) string {
	var cases []string
	bySide := map[string]map[string]result{"sluice": {}, "peer": {}}
	for _, r := range rows {
		if _, ok := bySide[r.Side]; !ok {
			continue
		}
		if !slices.Contains(cases, r.Case) {
			cases = append(cases, r.Case)
		}
		bySide[r.Side][r.Case] = r
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| case | rows × features | peer | peer fit s | sluice fit s | ratio (sluice/peer) | peer CPU s | sluice CPU s | peer iters | sluice iters | peer cost | sluice cost | Δcost | peer RSS MB | sluice RSS MB | verdict (≤ %.1f×, ±%.0f%%) |\n", target, 100*costTol)
	b.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	meets, misses := 0, 0
	for _, c := range cases {
		s, sok := bySide["sluice"][c]
		p, pok := bySide["peer"][c]
		if !sok {
			s = result{Error: "missing"}
		}
		if !pok {
			p = result{Error: "missing"}
		}
		v := judge(s, p, target, costTol)
		if v.text != "n/a" {
			if v.meets {
				meets++
			} else {
				misses++
			}
		}
		shape := fmt.Sprintf("%d × %d", max(s.Rows, p.Rows), max(s.Features, p.Features))
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %s | %s | %.0f | %.0f | %s |\n",
			c, shape, p.Impl, num(p.FitSeconds, 3), num(s.FitSeconds, 3), ratio(v.ratio), num(p.CPUSeconds, 3), num(s.CPUSeconds, 3), p.Iterations, s.Iterations,
			num(p.Cost, 7), num(s.Cost, 7), pct(v.costDiff), p.PeakRSSMB, s.PeakRSSMB, v.text)
	}
	fmt.Fprintf(&b, "\n%d meet, %d miss.\n", meets, misses)
	return b.String()
}

func num(v float64, sig int) string {
	if v == 0 || math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.*g", sig, v)
}

func ratio(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", v)
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%+.3f%%", 100*v)
}
