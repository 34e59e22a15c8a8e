package feature

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// CountVectorizerParams are the params of CountVectorizer and its model
// (Spark's names and defaults).
type CountVectorizerParams struct {
	InputCol  string  `param:"inputCol" doc:"array<string> column of terms"`
	OutputCol string  `param:"outputCol" doc:"sparse vector column of term counts over the vocabulary"`
	VocabSize int     `param:"vocabSize" doc:"keep at most this many terms, the most frequent across the corpus, > 0"`
	MinDF     float64 `param:"minDF" doc:"keep terms in at least this many documents (>= 1), or this fraction of them (< 1)"`
	MaxDF     float64 `param:"maxDF" doc:"keep terms in at most this many documents (>= 1), or this fraction of them (< 1); drops terms in too many documents"`
	MinTF     float64 `param:"minTF" doc:"in each document, drop terms counted fewer than this many times (>= 1) or below this fraction of the document's tokens (< 1); applies when transforming"`
	Binary    bool    `param:"binary" doc:"1 for every term present instead of its count"`
}

// maxDFDefault is Spark's default maxDF, Long.MaxValue as a double.
const maxDFDefault = float64(math.MaxInt64)

// Validate checks the params.
func (p CountVectorizerParams) Validate() error {
	switch {
	case p.InputCol == "" || p.OutputCol == "":
		return errors.New("set inputCol and outputCol")
	case p.VocabSize <= 0 || p.VocabSize > math.MaxInt32:
		return fmt.Errorf("vocabSize is %d; use a number in [1, 2147483647]", p.VocabSize)
	case !(p.MinDF >= 0) || math.IsInf(p.MinDF, 0):
		return fmt.Errorf("minDF is %v; use a count >= 1 or a fraction in [0, 1)", p.MinDF)
	case !(p.MaxDF >= 0) || math.IsInf(p.MaxDF, 0):
		return fmt.Errorf("maxDF is %v; use a count >= 1 or a fraction in [0, 1)", p.MaxDF)
	case !(p.MinTF >= 0) || math.IsInf(p.MinTF, 0):
		return fmt.Errorf("minTF is %v; use a count >= 1 or a fraction in [0, 1)", p.MinTF)
	}
	if (p.MinDF >= 1) == (p.MaxDF >= 1) && p.MaxDF < p.MinDF {
		return fmt.Errorf("maxDF (%v) is below minDF (%v); maxDF must be >= minDF", p.MaxDF, p.MinDF)
	}
	return nil
}

// CountVectorizer learns a vocabulary from token lists and turns each
// list into a sparse vector of term counts, as Spark's CountVectorizer.
// Fit counts, for every term, its occurrences over the corpus (term
// frequency) and the documents holding it (document frequency); keeps
// the terms whose document frequency is within [minDF, maxDF] (counts, or
// fractions of the documents when below 1); and takes the vocabSize
// terms of highest term frequency. Spark leaves the order of terms with
// equal frequency to chance; Sluice orders them by their UTF-8 bytes, so
// the vocabulary is deterministic. An empty vocabulary is an error.
//
// A NULL token list or NULL element is an error naming the row. Fit
// counts on GOMAXPROCS goroutines over blocks of rows, keeping one copy
// of each distinct term.
type CountVectorizer struct {
	P CountVectorizerParams
}

var _ ml.Estimator = (*CountVectorizer)(nil)

// NewCountVectorizer returns a CountVectorizer with Spark's defaults:
// vocabSize 262144 (2^18), minDF 1, maxDF 2^63-1, minTF 1, binary false.
func NewCountVectorizer() *CountVectorizer {
	return &CountVectorizer{P: CountVectorizerParams{VocabSize: 1 << 18, MinDF: 1, MaxDF: maxDFDefault, MinTF: 1}}
}

// StageName returns "CountVectorizer".
func (cv *CountVectorizer) StageName() string { return "CountVectorizer" }

// Params returns the params.
func (cv *CountVectorizer) Params() any { return &cv.P }

// TransformSchema checks that inputCol is array<string> and adds
// outputCol (its size is known only after fitting).
func (cv *CountVectorizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := cv.P.Validate(); err != nil {
		return nil, err
	}
	return tokensToVectorSchema(in, cv.P.InputCol, cv.P.OutputCol, 0)
}

// termStats counts terms over a block of documents.
type termStats struct {
	index  map[string]int32
	terms  []string
	tf, df []int64
	last   []int32 // the last document counted in df
}

func newTermStats() *termStats { return &termStats{index: map[string]int32{}} }

// add counts term tok of document doc; the first sighting keeps a copy.
func (s *termStats) add(tok string, doc int32) {
	id, ok := s.index[tok]
	if !ok {
		id = int32(len(s.terms))
		t := strings.Clone(tok)
		s.index[t] = id
		s.terms = append(s.terms, t)
		s.tf, s.df, s.last = append(s.tf, 0), append(s.df, 0), append(s.last, -1)
	}
	s.tf[id]++
	if s.last[id] != doc {
		s.last[id] = doc
		s.df[id]++
	}
}

// merge adds o's counts into s (o's term strings are reused).
func (s *termStats) merge(o *termStats) {
	for k, t := range o.terms {
		id, ok := s.index[t]
		if !ok {
			id = int32(len(s.terms))
			s.index[t] = id
			s.terms = append(s.terms, t)
			s.tf, s.df, s.last = append(s.tf, 0), append(s.df, 0), append(s.last, -1)
		}
		s.tf[id] += o.tf[k]
		s.df[id] += o.df[k]
	}
}

// Fit learns the vocabulary. ctx is checked between blocks of rows.
func (cv *CountVectorizer) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := cv.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("CountVectorizer: %w", err)
	}
	return m, nil
}

func (cv *CountVectorizer) fit(ctx context.Context, f *ml.Frame) (*CountVectorizerModel, error) {
	if _, err := cv.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := cv.P
	tc, err := openTokens(f, p.InputCol)
	if err != nil {
		return nil, err
	}
	n := tc.Len()
	if n == 0 {
		return nil, fmt.Errorf("column %s: no rows to fit on; check the input table or the filter", p.InputCol)
	}
	// One counter per worker, each taking the next block of rows until
	// none is left: fewer copies of each term than one per block.
	blocks := textBlocks(n)
	workers := min(runtime.GOMAXPROCS(0), len(blocks))
	stats := make([]*termStats, workers)
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for w := range workers {
		s := newTermStats()
		stats[w] = s
		g.Go(func() error {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(blocks) {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				for i := blocks[k][0]; i < blocks[k][1]; i++ {
					row, null := tc.row(i)
					if null {
						return nullTokensErr(p.InputCol, i)
					}
					for j := range row.Len() {
						tok, null := row.at(j)
						if null {
							return nullElemErr(p.InputCol, i, j)
						}
						s.add(tok, int32(i))
					}
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := stats[0]
	for _, s := range stats[1:] {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		all.merge(s)
	}
	minDF, maxDF := p.MinDF, p.MaxDF
	if minDF < 1 {
		minDF *= float64(n)
	}
	if maxDF < 1 {
		maxDF *= float64(n)
	}
	if maxDF < minDF {
		return nil, fmt.Errorf("maxDF (%v, %v documents) is below minDF (%v, %v documents); maxDF must be >= minDF", p.MaxDF, maxDF, p.MinDF, minDF)
	}
	keep := make([]int32, 0, len(all.terms))
	for id, df := range all.df {
		if d := float64(df); d >= minDF && d <= maxDF {
			keep = append(keep, int32(id))
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("the vocabulary is empty: none of the %d distinct terms is in between minDF (%v) and maxDF (%v) of the %d documents; lower minDF or raise maxDF", len(all.terms), p.MinDF, p.MaxDF, n)
	}
	slices.SortFunc(keep, func(a, b int32) int {
		if c := cmp.Compare(all.tf[b], all.tf[a]); c != 0 {
			return c
		}
		return strings.Compare(all.terms[a], all.terms[b])
	})
	keep = keep[:min(len(keep), p.VocabSize)]
	vocab := make([]string, len(keep))
	for k, id := range keep {
		vocab[k] = all.terms[id]
	}
	return &CountVectorizerModel{P: p, Vocabulary: vocab}, nil
}

// CountVectorizerModel turns token lists into sparse count vectors over
// a fixed vocabulary (term i is feature i); terms outside it are ignored.
// In each document, terms counted fewer than minTF times (minTF >= 1) or
// below minTF times the document's token count (minTF < 1) are dropped;
// with binary the rest count 1. A NULL token list is an error naming the
// row; NULL elements count as tokens outside the vocabulary, as in
// Spark.
//
// Do not change Vocabulary while a Transform runs. Transform runs on
// GOMAXPROCS goroutines over blocks of rows, looking terms up in place.
type CountVectorizerModel struct {
	P          CountVectorizerParams
	Vocabulary []string

	mu   sync.Mutex
	dict map[string]int32
	of   []string // the Vocabulary dict was built from
}

var (
	_ ml.Model       = (*CountVectorizerModel)(nil)
	_ ml.ModelFrames = (*CountVectorizerModel)(nil)
)

// NewCountVectorizerModel returns a model over a given vocabulary, with
// CountVectorizer's default params (Spark's
// new CountVectorizerModel(vocabulary)); set inputCol and outputCol.
func NewCountVectorizerModel(vocabulary []string) *CountVectorizerModel {
	return &CountVectorizerModel{P: NewCountVectorizer().P, Vocabulary: slices.Clone(vocabulary)}
}

// StageName returns "CountVectorizerModel".
func (m *CountVectorizerModel) StageName() string { return "CountVectorizerModel" }

// Params returns the params.
func (m *CountVectorizerModel) Params() any { return &m.P }

// TransformSchema checks that inputCol is array<string> and adds
// outputCol, a vector of len(Vocabulary) features.
func (m *CountVectorizerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return tokensToVectorSchema(in, m.P.InputCol, m.P.OutputCol, len(m.Vocabulary))
}

// dictionary returns the term → index map, built once per vocabulary.
func (m *CountVectorizerModel) dictionary() (map[string]int32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	same := len(m.of) == len(m.Vocabulary) && (len(m.of) == 0 || &m.of[0] == &m.Vocabulary[0])
	if m.dict != nil && same {
		return m.dict, nil
	}
	d := make(map[string]int32, len(m.Vocabulary))
	for i, t := range m.Vocabulary {
		if _, dup := d[t]; dup {
			return nil, fmt.Errorf("the vocabulary lists %q twice (entries %d and %d); give each term once", t, d[t], i)
		}
		d[t] = int32(i)
	}
	m.dict, m.of = d, m.Vocabulary
	return d, nil
}

// Transform adds the count-vector column. ctx is checked between blocks
// of rows.
func (m *CountVectorizerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := m.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("CountVectorizerModel: %w", err)
	}
	return out, nil
}

func (m *CountVectorizerModel) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if len(m.Vocabulary) == 0 {
		return nil, errors.New("the vocabulary is empty; fit the model or give it a vocabulary")
	}
	dict, err := m.dictionary()
	if err != nil {
		return nil, err
	}
	p := m.P
	size := len(m.Vocabulary)
	tc, err := openTokens(f, p.InputCol)
	if err != nil {
		return nil, err
	}
	col, err := parallelBlocks(ctx, tc.Len(), ml.VectorType, func(lo, hi int) (arrow.Array, error) {
		vb := ml.NewVectorBuilder(nil)
		defer vb.Release()
		_, elems := tc.blockSize(lo, hi)
		tf := newTermFreqs(size, elems)
		for i := lo; i < hi; i++ {
			row, null := tc.row(i)
			if null {
				return nil, nullTokensErr(p.InputCol, i)
			}
			for j := range row.Len() {
				tok, null := row.at(j)
				if null {
					continue
				}
				if id, ok := dict[tok]; ok {
					tf.add(id)
				}
			}
			minTF := p.MinTF
			if minTF < 1 {
				minTF *= float64(row.Len())
			}
			vb.Append(tf.vector(size, p.Binary, minTF))
		}
		return vb.NewArray(), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(p.OutputCol, ml.VectorAttrs{NumAttrs: size}), col)
}

// FrameNames returns ["vocabulary"].
func (m *CountVectorizerModel) FrameNames() []string { return []string{"vocabulary"} }

// ModelFrame returns the vocabulary as a table: index (int32, the
// feature index) and term (string), in feature order — join it with a
// model's coefficients to name them.
func (m *CountVectorizerModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if name != "vocabulary" {
		return nil, fmt.Errorf("CountVectorizerModel has no frame %q; it has: vocabulary", name)
	}
	ib := array.NewInt32Builder(memory.DefaultAllocator)
	defer ib.Release()
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	for i, t := range m.Vocabulary {
		if i%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ib.Append(int32(i))
		sb.Append(t)
	}
	ia, sa := ib.NewArray(), sb.NewArray()
	defer ia.Release()
	defer sa.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "index", Type: arrow.PrimitiveTypes.Int32},
		{Name: "term", Type: arrow.BinaryTypes.String},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{
		arrow.NewChunked(ia.DataType(), []arrow.Array{ia}),
		arrow.NewChunked(sa.DataType(), []arrow.Array{sa}),
	})
}

// DebugString summarizes the model: its size and most frequent terms.
func (m *CountVectorizerModel) DebugString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CountVectorizerModel: vocabulary of %d terms (most frequent first)", len(m.Vocabulary))
	for i, t := range m.Vocabulary[:min(20, len(m.Vocabulary))] {
		fmt.Fprintf(&b, "\n  %d: %q", i, t)
	}
	if len(m.Vocabulary) > 20 {
		fmt.Fprintf(&b, "\n  … %d more", len(m.Vocabulary)-20)
	}
	return b.String()
}

// SaveData writes the vocabulary in feature order.
func (m *CountVectorizerModel) SaveData(w *ml.DataWriter) error {
	return w.WriteColumns("vocabulary", new(ml.Columns).AddString("term", m.Vocabulary))
}

// LoadData reads the vocabulary.
func (m *CountVectorizerModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("vocabulary")
	if err != nil {
		return err
	}
	m.Vocabulary, err = c.String("term")
	return err
}
