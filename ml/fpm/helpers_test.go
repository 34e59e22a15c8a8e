package fpm_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// itemsFrame builds a frame with an "items" array<string> column; a nil
// row is NULL.
func itemsFrame(tb testing.TB, rows ...[]string) *ml.Frame {
	tb.Helper()
	// Not ml.StringListColumn: its StringBuilder.AppendValues per row
	// regrows the data buffer to the exact size each time (quadratic).
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	defer lb.Release()
	sb := lb.ValueBuilder().(*array.StringBuilder)
	for _, r := range rows {
		if r == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, it := range r {
			sb.Append(it)
		}
	}
	a := lb.NewArray()
	col := arrow.NewChunked(a.DataType(), []arrow.Array{a})
	a.Release()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "items", Type: ml.StringListType, Nullable: true}}, nil), []*arrow.Chunked{col})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// split turns "a b c" into a transaction.
func split(s string) []string { return strings.Fields(s) }

// lists reads a list column (of strings or integers) as text rows; NULL
// reads as nil.
func lists(tb testing.TB, f *ml.Frame, name string) [][]string {
	tb.Helper()
	col, err := f.Column(name)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]string
	for _, ch := range col.Chunks() {
		l := ch.(*array.List)
		for i := 0; i < l.Len(); i++ {
			if l.IsNull(i) {
				out = append(out, nil)
				continue
			}
			lo, hi := l.ValueOffsets(i)
			r := []string{}
			for j := lo; j < hi; j++ {
				switch v := l.ListValues().(type) {
				case *array.String:
					r = append(r, v.Value(int(j)))
				case *array.Int64:
					r = append(r, fmt.Sprint(v.Value(int(j))))
				case *array.List: // sequences: itemsets joined by ","
					slo, shi := v.ValueOffsets(int(j))
					var parts []string
					for k := slo; k < shi; k++ {
						parts = append(parts, v.ListValues().(*array.String).Value(int(k)))
					}
					r = append(r, strings.Join(parts, ","))
				default:
					tb.Fatalf("column %s: unexpected element type %s", name, v.DataType())
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func int64s(tb testing.TB, f *ml.Frame, name string) []int64 {
	tb.Helper()
	col, err := f.Column(name)
	if err != nil {
		tb.Fatal(err)
	}
	var out []int64
	for _, ch := range col.Chunks() {
		out = append(out, ch.(*array.Int64).Int64Values()...)
	}
	return out
}

func float64s(tb testing.TB, f *ml.Frame, name string) []float64 {
	tb.Helper()
	col, err := f.Column(name)
	if err != nil {
		tb.Fatal(err)
	}
	var out []float64
	for _, ch := range col.Chunks() {
		out = append(out, ch.(*array.Float64).Float64Values()...)
	}
	return out
}

// setKey is a canonical text form of an item set (sorted, "|"-joined).
func setKey(items []string) string {
	s := append([]string(nil), items...)
	sort.Strings(s)
	return strings.Join(s, "|")
}
