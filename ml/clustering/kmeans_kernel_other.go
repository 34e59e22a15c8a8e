//go:build !amd64 || purego

package clustering

// kmHasSIMD is false: only amd64 has the assembly kernel.
const kmHasSIMD = false

func kmNearestAVX2(x *float64, rows int, d int, ct *float64, kp int, n2 *float64, lab *int32, score *float64) {
	panic("clustering: kmNearestAVX2 without SIMD support")
}
