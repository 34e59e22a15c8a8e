// Package clustering has Spark ML's clustering estimators: KMeans
// (k-means|| initialisation), BisectingKMeans, GaussianMixture and LDA.
package clustering
