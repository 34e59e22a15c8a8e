package datagen

import "math/rand/v2"

// aliasTable samples an index in [0, n) with probability proportional to
// a weight in O(1) per draw (Vose's alias method). One 64-bit random number
// serves a draw: its high 32 bits pick a column, its low 32 bits decide
// between the column and its alias.
type aliasTable struct {
	thresh []uint32 // P(keep column i) scaled to 2^32; math.MaxUint32+1 is stored as keep-always via alias[i] == i
	alias  []int32
}

// newAliasTable builds the table for weights, which must be positive and
// finite (callers make them so); len(weights) must fit int32.
func newAliasTable(weights []float64) *aliasTable {
	n := len(weights)
	t := &aliasTable{thresh: make([]uint32, n), alias: make([]int32, n)}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		t.thresh[s] = uint32(scaled[s] * (1 << 32))
		t.alias[s] = l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// Leftovers have probability 1 up to rounding: always keep them.
	for _, i := range large {
		t.thresh[i], t.alias[i] = 0, i
	}
	for _, i := range small {
		t.thresh[i], t.alias[i] = 0, i
	}
	return t
}

// sample draws one index.
func (t *aliasTable) sample(r *rand.Rand) int32 {
	x := r.Uint64()
	i := int32((x >> 32) * uint64(len(t.alias)) >> 32)
	if uint32(x) < t.thresh[i] {
		return i
	}
	return t.alias[i]
}
