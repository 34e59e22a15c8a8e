package evaluation

import (
	"fmt"
	"math"
	"slices"
)

// ROCPoint is one point of a receiver operating characteristic curve.
//
// Threshold is the score at or above which rows are predicted positive.
// The first point of a curve from ROCCurve has Threshold +Inf (nothing
// predicted positive) and the last has Threshold -Inf (Spark's appended
// (1, 1) point).
type ROCPoint struct {
	Threshold float64
	FPR       float64 // false positive rate, weighted
	TPR       float64 // true positive rate (recall), weighted
}

// PRPoint is one point of a precision-recall curve.
//
// The first point of a curve from PRCurve has Threshold +Inf, Recall 0 and
// the precision of the second point, as in Spark's pr().
type PRPoint struct {
	Threshold float64
	Recall    float64
	Precision float64
}

// binaryBin is the weighted count of positives and negatives at one
// distinct score; after accumulate it holds cumulative counts.
type binaryBin struct {
	score float64
	pos   float64
	neg   float64
}

// binaryBins validates the input and returns one bin per distinct score,
// in descending score order, holding cumulative weighted counts of
// positives (true positives) and negatives (false positives) at that
// threshold, plus the totals.
//
// It allocates one slice of len(scores) bins; the inputs are not modified.
func binaryBins(op string, scores, labels, weights []float64) ([]binaryBin, float64, float64, error) {
	n := len(scores)
	if len(labels) != n {
		return nil, 0, 0, fmt.Errorf("%s: %d scores but %d labels: %w", op, n, len(labels), ErrLengthMismatch)
	}
	if _, err := checkWeights(op, weights, n); err != nil {
		return nil, 0, 0, err
	}
	bins := make([]binaryBin, n)
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, 0, 0, fmt.Errorf("%s: scores[%d] is NaN; drop or impute the row: %w", op, i, ErrInvalidScore)
		}
		w := weightAt(weights, i)
		b := binaryBin{score: s + 0} // + 0 folds -0 into +0 so they form one threshold
		switch labels[i] {
		case 1:
			b.pos = w
		case 0:
			b.neg = w
		default:
			return nil, 0, 0, fmt.Errorf("%s: labels[%d] = %v; binary labels must be 0 or 1: %w",
				op, i, labels[i], ErrInvalidLabel)
		}
		bins[i] = b
	}
	sortDescending(bins)

	// Merge equal scores into one bin and accumulate counts in place.
	var tp, fp float64
	k := -1
	for i := range bins {
		b := bins[i]
		tp += b.pos
		fp += b.neg
		if k >= 0 && bins[k].score == b.score {
			bins[k].pos, bins[k].neg = tp, fp
			continue
		}
		k++
		bins[k] = binaryBin{score: b.score, pos: tp, neg: fp}
	}
	bins = bins[:k+1]
	if tp == 0 && fp == 0 {
		return nil, 0, 0, fmt.Errorf("%s: %w", op, ErrEmpty)
	}
	if tp == 0 {
		return nil, 0, 0, fmt.Errorf("%s: only class 0 (negative) has positive weight; the area is undefined without both classes: %w",
			op, ErrSingleClass)
	}
	if fp == 0 {
		return nil, 0, 0, fmt.Errorf("%s: only class 1 (positive) has positive weight; the area is undefined without both classes: %w",
			op, ErrSingleClass)
	}
	return bins, tp, fp, nil
}

// sortDescending sorts bins by score, highest first, with an LSD radix sort
// on the order-preserving bit pattern of the score (no NaNs are present).
func sortDescending(bins []binaryBin) {
	if len(bins) < 256 {
		slices.SortFunc(bins, func(a, b binaryBin) int {
			switch {
			case a.score > b.score:
				return -1
			case a.score < b.score:
				return 1
			}
			return 0
		})
		return
	}
	tmp := make([]binaryBin, len(bins))
	src, dst := bins, tmp
	const radix = 11
	const buckets = 1 << radix
	var count [buckets]int
	for shift := uint(0); shift < 64; shift += radix {
		count = [buckets]int{}
		for i := range src {
			count[(descKey(src[i].score)>>shift)&(buckets-1)]++
		}
		if count[(descKey(src[0].score)>>shift)&(buckets-1)] == len(src) {
			continue // every key shares this digit
		}
		sum := 0
		for d := range count {
			c := count[d]
			count[d] = sum
			sum += c
		}
		for i := range src {
			d := (descKey(src[i].score) >> shift) & (buckets - 1)
			dst[count[d]] = src[i]
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &bins[0] {
		copy(bins, src)
	}
}

// descKey maps a non-NaN float64 to a uint64 whose ascending order is the
// float's descending order.
func descKey(f float64) uint64 {
	u := math.Float64bits(f)
	if u>>63 == 1 {
		u = ^u
	} else {
		u |= 1 << 63
	}
	return ^u
}

// AreaUnderROC returns the area under the ROC curve of scores against
// binary labels, as Spark's BinaryClassificationMetrics.areaUnderROC with
// numBins = 0: one curve point per distinct score (ties form a single
// threshold), (0, 0) prepended, (1, 1) appended, trapezoidal integration.
// This equals scikit-learn's roc_auc_score.
//
// labels must be 0 or 1; weights may be nil (every weight 1) or hold one
// finite, non-negative weight per row. Errors wrap ErrLengthMismatch,
// ErrInvalidScore (NaN score), ErrInvalidLabel, ErrInvalidWeight, ErrEmpty,
// or ErrSingleClass when either class has zero total weight. Inputs are not
// modified; it is safe for concurrent use.
func AreaUnderROC(scores, labels, weights []float64) (float64, error) {
	bins, totPos, totNeg, err := binaryBins("area under ROC", scores, labels, weights)
	if err != nil {
		return 0, err
	}
	return rocArea(bins, totPos, totNeg), nil
}

// rocArea integrates the ROC curve of cumulative bins with trapezoids.
func rocArea(bins []binaryBin, totPos, totNeg float64) float64 {
	var area, x0, y0 float64
	for _, b := range bins {
		x, y := b.neg/totNeg, b.pos/totPos
		area += (x - x0) * (y + y0) / 2
		x0, y0 = x, y
	}
	return area + (1-x0)*(1+y0)/2
}

// AreaUnderPR returns the area under the precision-recall curve, as Spark's
// BinaryClassificationMetrics.areaUnderPR with numBins = 0: one point
// (recall, precision) per distinct score, preceded by (0, p) where p is the
// precision of the first point, integrated with the trapezoidal rule.
//
// This is not scikit-learn's average_precision_score, which uses a step
// function (no interpolation) and starts at (0, 1).
//
// Inputs and errors are as for AreaUnderROC.
func AreaUnderPR(scores, labels, weights []float64) (float64, error) {
	bins, totPos, _, err := binaryBins("area under PR", scores, labels, weights)
	if err != nil {
		return 0, err
	}
	return prArea(bins, totPos), nil
}

// prArea integrates the PR curve of cumulative bins with trapezoids,
// starting at (0, precision of the first bin).
func prArea(bins []binaryBin, totPos float64) float64 {
	x0, y0 := 0.0, precision(bins[0])
	var area float64
	for _, b := range bins {
		x, y := b.pos/totPos, precision(b)
		area += (x - x0) * (y + y0) / 2
		x0, y0 = x, y
	}
	return area
}

// precision is Spark's Precision computer: 1 when nothing is predicted
// positive.
func precision(b binaryBin) float64 {
	if b.pos+b.neg == 0 {
		return 1
	}
	return b.pos / (b.pos + b.neg)
}

// ROCCurve returns Spark's roc() curve with thresholds: (0, 0) at
// threshold +Inf, one point per distinct score in descending order, and
// (1, 1) at threshold -Inf. A score carried only by zero-weight rows still
// forms a point, as in Spark (scikit-learn's roc_curve drops zero-weight
// rows first); such points never change the area. Inputs and errors are as
// for AreaUnderROC. The returned slice is newly allocated.
func ROCCurve(scores, labels, weights []float64) ([]ROCPoint, error) {
	bins, totPos, totNeg, err := binaryBins("ROC curve", scores, labels, weights)
	if err != nil {
		return nil, err
	}
	return rocPoints(bins, totPos, totNeg), nil
}

func rocPoints(bins []binaryBin, totPos, totNeg float64) []ROCPoint {
	pts := make([]ROCPoint, 0, len(bins)+2)
	pts = append(pts, ROCPoint{Threshold: math.Inf(1)})
	for _, b := range bins {
		pts = append(pts, ROCPoint{Threshold: b.score, FPR: b.neg / totNeg, TPR: b.pos / totPos})
	}
	return append(pts, ROCPoint{Threshold: math.Inf(-1), FPR: 1, TPR: 1})
}

// PRCurve returns Spark's pr() curve with thresholds: (recall 0, precision
// of the next point) at threshold +Inf, then one point per distinct score
// in descending order. Precision is 1 where nothing is predicted positive.
// Inputs and errors are as for AreaUnderROC. The returned slice is newly
// allocated.
func PRCurve(scores, labels, weights []float64) ([]PRPoint, error) {
	bins, totPos, _, err := binaryBins("PR curve", scores, labels, weights)
	if err != nil {
		return nil, err
	}
	return prPoints(bins, totPos), nil
}

func prPoints(bins []binaryBin, totPos float64) []PRPoint {
	pts := make([]PRPoint, 0, len(bins)+1)
	pts = append(pts, PRPoint{Threshold: math.Inf(1), Precision: precision(bins[0])})
	for _, b := range bins {
		pts = append(pts, PRPoint{Threshold: b.score, Recall: b.pos / totPos, Precision: precision(b)})
	}
	return pts
}
