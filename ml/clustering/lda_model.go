package clustering

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/sluice-dev/sluice/ml"
)

// LDAModel is a fitted topic model: Spark's LocalLDAModel (the model
// the online optimizer returns), whose class name it uses. Transform adds
// each document's topic mixture. A model is safe for concurrent use.
type LDAModel struct {
	P LDAParams
	// DocConcentration is α as fitted: learned when
	// optimizeDocConcentration is set, else the param's effective value
	// (Spark's estimatedDocConcentration).
	DocConcentration []float64
	// TopicConcentration is η, the effective topicConcentration.
	TopicConcentration float64

	vocab  int
	lambda []float64 // vocabSize × k, vocabulary-major
}

var (
	_ ml.Model       = (*LDAModel)(nil)
	_ ml.ModelFrames = (*LDAModel)(nil)
)

// NewLDAModel builds a model from topics, a vocabSize × k matrix of
// topic-term Dirichlet parameters (Spark's topicsMatrix of a
// LocalLDAModel; each column a topic, non-negative), α (k values) and η.
// p.K is set to k. It fails on shapes that do not fit or negative or
// non-finite values.
func NewLDAModel(p LDAParams, topics *mat.Dense, docConcentration []float64, topicConcentration float64) (*LDAModel, error) {
	v, k := topics.Dims()
	p.K = k
	m := &LDAModel{P: p, DocConcentration: slices.Clone(docConcentration), TopicConcentration: topicConcentration, vocab: v, lambda: make([]float64, v*k)}
	for w := 0; w < v; w++ {
		for t := 0; t < k; t++ {
			m.lambda[w*k+t] = topics.At(w, t)
		}
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// StageName returns "LocalLDAModel" (Spark's class name).
func (m *LDAModel) StageName() string { return "LocalLDAModel" }

// Params returns the params.
func (m *LDAModel) Params() any { return &m.P }

// K returns the number of topics.
func (m *LDAModel) K() int { return m.P.K }

// VocabSize returns the number of terms the model knows.
func (m *LDAModel) VocabSize() int { return m.vocab }

// IsDistributed returns false, as Spark's LocalLDAModel.
func (m *LDAModel) IsDistributed() bool { return false }

// TopicsMatrix returns a copy of the topics: vocabSize × k, column t
// topic t's Dirichlet parameters over the terms (not normalised; Spark's
// topicsMatrix). DescribeTopics normalises them.
func (m *LDAModel) TopicsMatrix() *mat.Dense {
	if m.vocab == 0 || m.P.K == 0 {
		return &mat.Dense{}
	}
	return mat.NewDense(m.vocab, m.P.K, slices.Clone(m.lambda))
}

// check verifies the model's shapes and values.
func (m *LDAModel) check() error {
	k := m.P.K
	switch {
	case m.vocab == 0 || k == 0:
		return errors.New("the model has no topics; fit LDA first")
	case len(m.lambda) != m.vocab*k:
		return fmt.Errorf("the topics hold %d values for %d terms × %d topics; refit the model", len(m.lambda), m.vocab, k)
	case len(m.DocConcentration) != k:
		return fmt.Errorf("docConcentration has %d values for k = %d topics", len(m.DocConcentration), k)
	case !(m.TopicConcentration >= 0) || math.IsInf(m.TopicConcentration, 0):
		return fmt.Errorf("topicConcentration is %v; want a finite number >= 0", m.TopicConcentration)
	}
	for t, a := range m.DocConcentration {
		if !(a >= 0) || math.IsInf(a, 0) {
			return fmt.Errorf("docConcentration[%d] is %v; want a finite number >= 0", t, a)
		}
	}
	for i, x := range m.lambda {
		if !(x >= 0) || math.IsInf(x, 0) {
			return fmt.Errorf("topic %d, term %d: parameter %v; want a finite number >= 0", i%k, i/k, x)
		}
	}
	return nil
}

// TransformSchema checks the term-count column and adds
// topicDistributionCol when set.
func (m *LDAModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return ldaSchema(in, m.P)
}

// ldaEval holds what inference under a fixed model needs.
type ldaEval struct {
	k           int
	expElogbeta []float64
	gammaInit   []float64
}

func (m *LDAModel) eval(ctx context.Context) (*ldaEval, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	e := &ldaEval{k: m.P.K, expElogbeta: make([]float64, len(m.lambda)), gammaInit: make([]float64, m.P.K)}
	if err := ldaExpElogbeta(ctx, m.lambda, m.P.K, e.expElogbeta); err != nil {
		return nil, err
	}
	// Every document starts from the same draw, seeded by the model's
	// seed (as Spark's transform), so results do not depend on row order.
	rng := rand.New(rand.NewPCG(uint64(int64(m.P.Seed)), 0x632be59bd9b4e019))
	for t := range e.gammaInit {
		e.gammaInit[t] = ldaGamma(rng, ldaGammaShape)
	}
	return e, nil
}

// Transform adds topicDistributionCol: each document's variational topic
// weights γ normalised to sum to 1. A document with no terms gets the
// prior mean α/Σα (the posterior of an empty document; Spark returns a
// vector of zeros there), or 1/k each when α is all zero. NULL vectors,
// sizes other than vocabSize and negative or non-finite counts are
// errors naming the row. ctx is checked between blocks of rows.
func (m *LDAModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if m.P.TopicDistributionCol == "" {
		return f, nil
	}
	e, err := m.eval(ctx)
	if err != nil {
		return nil, err
	}
	c, err := ldaReadCorpus(ctx, f, m.P.FeaturesCol, m.vocab)
	if err != nil {
		return nil, err
	}
	defer c.release()
	k := m.P.K
	n := len(c.ids)
	out := make([]float64, n*k)
	prior := make([]float64, k)
	var sa float64
	for _, a := range m.DocConcentration {
		sa += a
	}
	for t := range prior {
		if sa > 0 {
			prior[t] = m.DocConcentration[t] / sa
		} else {
			prior[t] = 1 / float64(k)
		}
	}
	scratch := make([]*ldaScratch, runtime.GOMAXPROCS(0))
	_, _, err = gmmBlocks(ctx, n, 0, nil, func(w, lo, hi int, _ []float64) error {
		if scratch[w] == nil {
			scratch[w] = newLDAScratch(k, c.maxNNZ)
		}
		for i := lo; i < hi; i++ {
			g := out[i*k : (i+1)*k]
			if len(c.ids[i]) == 0 {
				copy(g, prior)
				continue
			}
			ldaInfer(c.ids[i], c.cts[i], e.expElogbeta, m.DocConcentration, e.gammaInit, g, k, scratch[w])
			var s float64
			for _, v := range g {
				s += v
			}
			for t := range g {
				g[t] /= s
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: m.P.TopicDistributionCol, Type: ml.VectorType, Nullable: true}, ml.DenseVectors(out, k))
}

// LogLikelihood returns Spark's variational lower bound on the log
// likelihood of the documents in featuresCol of f, given the inferred
// topics (LDAModel.logLikelihood): for each non-empty document
// E[ln p(doc | θ, β)] + E[ln p(θ | α) − ln q(θ | γ)], plus the topics'
// E[ln p(β | η) − ln q(β | λ)]. Bad rows are errors naming the row; an
// empty frame is an error. ctx is checked between blocks of rows.
func (m *LDAModel) LogLikelihood(ctx context.Context, f *ml.Frame) (float64, error) {
	ll, _, err := m.bound(ctx, f)
	return ll, err
}

// LogPerplexity returns −LogLikelihood / (the number of tokens in f),
// Spark's logPerplexity: an upper bound on the log perplexity, lower is
// better. It is an error when f holds no tokens.
func (m *LDAModel) LogPerplexity(ctx context.Context, f *ml.Frame) (float64, error) {
	ll, tokens, err := m.bound(ctx, f)
	if err != nil {
		return 0, err
	}
	if !(tokens > 0) {
		return 0, fmt.Errorf("column %s holds no tokens (every document is empty); the perplexity is undefined", m.P.FeaturesCol)
	}
	return -ll / tokens, nil
}

func (m *LDAModel) bound(ctx context.Context, f *ml.Frame) (float64, float64, error) {
	if err := ml.CheckVectorCol(f.Schema(), "featuresCol", m.P.FeaturesCol); err != nil {
		return 0, 0, err
	}
	if f.NumRows() == 0 {
		return 0, 0, fmt.Errorf("the frame has no rows; there are no documents to score")
	}
	e, err := m.eval(ctx)
	if err != nil {
		return 0, 0, err
	}
	c, err := ldaReadCorpus(ctx, f, m.P.FeaturesCol, m.vocab)
	if err != nil {
		return 0, 0, err
	}
	defer c.release()
	k, alpha := m.P.K, m.DocConcentration
	elogbeta := make([]float64, len(e.expElogbeta))
	for i, x := range e.expElogbeta {
		elogbeta[i] = math.Log(x)
	}
	var sumA, lgA float64
	for _, a := range alpha {
		sumA += a
		lgA += ldaLgamma(a)
	}
	lgSumA := ldaLgamma(sumA)
	type scr struct {
		sc               *ldaScratch
		gamma, elog, tmp []float64
	}
	scratch := make([]*scr, runtime.GOMAXPROCS(0))
	partial, blocks, err := gmmBlocks(ctx, len(c.ids), 1, nil, func(w, lo, hi int, part []float64) error {
		if scratch[w] == nil {
			scratch[w] = &scr{sc: newLDAScratch(k, c.maxNNZ), gamma: make([]float64, k), elog: make([]float64, k), tmp: make([]float64, k)}
		}
		s := scratch[w]
		for d := lo; d < hi; d++ {
			ids, cts := c.ids[d], c.cts[d]
			if len(ids) == 0 {
				continue
			}
			ldaInfer(ids, cts, e.expElogbeta, alpha, e.gammaInit, s.gamma, k, s.sc)
			ldaDirichletExpectation(s.gamma, s.elog)
			var b float64
			for i, wd := range ids {
				row := elogbeta[int(wd)*k : int(wd)*k+k]
				mx := math.Inf(-1)
				for t, v := range row {
					s.tmp[t] = s.elog[t] + v
					mx = max(mx, s.tmp[t])
				}
				var se float64
				for _, v := range s.tmp {
					se += math.Exp(v - mx)
				}
				b += cts[i] * (mx + math.Log(se))
			}
			var sumG float64
			for t, g := range s.gamma {
				b += (alpha[t]-g)*s.elog[t] + ldaLgamma(g)
				sumG += g
			}
			b += -lgA + lgSumA - ldaLgamma(sumG)
			part[0] += b
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	var corpus float64
	for b := 0; b < blocks; b++ {
		corpus += partial[b]
	}
	// E[ln p(β | η) − ln q(β | λ)], summed over terms and topics.
	eta := m.TopicConcentration
	lgEta := ldaLgamma(eta)
	sums := make([]float64, k)
	var topics float64
	for i, l := range m.lambda {
		topics += (eta-l)*elogbeta[i] + ldaLgamma(l) - lgEta
		sums[i%k] += l
	}
	lgEtaV := ldaLgamma(eta * float64(m.vocab))
	for _, s := range sums {
		topics += lgEtaV - ldaLgamma(s)
	}
	return corpus + topics, c.tokens, nil
}

// ldaTerm is a term and its weight in a topic.
type ldaTerm struct {
	idx int32
	w   float64
}

// ldaTopHeap is a min-heap by weight (ties: the larger index is lower),
// keeping the best terms seen.
type ldaTopHeap []ldaTerm

func (h ldaTopHeap) Len() int { return len(h) }
func (h ldaTopHeap) Less(i, j int) bool {
	if h[i].w != h[j].w {
		return h[i].w < h[j].w
	}
	return h[i].idx > h[j].idx
}
func (h ldaTopHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *ldaTopHeap) Push(x any)   { *h = append(*h, x.(ldaTerm)) }
func (h *ldaTopHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topTerms returns each topic's maxTerms heaviest terms (normalised
// weights, descending; ties by term index).
func (m *LDAModel) topTerms(maxTerms int) [][]ldaTerm {
	k, v := m.P.K, m.vocab
	maxTerms = min(maxTerms, v)
	out := make([][]ldaTerm, k)
	for t := 0; t < k; t++ {
		var sum float64
		for w := 0; w < v; w++ {
			sum += m.lambda[w*k+t]
		}
		h := make(ldaTopHeap, 0, maxTerms+1)
		for w := 0; w < v; w++ {
			x := ldaTerm{int32(w), m.lambda[w*k+t]}
			if len(h) < maxTerms {
				heap.Push(&h, x)
			} else if x.w > h[0].w {
				h[0] = x
				heap.Fix(&h, 0)
			}
		}
		res := make([]ldaTerm, len(h))
		for i := len(h) - 1; i >= 0; i-- {
			res[i] = heap.Pop(&h).(ldaTerm)
			if sum > 0 {
				res[i].w /= sum
			}
		}
		out[t] = res
	}
	return out
}

// DescribeTopics returns Spark's describeTopics frame: one row per topic
// with topic (int32), termIndices (list<int32>) and termWeights
// (list<double>), the maxTermsPerTopic most likely terms of the topic's
// normalised term distribution, most likely first. maxTermsPerTopic
// above vocabSize gives every term; below 1 is an error (Spark's default
// is 10).
func (m *LDAModel) DescribeTopics(maxTermsPerTopic int) (*ml.Frame, error) {
	if maxTermsPerTopic < 1 {
		return nil, fmt.Errorf("maxTermsPerTopic is %d; ask for at least 1 term (Spark's default is 10)", maxTermsPerTopic)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	top := m.topTerms(maxTermsPerTopic)
	tb := array.NewInt32Builder(memory.DefaultAllocator)
	defer tb.Release()
	ib := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Int32)
	defer ib.Release()
	ivb := ib.ValueBuilder().(*array.Int32Builder)
	wb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	defer wb.Release()
	wvb := wb.ValueBuilder().(*array.Float64Builder)
	for t, terms := range top {
		tb.Append(int32(t))
		ib.Append(true)
		wb.Append(true)
		for _, x := range terms {
			ivb.Append(x.idx)
			wvb.Append(x.w)
		}
	}
	ta, ia, wa := tb.NewArray(), ib.NewArray(), wb.NewArray()
	defer ta.Release()
	defer ia.Release()
	defer wa.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "topic", Type: arrow.PrimitiveTypes.Int32},
		{Name: "termIndices", Type: ia.DataType(), Nullable: true},
		{Name: "termWeights", Type: wa.DataType(), Nullable: true},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{
		arrow.NewChunked(ta.DataType(), []arrow.Array{ta}),
		arrow.NewChunked(ia.DataType(), []arrow.Array{ia}),
		arrow.NewChunked(wa.DataType(), []arrow.Array{wa}),
	})
}

// FrameNames returns "topics".
func (m *LDAModel) FrameNames() []string { return []string{"topics"} }

// ModelFrame returns "topics": DescribeTopics(10), Spark's default.
func (m *LDAModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if name != "topics" {
		return nil, fmt.Errorf("LocalLDAModel has no frame %q; it has %s", name, strings.Join(m.FrameNames(), ", "))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.DescribeTopics(10)
}

// String is a one-line summary.
func (m *LDAModel) String() string {
	return fmt.Sprintf("LocalLDAModel: k=%d, vocabSize=%d, topicConcentration=%s", m.P.K, m.vocab, strconv.FormatFloat(m.TopicConcentration, 'g', 6, 64))
}

// DebugString prints the summary, α, and each topic's ten most likely
// terms by index with their weights.
func (m *LDAModel) DebugString() string {
	var b strings.Builder
	b.WriteString(m.String())
	b.WriteByte('\n')
	as := make([]string, len(m.DocConcentration))
	for t, a := range m.DocConcentration {
		as[t] = strconv.FormatFloat(a, 'g', 4, 64)
	}
	fmt.Fprintf(&b, "  docConcentration [%s]\n", strings.Join(as, ", "))
	if m.check() != nil {
		return b.String()
	}
	for t, terms := range m.topTerms(10) {
		parts := make([]string, len(terms))
		for i, x := range terms {
			parts[i] = fmt.Sprintf("%d (%.4f)", x.idx, x.w)
		}
		fmt.Fprintf(&b, "  topic %d: %s\n", t, strings.Join(parts, ", "))
	}
	return b.String()
}

// ldaSaved is the JSON part of a saved model.
type ldaSaved struct {
	VocabSize          int       `json:"vocabSize"`
	DocConcentration   []float64 `json:"docConcentration"`
	TopicConcentration float64   `json:"topicConcentration"`
}

// SaveData writes the topics (data/topics.arrow: one row per topic, its
// parameters over the vocabulary) and α, η and vocabSize
// (data/model.json).
func (m *LDAModel) SaveData(w *ml.DataWriter) error {
	if err := m.check(); err != nil {
		return err
	}
	k := m.P.K
	rows := make([][]float64, k)
	for t := range rows {
		rows[t] = make([]float64, m.vocab)
		for wd := range rows[t] {
			rows[t][wd] = m.lambda[wd*k+t]
		}
	}
	if err := w.WriteColumns("topics", new(ml.Columns).AddFloat64s("termParams", rows)); err != nil {
		return err
	}
	return w.WriteJSON("model", ldaSaved{VocabSize: m.vocab, DocConcentration: m.DocConcentration, TopicConcentration: m.TopicConcentration})
}

// LoadData reads what SaveData wrote.
func (m *LDAModel) LoadData(r *ml.DataReader) error {
	var s ldaSaved
	if err := r.ReadJSON("model", &s); err != nil {
		return err
	}
	c, err := r.ReadColumns("topics")
	if err != nil {
		return err
	}
	rows, err := c.Float64s("termParams")
	if err != nil {
		return err
	}
	if len(rows) != m.P.K {
		return fmt.Errorf("data/topics.arrow has %d topics, the params say k = %d; re-save the model", len(rows), m.P.K)
	}
	m.vocab, m.DocConcentration, m.TopicConcentration = s.VocabSize, s.DocConcentration, s.TopicConcentration
	k := m.P.K
	m.lambda = make([]float64, m.vocab*k)
	for t, row := range rows {
		if len(row) != m.vocab {
			return fmt.Errorf("data/topics.arrow: topic %d has %d terms, vocabSize is %d; re-save the model", t, len(row), m.vocab)
		}
		for wd, x := range row {
			m.lambda[wd*k+t] = x
		}
	}
	if err := m.check(); err != nil {
		return fmt.Errorf("data/topics.arrow: %w", err)
	}
	return nil
}
