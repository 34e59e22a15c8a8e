package feature

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// Word2VecParams are Word2Vec's params (Spark's names and defaults).
type Word2VecParams struct {
	InputCol          string  `param:"inputCol" doc:"array<string> column of each document's words (tokens)"`
	OutputCol         string  `param:"outputCol" doc:"vector column: the mean of the document's word vectors"`
	VectorSize        int     `param:"vectorSize" doc:"dimension of the word vectors"`
	MinCount          int     `param:"minCount" doc:"minimal number of occurrences of a word to be in the vocabulary"`
	NumPartitions     int     `param:"numPartitions" doc:"number of data partitions trained in parallel, each on its own copy of the vectors, averaged after every iteration as Spark does (1: sequential SGD)"`
	StepSize          float64 `param:"stepSize" doc:"initial learning rate; it decays linearly to 0.0001·stepSize over the iterations"`
	MaxIter           int     `param:"maxIter" doc:"number of passes over the data"`
	Seed              int     `param:"seed" doc:"random seed of the initial vectors, the windows and the negative samples"`
	WindowSize        int     `param:"windowSize" doc:"context window: words up to this far on either side (shrunk at random per word, as in word2vec)"`
	MaxSentenceLength int     `param:"maxSentenceLength" doc:"documents are cut into sentences of at most this many (vocabulary) words"`
}

// Validate checks the params.
func (p Word2VecParams) Validate() error {
	switch {
	case p.InputCol == "" || p.OutputCol == "":
		return errors.New("set inputCol and outputCol")
	case p.VectorSize < 1:
		return fmt.Errorf("vectorSize is %d; want at least 1 (Spark's default is 100)", p.VectorSize)
	case p.MinCount < 0:
		return fmt.Errorf("minCount is %d; want >= 0", p.MinCount)
	case p.NumPartitions < 1:
		return fmt.Errorf("numPartitions is %d; want at least 1", p.NumPartitions)
	case !(p.StepSize > 0) || math.IsInf(p.StepSize, 0):
		return fmt.Errorf("stepSize is %v; want a positive learning rate (Spark's default is 0.025)", p.StepSize)
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; want >= 0", p.MaxIter)
	case p.WindowSize < 1:
		return fmt.Errorf("windowSize is %d; want at least 1", p.WindowSize)
	case p.MaxSentenceLength < 1:
		return fmt.Errorf("maxSentenceLength is %d; want at least 1", p.MaxSentenceLength)
	}
	return nil
}

// Word2Vec learns a vector for every word of a corpus with the
// skip-gram model (Mikolov et al., 2013): each word's vector is trained
// to predict the words around it, so words used in the same contexts get
// similar vectors. Spark trains the skip-gram with hierarchical softmax;
// Sluice trains it with negative sampling (5 negative words per pair,
// drawn from the unigram distribution raised to 0.75, as word2vec and
// gensim do), which learns the same kind of vectors faster. There is no
// subsampling of frequent words, as in Spark.
//
// The rest follows Spark: the vocabulary is the words occurring at
// least minCount times, most frequent first; documents become sentences
// of vocabulary words, cut every maxSentenceLength words; the learning
// rate decays linearly from stepSize over maxIter passes.
//
// With numPartitions > 1 the sentences are split into that many parts,
// trained in parallel, each on its own copy of the vectors, as in
// Spark; but where Spark averages the copies once per pass (which loses
// much of what each part learned: with one pass over 2 parts the
// planted-synonym precision of the benchmark falls from 1.0 to 0.36),
// Sluice adds the changes of all copies into the shared vectors every
// 10,000 words per part and hands the result back to every part, which
// keeps the quality of sequential training. Training is deterministic
// for a seed and numPartitions: the parts never share memory while they
// run.
//
// NULL documents are skipped.
type Word2Vec struct {
	P Word2VecParams
}

var _ ml.Estimator = (*Word2Vec)(nil)

// NewWord2Vec returns a Word2Vec with Spark's defaults: vectorSize 100,
// minCount 5, numPartitions 1, stepSize 0.025, maxIter 1, windowSize 5,
// maxSentenceLength 1000, Spark's default seed; inputCol and outputCol
// must be set.
func NewWord2Vec() *Word2Vec {
	return &Word2Vec{P: Word2VecParams{
		VectorSize: 100, MinCount: 5, NumPartitions: 1, StepSize: 0.025, MaxIter: 1,
		Seed: sparkClassSeed("org.apache.spark.ml.feature.Word2Vec"), WindowSize: 5, MaxSentenceLength: 1000,
	}}
}

// StageName returns "Word2Vec".
func (e *Word2Vec) StageName() string { return "Word2Vec" }

// Params returns the params.
func (e *Word2Vec) Params() any { return &e.P }

// TransformSchema checks inputCol and adds outputCol.
func (e *Word2Vec) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return word2VecSchema(e.P, in)
}

func word2VecSchema(p Word2VecParams, in *arrow.Schema) (*arrow.Schema, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := ml.CheckStringListCol(in, "inputCol", p.InputCol); err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: p.OutputCol, Type: ml.VectorType, Nullable: true})
}

// w2vNegative is the number of negative samples per (word, context)
// pair.
const w2vNegative = 5

// Fit builds the vocabulary and trains the vectors. ctx cancels the
// training (checked every few thousand words).
func (e *Word2Vec) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	col, _ := f.Column(e.P.InputCol)
	docs, valid, err := ml.StringLists(col)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", e.P.InputCol, err)
	}
	// Vocabulary: words seen at least minCount times, most frequent first
	// (ties by word).
	counts := map[string]int64{}
	for i, d := range docs {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, w := range d {
			counts[w]++
		}
	}
	var words []string
	for w, c := range counts {
		if c >= int64(e.P.MinCount) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("column %s: the vocabulary is empty: no word occurs minCount (%d) times in %d documents; lower minCount or give more text", e.P.InputCol, e.P.MinCount, len(docs))
	}
	slices.SortFunc(words, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if int64(len(words))*int64(e.P.VectorSize) >= math.MaxInt32 {
		return nil, fmt.Errorf("the vocabulary (%d words) times vectorSize (%d) is too large (Spark's limit is 2^31); raise minCount or lower vectorSize", len(words), e.P.VectorSize)
	}
	index := make(map[string]int32, len(words))
	wordCounts := make([]int64, len(words))
	for i, w := range words {
		index[w] = int32(i)
		wordCounts[i] = counts[w]
	}
	// Sentences: each document's vocabulary words, cut every
	// maxSentenceLength words.
	var flat []int32
	var ends []int
	for i, d := range docs {
		if !valid[i] {
			continue
		}
		start := len(flat)
		for _, w := range d {
			if k, ok := index[w]; ok {
				flat = append(flat, k)
				if len(flat)-start == e.P.MaxSentenceLength {
					ends = append(ends, len(flat))
					start = len(flat)
				}
			}
		}
		if len(flat) > start {
			ends = append(ends, len(flat))
		}
	}
	tr := newW2VTrainer(e.P, wordCounts, flat, ends)
	if err := tr.train(ctx); err != nil {
		return nil, err
	}
	return newWord2VecModel(e.P, words, tr.syn0), nil
}

// w2v training constants, as word2vec.c and Spark.
const (
	w2vMaxExp       = 6
	w2vExpTableSize = 1000
)

type w2vTrainer struct {
	p          Word2VecParams
	dim, vocab int
	syn0, syn1 []float32 // input and output vectors, vocab × dim
	flat       []int32   // all sentences, back to back
	ends       []int     // end of each sentence in flat
	trainWords int64
	expTable   []float32
	alias      w2vAlias
}

func newW2VTrainer(p Word2VecParams, counts []int64, flat []int32, ends []int) *w2vTrainer {
	tr := &w2vTrainer{p: p, dim: p.VectorSize, vocab: len(counts), flat: flat, ends: ends, trainWords: int64(len(flat))}
	tr.expTable = make([]float32, w2vExpTableSize)
	for i := range tr.expTable {
		x := math.Exp((float64(i)/w2vExpTableSize*2 - 1) * w2vMaxExp)
		tr.expTable[i] = float32(x / (x + 1))
	}
	rng := ml.NewRand(int64(p.Seed))
	tr.syn0 = make([]float32, tr.vocab*tr.dim)
	for i := range tr.syn0 {
		tr.syn0[i] = (rng.Float32() - 0.5) / float32(tr.dim)
	}
	tr.syn1 = make([]float32, tr.vocab*tr.dim)
	weights := make([]float64, len(counts))
	for i, c := range counts {
		weights[i] = math.Pow(float64(c), 0.75)
	}
	tr.alias = newW2VAlias(weights)
	return tr
}

// w2vSyncWords is how many words each partition trains on between two
// merges when numPartitions > 1.
const w2vSyncWords = 10_000

// train runs maxIter passes. With several partitions, each trains on its
// own copy of the vectors, and every w2vSyncWords words the changes of
// all copies are added into the shared vectors and copied back.
func (tr *w2vTrainer) train(ctx context.Context) error {
	parts := max(1, min(tr.p.NumPartitions, len(tr.ends)))
	for it := 1; it <= tr.p.MaxIter; it++ {
		if parts == 1 {
			w := newW2VWorker(tr, tr.syn0, tr.syn1, 0, len(tr.ends), it, 1, false)
			if _, err := w.run(ctx, math.MaxInt64); err != nil {
				return err
			}
			continue
		}
		workers := make([]*w2vWorker, parts)
		for k := range workers {
			lo, hi := len(tr.ends)*k/parts, len(tr.ends)*(k+1)/parts
			workers[k] = newW2VWorker(tr, slices.Clone(tr.syn0), slices.Clone(tr.syn1), lo, hi, it, parts, true)
		}
		for {
			done := make([]bool, parts)
			g, gctx := errgroup.WithContext(ctx)
			g.SetLimit(runtime.GOMAXPROCS(0))
			for k, w := range workers {
				g.Go(func() (err error) {
					done[k], err = w.run(gctx, w2vSyncWords)
					return err
				})
			}
			if err := g.Wait(); err != nil {
				return err
			}
			tr.merge(workers)
			if !slices.Contains(done, false) {
				break
			}
		}
	}
	return nil
}

// merge adds every partition's changes since the last merge into the
// shared vectors and copies the result back to the partitions. Only the
// words some partition changed are touched, in partition order, so the
// result is deterministic.
func (tr *w2vTrainer) merge(workers []*w2vWorker) {
	d := tr.dim
	base := make([]float32, d)
	for _, which := range []int{0, 1} {
		global := tr.syn0
		seen := make(map[int32]bool)
		var union []int32
		for _, wk := range workers {
			list := wk.list0
			if which == 1 {
				list = wk.list1
			}
			for _, w := range list {
				if !seen[w] {
					seen[w] = true
					union = append(union, w)
				}
			}
		}
		if which == 1 {
			global = tr.syn1
		}
		for _, w := range union {
			g := global[int(w)*d : int(w+1)*d]
			copy(base, g)
			for _, wk := range workers {
				mod, syn := wk.mod0, wk.syn0
				if which == 1 {
					mod, syn = wk.mod1, wk.syn1
				}
				if !mod[w] {
					continue
				}
				for j, x := range syn[int(w)*d : int(w+1)*d] {
					g[j] += x - base[j]
				}
			}
			for _, wk := range workers {
				syn := wk.syn0
				if which == 1 {
					syn = wk.syn1
				}
				copy(syn[int(w)*d:int(w+1)*d], g)
			}
		}
	}
	for _, wk := range workers {
		for _, w := range wk.list0 {
			wk.mod0[w] = false
		}
		for _, w := range wk.list1 {
			wk.mod1[w] = false
		}
		wk.list0, wk.list1 = wk.list0[:0], wk.list1[:0]
	}
}

// w2vSeed derives a partition's random stream for an iteration.
func w2vSeed(seed, part, iter int) uint64 {
	x := uint64(int64(seed)) ^ uint64(part+1)<<16 ^ uint64(iter)<<40 ^ 0x9E3779B97F4A7C15
	// splitmix64 finalizer, so nearby seeds give unrelated streams
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	x ^= x >> 31
	if x == 0 {
		x = 1
	}
	return x
}

// w2vWorker trains one partition (sentences lo … hi-1) during one pass.
type w2vWorker struct {
	tr           *w2vTrainer
	syn0, syn1   []float32
	mod0, mod1   []bool  // words whose vectors changed since the last merge (nil: not tracked)
	list0, list1 []int32 // the same words, listed
	rng          uint64
	next, hi     int // next sentence, end
	start        int // offset of the next sentence in flat
	parts        int
	prev, total  float64 // words of the earlier passes; all words of all passes + 1
	wordCount    int64
	lastCount    int64
	alpha        float32
	neu1e        []float32
}

func newW2VWorker(tr *w2vTrainer, syn0, syn1 []float32, lo, hi, iter, parts int, track bool) *w2vWorker {
	w := &w2vWorker{
		tr: tr, syn0: syn0, syn1: syn1, rng: w2vSeed(tr.p.Seed, lo*parts/max(1, len(tr.ends)), iter),
		next: lo, hi: hi, parts: parts,
		prev:  float64(iter-1) * float64(tr.trainWords),
		total: float64(tr.p.MaxIter)*float64(tr.trainWords) + 1,
		alpha: float32(tr.p.StepSize), neu1e: make([]float32, tr.dim),
	}
	if lo > 0 {
		w.start = tr.ends[lo-1]
	}
	if track {
		w.mod0, w.mod1 = make([]bool, tr.vocab), make([]bool, tr.vocab)
	}
	return w
}

func (w *w2vWorker) rand() uint64 { // xorshift64*
	w.rng ^= w.rng >> 12
	w.rng ^= w.rng << 25
	w.rng ^= w.rng >> 27
	return w.rng * 2685821657736338717
}

// run trains on the next sentences until it has seen budget words (a
// sentence is never split) and reports whether the partition is done.
// The learning rate follows Spark: it decays linearly with the words
// seen by all partitions (estimated as parts times this one's), from
// stepSize to 0.0001·stepSize at the end of the last pass.
func (w *w2vWorker) run(ctx context.Context, budget int64) (bool, error) {
	tr := w.tr
	d, window := tr.dim, tr.p.WindowSize
	lr := float32(tr.p.StepSize)
	alpha := w.alpha
	neu1e := w.neu1e
	until := w.wordCount + budget
	if budget == math.MaxInt64 {
		until = math.MaxInt64
	}
	for ; w.next < w.hi && w.wordCount < until; w.next++ {
		sent := tr.flat[w.start:tr.ends[w.next]]
		w.start = tr.ends[w.next]
		if w.wordCount-w.lastCount > 10000 {
			w.lastCount = w.wordCount
			if err := ctx.Err(); err != nil {
				return false, err
			}
			alpha = lr * float32(1-(float64(w.parts)*float64(w.wordCount)+w.prev)/w.total)
			alpha = max(alpha, lr*0.0001)
		}
		w.wordCount += int64(len(sent))
		for pos, word := range sent {
			b := int(w.rand() % uint64(window))
			for a := b; a < window*2+1-b; a++ {
				c := pos - window + a
				if a == window || c < 0 || c >= len(sent) {
					continue
				}
				last := sent[c]
				l1 := w.syn0[int(last)*d : int(last)*d+d]
				clear(neu1e)
				for k := 0; k <= w2vNegative; k++ {
					target, label := word, float32(1)
					if k > 0 {
						target, label = tr.alias.sample(w.rand()), 0
						if target == word {
							continue
						}
					}
					l2 := w.syn1[int(target)*d : int(target)*d+d]
					f := w2vDot(l1, l2)
					var g float32
					switch {
					case f > w2vMaxExp:
						g = (label - 1) * alpha
					case f < -w2vMaxExp:
						g = label * alpha
					default:
						g = (label - tr.expTable[int((f+w2vMaxExp)*(w2vExpTableSize/w2vMaxExp/2))]) * alpha
					}
					w2vAxpy(g, l2, neu1e)
					w2vAxpy(g, l1, l2)
					if w.mod1 != nil && !w.mod1[target] {
						w.mod1[target] = true
						w.list1 = append(w.list1, target)
					}
				}
				w2vAxpy(1, neu1e, l1)
				if w.mod0 != nil && !w.mod0[last] {
					w.mod0[last] = true
					w.list0 = append(w.list0, last)
				}
			}
		}
	}
	w.alpha = alpha
	return w.next >= w.hi, ctx.Err()
}

func w2vDot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// w2vAxpy adds a·x to y.
func w2vAxpy(a float32, x, y []float32) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		y[i] += a * x[i]
		y[i+1] += a * x[i+1]
		y[i+2] += a * x[i+2]
		y[i+3] += a * x[i+3]
	}
	for ; i < len(x); i++ {
		y[i] += a * x[i]
	}
}

// w2vAlias samples word indices in proportion to weights (Vose's alias
// method), in O(1) per draw.
type w2vAlias struct {
	prob  []uint32 // acceptance threshold of column i, scaled to 2^32
	alias []int32
}

func newW2VAlias(weights []float64) w2vAlias {
	n := len(weights)
	a := w2vAlias{prob: make([]uint32, n), alias: make([]int32, n)}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	var small, large []int32
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s] = uint32(scaled[s] * (1 << 32))
		a.alias[s] = l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		a.prob[i], a.alias[i] = math.MaxUint32, i
	}
	return a
}

// sample draws an index from 64 random bits: the high half picks the
// column, the low half decides between it and its alias.
func (a *w2vAlias) sample(r uint64) int32 {
	i := int32((r >> 32) * uint64(len(a.prob)) >> 32)
	if uint32(r) < a.prob[i] {
		return i
	}
	return a.alias[i]
}
