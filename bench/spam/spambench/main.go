// Command spambench is the Sluice side of the spam benchmark
// (bench/spam/run.sh): it reads the SpamAssassin corpus that
// examples/spam/get-data.sh wrote, fits the TF-IDF + logistic-regression
// pipeline of examples/spam/train.yaml with the Go library on the training
// messages, scores the test messages and prints one JSON line with the
// keys of bench/spam/peer.py.
//
//	go run ./bench/spam/spambench --data examples/spam/data/spam.jsonl \
//	    --test-ids bench/spam/out/test_ids.txt [--vocab-size 20000] \
//	    [--min-df 2] [--reg-param 2e-5] [--max-iter 100] [--repeat 3]
//
// The split is the peer's: --test-ids lists the ids of the test
// messages, one a line, as peer.py wrote them; every other message
// trains. fit_s is the wall-clock time of Pipeline.Fit on the training
// frame (tokenize, stop words, CountVectorizer, IDF, Normalizer,
// LogisticRegression), the median of --repeat fits; reading the file is
// not timed, as on the peer's side. peak_rss_mb is the process's peak
// resident set (getrusage).
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
)

type result struct {
	Side       string    `json:"side"`
	TrainRows  int       `json:"train_rows"`
	TestRows   int       `json:"test_rows"`
	Features   int       `json:"features"`
	FitS       float64   `json:"fit_s"`
	FitSAll    []float64 `json:"fit_s_all"`
	FitCPUS    float64   `json:"fit_cpu_s"` // CPU seconds (user+system) of the median fit, all threads
	Accuracy   float64   `json:"accuracy"`
	AUC        float64   `json:"auc"`
	Iterations int       `json:"iterations"`
	PeakRSSMB  float64   `json:"peak_rss_mb"`
	Threads    int       `json:"threads"`
	// StageS is the time of each stage in one more, untimed-as-a-whole
	// fit (--breakdown): fitting and transforming the training frame.
	StageS map[string]float64 `json:"stage_s,omitempty"`
}

type message struct {
	ID    string  `json:"id"`
	Text  string  `json:"text"`
	Label float64 `json:"label"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "spambench:", err)
		os.Exit(1)
	}
}

func run() error {
	data := flag.String("data", "examples/spam/data/spam.jsonl", "the corpus (examples/spam/get-data.sh)")
	testIDs := flag.String("test-ids", "", "file of test message ids, one a line (peer.py --write-test-ids); empty: the file's split column")
	vocabSize := flag.Int("vocab-size", 20000, "CountVectorizer vocabSize (scikit-learn max_features)")
	minDF := flag.Float64("min-df", 2, "CountVectorizer minDF (scikit-learn min_df)")
	regParam := flag.Float64("reg-param", 0.01, "LogisticRegression regParam λ (scikit-learn C = 1/(λ·n))")
	standardization := flag.Bool("standardization", true, "LogisticRegression standardization (the peer scales by the standard deviation)")
	maxIter := flag.Int("max-iter", 100, "LogisticRegression maxIter")
	repeat := flag.Int("repeat", 3, "timed fits (median reported)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the fits to this file")
	breakdown := flag.Bool("breakdown", false, "also time each stage in one more fit (stage_s)")
	flag.Parse()

	msgs, split, err := readCorpus(*data)
	if err != nil {
		return err
	}
	isTest := map[string]bool{}
	if *testIDs != "" {
		b, err := os.ReadFile(*testIDs)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if id := sc.Text(); id != "" {
				isTest[id] = true
			}
		}
	} else {
		for i, m := range msgs {
			if split[i] == "test" {
				isTest[m.ID] = true
			}
		}
	}
	var train, test []message
	for _, m := range msgs {
		if isTest[m.ID] {
			test = append(test, m)
		} else {
			train = append(train, m)
		}
	}
	if len(test) != len(isTest) {
		return fmt.Errorf("%d test ids, %d of them found in %s; regenerate the ids with peer.py", len(isTest), len(test), *data)
	}
	trainF, err := frame(train)
	if err != nil {
		return err
	}
	testF, err := frame(test)
	if err != nil {
		return err
	}

	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	res := result{Side: "sluice", TrainRows: len(train), TestRows: len(test), Threads: runtime.GOMAXPROCS(0)}
	var model *ml.PipelineModel
	var cpu []float64
	for range max(1, *repeat) {
		p := pipeline(*vocabSize, *minDF, *regParam, *maxIter, *standardization)
		runtime.GC()
		c0 := cpuSeconds()
		start := time.Now()
		m, err := p.Fit(ctx, trainF)
		if err != nil {
			return err
		}
		res.FitSAll = append(res.FitSAll, time.Since(start).Seconds())
		cpu = append(cpu, cpuSeconds()-c0)
		model = m.(*ml.PipelineModel)
	}
	order := make([]int, len(cpu))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(res.FitSAll[a], res.FitSAll[b]) })
	mid := order[len(order)/2]
	res.FitS, res.FitCPUS = res.FitSAll[mid], cpu[mid]
	res.Features = len(model.Stages[2].(*feature.CountVectorizerModel).Vocabulary)
	lr := model.Stages[5].(*classification.LogisticRegressionModel)
	if s, ok := lr.Summary(); ok {
		res.Iterations = s.TotalIterations
	}

	if *breakdown {
		if res.StageS, err = stageTimes(ctx, pipeline(*vocabSize, *minDF, *regParam, *maxIter, *standardization), trainF); err != nil {
			return err
		}
	}

	scored, err := model.Transform(ctx, testF)
	if err != nil {
		return err
	}
	acc := evaluation.NewMulticlassClassificationEvaluator()
	acc.P.MetricName = "accuracy"
	if res.Accuracy, err = acc.Evaluate(ctx, scored); err != nil {
		return err
	}
	auc := evaluation.NewBinaryClassificationEvaluator()
	auc.P.MetricName = "areaUnderROC"
	if res.AUC, err = auc.Evaluate(ctx, scored); err != nil {
		return err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.PeakRSSMB = float64(ru.Maxrss) / 1024
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// pipeline is examples/spam/train.yaml's pipeline.
func pipeline(vocabSize int, minDF, regParam float64, maxIter int, standardization bool) *ml.Pipeline {
	tok := feature.NewRegexTokenizer()
	tok.P.InputCol, tok.P.OutputCol = "text", "tokens"
	tok.P.Pattern, tok.P.Gaps, tok.P.MinTokenLength = `\w+`, false, 2
	sw := feature.NewStopWordsRemover()
	sw.P.InputCol, sw.P.OutputCol = "tokens", "words"
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol, cv.P.VocabSize, cv.P.MinDF = "words", "tf", vocabSize, minDF
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "tfidf"
	norm := feature.NewNormalizer()
	norm.P.InputCol, norm.P.OutputCol = "tfidf", "features"
	lr := classification.NewLogisticRegression()
	lr.P.RegParam, lr.P.MaxIter, lr.P.Standardization = regParam, maxIter, standardization
	return &ml.Pipeline{Stages: []ml.Stage{tok, sw, cv, idf, norm, lr}}
}

// cpuSeconds is the process's user plus system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// stageTimes fits p stage by stage as Pipeline.Fit does, timing each
// stage's fit and transform.
func stageTimes(ctx context.Context, p *ml.Pipeline, f *ml.Frame) (map[string]float64, error) {
	out := map[string]float64{}
	for i, s := range p.Stages {
		start := time.Now()
		t, ok := s.(ml.Transformer)
		if e, isEst := s.(ml.Estimator); isEst {
			m, err := e.Fit(ctx, f)
			if err != nil {
				return nil, err
			}
			t, ok = m, true
		}
		if ok && i < len(p.Stages)-1 {
			var err error
			if f, err = t.Transform(ctx, f); err != nil {
				return nil, err
			}
		}
		out[s.StageName()] = time.Since(start).Seconds()
	}
	return out, nil
}

// readCorpus reads the JSON-lines corpus.
func readCorpus(path string) ([]message, []string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (run examples/spam/get-data.sh first)", err)
	}
	defer fh.Close()
	var msgs []message
	var split []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var m struct {
			message
			Split string `json:"split"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, nil, fmt.Errorf("%s line %d: %w", path, len(msgs)+1, err)
		}
		msgs, split = append(msgs, m.message), append(split, m.Split)
	}
	return msgs, split, sc.Err()
}

// frame builds a frame (id, text, label) from messages.
func frame(msgs []message) (*ml.Frame, error) {
	ib := array.NewStringBuilder(memory.DefaultAllocator)
	tb := array.NewStringBuilder(memory.DefaultAllocator)
	labels := make([]float64, len(msgs))
	for i, m := range msgs {
		ib.Append(m.ID)
		tb.Append(m.Text)
		labels[i] = m.Label
	}
	ids, texts := ib.NewArray(), tb.NewArray()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{
		arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{ids}),
		arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{texts}),
		ml.Float64Column(labels),
	})
}
