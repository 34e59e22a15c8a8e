// Command topterms prints the terms that push a fitted spam model
// (examples/spam/train.yaml) most towards spam and most towards ham.
//
//	sluice ml fit examples/spam/train.yaml --out /tmp/spam-model
//	go run ./examples/spam/topterms [-n 20] [-data examples/spam/data/spam.jsonl] /tmp/spam-model
//
// Feature j of the model is the CountVectorizer's vocabulary entry j (IDF
// and Normalizer keep feature positions), and the logistic regression's
// coefficient j says how much a unit of that feature moves the log-odds of
// spam. Raw coefficients rank terms badly: a term in nearly every message
// (From, Subject, Message-Id headers) has an IDF near 0, so tiny feature
// values and a huge coefficient. topterms therefore ranks by the
// standardized coefficient — the coefficient times the feature's standard
// deviation over the training messages, the scale LogisticRegression's
// regularization works on (standardization true) — which reads as the
// change in log-odds for a typical difference in the term's weight. It
// recomputes the features of the training messages (split = 'train') from
// -data with the model's own stages.
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/stages"
)

func main() {
	n := flag.Int("n", 20, "terms to print for each class")
	data := flag.String("data", "examples/spam/data/spam.jsonl", "the corpus get-data.sh wrote (its training messages give the features' spread)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: topterms [-n 20] [-data FILE] MODEL_DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), *data, *n); err != nil {
		fmt.Fprintln(os.Stderr, "topterms:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir, data string, n int) error {
	st, err := ml.Load(dir, stages.Registry(nil))
	if err != nil {
		return err
	}
	pm, ok := st.(*ml.PipelineModel)
	if !ok {
		return fmt.Errorf("%s holds a %s; want the PipelineModel `sluice ml fit --out` saves", dir, st.StageName())
	}
	var vocab []string
	var lr *classification.LogisticRegressionModel
	var featureStages []ml.Transformer
	for _, s := range pm.Stages {
		switch m := s.(type) {
		case *feature.CountVectorizerModel:
			vocab = m.Vocabulary
		case *classification.LogisticRegressionModel:
			lr = m
		}
		if lr == nil {
			featureStages = append(featureStages, s)
		}
	}
	if vocab == nil || lr == nil {
		return fmt.Errorf("%s has no CountVectorizerModel and LogisticRegressionModel; fit examples/spam/train.yaml", dir)
	}
	if len(lr.CoefficientMatrix) != 1 || len(lr.CoefficientMatrix[0]) != len(vocab) {
		return fmt.Errorf("the model has %d coefficient rows for %d terms; want a binomial model over the vocabulary", len(lr.CoefficientMatrix), len(vocab))
	}
	coef := lr.CoefficientMatrix[0]
	f, err := trainingFrame(data)
	if err != nil {
		return err
	}
	f, err = (&ml.PipelineModel{Stages: featureStages}).Transform(ctx, f)
	if err != nil {
		return err
	}
	std, err := featureStd(f, lr.P.FeaturesCol, len(coef))
	if err != nil {
		return err
	}
	score := make([]float64, len(coef))
	for j := range coef {
		score[j] = coef[j] * std[j]
	}
	order := make([]int, len(coef))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	fmt.Printf("%-4s  %-20s %8s %9s   %-20s %8s %9s\n", "rank", "spam term", "std coef", "coef", "ham term", "std coef", "coef")
	for r := range min(n, len(order)) {
		s, h := order[r], order[len(order)-1-r]
		fmt.Printf("%-4d  %-20s %8.3f %9.2f   %-20s %8.3f %9.2f\n", r+1, short(vocab[s]), score[s], coef[s], short(vocab[h]), score[h], coef[h])
	}
	return nil
}

// short cuts a term to 20 characters for the table.
func short(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:19]) + "…"
	}
	return s
}

// trainingFrame reads the training messages (text, label) of the corpus.
func trainingFrame(path string) (*ml.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run examples/spam/get-data.sh, or give -data)", err)
	}
	defer fh.Close()
	tb := array.NewStringBuilder(memory.DefaultAllocator)
	defer tb.Release()
	var labels []float64
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var m struct {
			Text  string  `json:"text"`
			Label float64 `json:"label"`
			Split string  `json:"split"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if m.Split == "train" {
			tb.Append(m.Text)
			labels = append(labels, m.Label)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	texts := tb.NewArray()
	defer texts.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{arrow.NewChunked(texts.DataType(), []arrow.Array{texts}), ml.Float64Column(labels)})
}

// featureStd returns the sample standard deviation of each of the d
// features of a vector column.
func featureStd(f *ml.Frame, col string, d int) ([]float64, error) {
	c, err := f.Column(col)
	if err != nil {
		return nil, err
	}
	sum, sq := make([]float64, d), make([]float64, d)
	rows := 0
	for _, ch := range c.Chunks() {
		vc, err := ml.NewVectorColumn(ch)
		if err != nil {
			return nil, err
		}
		for i := 0; i < vc.Len(); i++ {
			v := vc.At(i)
			rows++
			if !v.IsSparse() {
				for j, x := range v.Values {
					sum[j] += x
					sq[j] += x * x
				}
				continue
			}
			for k, j := range v.Indices {
				sum[j] += v.Values[k]
				sq[j] += v.Values[k] * v.Values[k]
			}
		}
	}
	std := make([]float64, d)
	if rows < 2 {
		return std, nil
	}
	for j := range std {
		m := sum[j] / float64(rows)
		std[j] = math.Sqrt(max(0, (sq[j]-float64(rows)*m*m)/float64(rows-1)))
	}
	return std, nil
}
