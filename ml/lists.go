package ml

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// StringListType is the column type of tokens, n-grams and item sets:
// Spark's array<string>.
var StringListType = arrow.ListOf(arrow.BinaryTypes.String)

// IsStringList reports whether t is a list (or large list) of strings
// (string or large string).
func IsStringList(t arrow.DataType) bool {
	var elem arrow.DataType
	switch lt := t.(type) {
	case *arrow.ListType:
		elem = lt.Elem()
	case *arrow.LargeListType:
		elem = lt.Elem()
	default:
		return false
	}
	return elem.ID() == arrow.STRING || elem.ID() == arrow.LARGE_STRING
}

// CheckStringListCol returns an error unless column name of sc is a list
// of strings; param names the stage param that named it.
func CheckStringListCol(sc *arrow.Schema, param, name string) error {
	fl, err := FieldOf(sc, name)
	if err != nil {
		return fmt.Errorf("%s: %w", param, err)
	}
	if !IsStringList(fl.Type) {
		return fmt.Errorf("%s: column %q is %s, want array<string>; split text into tokens with Tokenizer or RegexTokenizer first", param, name, fl.Type)
	}
	return nil
}

// StringLists reads a list-of-strings column. A NULL row reads as nil
// with valid[i] false; an empty list reads as a non-nil empty slice.
// NULL elements inside a list are a *NullElementError naming the row
// (1-based).
func StringLists(col *arrow.Chunked) (rows [][]string, valid []bool, err error) {
	if !IsStringList(col.DataType()) {
		return nil, nil, fmt.Errorf("column is %s, want array<string>", col.DataType())
	}
	return ListTexts(col, func(values arrow.Array) func(int) string {
		switch v := values.(type) {
		case *array.String:
			return v.Value
		case *array.LargeString:
			return v.Value
		}
		return func(int) string { return "" }
	})
}

// NullElementError is a NULL element inside a list: element Elem of row
// Row, both 1-based.
type NullElementError struct{ Row, Elem int }

func (e *NullElementError) Error() string {
	return fmt.Sprintf("row %d: element %d is NULL; drop NULL elements (e.g. list_filter(x, e -> e IS NOT NULL))", e.Row, e.Elem)
}

// ListTexts reads a list (or large list) column as text, element j of a
// chunk's values being text(values)(j). A NULL row reads as nil with
// valid[i] false; an empty list reads as a non-nil empty slice; a NULL
// element is a *NullElementError. The caller checks the column's type.
func ListTexts(col *arrow.Chunked, text func(values arrow.Array) func(j int) string) (rows [][]string, valid []bool, err error) {
	rows = make([][]string, 0, col.Len())
	valid = make([]bool, 0, col.Len())
	base := 0
	for _, ch := range col.Chunks() {
		var offsets func(i int) (int64, int64)
		var values arrow.Array
		switch a := ch.(type) {
		case *array.List:
			offsets, values = func(i int) (int64, int64) { return a.ValueOffsets(i) }, a.ListValues()
		case *array.LargeList:
			offsets, values = func(i int) (int64, int64) { return a.ValueOffsets(i) }, a.ListValues()
		default:
			return nil, nil, fmt.Errorf("column is %s, want a list", ch.DataType())
		}
		str := text(values)
		for i := 0; i < ch.Len(); i++ {
			if ch.IsNull(i) {
				rows, valid = append(rows, nil), append(valid, false)
				continue
			}
			lo, hi := offsets(i)
			r := make([]string, 0, hi-lo)
			for j := lo; j < hi; j++ {
				if values.IsNull(int(j)) {
					return nil, nil, &NullElementError{Row: base + i + 1, Elem: int(j-lo) + 1}
				}
				r = append(r, str(int(j)))
			}
			rows, valid = append(rows, r), append(valid, true)
		}
		base += ch.Len()
	}
	return rows, valid, nil
}

// StringListColumn builds a list<string> column from rows; with valid
// not nil, rows whose valid[i] is false are NULL.
func StringListColumn(rows [][]string, valid []bool) *arrow.Chunked {
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.StringBuilder)
	// Reserve once: AppendValues per row would regrow the buffers to the
	// exact size each time, which is quadratic in the number of rows.
	var n, bytes int
	for _, r := range rows {
		n += len(r)
		for _, s := range r {
			bytes += len(s)
		}
	}
	lb.Reserve(len(rows))
	vb.Reserve(n)
	vb.ReserveData(bytes)
	for i, r := range rows {
		if valid != nil && !valid[i] {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, s := range r {
			vb.Append(s)
		}
	}
	a := lb.NewArray()
	defer a.Release()
	return arrow.NewChunked(a.DataType(), []arrow.Array{a})
}
