package feature

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// This file holds what the text stages share: zero-copy readers of text
// and token-list columns that span chunks, the parallel driver that
// builds one output chunk per block of rows, and lowercasing.

// isTextType reports whether t is a string column type the text stages
// read: string, large_string or string_view.
func isTextType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// checkTextCol checks that column name of sc holds text.
func checkTextCol(sc *arrow.Schema, param, name string) error {
	fl, err := ml.FieldOf(sc, name)
	if err != nil {
		return fmt.Errorf("%s: %w", param, err)
	}
	if !isTextType(fl.Type) {
		return fmt.Errorf("%s: column %q is %s, want a string column; cast it in the input query (CAST(%s AS VARCHAR))", param, name, fl.Type, name)
	}
	return nil
}

// bytesOf returns the bytes of s without copying. The result must not be
// modified; it is only handed to builders, which copy it.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// chunkIndex maps a row of a chunked column to its chunk.
type chunkIndex struct {
	starts []int // first row of each chunk, then the total
}

func newChunkIndex(col *arrow.Chunked) chunkIndex {
	starts := make([]int, 0, len(col.Chunks())+1)
	n := 0
	for _, c := range col.Chunks() {
		starts = append(starts, n)
		n += c.Len()
	}
	return chunkIndex{starts: append(starts, n)}
}

// locate returns the chunk holding row i and i's position in it.
func (x chunkIndex) locate(i int) (chunk, j int) {
	k := sort.Search(len(x.starts)-1, func(k int) bool { return x.starts[k+1] > i })
	return k, i - x.starts[k]
}

// textColumn reads a string column row by row without copying; safe for
// concurrent use.
type textColumn struct {
	name   string
	chunks []array.StringLike
	idx    chunkIndex
}

func openText(f *ml.Frame, name string) (*textColumn, error) {
	col, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	tc := &textColumn{name: name, idx: newChunkIndex(col)}
	for _, c := range col.Chunks() {
		s, ok := c.(array.StringLike)
		if !ok || !isTextType(c.DataType()) {
			return nil, fmt.Errorf("column %s is %s, want a string column", name, c.DataType())
		}
		tc.chunks = append(tc.chunks, s)
	}
	return tc, nil
}

func (c *textColumn) Len() int { return c.idx.starts[len(c.idx.starts)-1] }

// at returns row i (a view into the column) and whether it is NULL.
func (c *textColumn) at(i int) (string, bool) {
	k, j := c.idx.locate(i)
	ch := c.chunks[k]
	if ch.IsNull(j) {
		return "", true
	}
	return ch.Value(j), false
}

// listChunk is one chunk of a list<string> column.
type listChunk struct {
	list  *array.List
	large *array.LargeList
	str   *array.String
	lstr  *array.LargeString
}

// tokenColumn reads a list<string> column (Spark's array<string>) without
// copying; safe for concurrent use.
type tokenColumn struct {
	name   string
	chunks []listChunk
	idx    chunkIndex
}

func openTokens(f *ml.Frame, name string) (*tokenColumn, error) {
	col, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	if !ml.IsStringList(col.DataType()) {
		return nil, fmt.Errorf("column %s is %s, want array<string>", name, col.DataType())
	}
	tc := &tokenColumn{name: name, idx: newChunkIndex(col)}
	for _, c := range col.Chunks() {
		var lc listChunk
		var vals arrow.Array
		switch a := c.(type) {
		case *array.List:
			lc.list, vals = a, a.ListValues()
		case *array.LargeList:
			lc.large, vals = a, a.ListValues()
		default:
			return nil, fmt.Errorf("column %s: chunk of type %s, want array<string>", name, c.DataType())
		}
		switch v := vals.(type) {
		case *array.String:
			lc.str = v
		case *array.LargeString:
			lc.lstr = v
		default:
			return nil, fmt.Errorf("column %s: elements of type %s, want string", name, vals.DataType())
		}
		tc.chunks = append(tc.chunks, lc)
	}
	return tc, nil
}

func (c *tokenColumn) Len() int { return c.idx.starts[len(c.idx.starts)-1] }

// tokenRow is one row of a tokenColumn: elements lo … hi-1 of chunk ch.
type tokenRow struct {
	ch     *listChunk
	lo, hi int
}

// row returns row i and whether it is NULL.
func (c *tokenColumn) row(i int) (tokenRow, bool) {
	k, j := c.idx.locate(i)
	ch := &c.chunks[k]
	if ch.list != nil {
		if ch.list.IsNull(j) {
			return tokenRow{}, true
		}
		lo, hi := ch.list.ValueOffsets(j)
		return tokenRow{ch, int(lo), int(hi)}, false
	}
	if ch.large.IsNull(j) {
		return tokenRow{}, true
	}
	lo, hi := ch.large.ValueOffsets(j)
	return tokenRow{ch, int(lo), int(hi)}, false
}

// Len returns the number of elements.
func (r tokenRow) Len() int { return r.hi - r.lo }

// blockSize returns the bytes and elements of rows lo … hi-1, for sizing
// output buffers.
func (c *tokenColumn) blockSize(lo, hi int) (bytes, elems int) {
	for i := lo; i < hi; i++ {
		r, null := c.row(i)
		if null || r.hi == r.lo {
			continue
		}
		elems += r.hi - r.lo
		if r.ch.str != nil {
			bytes += r.ch.str.ValueOffset(r.hi-1) + r.ch.str.ValueLen(r.hi-1) - r.ch.str.ValueOffset(r.lo)
		} else {
			bytes += int(r.ch.lstr.ValueOffset64(r.hi-1)) + r.ch.lstr.ValueLen(r.hi-1) - int(r.ch.lstr.ValueOffset64(r.lo))
		}
	}
	return bytes, elems
}

// at returns element k (a view into the column) and whether it is NULL.
func (r tokenRow) at(k int) (string, bool) {
	j := r.lo + k
	if r.ch.str != nil {
		if r.ch.str.IsNull(j) {
			return "", true
		}
		return r.ch.str.Value(j), false
	}
	if r.ch.lstr.IsNull(j) {
		return "", true
	}
	return r.ch.lstr.Value(j), false
}

// textBlockRows is the smallest block of rows a worker takes.
const textBlockRows = 64

// textBlocks splits n rows into about four blocks per worker (so uneven
// documents balance), each of at least textBlockRows rows.
func textBlocks(n int) [][2]int {
	workers := runtime.GOMAXPROCS(0)
	per := max(textBlockRows, (n+4*workers-1)/max(1, 4*workers))
	var out [][2]int
	for lo := 0; lo < n; lo += per {
		out = append(out, [2]int{lo, min(n, lo+per)})
	}
	return out
}

// parallelBlocks calls fn for blocks of rows 0 … n-1 in parallel
// (GOMAXPROCS workers) and returns the arrays fn built, one chunk per
// block, in row order, as a column of type dt. fn checks nothing about
// ctx; parallelBlocks checks it before each block.
func parallelBlocks(ctx context.Context, n int, dt arrow.DataType, fn func(lo, hi int) (arrow.Array, error)) (*arrow.Chunked, error) {
	blocks := textBlocks(n)
	chunks := make([]arrow.Array, len(blocks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, b := range blocks {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			a, err := fn(b[0], b[1])
			chunks[k] = a
			return err
		})
	}
	err := g.Wait()
	defer func() {
		for _, c := range chunks {
			if c != nil {
				c.Release()
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	if len(chunks) == 0 {
		empty := array.MakeArrayOfNull(memory.DefaultAllocator, dt, 0)
		chunks = append(chunks, empty)
	}
	return arrow.NewChunked(dt, chunks), nil
}

// listBuilder builds a list<string> column straight into Go slices (no
// per-element builder calls): the strings' bytes, their offsets and the
// lists' offsets, wrapped as Arrow buffers at the end.
type listBuilder struct {
	data  []byte
	offs  []int32 // string offsets: offs[k] … offs[k+1] is string k
	lists []int32 // list offsets into the strings
	nulls []int   // NULL elements, if any
}

func newListBuilder() *listBuilder {
	return &listBuilder{offs: []int32{0}, lists: []int32{0}}
}

// newListBuilderSize is newListBuilder with room for rows rows, bytes
// bytes of elements and elems elements.
func newListBuilderSize(rows, bytes, elems int) *listBuilder {
	b := &listBuilder{data: make([]byte, 0, bytes), offs: make([]int32, 1, elems+1), lists: make([]int32, 1, rows+1)}
	return b
}

// addLowerASCII appends tok, ASCII, lowercased.
func (b *listBuilder) addLowerASCII(tok string) {
	start := len(b.data)
	b.data = append(b.data, tok...)
	d := b.data[start:]
	for i, c := range d {
		if 'A' <= c && c <= 'Z' {
			d[i] = c + 'a' - 'A'
		}
	}
	b.offs = append(b.offs, int32(len(b.data)))
}

// add appends an element to the current row (tok is copied).
func (b *listBuilder) add(tok []byte) {
	b.data = append(b.data, tok...)
	b.offs = append(b.offs, int32(len(b.data)))
}

// addNull appends a NULL element to the current row.
func (b *listBuilder) addNull() {
	b.nulls = append(b.nulls, len(b.offs)-1)
	b.offs = append(b.offs, int32(len(b.data)))
}

// endRow ends a (non-NULL) row holding the elements added since the last.
func (b *listBuilder) endRow() { b.lists = append(b.lists, int32(len(b.offs)-1)) }

// newArray returns the rows built so far as a list<string> array, or an
// error when the block's text passes Arrow's 2 GiB string limit.
func (b *listBuilder) newArray() (arrow.Array, error) {
	if len(b.data) > math.MaxInt32 {
		return nil, fmt.Errorf("a block of %d rows holds %d bytes of tokens, more than a string column's 2 GiB; use shorter texts or fewer rows per query", len(b.lists)-1, len(b.data))
	}
	// Give back what the size estimates over-reserved: the frame keeps
	// these buffers alive for as long as it lives.
	if cap(b.data) > len(b.data)+len(b.data)/4+4096 {
		b.data = slices.Clone(b.data)
	}
	if cap(b.offs) > len(b.offs)+len(b.offs)/4+1024 {
		b.offs = slices.Clone(b.offs)
	}
	n := len(b.offs) - 1
	var validity *memory.Buffer
	if len(b.nulls) > 0 {
		bm := make([]byte, bitutil.BytesForBits(int64(n)))
		bitutil.SetBitsTo(bm, 0, int64(n), true)
		for _, k := range b.nulls {
			bitutil.ClearBit(bm, k)
		}
		validity = memory.NewBufferBytes(bm)
	}
	strs := array.NewData(arrow.BinaryTypes.String, n,
		[]*memory.Buffer{validity, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(b.offs)), memory.NewBufferBytes(b.data)},
		nil, len(b.nulls), 0)
	defer strs.Release()
	lists := array.NewData(ml.StringListType, len(b.lists)-1,
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(b.lists))},
		[]arrow.ArrayData{strs}, 0, 0)
	defer lists.Release()
	return array.MakeFromData(lists), nil
}

// appendLower appends s lowercased to dst. ASCII is lowered byte by byte;
// other text rune by rune with unicode.ToLower (what strings.ToLower
// does; invalid UTF-8 bytes become U+FFFD). Java's String.toLowerCase,
// which Spark uses, differs only in context-sensitive rules: a final
// Greek capital sigma becomes σ here and ς in Java, and İ (U+0130)
// becomes i here and i̇ in Java.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += w
	}
	return dst
}

// needsLower reports whether appendLower would change s.
func needsLower(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return true
		}
	}
	return false
}

// javaLen is the length of s as Java counts it (UTF-16 code units), which
// Spark's minTokenLength compares against.
func javaLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			goto slow
		}
	}
	return len(s)
slow:
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// nullTextErr is the error for a NULL document.
func nullTextErr(col string, row int) error {
	return fmt.Errorf("column %s, row %d: NULL text; replace NULLs in the input query (COALESCE(%s, '')) or drop those rows (WHERE %s IS NOT NULL)", col, row+1, col, col)
}

// nullTokensErr is the error for a NULL token list.
func nullTokensErr(col string, row int) error {
	return fmt.Errorf("column %s, row %d: NULL token list; replace NULLs in the input query (COALESCE(%s, [])) or drop those rows (WHERE %s IS NOT NULL)", col, row+1, col, col)
}

// nullElemErr is the error for a NULL element inside a token list.
func nullElemErr(col string, row, k int) error {
	return fmt.Errorf("column %s, row %d: element %d is NULL; drop NULL elements in the input query (list_filter(%s, t -> t IS NOT NULL))", col, row+1, k+1, col)
}
