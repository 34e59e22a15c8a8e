package ml

import (
	"context"
	"fmt"
	"math"
)

// CSR holds a dataset's features as compressed sparse rows: row i's
// non-zero features are Idx[Ptr[i]:Ptr[i+1]] (increasing) with values
// Val[Ptr[i]:Ptr[i+1]].
type CSR struct {
	Ptr []int
	Idx []int32
	Val []float64
}

// LoadDatasetSparse is LoadDataset for algorithms that can work on
// sparse rows (linear models): when at most maxDensity of the feature
// matrix's entries are non-zero, the features are kept as CSR in d.Sparse
// and d.X is nil; otherwise it is LoadDataset. The checks and errors are
// LoadDataset's.
func LoadDatasetSparse(ctx context.Context, f *Frame, featuresCol, labelCol, weightCol string, maxDensity float64) (*Dataset, error) {
	if f.NumRows() == 0 {
		return LoadDataset(ctx, f, featuresCol, labelCol, weightCol)
	}
	field, err := FieldOf(f.Schema(), featuresCol)
	if err != nil || !IsVector(field.Type) {
		return LoadDataset(ctx, f, featuresCol, labelCol, weightCol)
	}
	chunked, _ := f.Column(featuresCol)
	arr, err := Flatten(chunked)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vc, err := NewVectorColumn(arr)
	if err != nil {
		return nil, err
	}
	n := vc.Len()
	nnz, dim := 0, -1
	for i := range n {
		if vc.IsNull(i) {
			return LoadDataset(ctx, f, featuresCol, labelCol, weightCol) // for its error
		}
		v := vc.At(i)
		if dim < 0 {
			dim = v.Size
		}
		nnz += len(v.Values)
	}
	if dim <= 0 || float64(nnz) > maxDensity*float64(n)*float64(dim) {
		return LoadDataset(ctx, f, featuresCol, labelCol, weightCol)
	}
	d := &Dataset{N: n, D: dim, Attrs: VectorAttrsOf(field)}
	s := &CSR{Ptr: make([]int, 1, n+1), Idx: make([]int32, 0, nnz), Val: make([]float64, 0, nnz)}
	for i := range n {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := vc.At(i)
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("column %s, row %d: %w", featuresCol, i+1, err)
		}
		if v.Size != dim {
			return nil, fmt.Errorf("column %s, row %d: vector has %d features, row 1 has %d", featuresCol, i+1, v.Size, dim)
		}
		for k, x := range v.Values {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				j := k
				if v.IsSparse() {
					j = int(v.Indices[k])
				}
				return nil, fmt.Errorf("column %s, row %d: feature %d (%s) is %v; impute it (Imputer) or drop the row (VectorAssembler handleInvalid=skip)", featuresCol, i+1, j, d.Attrs.Name(j), x)
			}
			if x == 0 {
				continue
			}
			if v.IsSparse() {
				s.Idx = append(s.Idx, v.Indices[k])
			} else {
				s.Idx = append(s.Idx, int32(k))
			}
			s.Val = append(s.Val, x)
		}
		s.Ptr = append(s.Ptr, len(s.Idx))
	}
	d.Sparse = s
	if err := d.loadLabelsAndWeights(f, labelCol, weightCol); err != nil {
		return nil, err
	}
	return d, nil
}
