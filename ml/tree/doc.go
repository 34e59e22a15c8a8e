// Package tree holds Sluice's tree learners, named and parametrized like
// Spark ML's: DecisionTreeClassifier and DecisionTreeRegressor,
// RandomForestClassifier and RandomForestRegressor, GBTClassifier and
// GBTRegressor, and their fitted models (DecisionTreeClassificationModel
// …). Register adds all of them to an ml.Registry.
//
// # The engine
//
// Every learner grows CART trees on histograms, like Spark and the
// histogram modes of xgboost and LightGBM:
//
//   - Binning, once per fit. Each continuous feature gets at most
//     maxBins-1 thresholds chosen like Spark's findSplits: weighted value
//     counts of (a sample of max(maxBins², 10000)) training rows, every
//     midpoint between neighbouring values when there are few, else the
//     midpoints at weighted quantiles. Values are cut into uint8 bins
//     stored column-major. A categorical feature (from the ml_attr
//     metadata StringIndexer and VectorAssembler write, see
//     ml.VectorAttrs.Categorical) uses its category as its bin; its
//     values must be whole numbers in [0, categories) and maxBins must be
//     at least the number of categories. maxBins is at most 256.
//   - Growing, depth first. A node's rows are a contiguous range of one
//     row-index array that splits partition in place (stably). For each
//     split node the histogram of the smaller child is built from its
//     rows and the larger child's is the parent's minus it; histograms
//     are built four features per pass over the rows, on up to
//     GOMAXPROCS goroutines for large nodes. With random feature subsets
//     smaller than half the features (forests) each child's subset is
//     built directly instead.
//   - Split search scans each feature's bins for the best impurity
//     decrease (gini, entropy, variance; or the Newton gain of gradient
//     and hessian sums for boosting), skipping splits that leave a child
//     with fewer than minInstancesPerNode rows, less than
//     minWeightFractionPerNode of the total weight, or a gain below
//     minInfoGain. Ties go to the lowest feature and threshold, as in
//     Spark. Categorical features are split like Spark's ordered
//     categorical features: categories sorted by mean label (binary
//     classification, regression), Newton step (boosting) or impurity
//     (multiclass), and the sorted list cut in two.
//
// The result is the tree Spark's level-wise learner would grow on the
// same bins, up to floating-point ties. Differences from Spark: binary
// classification orders categories by the fraction of class 1 (Spark by
// its count); multiclass classification always uses the ordering by
// impurity (Spark tries every subset of a feature with few categories);
// and splits whose gain is within rounding noise of 0 are not made.
//
// # Models
//
// A fitted tree is a Tree: a flat table of Nodes, root first, with
// Spark's node fields (prediction, impurity, impurity stats, gain, split).
// Continuous splits send x <= Threshold left; categorical splits send the
// listed Categories left and every other value (including unseen ones)
// right. DebugString prints Spark's toDebugString text. Models are
// safe for concurrent use; Transform runs on GOMAXPROCS goroutines.
//
// Classification trees predict the majority class of a leaf;
// rawPrediction is the leaf's weighted class counts (decision tree) or
// the sum of the trees' normalized counts (forest), and probability their
// normalization, as in Spark. Random forests train each tree on Poisson
// (bootstrap) or Bernoulli row samples and consider featureSubsetStrategy
// features per node; trees are grown in parallel, and the result depends
// on seed only, not on scheduling.
//
// # Boosting
//
// GBTClassifier boosts with Newton steps on the logistic loss (as
// xgboost and scikit-learn's HistGradientBoosting do, not Spark's
// gradient-only steps), with leaf values −G/(H+regLambda) and regLambda
// 1 by default. The model follows Spark's GBTClassificationModel
// conventions: margin F = Σ treeWeight·tree(x), rawPrediction [−F, F],
// P(class 1) = 1/(1+exp(−2F)), so F is half the log-odds. The first tree
// has weight 1 and carries the initial score (half the log-odds of the
// positive rate); the others have weight stepSize. GBTRegressor boosts
// the squared loss (leaves step by the mean residual) or the absolute
// loss (trees fit the residuals' signs, leaves step by the weighted
// median residual), starting from the weighted mean or median label.
// validationIndicatorCol and validationTol stop boosting early by
// Spark's rule, keeping the trees up to the best validation error.
//
// # Persistence
//
// Models save through ml.Save (params in metadata.json) with this data:
//
//	data/model.json   {"uid":…, "numFeatures":…, "numClasses":…}
//	data/nodes.arrow  one row per node of every tree: treeID, id (the
//	                  node's index in its tree, root 0), prediction,
//	                  impurity, impurityStats (list<double>), rawCount,
//	                  weight, gain, leftChild and rightChild (-1 for
//	                  leaves), featureIndex (-1 for leaves), threshold,
//	                  leftCategories (list<double>) and numCategories (-1
//	                  unless categorical): Spark's NodeData, flattened
//	data/trees.arrow  one row per tree: treeID, weight
//
// ml.Load with a registry that Register filled restores a model that
// predicts identically; it checks the node table's structure (children in
// range, no cycles, features below numFeatures).
package tree
