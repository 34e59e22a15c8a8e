package tree

import "unsafe"

// Histogram kernels.
//
// A kernel adds the gathered stats of a node's rows (st: s float64s per
// row, in row order) to the histograms of one, two or four features at a
// time: for row j with bin b of feature f, hist_f[b*s : b*s+s] += st[j*s :
// j*s+s]. Doing several features per pass over the rows gives the CPU
// independent add chains and reads the stats once for all of them; it
// roughly halves the time per update against one feature per pass.
// Kernels exist for one to four features and 2, 3 or 4 stats per row;
// other layouts use a generic loop.
//
// The loops for s <= 4 use unsafe pointer arithmetic to drop bounds
// checks. They are memory safe because: every histogram slice passed is at
// least 256·s long (grower.stride; checked), so any uint8 bin is in range; every row id is < len of
// the bins column (rows come from the grower, which only holds ids of the
// binned dataset); and st holds at least len(rows)·s values (checked).

type histArgs struct {
	h    [4][]float64 // per feature histogram, len >= 256*s
	col  [4][]uint8   // per feature bins, len n
	rows []int32
	st   []float64
}

func (a *histArgs) check(k, s int) {
	if len(a.st) < len(a.rows)*s {
		panic("tree: histogram stats shorter than rows")
	}
	for i := range k {
		if len(a.h[i]) < 256*s {
			panic("tree: histogram shorter than 256 bins")
		}
	}
}

func addHist(a *histArgs, k, s int) {
	if len(a.rows) == 0 {
		return
	}
	if s <= 4 {
		a.check(k, s)
	}
	switch s {
	case 2:
		switch k {
		case 4:
			hist2x4(a)
		case 3:
			hist2x3(a)
		case 2:
			hist2x2(a)
		default:
			hist2x1(a)
		}
	case 3:
		switch k {
		case 4:
			hist3x4(a)
		case 3:
			hist3x3(a)
		case 2:
			hist3x2(a)
		default:
			hist3x1(a)
		}
	case 4:
		switch k {
		case 4:
			hist4x4(a)
		case 3:
			hist4x3(a)
		case 2:
			hist4x2(a)
		default:
			hist4x1(a)
		}
	default:
		for i := range k {
			histGeneric(a.h[i], a.col[i], a.rows, a.st, s)
		}
	}
}

func histGeneric(h []float64, col []uint8, rows []int32, st []float64, s int) {
	for j, r := range rows {
		b := int(col[r]) * s
		hh := h[b : b+s]
		for i, v := range st[j*s : j*s+s] {
			hh[i] += v
		}
	}
}

func hp(h []float64) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(h)) }
func cp(c []uint8) unsafe.Pointer   { return unsafe.Pointer(unsafe.SliceData(c)) }

// at returns the stats slot of bin col[r] in histogram h (s stats of 8
// bytes per bin).
func at2(h, col unsafe.Pointer, r int32) *[2]float64 {
	return (*[2]float64)(unsafe.Add(h, uintptr(*(*uint8)(unsafe.Add(col, r)))*16))
}

func at3(h, col unsafe.Pointer, r int32) *[3]float64 {
	return (*[3]float64)(unsafe.Add(h, uintptr(*(*uint8)(unsafe.Add(col, r)))*24))
}

func at4(h, col unsafe.Pointer, r int32) *[4]float64 {
	return (*[4]float64)(unsafe.Add(h, uintptr(*(*uint8)(unsafe.Add(col, r)))*32))
}

func hist2x1(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[2]float64)(unsafe.Add(st, uintptr(j)*16))
		x := at2(h0, c0, r)
		x[0] += v[0]
		x[1] += v[1]
	}
}

func hist2x2(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[2]float64)(unsafe.Add(st, uintptr(j)*16))
		v0, v1 := v[0], v[1]
		x := at2(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x = at2(h1, c1, r)
		x[0] += v0
		x[1] += v1
	}
}

func hist2x4(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	h2, c2 := hp(a.h[2]), cp(a.col[2])
	h3, c3 := hp(a.h[3]), cp(a.col[3])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[2]float64)(unsafe.Add(st, uintptr(j)*16))
		v0, v1 := v[0], v[1]
		x := at2(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x = at2(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x = at2(h2, c2, r)
		x[0] += v0
		x[1] += v1
		x = at2(h3, c3, r)
		x[0] += v0
		x[1] += v1
	}
}

func hist3x1(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[3]float64)(unsafe.Add(st, uintptr(j)*24))
		x := at3(h0, c0, r)
		x[0] += v[0]
		x[1] += v[1]
		x[2] += v[2]
	}
}

func hist3x2(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[3]float64)(unsafe.Add(st, uintptr(j)*24))
		v0, v1, v2 := v[0], v[1], v[2]
		x := at3(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x = at3(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
	}
}

func hist3x4(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	h2, c2 := hp(a.h[2]), cp(a.col[2])
	h3, c3 := hp(a.h[3]), cp(a.col[3])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[3]float64)(unsafe.Add(st, uintptr(j)*24))
		v0, v1, v2 := v[0], v[1], v[2]
		x := at3(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x = at3(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x = at3(h2, c2, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x = at3(h3, c3, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
	}
}

func hist4x1(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[4]float64)(unsafe.Add(st, uintptr(j)*32))
		x := at4(h0, c0, r)
		x[0] += v[0]
		x[1] += v[1]
		x[2] += v[2]
		x[3] += v[3]
	}
}

func hist4x2(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[4]float64)(unsafe.Add(st, uintptr(j)*32))
		v0, v1, v2, v3 := v[0], v[1], v[2], v[3]
		x := at4(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
		x = at4(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
	}
}

func hist4x4(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	h2, c2 := hp(a.h[2]), cp(a.col[2])
	h3, c3 := hp(a.h[3]), cp(a.col[3])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[4]float64)(unsafe.Add(st, uintptr(j)*32))
		v0, v1, v2, v3 := v[0], v[1], v[2], v[3]
		x := at4(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
		x = at4(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
		x = at4(h2, c2, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
		x = at4(h3, c3, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
	}
}

func hist2x3(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	h2, c2 := hp(a.h[2]), cp(a.col[2])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[2]float64)(unsafe.Add(st, uintptr(j)*16))
		v0, v1 := v[0], v[1]
		x := at2(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x = at2(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x = at2(h2, c2, r)
		x[0] += v0
		x[1] += v1
	}
}

func hist3x3(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	h2, c2 := hp(a.h[2]), cp(a.col[2])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[3]float64)(unsafe.Add(st, uintptr(j)*24))
		v0, v1, v2 := v[0], v[1], v[2]
		x := at3(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x = at3(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x = at3(h2, c2, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
	}
}

func hist4x3(a *histArgs) {
	h0, c0 := hp(a.h[0]), cp(a.col[0])
	h1, c1 := hp(a.h[1]), cp(a.col[1])
	h2, c2 := hp(a.h[2]), cp(a.col[2])
	st := unsafe.Pointer(unsafe.SliceData(a.st))
	for j, r := range a.rows {
		v := (*[4]float64)(unsafe.Add(st, uintptr(j)*32))
		v0, v1, v2, v3 := v[0], v[1], v[2], v[3]
		x := at4(h0, c0, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
		x = at4(h1, c1, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
		x = at4(h2, c2, r)
		x[0] += v0
		x[1] += v1
		x[2] += v2
		x[3] += v3
	}
}
