package feature_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// w2vBenchCorpus makes a corpus with planted structure for speed and
// quality comparisons: groups of interchangeable words, each group with
// its own context words, in sentences padded with Zipf-distributed
// background words. words are the planted words, group[i] the group of
// words[i].
func w2vBenchCorpus(sentences int, seed int64) (docs [][]string, words []string, group []int) {
	const (
		groups, perGroup, contexts, background = 50, 10, 8, 5000
	)
	rng := ml.NewRand(seed)
	cum := make([]float64, background)
	total := 0.0
	for k := range cum {
		total += 1 / float64(k+1)
		cum[k] = total
	}
	for g := range groups {
		for k := range perGroup {
			words = append(words, fmt.Sprintf("g%02dw%d", g, k))
			group = append(group, g)
		}
	}
	docs = make([][]string, sentences)
	for i := range docs {
		g := rng.IntN(groups)
		n := 10 + rng.IntN(6)
		doc := make([]string, 0, n)
		for len(doc) < n {
			switch u := rng.Float64(); {
			case u < 0.15:
				doc = append(doc, words[g*perGroup+rng.IntN(perGroup)])
			case u < 0.55:
				doc = append(doc, fmt.Sprintf("g%02dc%d", g, rng.IntN(contexts)))
			default:
				x := rng.Float64() * total
				k, _ := slices.BinarySearch(cum, x)
				doc = append(doc, "b"+strconv.Itoa(min(k, background-1)))
			}
		}
		docs[i] = doc
	}
	return docs, words, group
}

// w2vPrecision is the mean fraction of each planted word's 5 nearest
// words (cosine) that are in its group.
func w2vPrecision(tb testing.TB, m *feature.Word2VecModel, words []string, group []int) float64 {
	tb.Helper()
	byWord := map[string]int{}
	for i, w := range words {
		byWord[w] = group[i]
	}
	sum, n := 0.0, 0
	for i, w := range words {
		syn, err := m.FindSynonymsArray(context.Background(), w, 5)
		if err != nil {
			continue // below minCount
		}
		hit := 0
		for _, s := range syn {
			if g, ok := byWord[s.Word]; ok && g == group[i] {
				hit++
			}
		}
		sum += float64(hit) / 5
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

var sinkW2V *feature.Word2VecModel

func BenchmarkWord2VecFit(b *testing.B) {
	docs, words, group := w2vBenchCorpus(20_000, 1)
	f := w2vFrame(b, docs)
	tokens := 0
	for _, d := range docs {
		tokens += len(d)
	}
	for _, parts := range []int{1, 2} {
		b.Run(fmt.Sprintf("tokens=%d/vectorSize=100/numPartitions=%d", tokens, parts), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkW2V = fitW2V(b, f, func(p *feature.Word2VecParams) { p.NumPartitions = parts })
			}
			b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "words/s")
			b.ReportMetric(w2vPrecision(b, sinkW2V, words, group), "precision@5")
		})
	}
}

func BenchmarkWord2VecTransform(b *testing.B) {
	docs, _, _ := w2vBenchCorpus(20_000, 1)
	f := w2vFrame(b, docs)
	m := fitW2V(b, f, func(p *feature.Word2VecParams) { p.VectorSize = 50 })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Transform(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWord2VecPeerBench is the Sluice side of
// testdata/word2vec_bench.sh: with SLUICE_W2V_BENCH_DIR set it writes the
// corpus there (one sentence a line), fits Word2Vec with Spark's default
// params on it and writes the fit time and precision@5 as JSON. Without
// the variable it is skipped.
func TestWord2VecPeerBench(t *testing.T) {
	dir := os.Getenv("SLUICE_W2V_BENCH_DIR")
	if dir == "" {
		t.Skip("set SLUICE_W2V_BENCH_DIR to run the side-by-side benchmark (testdata/word2vec_bench.sh)")
	}
	sentences := 200_000
	if s := os.Getenv("SLUICE_W2V_BENCH_SENTENCES"); s != "" {
		var err error
		if sentences, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	docs, words, group := w2vBenchCorpus(sentences, 1)
	out, err := os.Create(filepath.Join(dir, "corpus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(out)
	tokens := 0
	for _, d := range docs {
		tokens += len(d)
		fmt.Fprintln(w, strings.Join(d, " "))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	planted, _ := json.Marshal(map[string]any{"words": words, "group": group})
	if err := os.WriteFile(filepath.Join(dir, "planted.json"), planted, 0o644); err != nil {
		t.Fatal(err)
	}
	f := w2vFrame(t, docs)
	type result struct {
		System        string  `json:"system"`
		Config        string  `json:"config"`
		Tokens        int     `json:"tokens"`
		Seconds       float64 `json:"seconds"`
		WordsPerSec   float64 `json:"words_per_sec"`
		PrecisionAt5  float64 `json:"precision_at_5"`
		VocabularyLen int     `json:"vocabulary"`
	}
	var results []result
	for _, parts := range []int{1, runtime.GOMAXPROCS(0)} {
		start := time.Now()
		m := fitW2V(t, f, func(p *feature.Word2VecParams) { p.NumPartitions = parts })
		sec := time.Since(start).Seconds()
		results = append(results, result{
			System: "sluice", Config: fmt.Sprintf("numPartitions=%d", parts), Tokens: tokens, Seconds: sec,
			WordsPerSec: float64(tokens) / sec, PrecisionAt5: math.Round(w2vPrecision(t, m, words, group)*1e4) / 1e4,
			VocabularyLen: len(m.Vocabulary()),
		})
	}
	b, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "sluice.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", b)
}
