package loadtest

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Summary describes a set of request latencies.
type Summary struct {
	N         int
	P50, P99  time.Duration
	Mean, Max time.Duration
}

// Summarize sorts lat in place and summarizes it; an empty slice gives
// the zero Summary.
func Summarize(lat []time.Duration) Summary {
	if len(lat) == 0 {
		return Summary{}
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	return Summary{
		N:    len(lat),
		P50:  Percentile(lat, 50),
		P99:  Percentile(lat, 99),
		Mean: sum / time.Duration(len(lat)),
		Max:  lat[len(lat)-1],
	}
}

// Percentile returns the p-th percentile (nearest rank) of sorted, which
// must be sorted ascending and non-empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Ms formats d in milliseconds with a precision that suits its size.
func Ms(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "-"
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.0f ms", ms)
	}
}

// Count formats n with thousands separators.
func Count(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
