package fpm

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// itemKind is what an item column holds: strings, or integers (which
// are mined as their decimal text and come out as bigint).
type itemKind string

const (
	kindString  itemKind = "string"
	kindInteger itemKind = "integer"
)

// listElem returns the element type of a list or large list, or nil.
func listElem(t arrow.DataType) arrow.DataType {
	switch lt := t.(type) {
	case *arrow.ListType:
		return lt.Elem()
	case *arrow.LargeListType:
		return lt.Elem()
	}
	return nil
}

func isIntegerType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// kindOf returns the item kind of a list column type, or false.
func kindOf(t arrow.DataType) (itemKind, bool) {
	if ml.IsStringList(t) {
		return kindString, true
	}
	if e := listElem(t); e != nil && isIntegerType(e) {
		return kindInteger, true
	}
	return "", false
}

// checkItemsCol checks that column name of sc holds item lists (array of
// strings or integers) and returns their kind.
func checkItemsCol(sc *arrow.Schema, param, name string) (itemKind, error) {
	fl, err := ml.FieldOf(sc, name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", param, err)
	}
	k, ok := kindOf(fl.Type)
	if !ok {
		return "", fmt.Errorf("%s: column %q is %s, want array<string> or an array of integers; collect each transaction's items into an array (e.g. SELECT list(item) … GROUP BY basket)", param, name, fl.Type)
	}
	return k, nil
}

// readItems reads an item-list column as text items. A NULL row reads
// as nil with valid[i] false; NULL elements are an error naming the row
// (1-based).
func readItems(col *arrow.Chunked, name string) (rows [][]string, valid []bool, err error) {
	if _, ok := kindOf(col.DataType()); !ok {
		return nil, nil, fmt.Errorf("column %s is %s, want array<string> or an array of integers", name, col.DataType())
	}
	rows, valid, err = ml.ListTexts(col, itemText)
	var nullErr *ml.NullElementError
	if errors.As(err, &nullErr) {
		return nil, nil, fmt.Errorf("column %s, row %d: item %d is NULL; drop NULL items (e.g. list_filter(items, x -> x IS NOT NULL))", name, nullErr.Row, nullErr.Elem)
	}
	return rows, valid, err
}

// itemText returns a function giving element j of a string or integer
// array as text.
func itemText(a arrow.Array) func(j int) string {
	switch v := a.(type) {
	case *array.String:
		return v.Value
	case *array.LargeString:
		return v.Value
	case *array.Int8:
		return func(j int) string { return strconv.FormatInt(int64(v.Value(j)), 10) }
	case *array.Int16:
		return func(j int) string { return strconv.FormatInt(int64(v.Value(j)), 10) }
	case *array.Int32:
		return func(j int) string { return strconv.FormatInt(int64(v.Value(j)), 10) }
	case *array.Int64:
		return func(j int) string { return strconv.FormatInt(v.Value(j), 10) }
	case *array.Uint8:
		return func(j int) string { return strconv.FormatUint(uint64(v.Value(j)), 10) }
	case *array.Uint16:
		return func(j int) string { return strconv.FormatUint(uint64(v.Value(j)), 10) }
	case *array.Uint32:
		return func(j int) string { return strconv.FormatUint(uint64(v.Value(j)), 10) }
	case *array.Uint64:
		return func(j int) string { return strconv.FormatUint(v.Value(j), 10) }
	}
	return func(int) string { return "" }
}

// listType is the Arrow type of output item lists of a kind: list<string>
// for strings, list<int64> for integers.
func (k itemKind) listType() arrow.DataType {
	if k == kindInteger {
		return arrow.ListOf(arrow.PrimitiveTypes.Int64)
	}
	return ml.StringListType
}

// listBuilder builds list columns of item text in a kind's Arrow type.
type listBuilder struct {
	kind itemKind
	lb   *array.ListBuilder
	sb   *array.StringBuilder
	ib   *array.Int64Builder
	err  error
}

func newListBuilder(k itemKind) *listBuilder {
	elem := arrow.DataType(arrow.BinaryTypes.String)
	if k == kindInteger {
		elem = arrow.PrimitiveTypes.Int64
	}
	return wrapListBuilder(k, array.NewListBuilder(memory.DefaultAllocator, elem))
}

// wrapListBuilder wraps a list builder of the kind's list type (for
// example the value builder of an outer list).
func wrapListBuilder(k itemKind, lb *array.ListBuilder) *listBuilder {
	b := &listBuilder{kind: k, lb: lb}
	if k == kindInteger {
		b.ib = lb.ValueBuilder().(*array.Int64Builder)
	} else {
		b.sb = lb.ValueBuilder().(*array.StringBuilder)
	}
	return b
}

// begin starts a list.
func (b *listBuilder) begin() { b.lb.Append(true) }

// add appends an item to the current list.
func (b *listBuilder) add(item string) {
	if b.kind == kindString {
		b.sb.Append(item)
		return
	}
	v, err := strconv.ParseInt(item, 10, 64)
	if err != nil && b.err == nil {
		// Unsigned values past int64 are the only text that fails here.
		b.err = fmt.Errorf("item %s does not fit a bigint", item)
	}
	b.ib.Append(v)
}

// column returns the built column and releases the builder.
func (b *listBuilder) column() (*arrow.Chunked, error) {
	defer b.lb.Release()
	a := b.lb.NewArray()
	defer a.Release()
	if b.err != nil {
		return nil, b.err
	}
	return arrow.NewChunked(a.DataType(), []arrow.Array{a}), nil
}
