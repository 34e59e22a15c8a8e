package evaluation

import "fmt"

// DefaultNumBins is Spark's default numBins for BinaryClassificationEvaluator.
const DefaultNumBins = 1000

// BinaryMetrics is Spark's BinaryClassificationMetrics: the ROC and PR
// curves of binary scores and their areas, optionally down-sampled to
// about numBins thresholds.
//
// Down-sampling follows Spark: with d distinct scores (sorted descending)
// and grouping = d / numBins (integer division), nothing happens when
// numBins is 0 or grouping < 2; otherwise consecutive runs of grouping
// distinct scores are merged into one threshold, the run's last (lowest)
// score, which keeps the curve points at the run boundaries exact and
// drops the points inside runs. Spark merges runs within each RDD
// partition, so its result depends on the partitioning; this package
// matches Spark on a single partition.
//
// A BinaryMetrics is immutable and safe for concurrent use.
type BinaryMetrics struct {
	bins           []binaryBin // cumulative counts, descending score
	totPos, totNeg float64
	distinct       int
}

// NewBinaryMetrics validates scores, 0/1 labels and optional weights (nil:
// every weight 1), as AreaUnderROC does, and builds the curve with at most
// about numBins thresholds (0: one per distinct score). Errors wrap the
// sentinels listed at AreaUnderROC, or ErrInvalidParam when numBins < 0.
// Inputs are not modified.
func NewBinaryMetrics(scores, labels, weights []float64, numBins int) (*BinaryMetrics, error) {
	if numBins < 0 {
		return nil, fmt.Errorf("binary metrics: numBins = %d; want 0 (no down-sampling) or more: %w", numBins, ErrInvalidParam)
	}
	bins, totPos, totNeg, err := binaryBins("binary metrics", scores, labels, weights)
	if err != nil {
		return nil, err
	}
	return &BinaryMetrics{bins: downsample(bins, numBins), totPos: totPos, totNeg: totNeg, distinct: len(bins)}, nil
}

// downsample merges runs of cumulative bins as Spark does (see
// BinaryMetrics). Because the bins hold cumulative counts, merging a run
// is keeping its last bin. It reuses bins' storage.
func downsample(bins []binaryBin, numBins int) []binaryBin {
	if numBins == 0 {
		return bins
	}
	grouping := len(bins) / numBins
	if grouping < 2 {
		return bins
	}
	out := bins[:0]
	for i := grouping - 1; i < len(bins); i += grouping {
		out = append(out, bins[i])
	}
	if rest := len(bins) % grouping; rest != 0 {
		out = append(out, bins[len(bins)-1])
	}
	return out
}

// AreaUnderROC returns the trapezoidal area under the (down-sampled) ROC
// curve, Spark's areaUnderROC.
func (m *BinaryMetrics) AreaUnderROC() float64 { return rocArea(m.bins, m.totPos, m.totNeg) }

// AreaUnderPR returns the trapezoidal area under the (down-sampled) PR
// curve, Spark's areaUnderPR.
func (m *BinaryMetrics) AreaUnderPR() float64 { return prArea(m.bins, m.totPos) }

// ROC returns the ROC curve as ROCCurve does, over the kept thresholds.
// The slice is newly allocated.
func (m *BinaryMetrics) ROC() []ROCPoint { return rocPoints(m.bins, m.totPos, m.totNeg) }

// PR returns the PR curve as PRCurve does, over the kept thresholds. The
// slice is newly allocated.
func (m *BinaryMetrics) PR() []PRPoint { return prPoints(m.bins, m.totPos) }

// NumThresholds returns the number of thresholds kept after
// down-sampling; DistinctScores the number before.
func (m *BinaryMetrics) NumThresholds() int { return len(m.bins) }

// DistinctScores returns the number of distinct scores in the input.
func (m *BinaryMetrics) DistinctScores() int { return m.distinct }

// Positives returns the total weight of label-1 rows; Negatives of label-0 rows.
func (m *BinaryMetrics) Positives() float64 { return m.totPos }

// Negatives returns the total weight of label-0 rows.
func (m *BinaryMetrics) Negatives() float64 { return m.totNeg }
