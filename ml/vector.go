package ml

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// VectorType is the Arrow type of vector columns (see the package doc):
// Spark's VectorUDT layout.
var VectorType = arrow.StructOf(
	arrow.Field{Name: "type", Type: arrow.PrimitiveTypes.Int8},
	arrow.Field{Name: "size", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	arrow.Field{Name: "indices", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	arrow.Field{Name: "values", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
)

// IsVector reports whether t is VectorType.
func IsVector(t arrow.DataType) bool { return arrow.TypeEqual(t, VectorType) }

// Vector is one vector value. Dense vectors have Indices nil and
// len(Values) == Size; sparse ones list the non-zero positions in Indices
// (strictly increasing) and their values in Values.
type Vector struct {
	Size    int
	Indices []int32
	Values  []float64
}

// Dense returns a dense vector over values (not copied).
func Dense(values ...float64) Vector { return Vector{Size: len(values), Values: values} }

// Sparse returns a sparse vector (slices not copied). It does not check
// the indices; Validate does.
func Sparse(size int, indices []int32, values []float64) Vector {
	if indices == nil {
		indices = []int32{}
	}
	return Vector{Size: size, Indices: indices, Values: values}
}

// IsSparse reports whether v is sparse.
func (v Vector) IsSparse() bool { return v.Indices != nil }

// Validate checks the vector's invariants.
func (v Vector) Validate() error {
	if !v.IsSparse() {
		if len(v.Values) != v.Size {
			return fmt.Errorf("dense vector of size %d has %d values", v.Size, len(v.Values))
		}
		return nil
	}
	if len(v.Indices) != len(v.Values) {
		return fmt.Errorf("sparse vector has %d indices and %d values", len(v.Indices), len(v.Values))
	}
	prev := int32(-1)
	for _, i := range v.Indices {
		if i <= prev || int(i) >= v.Size {
			return fmt.Errorf("sparse vector of size %d: index %d out of order or range", v.Size, i)
		}
		prev = i
	}
	return nil
}

// At returns element i.
func (v Vector) At(i int) float64 {
	if !v.IsSparse() {
		return v.Values[i]
	}
	lo, hi := 0, len(v.Indices)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case int(v.Indices[m]) == i:
			return v.Values[m]
		case int(v.Indices[m]) < i:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0
}

// AppendTo adds v's elements to dst (dense form) and returns it.
func (v Vector) AppendTo(dst []float64) []float64 {
	if !v.IsSparse() {
		return append(dst, v.Values...)
	}
	start := len(dst)
	dst = append(dst, make([]float64, v.Size)...)
	for k, i := range v.Indices {
		dst[start+int(i)] = v.Values[k]
	}
	return dst
}

// VectorBuilder builds a vector column.
type VectorBuilder struct {
	b       *array.StructBuilder
	typ     *array.Int8Builder
	size    *array.Int32Builder
	indices *array.ListBuilder
	ivals   *array.Int32Builder
	values  *array.ListBuilder
	vvals   *array.Float64Builder
}

// NewVectorBuilder returns a builder allocating from mem (nil: Go memory).
func NewVectorBuilder(mem memory.Allocator) *VectorBuilder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewStructBuilder(mem, VectorType)
	vb := &VectorBuilder{
		b:       b,
		typ:     b.FieldBuilder(0).(*array.Int8Builder),
		size:    b.FieldBuilder(1).(*array.Int32Builder),
		indices: b.FieldBuilder(2).(*array.ListBuilder),
		values:  b.FieldBuilder(3).(*array.ListBuilder),
	}
	vb.ivals = vb.indices.ValueBuilder().(*array.Int32Builder)
	vb.vvals = vb.values.ValueBuilder().(*array.Float64Builder)
	return vb
}

// Append adds a vector.
func (vb *VectorBuilder) Append(v Vector) {
	vb.b.Append(true)
	vb.size.Append(int32(v.Size))
	vb.indices.Append(true)
	vb.values.Append(true)
	if v.IsSparse() {
		vb.typ.Append(0)
		vb.ivals.AppendValues(v.Indices, nil)
	} else {
		vb.typ.Append(1)
	}
	vb.vvals.AppendValues(v.Values, nil)
}

// AppendNull adds a NULL vector.
func (vb *VectorBuilder) AppendNull() { vb.b.AppendNull() }

// NewArray returns the built column and resets the builder.
func (vb *VectorBuilder) NewArray() arrow.Array { return vb.b.NewArray() }

// Release releases the builder.
func (vb *VectorBuilder) Release() { vb.b.Release() }

// VectorColumn reads vectors from one chunk of a vector column. Its
// methods return views into the column's buffers, valid while the column
// lives.
type VectorColumn struct {
	s       *array.Struct
	typ     *array.Int8
	size    *array.Int32
	indices *array.List
	ivals   *array.Int32
	values  *array.List
	vvals   *array.Float64
}

// NewVectorColumn wraps a chunk of VectorType.
func NewVectorColumn(a arrow.Array) (*VectorColumn, error) {
	s, ok := a.(*array.Struct)
	if !ok || !IsVector(a.DataType()) {
		return nil, fmt.Errorf("column of type %s is not a vector column", a.DataType())
	}
	c := &VectorColumn{
		s:       s,
		typ:     s.Field(0).(*array.Int8),
		size:    s.Field(1).(*array.Int32),
		indices: s.Field(2).(*array.List),
		values:  s.Field(3).(*array.List),
	}
	c.ivals = c.indices.ListValues().(*array.Int32)
	c.vvals = c.values.ListValues().(*array.Float64)
	return c, nil
}

// Len returns the number of rows.
func (c *VectorColumn) Len() int { return c.s.Len() }

// IsNull reports whether row i is NULL.
func (c *VectorColumn) IsNull(i int) bool { return c.s.IsNull(i) }

// At returns the vector in row i (a view; do not modify its slices).
func (c *VectorColumn) At(i int) Vector {
	vs, ve := c.values.ValueOffsets(i)
	v := Vector{Size: int(c.size.Value(i)), Values: c.vvals.Float64Values()[vs:ve]}
	if c.typ.Value(i) == 0 {
		is, ie := c.indices.ValueOffsets(i)
		v.Indices = c.ivals.Int32Values()[is:ie]
		if v.Indices == nil {
			v.Indices = []int32{}
		}
	}
	return v
}
