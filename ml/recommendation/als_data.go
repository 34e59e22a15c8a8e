package recommendation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
)

// checkIDCol checks that id column name (the value of param) exists and
// is numeric.
func checkIDCol(sc *arrow.Schema, param, name string) error {
	fl, err := ml.FieldOf(sc, name)
	if err != nil {
		return fmt.Errorf("%s: %w", param, err)
	}
	if !ml.IsNumeric(fl.Type) || fl.Type.ID() == arrow.BOOL {
		return fmt.Errorf("%s %q has type %s; ALS ids must be integers in the int32 range (index string ids with StringIndexer first)", param, name, fl.Type)
	}
	return nil
}

// idError describes a bad id value.
func idError(col string, row int, v string, what string) error {
	return fmt.Errorf("column %s, row %d: id %s %s; ALS ids must be whole numbers in the int32 range [-2147483648, 2147483647] (as in Spark): re-index them, e.g. with StringIndexer or dense_rank() in SQL", col, row+1, v, what)
}

// readIDs reads id column name (the value of param) as int32. NULL ids,
// fractional ids and ids outside the int32 range are errors naming the
// row (1-based), as Spark's checks are. ctx is checked between chunks.
func readIDs(ctx context.Context, f *ml.Frame, param, name string) ([]int32, error) {
	if err := checkIDCol(f.Schema(), param, name); err != nil {
		return nil, err
	}
	col, _ := f.Column(name)
	out := make([]int32, 0, col.Len())
	base := 0
	for _, ch := range col.Chunks() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := ch.Len()
		if ch.NullN() > 0 {
			for i := range n {
				if ch.IsNull(i) {
					return nil, fmt.Errorf("column %s, row %d: %s is NULL; ALS ids must not be NULL (as in Spark): filter those rows out first", name, base+i+1, param)
				}
			}
		}
		switch a := ch.(type) {
		case *array.Int32:
			out = append(out, a.Int32Values()...)
		case *array.Int64:
			for i, v := range a.Int64Values() {
				if v < math.MinInt32 || v > math.MaxInt32 {
					return nil, idError(name, base+i, strconv.FormatInt(v, 10), "is outside the int32 range")
				}
				out = append(out, int32(v))
			}
		case *array.Int16:
			for _, v := range a.Int16Values() {
				out = append(out, int32(v))
			}
		case *array.Int8:
			for _, v := range a.Int8Values() {
				out = append(out, int32(v))
			}
		case *array.Uint8:
			for _, v := range a.Uint8Values() {
				out = append(out, int32(v))
			}
		case *array.Uint16:
			for _, v := range a.Uint16Values() {
				out = append(out, int32(v))
			}
		case *array.Uint32:
			for i, v := range a.Uint32Values() {
				if v > math.MaxInt32 {
					return nil, idError(name, base+i, strconv.FormatUint(uint64(v), 10), "is outside the int32 range")
				}
				out = append(out, int32(v))
			}
		case *array.Uint64:
			for i, v := range a.Uint64Values() {
				if v > math.MaxInt32 {
					return nil, idError(name, base+i, strconv.FormatUint(v, 10), "is outside the int32 range")
				}
				out = append(out, int32(v))
			}
		default:
			vals, _, err := ml.Float64s(ch)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", name, err)
			}
			for i, v := range vals {
				if v != math.Trunc(v) || math.IsInf(v, 0) {
					return nil, idError(name, base+i, strconv.FormatFloat(v, 'g', -1, 64), "is not a whole number")
				}
				if v < math.MinInt32 || v > math.MaxInt32 {
					return nil, idError(name, base+i, strconv.FormatFloat(v, 'g', -1, 64), "is outside the int32 range")
				}
				out = append(out, int32(v))
			}
		}
		base += n
	}
	return out, nil
}

// readRatings reads the rating column as float32 (Spark casts ratings to
// float). NULL, NaN and infinite ratings are errors naming the row.
func readRatings(ctx context.Context, f *ml.Frame, name string) ([]float32, error) {
	col, _ := f.Column(name)
	out := make([]float32, 0, col.Len())
	base := 0
	for _, ch := range col.Chunks() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch a := ch.(type) {
		case *array.Float32:
			out = append(out, a.Float32Values()...)
		case *array.Float64:
			for _, v := range a.Float64Values() {
				out = append(out, float32(v))
			}
		default:
			vals, _, err := ml.Float64s(ch)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", name, err)
			}
			for _, v := range vals {
				out = append(out, float32(v))
			}
		}
		nulls := ch.NullN() > 0
		for i := range ch.Len() {
			v := out[base+i]
			if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) && (!nulls || ch.IsValid(i)) {
				continue
			}
			what := "NaN"
			if ch.IsNull(i) {
				what = "NULL"
			} else if math.IsInf(float64(v), 0) {
				what = "infinite (or too large for a float)"
			}
			return nil, fmt.Errorf("column %s, row %d: rating is %s; ALS needs a number in every row: drop or fill the row (e.g. WHERE %s IS NOT NULL AND NOT isnan(%s))", name, base+i+1, what, name, name)
		}
		base += ch.Len()
	}
	return out, nil
}

// csr holds ratings grouped by one side (users or items): the ratings of
// row r are idx[ptr[r]:ptr[r+1]] (dense indices of the other side) and
// val[ptr[r]:ptr[r+1]], in input order.
type csr struct {
	ptr []int64
	idx []int32
	val []float32
}

func (c *csr) rows() int { return len(c.ptr) - 1 }

// buildCSR groups ratings (rows[i], cols[i], vals[i]) by rows, for nRows
// rows, with a counting sort (stable: input order within a row).
func buildCSR(rows, cols []int32, vals []float32, nRows int) csr {
	c := csr{ptr: make([]int64, nRows+1), idx: make([]int32, len(rows)), val: make([]float32, len(rows))}
	for _, r := range rows {
		c.ptr[r+1]++
	}
	for r := range nRows {
		c.ptr[r+1] += c.ptr[r]
	}
	next := slices.Clone(c.ptr[:nRows])
	for i, r := range rows {
		p := next[r]
		next[r]++
		c.idx[p] = cols[i]
		c.val[p] = vals[i]
	}
	return c
}

// ratingsData is the training set in the solver's form.
type ratingsData struct {
	userIDs, itemIDs []int32 // sorted distinct ids; a dense index is a position here
	byUser, byItem   csr
	mean             float64 // mean rating
}

// loadRatings reads and checks the training columns and builds both CSR
// forms.
func loadRatings(ctx context.Context, f *ml.Frame, p ALSParams) (*ratingsData, error) {
	users, err := readIDs(ctx, f, "userCol", p.UserCol)
	if err != nil {
		return nil, err
	}
	items, err := readIDs(ctx, f, "itemCol", p.ItemCol)
	if err != nil {
		return nil, err
	}
	var vals []float32
	if p.RatingCol != "" {
		if vals, err = readRatings(ctx, f, p.RatingCol); err != nil {
			return nil, err
		}
	} else {
		vals = make([]float32, len(users))
		for i := range vals {
			vals[i] = 1
		}
	}
	rd := &ratingsData{userIDs: distinctSorted(users), itemIDs: distinctSorted(items)}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Replace raw ids by dense indices, in place.
	ui, ii := newIDIndex(rd.userIDs), newIDIndex(rd.itemIDs)
	for i, u := range users {
		users[i], _ = ui.lookup(u)
	}
	for i, it := range items {
		items[i], _ = ii.lookup(it)
	}
	sum := 0.0
	for _, v := range vals {
		sum += float64(v)
	}
	rd.mean = sum / float64(len(vals))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rd.byUser = buildCSR(users, items, vals, len(rd.userIDs))
	rd.byItem = buildCSR(items, users, vals, len(rd.itemIDs))
	return rd, nil
}

// denseSpan is how much larger than the number of ids the id range may be
// for idIndex and distinctSorted to use a table indexed by id.
func denseOK(lo, hi int32, n int) bool {
	return int64(hi)-int64(lo) < 4*int64(n)+1<<16
}

// distinctSorted returns the distinct values of ids in increasing order.
func distinctSorted(ids []int32) []int32 {
	if len(ids) == 0 {
		return nil
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	if denseOK(lo, hi, len(ids)) {
		seen := make([]bool, int64(hi)-int64(lo)+1)
		n := 0
		for _, v := range ids {
			if !seen[v-lo] {
				seen[v-lo] = true
				n++
			}
		}
		out := make([]int32, 0, n)
		for i, s := range seen {
			if s {
				out = append(out, int32(int64(lo)+int64(i)))
			}
		}
		return out
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

// idIndex maps ids to their position in a sorted slice of distinct ids:
// through a table when the id range is small, by binary search otherwise.
type idIndex struct {
	ids   []int32
	lo    int32
	table []int32 // position+1, 0 = absent; nil for binary search
}

func newIDIndex(sorted []int32) idIndex {
	x := idIndex{ids: sorted}
	if len(sorted) == 0 {
		return x
	}
	lo, hi := sorted[0], sorted[len(sorted)-1]
	if denseOK(lo, hi, len(sorted)) {
		x.lo = lo
		x.table = make([]int32, int64(hi)-int64(lo)+1)
		for i, v := range sorted {
			x.table[v-lo] = int32(i + 1)
		}
	}
	return x
}

// lookup returns the position of id, or false when it is not there.
func (x *idIndex) lookup(id int32) (int32, bool) {
	if x.table != nil {
		off := int64(id) - int64(x.lo)
		if off < 0 || off >= int64(len(x.table)) {
			return 0, false
		}
		p := x.table[off]
		return p - 1, p > 0
	}
	i, ok := slices.BinarySearch(x.ids, id)
	return int32(i), ok
}
