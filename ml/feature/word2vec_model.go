package feature

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// Word2VecModel holds a vector for every word of the vocabulary. It is
// safe for concurrent use.
type Word2VecModel struct {
	P Word2VecParams

	words   []string // vocabulary, most frequent first
	index   map[string]int32
	vectors []float32 // len(words) × VectorSize, row-major
	norms   []float64 // Euclidean norm of each word's vector
}

var (
	_ ml.Model       = (*Word2VecModel)(nil)
	_ ml.ModelFrames = (*Word2VecModel)(nil)
)

func newWord2VecModel(p Word2VecParams, words []string, vectors []float32) *Word2VecModel {
	m := &Word2VecModel{P: p}
	m.set(words, vectors)
	return m
}

func (m *Word2VecModel) set(words []string, vectors []float32) {
	m.words, m.vectors = words, vectors
	m.index = make(map[string]int32, len(words))
	m.norms = make([]float64, len(words))
	d := m.P.VectorSize
	for i, w := range words {
		m.index[w] = int32(i)
		s := 0.0
		for _, x := range vectors[i*d : (i+1)*d] {
			s += float64(x) * float64(x)
		}
		m.norms[i] = math.Sqrt(s)
	}
}

// StageName returns "Word2VecModel".
func (m *Word2VecModel) StageName() string { return "Word2VecModel" }

// Params returns the params.
func (m *Word2VecModel) Params() any { return &m.P }

// Vocabulary returns the words that have vectors, most frequent first.
func (m *Word2VecModel) Vocabulary() []string { return slices.Clone(m.words) }

// WordVector returns the vector of word, or false when it is not in the
// vocabulary.
func (m *Word2VecModel) WordVector(word string) ([]float64, bool) {
	i, ok := m.index[word]
	if !ok {
		return nil, false
	}
	return m.row(int(i)), true
}

func (m *Word2VecModel) row(i int) []float64 {
	d := m.P.VectorSize
	out := make([]float64, d)
	for j, x := range m.vectors[i*d : (i+1)*d] {
		out[j] = float64(x)
	}
	return out
}

// TransformSchema checks inputCol and adds outputCol.
func (m *Word2VecModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return word2VecSchema(m.P, in)
}

// Transform adds outputCol: the mean of the vectors of each document's
// words, as Spark computes it (the sum of the known words' vectors
// divided by the number of all the document's words, unknown ones
// included). An empty document gets a sparse zero vector and a
// document of unknown words only a dense zero vector, as in Spark; a
// NULL document a NULL vector.
func (m *Word2VecModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	col, _ := f.Column(m.P.InputCol)
	docs, valid, err := ml.StringLists(col)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", m.P.InputCol, err)
	}
	d := m.P.VectorSize
	out, err := buildVectors(ctx, len(docs), func(_ context.Context, lo, hi int, vb *ml.VectorBuilder) error {
		sum := make([]float64, d)
		for i := lo; i < hi; i++ {
			switch {
			case !valid[i]:
				vb.AppendNull()
				continue
			case len(docs[i]) == 0:
				vb.Append(ml.Sparse(d, nil, nil))
				continue
			}
			clear(sum)
			for _, w := range docs[i] {
				if k, ok := m.index[w]; ok {
					for j, x := range m.vectors[int(k)*d : int(k+1)*d] {
						sum[j] += float64(x)
					}
				}
			}
			inv := 1 / float64(len(docs[i]))
			for j := range sum {
				sum[j] *= inv
			}
			vb.Append(ml.Dense(sum...))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: m.P.OutputCol, Type: ml.VectorType, Nullable: true}, out)
}

// GetVectors returns the vocabulary and its vectors as Spark's
// getVectors frame: word (string) and vector (dense vector), most
// frequent word first.
func (m *Word2VecModel) GetVectors() *ml.Frame {
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	for i, w := range m.words {
		sb.Append(w)
		vb.Append(ml.Dense(m.row(i)...))
	}
	wa, va := sb.NewArray(), vb.NewArray()
	defer wa.Release()
	defer va.Release()
	fields := []arrow.Field{{Name: "word", Type: arrow.BinaryTypes.String}, {Name: "vector", Type: ml.VectorType}}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{arrow.NewChunked(wa.DataType(), []arrow.Array{wa}), arrow.NewChunked(ml.VectorType, []arrow.Array{va})})
	if err != nil {
		panic(err) // the columns are built to match
	}
	return f
}

// FrameNames returns "vectors".
func (m *Word2VecModel) FrameNames() []string { return []string{"vectors"} }

// ModelFrame returns GetVectors under the name "vectors".
func (m *Word2VecModel) ModelFrame(ctx context.Context, name string) (*ml.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if name != "vectors" {
		return nil, fmt.Errorf("Word2VecModel has no frame %q (frames: vectors)", name)
	}
	return m.GetVectors(), nil
}

// Synonym is a word and its cosine similarity to the query.
type Synonym struct {
	Word       string
	Similarity float64
}

// FindSynonymsArray returns the num words whose vectors are closest to
// word's by cosine similarity, most similar first (ties by vocabulary
// order), without word itself, as Spark's findSynonymsArray. A word
// outside the vocabulary or num < 1 is an error. ctx is checked once.
func (m *Word2VecModel) FindSynonymsArray(ctx context.Context, word string, num int) ([]Synonym, error) {
	i, ok := m.index[word]
	if !ok {
		msg := fmt.Sprintf("word %q is not in the vocabulary of %d words (words occurring at least minCount = %d times)", word, len(m.words), m.P.MinCount)
		if near := ml.Nearest(word, m.words); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return m.synonyms(ctx, m.row(int(i)), num, int(i))
}

// FindSynonymsVectorArray returns the num words whose vectors are
// closest to v by cosine similarity, most similar first, as Spark's
// findSynonymsArray(vec, num) (a word whose vector is v is included).
func (m *Word2VecModel) FindSynonymsVectorArray(ctx context.Context, v ml.Vector, num int) ([]Synonym, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	if v.Size != m.P.VectorSize {
		return nil, fmt.Errorf("vector of size %d, the model's word vectors have size %d", v.Size, m.P.VectorSize)
	}
	return m.synonyms(ctx, v.AppendTo(nil), num, -1)
}

func (m *Word2VecModel) synonyms(ctx context.Context, q []float64, num, skip int) ([]Synonym, error) {
	if num < 1 {
		return nil, fmt.Errorf("num is %d; ask for at least 1 synonym", num)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	qn := 0.0
	for _, x := range q {
		qn += x * x
	}
	qn = math.Sqrt(qn)
	d := m.P.VectorSize
	type scored struct {
		i   int
		sim float64
	}
	all := make([]scored, 0, len(m.words))
	for i := range m.words {
		if i == skip {
			continue
		}
		sim := 0.0
		if m.norms[i] != 0 && qn != 0 {
			dot := 0.0
			for j, x := range m.vectors[i*d : (i+1)*d] {
				dot += float64(x) * q[j]
			}
			sim = dot / (m.norms[i] * qn)
		}
		all = append(all, scored{i, sim})
	}
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(b.sim, a.sim) })
	all = all[:min(num, len(all))]
	out := make([]Synonym, len(all))
	for k, s := range all {
		out[k] = Synonym{m.words[s.i], s.sim}
	}
	return out, nil
}

// FindSynonyms is FindSynonymsArray as Spark's findSynonyms frame:
// columns word (string) and similarity (double).
func (m *Word2VecModel) FindSynonyms(ctx context.Context, word string, num int) (*ml.Frame, error) {
	syn, err := m.FindSynonymsArray(ctx, word, num)
	if err != nil {
		return nil, err
	}
	return synonymFrame(syn)
}

// FindSynonymsVector is FindSynonymsVectorArray as a frame (word,
// similarity).
func (m *Word2VecModel) FindSynonymsVector(ctx context.Context, v ml.Vector, num int) (*ml.Frame, error) {
	syn, err := m.FindSynonymsVectorArray(ctx, v, num)
	if err != nil {
		return nil, err
	}
	return synonymFrame(syn)
}

func synonymFrame(syn []Synonym) (*ml.Frame, error) {
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	sims := make([]float64, len(syn))
	for i, s := range syn {
		sb.Append(s.Word)
		sims[i] = s.Similarity
	}
	wa := sb.NewArray()
	defer wa.Release()
	fields := []arrow.Field{{Name: "word", Type: arrow.BinaryTypes.String}, {Name: "similarity", Type: arrow.PrimitiveTypes.Float64}}
	return ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{arrow.NewChunked(wa.DataType(), []arrow.Array{wa}), ml.Float64Column(sims)})
}

// DebugString summarizes the model: the vocabulary size, vector size and
// the most frequent words.
func (m *Word2VecModel) DebugString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Word2VecModel: %d words, vectorSize %d\n", len(m.words), m.P.VectorSize)
	if n := min(10, len(m.words)); n > 0 {
		fmt.Fprintf(&b, "most frequent words: %s\n", strings.Join(m.words[:n], ", "))
	}
	return b.String()
}

// SaveData writes the vocabulary and vectors (data/vectors.arrow: word,
// vector as list<double>).
func (m *Word2VecModel) SaveData(w *ml.DataWriter) error {
	rows := make([][]float64, len(m.words))
	for i := range rows {
		rows[i] = m.row(i)
	}
	return w.WriteColumns("vectors", new(ml.Columns).AddString("word", m.words).AddFloat64s("vector", rows))
}

// LoadData reads the vocabulary and vectors.
func (m *Word2VecModel) LoadData(r *ml.DataReader) error {
	c, err := r.ReadColumns("vectors")
	if err != nil {
		return err
	}
	words, err := c.String("word")
	if err != nil {
		return err
	}
	rows, err := c.Float64s("vector")
	if err != nil {
		return err
	}
	d := m.P.VectorSize
	vectors := make([]float32, 0, len(rows)*d)
	for i, r := range rows {
		if len(r) != d {
			return fmt.Errorf("vectors: word %q has %d values, vectorSize is %d; the model directory is corrupt, re-save it", words[i], len(r), d)
		}
		for _, x := range r {
			vectors = append(vectors, float32(x))
		}
	}
	m.set(words, vectors)
	if len(m.index) != len(words) {
		return fmt.Errorf("vectors: the vocabulary repeats a word; the model directory is corrupt, re-save it")
	}
	return nil
}
