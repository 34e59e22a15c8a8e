// Package fpm has frequent pattern mining, shaped like Spark ML's.
//
// FPGrowth mines frequent item sets with FP-growth (Han et al.), in
// parallel over suffix items, and derives Spark 3's association rules
// (antecedent → one consequent, with confidence, lift and support).
// FPGrowthModel predicts, for each row, the consequents of the rules whose
// antecedent the row's items contain, minus the items it already has, and
// exposes its learned tables as the ml.ModelFrames "freqItemsets" and
// "associationRules" (`sluice ml frames`). Item columns hold strings or
// integers.
//
// PrefixSpan finds frequent sequential patterns in sequences of item sets
// (FindFrequentSequentialPatterns). As in Spark it is not a pipeline stage:
// its output is a table of patterns, not a column per input row.
//
// Output orders are deterministic and documented on each type.
package fpm
