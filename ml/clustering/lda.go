package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// ldaDefaultSeed is Spark's default seed for LDA: the Java hashCode of
// "org.apache.spark.ml.clustering.LDA".
const ldaDefaultSeed = 1435876747

// ldaMaxDocIter caps the per-document variational iterations (Spark
// iterates until the mean change of γ is at most 1e-3 with no cap;
// scikit-learn caps at 100, as here).
const ldaMaxDocIter = 100

// ldaDocTol is the per-document convergence threshold on the mean
// absolute change of γ (Spark's and scikit-learn's 1e-3).
const ldaDocTol = 1e-3

// LDAParams are LDA's params, with Spark's names and (from NewLDA)
// Spark's defaults.
type LDAParams struct {
	FeaturesCol          string `param:"featuresCol" doc:"vector column of term counts per document (CountVectorizer or HashingTF output)"`
	TopicDistributionCol string `param:"topicDistributionCol" doc:"vector column of each document's topic mixture (k values summing to 1); empty to skip"`
	K                    int    `param:"k" doc:"number of topics (>= 2)"`
	MaxIter              int    `param:"maxIter" doc:"number of mini-batch iterations (>= 0); with subsamplingRate 0.05, 20 iterations see about the corpus once"`
	Seed                 int    `param:"seed" doc:"random seed of the initial topics and the mini-batch sampling"`
	Optimizer            string `param:"optimizer" doc:"online (variational Bayes, Hoffman et al. 2010); Spark's em is not supported"`
	// DocConcentration is α, the Dirichlet prior on each document's topic
	// mixture: one value for all topics or k values; empty (or [-1])
	// means Spark's automatic 1/k.
	DocConcentration []float64 `param:"docConcentration" doc:"Dirichlet prior α on the documents' topic mixtures: 1 value or k values, each >= 0; empty means 1/k"`
	// TopicConcentration is η, the Dirichlet prior on each topic's term
	// distribution; -1 means Spark's automatic 1/k.
	TopicConcentration       float64 `param:"topicConcentration" doc:"Dirichlet prior η on the topics' term distributions (>= 0); -1 means 1/k"`
	LearningOffset           float64 `param:"learningOffset" doc:"τ₀ (> 0): down-weights early iterations; the learning rate is (τ₀ + t)^(-learningDecay)"`
	LearningDecay            float64 `param:"learningDecay" doc:"κ in (0.5, 1] for convergence (> 0): the exponential decay of the learning rate"`
	SubsamplingRate          float64 `param:"subsamplingRate" doc:"share of the documents in each mini-batch, in (0, 1]"`
	OptimizeDocConcentration bool    `param:"optimizeDocConcentration" doc:"learn α from the data during training (Newton steps as Spark)"`
	CheckpointInterval       int     `param:"checkpointInterval" doc:"accepted for Spark compatibility and ignored (the online optimizer keeps no graph to checkpoint); -1 or >= 1"`
	KeepLastCheckpoint       bool    `param:"keepLastCheckpoint" doc:"accepted for Spark compatibility and ignored"`
}

// Validate checks each param's range, naming the param and the fix.
func (p LDAParams) Validate() error {
	switch strings.ToLower(p.Optimizer) {
	case "online":
	case "em":
		return errors.New(`optimizer "em" (Spark's EMLDAOptimizer) is not supported; Sluice implements only the online variational Bayes optimizer — set optimizer to "online"`)
	default:
		return fmt.Errorf("optimizer %q: use online (Sluice has only the online variational Bayes optimizer)", p.Optimizer)
	}
	switch {
	case p.FeaturesCol == "":
		return errors.New("featuresCol is empty; name the vector column of term counts")
	case p.K < 2:
		return fmt.Errorf("k is %d; LDA needs at least 2 topics (Spark's rule)", p.K)
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; use 0 or more", p.MaxIter)
	case !(p.LearningOffset > 0) || math.IsInf(p.LearningOffset, 0):
		return fmt.Errorf("learningOffset is %v; use a finite number > 0 such as 1024", p.LearningOffset)
	case !(p.LearningDecay > 0) || math.IsInf(p.LearningDecay, 0):
		return fmt.Errorf("learningDecay is %v; use a number > 0, in (0.5, 1] for convergence, such as 0.51", p.LearningDecay)
	case !(p.SubsamplingRate > 0 && p.SubsamplingRate <= 1):
		return fmt.Errorf("subsamplingRate is %v; use a share in (0, 1] such as 0.05", p.SubsamplingRate)
	case p.CheckpointInterval < -1 || p.CheckpointInterval == 0:
		return fmt.Errorf("checkpointInterval is %d; use -1 or >= 1 (Sluice ignores it)", p.CheckpointInterval)
	case p.TopicConcentration != -1 && !(p.TopicConcentration >= 0) || math.IsInf(p.TopicConcentration, 0):
		return fmt.Errorf("topicConcentration is %v; use a finite number >= 0, or -1 for 1/k", p.TopicConcentration)
	}
	if _, err := p.alpha(); err != nil {
		return err
	}
	return nil
}

// alpha returns the effective docConcentration (k values).
func (p LDAParams) alpha() ([]float64, error) {
	dc := p.DocConcentration
	out := make([]float64, p.K)
	switch {
	case len(dc) == 0 || (len(dc) == 1 && dc[0] == -1):
		for t := range out {
			out[t] = 1 / float64(p.K)
		}
		return out, nil
	case len(dc) == 1:
		for t := range out {
			out[t] = dc[0]
		}
	case len(dc) == p.K:
		copy(out, dc)
	default:
		return nil, fmt.Errorf("docConcentration has %d values for k = %d topics; give 1 value, k values, or none for 1/k", len(dc), p.K)
	}
	for t, v := range out {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("docConcentration[%d] is %v; use finite values >= 0 (or leave it empty for 1/k)", t, v)
		}
	}
	return out, nil
}

// eta returns the effective topicConcentration.
func (p LDAParams) eta() float64 {
	if p.TopicConcentration == -1 {
		return 1 / float64(p.K)
	}
	return p.TopicConcentration
}

// LDA fits a latent Dirichlet allocation topic model with Spark's online
// variational Bayes optimizer (Hoffman, Blei and Bach, "Online Learning
// for Latent Dirichlet Allocation", 2010; Spark's OnlineLDAOptimizer).
// The input is a vector column of term counts per document, as
// CountVectorizer or HashingTF write it (sparse or dense; counts need not
// be whole numbers).
//
// Each of maxIter iterations draws a mini-batch, every document with
// probability subsamplingRate, and fits each document's variational
// topic weights γ by coordinate ascent (until their mean change is at
// most 1e-3, at most 100 rounds); the topic-term parameters λ then move
// toward the batch's estimate scaled to the corpus, with weight
// ρ = (learningOffset + t)^(−learningDecay), t counting non-empty
// batches. With optimizeDocConcentration, α takes a damped Newton step
// each iteration as in Spark. docConcentration and topicConcentration
// default to 1/k (Spark's online defaults). Documents with no terms count
// in the corpus size but not in the updates, as in Spark.
//
// Spark's "em" optimizer is not supported: setting it is an error saying
// so. Mini-batches are drawn without replacement (Spark samples with
// replacement by default); the batch's documents are inferred in parallel
// on GOMAXPROCS goroutines and their statistics added in document order,
// so a fit is reproducible for a seed whatever the number of cores.
// Memory: λ and exp E[ln β] are k × vocabSize doubles each, plus the
// batch's statistics of the same size.
type LDA struct {
	P LDAParams
}

var _ ml.Estimator = (*LDA)(nil)

// NewLDA returns an LDA with Spark's defaults: k 10, maxIter 20,
// optimizer online, learningOffset 1024, learningDecay 0.51,
// subsamplingRate 0.05, optimizeDocConcentration true, docConcentration
// and topicConcentration automatic (1/k), featuresCol features,
// topicDistributionCol topicDistribution, checkpointInterval 10,
// keepLastCheckpoint true, Spark's default seed.
func NewLDA() *LDA {
	return &LDA{P: LDAParams{
		FeaturesCol: "features", TopicDistributionCol: "topicDistribution", K: 10, MaxIter: 20, Seed: ldaDefaultSeed,
		Optimizer: "online", DocConcentration: []float64{}, TopicConcentration: -1, LearningOffset: 1024,
		LearningDecay: 0.51, SubsamplingRate: 0.05, OptimizeDocConcentration: true, CheckpointInterval: 10,
		KeepLastCheckpoint: true,
	}}
}

// StageName returns "LDA".
func (l *LDA) StageName() string { return "LDA" }

// Params returns the params.
func (l *LDA) Params() any { return &l.P }

// TransformSchema checks the term-count column and adds
// topicDistributionCol (a vector) when set.
func (l *LDA) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := l.P.Validate(); err != nil {
		return nil, err
	}
	return ldaSchema(in, l.P)
}

func ldaSchema(in *arrow.Schema, p LDAParams) (*arrow.Schema, error) {
	if err := ml.CheckVectorCol(in, "featuresCol", p.FeaturesCol); err != nil {
		return nil, fmt.Errorf("%w; LDA reads term counts (CountVectorizer or HashingTF output)", err)
	}
	if p.TopicDistributionCol == "" {
		return in, nil
	}
	return ml.AddFields(in, arrow.Field{Name: p.TopicDistributionCol, Type: ml.VectorType, Nullable: true})
}

// Fit runs the online optimizer on f. It fails on an invalid param, a
// missing or mistyped column, an empty frame, a zero-size vocabulary, a
// corpus whose documents are all empty, and bad rows (NULL vectors,
// sizes that differ, negative or non-finite counts), naming the row.
// ctx is checked between mini-batches and blocks of documents.
func (l *LDA) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := l.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	corpus, err := ldaReadCorpus(ctx, f, l.P.FeaturesCol, -1)
	if err != nil {
		return nil, err
	}
	defer corpus.release()
	if len(corpus.ids) == 0 {
		return nil, fmt.Errorf("the training data has no rows; LDA needs documents (check the input table or the filter)")
	}
	if corpus.vocab == 0 {
		return nil, fmt.Errorf("column %s: the term-count vectors have size 0, so the vocabulary is empty; check CountVectorizer's minDF, minTF and vocabSize", l.P.FeaturesCol)
	}
	if corpus.nonEmpty == 0 {
		return nil, fmt.Errorf("column %s: all %d documents are empty (every term count is 0); check the tokenizer and CountVectorizer's minDF", l.P.FeaturesCol, len(corpus.ids))
	}
	alpha, err := l.P.alpha()
	if err != nil {
		return nil, err
	}
	o := &ldaOnline{p: l.P, k: l.P.K, v: corpus.vocab, c: corpus, alpha: alpha, eta: l.P.eta(),
		rng: rand.New(rand.NewPCG(uint64(int64(l.P.Seed)), 0x2545f4914f6cdd1d))}
	if err := o.run(ctx); err != nil {
		return nil, err
	}
	return &LDAModel{P: l.P, vocab: corpus.vocab, lambda: o.lambda, DocConcentration: o.alpha, TopicConcentration: o.eta}, nil
}

// ldaCorpus is the documents of a term-count column: per row the term
// indices with a non-zero count and those counts. Rows of sparse vectors
// alias the column's buffers, which release frees.
type ldaCorpus struct {
	ids      [][]int32
	cts      [][]float64
	vocab    int
	nonEmpty int
	maxNNZ   int
	tokens   float64
	release  func()
}

// ldaReadCorpus reads column col of f. vocab < 0 takes the size of the
// first row; otherwise every vector must have that size. NULL vectors,
// sizes that differ and negative or non-finite counts are errors naming
// the row.
func ldaReadCorpus(ctx context.Context, f *ml.Frame, col string, vocab int) (*ldaCorpus, error) {
	chunked, err := f.Column(col)
	if err != nil {
		return nil, fmt.Errorf("featuresCol: %w", err)
	}
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, err
	}
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		arr.Release()
		return nil, fmt.Errorf("column %s: %w", col, err)
	}
	n := vc.Len()
	c := &ldaCorpus{ids: make([][]int32, n), cts: make([][]float64, n), vocab: vocab, release: arr.Release}
	first := vocab < 0
	for i := 0; i < n; i++ {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				c.release()
				return nil, err
			}
		}
		fail := func(format string, a ...any) (*ldaCorpus, error) {
			c.release()
			return nil, fmt.Errorf("column %s, row %d: "+format, append([]any{col, i + 1}, a...)...)
		}
		if vc.IsNull(i) {
			return fail("the term-count vector is NULL; drop the row or give it an empty vector")
		}
		v := vc.At(i)
		if err := v.Validate(); err != nil {
			return fail("%v", err)
		}
		if first {
			c.vocab, first = v.Size, false
		} else if v.Size != c.vocab {
			if vocab >= 0 {
				return fail("vector has %d terms, the model's vocabulary has %d", v.Size, c.vocab)
			}
			return fail("vector has %d terms, row 1 has %d; every document needs the same vocabulary", v.Size, c.vocab)
		}
		sparse := v.IsSparse()
		nnz := 0
		for j, x := range v.Values {
			if !(x >= 0) || math.IsInf(x, 0) {
				term := j
				if sparse {
					term = int(v.Indices[j])
				}
				return fail("term %d has count %v; term counts must be finite and >= 0 (as CountVectorizer or HashingTF write them)", term, x)
			}
			if x > 0 {
				nnz++
				c.tokens += x
			}
		}
		switch {
		case sparse && nnz == len(v.Values):
			c.ids[i], c.cts[i] = v.Indices, v.Values
		default: // dense rows, or sparse ones holding explicit zeros
			ids, cts := make([]int32, 0, nnz), make([]float64, 0, nnz)
			for j, x := range v.Values {
				if x > 0 {
					term := int32(j)
					if sparse {
						term = v.Indices[j]
					}
					ids, cts = append(ids, term), append(cts, x)
				}
			}
			c.ids[i], c.cts[i] = ids, cts
		}
		if nnz > 0 {
			c.nonEmpty++
		}
		c.maxNNZ = max(c.maxNNZ, nnz)
	}
	if c.vocab < 0 {
		c.vocab = 0
	}
	return c, nil
}

// ldaOnline is the state of one online fit. lambda is vocabulary-major:
// lambda[w·k + t] is topic t's parameter for term w (Spark's
// topicsMatrix(w, t)).
type ldaOnline struct {
	p      LDAParams
	k, v   int
	c      *ldaCorpus
	alpha  []float64
	eta    float64
	rng    *rand.Rand
	lambda []float64
}

func (o *ldaOnline) run(ctx context.Context) error {
	k, v := o.k, o.v
	o.lambda = make([]float64, v*k)
	for i := range o.lambda {
		o.lambda[i] = ldaGamma(o.rng, ldaGammaShape)
	}
	D := len(o.c.ids)
	batchSize := math.Ceil(o.p.SubsamplingRate * float64(D))
	expElogbeta := make([]float64, v*k)
	stat := make([]float64, v*k)
	gammaInit := make([]float64, k)
	scratch := make([]*ldaScratch, runtime.GOMAXPROCS(0))
	for w := range scratch {
		scratch[w] = newLDAScratch(k, o.c.maxNNZ)
	}
	var batch []int
	updates := 0
	for it := 0; it < o.p.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch = batch[:0]
		for d := 0; d < D; d++ {
			if o.rng.Float64() < o.p.SubsamplingRate {
				batch = append(batch, d)
			}
		}
		if len(batch) == 0 {
			continue // Spark skips an empty sample without counting it
		}
		updates++
		for t := range gammaInit {
			gammaInit[t] = ldaGamma(o.rng, ldaGammaShape)
		}
		if err := ldaExpElogbeta(ctx, o.lambda, k, expElogbeta); err != nil {
			return err
		}
		logphat, nonEmpty, err := ldaBatchStats(ctx, o.c, batch, expElogbeta, o.alpha, gammaInit, k, stat, scratch)
		if err != nil {
			return err
		}
		rho := math.Pow(o.p.LearningOffset+float64(updates), -o.p.LearningDecay)
		scale := float64(D) / batchSize
		eta := o.eta
		lam := o.lambda
		if _, _, err := gmmBlocks(ctx, v, 0, nil, func(_, lo, hi int, _ []float64) error {
			for i := lo * k; i < hi*k; i++ {
				lam[i] = (1-rho)*lam[i] + rho*(stat[i]*expElogbeta[i]*scale+eta)
			}
			return nil
		}); err != nil {
			return err
		}
		if o.p.OptimizeDocConcentration && nonEmpty > 0 {
			for t := range logphat {
				logphat[t] /= float64(nonEmpty)
			}
			ldaUpdateAlpha(o.alpha, logphat, float64(nonEmpty), rho)
		}
	}
	return nil
}

// ldaExpElogbeta writes exp(E[ln β]) for the topics λ (vocabulary-major,
// k topics) into out: exp(ψ(λ_wt) − ψ(Σ_w λ_wt)).
func ldaExpElogbeta(ctx context.Context, lambda []float64, k int, out []float64) error {
	v := len(lambda) / k
	sums := make([]float64, k)
	for w := 0; w < v; w++ {
		row := lambda[w*k : (w+1)*k]
		for t, x := range row {
			sums[t] += x
		}
	}
	for t := range sums {
		sums[t] = ldaDigamma(sums[t])
	}
	_, _, err := gmmBlocks(ctx, v, 0, nil, func(_, lo, hi int, _ []float64) error {
		for w := lo; w < hi; w++ {
			row, o := lambda[w*k:(w+1)*k], out[w*k:(w+1)*k]
			for t, x := range row {
				o[t] = math.Exp(ldaDigamma(x) - sums[t])
			}
		}
		return nil
	})
	return err
}

// ldaScratch is one goroutine's buffers for document inference.
type ldaScratch struct {
	phiNorm, expElogtheta, acc []float64
}

func newLDAScratch(k, maxNNZ int) *ldaScratch {
	return &ldaScratch{phiNorm: make([]float64, maxNNZ), expElogtheta: make([]float64, k), acc: make([]float64, k)}
}

// ldaInfer fits one document's variational topic weights γ (written to
// gamma, starting from gammaInit) by Spark's coordinate ascent, given
// exp(E[ln β]) (vocabulary-major). On return sc.expElogtheta holds
// exp(E[ln θ]) and sc.phiNorm[:len(ids)] the normalisers, from which the
// document's sufficient statistics follow. It does not allocate.
func ldaInfer(ids []int32, cts []float64, expElogbeta, alpha, gammaInit, gamma []float64, k int, sc *ldaScratch) {
	copy(gamma, gammaInit)
	et := sc.expElogtheta[:k]
	ldaExpDirichlet(gamma, et)
	phi := sc.phiNorm[:len(ids)]
	cts = cts[:len(ids)]
	norms := func() {
		for i, w := range ids {
			row := expElogbeta[int(w)*k : int(w)*k+k]
			s := 1e-100
			for t, b := range row {
				s += b * et[t]
			}
			phi[i] = s
		}
	}
	norms()
	acc := sc.acc[:k]
	for iter := 0; iter < ldaMaxDocIter; iter++ {
		clear(acc)
		for i, w := range ids {
			c := cts[i] / phi[i]
			row := expElogbeta[int(w)*k : int(w)*k+k]
			for t, b := range row {
				acc[t] += b * c
			}
		}
		change := 0.0
		for t := range gamma {
			g := et[t]*acc[t] + alpha[t]
			change += math.Abs(g - gamma[t])
			gamma[t] = g
		}
		ldaExpDirichlet(gamma, et)
		norms()
		if !(change/float64(k) > ldaDocTol) {
			break
		}
	}
}

// ldaBatchStats infers the batch's documents in parallel and adds their
// sufficient statistics, in document order, into stat (zeroed first;
// vocabulary-major, before the product with exp(E[ln β]) that Spark's
// batchResult applies); scratch has one entry per goroutine
// (GOMAXPROCS). It returns Σ E[ln θ_d] over the non-empty
// documents (for the α update) and their number.
func ldaBatchStats(ctx context.Context, c *ldaCorpus, batch []int, expElogbeta, alpha, gammaInit []float64, k int, stat []float64, scratch []*ldaScratch) ([]float64, int, error) {
	nb := len(batch)
	// Per document: γ (k), exp(E[ln θ]) (k) and counts/φ-norms (nnz).
	off := make([]int, nb+1)
	for b, d := range batch {
		off[b+1] = off[b] + len(c.ids[d])
	}
	gammas := make([]float64, nb*k)
	thetas := make([]float64, nb*k)
	ratios := make([]float64, off[nb])
	_, _, err := gmmBlocks(ctx, nb, 0, nil, func(w, lo, hi int, _ []float64) error {
		sc := scratch[w]
		for b := lo; b < hi; b++ {
			d := batch[b]
			ids := c.ids[d]
			if len(ids) == 0 {
				continue
			}
			g := gammas[b*k : (b+1)*k]
			ldaInfer(ids, c.cts[d], expElogbeta, alpha, gammaInit, g, k, sc)
			copy(thetas[b*k:(b+1)*k], sc.expElogtheta)
			r := ratios[off[b]:off[b+1]]
			for i, ct := range c.cts[d] {
				r[i] = ct / sc.phiNorm[i]
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	clear(stat)
	logphat := make([]float64, k)
	elog := make([]float64, k)
	nonEmpty := 0
	for b, d := range batch {
		ids := c.ids[d]
		if len(ids) == 0 {
			continue
		}
		nonEmpty++
		th := thetas[b*k : (b+1)*k]
		r := ratios[off[b]:off[b+1]]
		for i, w := range ids {
			row := stat[int(w)*k : int(w)*k+k]
			for t, e := range th {
				row[t] += e * r[i]
			}
		}
		ldaDirichletExpectation(gammas[b*k:(b+1)*k], elog)
		for t, e := range elog {
			logphat[t] += e
		}
	}
	return logphat, nonEmpty, nil
}

// ldaUpdateAlpha takes Spark's damped Newton step on α (Huang, "Maximum
// Likelihood Estimation of Dirichlet Distribution Parameters", §3.3)
// given the mean E[ln θ] of n documents, unless it would make an entry
// non-positive.
func ldaUpdateAlpha(alpha, logphat []float64, n, rho float64) {
	k := len(alpha)
	var sumA float64
	for _, a := range alpha {
		sumA += a
	}
	elog := make([]float64, k)
	ldaDirichletExpectation(alpha, elog)
	gradf := make([]float64, k)
	q := make([]float64, k)
	c := n * ldaTrigamma(sumA)
	var sgq, siq float64
	for t := range alpha {
		gradf[t] = n * (-elog[t] + logphat[t])
		q[t] = -n * ldaTrigamma(alpha[t])
		sgq += gradf[t] / q[t]
		siq += 1 / q[t]
	}
	b := sgq / (1/c + siq)
	next := make([]float64, k)
	for t := range alpha {
		next[t] = alpha[t] + rho*(-(gradf[t]-b)/q[t])
		if !(next[t] > 0) {
			return
		}
	}
	copy(alpha, next)
}
