package ml

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Flatten returns a chunked column as one array (concatenating chunks if
// there are several). The caller releases the result.
func Flatten(col *arrow.Chunked) (arrow.Array, error) {
	switch len(col.Chunks()) {
	case 0:
		return array.MakeArrayOfNull(memory.DefaultAllocator, col.DataType(), 0), nil
	case 1:
		a := col.Chunk(0)
		a.Retain()
		return a, nil
	}
	return array.Concatenate(col.Chunks(), memory.DefaultAllocator)
}

// IsNumeric reports whether t is a numeric or boolean type stages read as
// float64.
func IsNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.DECIMAL128:
		return true
	}
	return false
}

// Float64s reads a numeric or boolean array as float64 values; nulls are
// reported in valid (nil when there are none) and read as NaN.
func Float64s(a arrow.Array) (vals []float64, valid []bool, err error) {
	n := a.Len()
	vals = make([]float64, n)
	switch c := a.(type) {
	case *array.Float64:
		copy(vals, c.Float64Values())
	case *array.Float32:
		for i, v := range c.Float32Values() {
			vals[i] = float64(v)
		}
	case *array.Int64:
		for i, v := range c.Int64Values() {
			vals[i] = float64(v)
		}
	case *array.Int32:
		for i, v := range c.Int32Values() {
			vals[i] = float64(v)
		}
	case *array.Int16:
		for i, v := range c.Int16Values() {
			vals[i] = float64(v)
		}
	case *array.Int8:
		for i, v := range c.Int8Values() {
			vals[i] = float64(v)
		}
	case *array.Uint64:
		for i, v := range c.Uint64Values() {
			vals[i] = float64(v)
		}
	case *array.Uint32:
		for i, v := range c.Uint32Values() {
			vals[i] = float64(v)
		}
	case *array.Uint16:
		for i, v := range c.Uint16Values() {
			vals[i] = float64(v)
		}
	case *array.Uint8:
		for i, v := range c.Uint8Values() {
			vals[i] = float64(v)
		}
	case *array.Boolean:
		for i := range n {
			if c.Value(i) {
				vals[i] = 1
			}
		}
	case *array.Decimal128:
		dt := c.DataType().(*arrow.Decimal128Type)
		for i := range n {
			vals[i] = c.Value(i).ToFloat64(dt.Scale)
		}
	default:
		return nil, nil, fmt.Errorf("type %s is not numeric", a.DataType())
	}
	if a.NullN() > 0 {
		valid = make([]bool, n)
		for i := range n {
			valid[i] = a.IsValid(i)
			if !valid[i] {
				vals[i] = math.NaN()
			}
		}
	}
	return vals, valid, nil
}
