//go:build !amd64 || purego

package clustering

// kmHasSIMD is false: only amd64 has the assembly kernel.
const kmHasSIMD = false

func kmScoresAVX2(x *float64, rows int, d int, ct *float64, kp int, n2 *float64, out *float64) {
	panic("clustering: kmScoresAVX2 without SIMD support")
}
