// Package clustering has Spark ML's clustering estimators.
//
// KMeans (k-means|| or random initialisation, euclidean or cosine
// distance, instance weights, Spark's tol rule) and BisectingKMeans
// (Spark's divisive tree) add an int32 prediction and, with Sluice's
// distanceCol, each row's distance to its centre, usable as an anomaly
// score. Fits read dense columns without copying, keep sparse ones sparse,
// and run on GOMAXPROCS goroutines over fixed row ranges, so results do not
// depend on the core count. On amd64 with AVX2 and FMA the nearest-centre
// search is an assembly kernel; elsewhere, or with the purego build tag, a
// Go kernel. Models expose ClusterCenters, TrainingCost, NumIter,
// ClusterSizes and the "clusterCenters" frame (ml.ModelFrames).
//
// GaussianMixture fits full-covariance Gaussian mixtures by EM
// (log-domain responsibilities, Cholesky factors, a regCovar ridge, Spark's
// total-log-likelihood stopping rule) from a k-means++ initialisation;
// GaussianMixtureModel adds the most likely component (int32) and the
// posterior probabilities, and exposes its components as the "gaussians"
// frame.
//
// LDA is Spark's online variational Bayes optimizer (Hoffman, Blei & Bach
// 2010) over term-count vectors (CountVectorizer's output); its
// LocalLDAModel adds each document's topic mixture, describes topics,
// bounds the log-likelihood and perplexity, and exposes the "topics"
// frame.
//
// Passes over the data add their partial sums in block (or document)
// order, so a fit is reproducible for a seed on any number of cores.
// ClusteringEvaluator (silhouette) lives in package evaluation.
package clustering
