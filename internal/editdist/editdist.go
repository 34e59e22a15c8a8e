// Package editdist computes the Levenshtein edit distance, for the
// "did you mean" hints of the ML params registry and job files.
package editdist

// Distance is the Levenshtein distance between a and b, in runes: the
// fewest single-rune insertions, deletions and substitutions turning a
// into b. It takes O(len(a)·len(b)) time; callers bound their inputs.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
