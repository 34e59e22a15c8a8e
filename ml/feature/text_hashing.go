package feature

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// HashingTFParams are HashingTF's params (Spark's names and defaults).
type HashingTFParams struct {
	InputCol    string `param:"inputCol" doc:"array<string> column of terms"`
	OutputCol   string `param:"outputCol" doc:"sparse vector column of term frequencies"`
	NumFeatures int    `param:"numFeatures" doc:"number of features (hash buckets), > 0; a power of two spreads terms evenly"`
	Binary      bool   `param:"binary" doc:"1 for every term present instead of its count (for models of presence, e.g. Bernoulli naive Bayes)"`
}

// Validate checks the params.
func (p HashingTFParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if p.NumFeatures <= 0 || p.NumFeatures > 1<<31-1 {
		return fmt.Errorf("numFeatures is %d; use a number in [1, 2147483647], e.g. 262144 (2^18)", p.NumFeatures)
	}
	return nil
}

// HashingTF maps each token list to a sparse vector of term counts by
// the hashing trick, as Spark 3's HashingTF: a term's index is
// MurmurHash3_x86_32 of its UTF-8 bytes with seed 42, taken
// non-negatively modulo numFeatures, so the same term gets the same index
// as in Spark (HashingTF.indexOf). Different terms may share an index
// (their counts add up); with binary, every present index is 1.
//
// A NULL token list is an error naming the row (Spark fails on it too); a
// NULL element is hashed as Spark hashes null (to index 42 mod
// numFeatures). Transform runs on GOMAXPROCS goroutines over blocks of
// rows, hashing the column's bytes in place.
type HashingTF struct {
	P HashingTFParams
}

var _ ml.Transformer = (*HashingTF)(nil)

// NewHashingTF returns a HashingTF with Spark's defaults: numFeatures
// 262144 (2^18), binary false.
func NewHashingTF() *HashingTF { return &HashingTF{P: HashingTFParams{NumFeatures: 1 << 18}} }

// StageName returns "HashingTF".
func (h *HashingTF) StageName() string { return "HashingTF" }

// Params returns the params.
func (h *HashingTF) Params() any { return &h.P }

// TransformSchema checks that inputCol is array<string> and adds
// outputCol, a vector of numFeatures features.
func (h *HashingTF) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := h.P.Validate(); err != nil {
		return nil, err
	}
	return tokensToVectorSchema(in, h.P.InputCol, h.P.OutputCol, h.P.NumFeatures)
}

func tokensToVectorSchema(in *arrow.Schema, inCol, outCol string, size int) (*arrow.Schema, error) {
	if err := ml.CheckStringListCol(in, "inputCol", inCol); err != nil {
		return nil, err
	}
	if err := checkOutputs(in, []string{outCol}); err != nil {
		return nil, err
	}
	return ml.AddFields(in, vectorField(outCol, ml.VectorAttrs{NumAttrs: size}))
}

// IndexOf returns the feature index of term, as Spark's
// HashingTF.indexOf.
func (h *HashingTF) IndexOf(term string) int {
	return nonNegativeMod(murmur3String(term, hashingSeed), int32(h.P.NumFeatures))
}

// Transform adds the term-frequency column. ctx is checked between blocks
// of rows.
func (h *HashingTF) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := h.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("HashingTF: %w", err)
	}
	return out, nil
}

func (h *HashingTF) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := h.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := h.P
	n := int32(p.NumFeatures)
	tc, err := openTokens(f, p.InputCol)
	if err != nil {
		return nil, err
	}
	col, err := parallelBlocks(ctx, tc.Len(), ml.VectorType, func(lo, hi int) (arrow.Array, error) {
		vb := ml.NewVectorBuilder(nil)
		defer vb.Release()
		_, elems := tc.blockSize(lo, hi)
		tf := newTermFreqs(int(n), elems)
		for i := lo; i < hi; i++ {
			row, null := tc.row(i)
			if null {
				return nil, nullTokensErr(p.InputCol, i)
			}
			for j := range row.Len() {
				tok, null := row.at(j)
				hash := int32(hashingSeed) // Spark: null hashes to the seed
				if !null {
					hash = murmur3String(tok, hashingSeed)
				}
				tf.add(int32(nonNegativeMod(hash, n)))
			}
			vb.Append(tf.vector(int(n), p.Binary, 0))
		}
		return vb.NewArray(), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(p.OutputCol, ml.VectorAttrs{NumAttrs: p.NumFeatures}), col)
}

// termFreqs counts the feature indices of one document's terms and turns
// them into a sparse count vector; its buffers are reused between
// documents. Over large blocks it counts in a dense array (one slot per
// feature), sorting only the distinct indices; otherwise it sorts all of
// them.
type termFreqs struct {
	counts []int32 // dense counts, all zero between documents; nil: sort ids
	ids    []int32 // the distinct indices (dense) or every index (sorting)
	idx    []int32
	vals   []float64
	dense  bool
}

// newTermFreqs returns a counter for vectors of the given size, over a
// block of about tokens tokens. Dense counting pays off when the array
// stays in cache and the block has many tokens per feature.
func newTermFreqs(size, tokens int) *termFreqs {
	t := &termFreqs{}
	if size <= 1<<16 && size <= 16*tokens { // fits in cache; worth zeroing
		t.counts, t.dense = make([]int32, size), true
	}
	return t
}

func (t *termFreqs) add(id int32) {
	if !t.dense {
		t.ids = append(t.ids, id)
		return
	}
	if t.counts[id] == 0 {
		t.ids = append(t.ids, id)
	}
	t.counts[id]++
}

// vector returns the counts as a sparse vector of the given size (a view
// into t's buffers, valid until the next call) and starts the next
// document: counts below minTF are dropped, and with binary the rest are
// 1.
func (t *termFreqs) vector(size int, binary bool, minTF float64) ml.Vector {
	slices.Sort(t.ids)
	t.idx, t.vals = t.idx[:0], t.vals[:0]
	for k := 0; k < len(t.ids); {
		id := t.ids[k]
		var c float64
		if t.dense {
			c = float64(t.counts[id])
			t.counts[id] = 0
			k++
		} else {
			e := k + 1
			for e < len(t.ids) && t.ids[e] == id {
				e++
			}
			c = float64(e - k)
			k = e
		}
		if c < minTF {
			continue
		}
		if binary {
			c = 1
		}
		t.idx, t.vals = append(t.idx, id), append(t.vals, c)
	}
	t.ids = t.ids[:0]
	return ml.Sparse(size, t.idx, t.vals)
}

// hashingSeed is the seed Spark's HashingTF and FeatureHasher use.
const hashingSeed = 42

// murmur3String is MurmurHash3_x86_32 of the bytes of s, as Spark's
// Murmur3_x86_32.hashUnsafeBytes2 computes it (the reference algorithm;
// scikit-learn's murmurhash3_32 agrees), returned as Java's signed int.
func murmur3String(s string, seed uint32) int32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(s)
	i := 0
	for ; i+4 <= n; i += 4 {
		k := uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	var k uint32
	for shift := 0; i < n; i, shift = i+1, shift+8 {
		k ^= uint32(s[i]) << shift
	}
	k *= c1
	k = bits.RotateLeft32(k, 15)
	k *= c2
	h ^= k
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return int32(h)
}

// nonNegativeMod is Spark's Utils.nonNegativeMod for Java ints.
func nonNegativeMod(x, mod int32) int {
	r := x % mod
	if r < 0 {
		r += mod
	}
	return int(r)
}
