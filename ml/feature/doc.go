// Package feature holds Sluice's feature transformers and estimators, with
// Spark ML's names, params and defaults:
//
//   - assembling and indexing: VectorAssembler, StringIndexer,
//     IndexToString, OneHotEncoder, VectorSlicer, Interaction,
//     PolynomialExpansion;
//   - scaling: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler,
//     Normalizer;
//   - cleaning and discretizing: Imputer, Binarizer, Bucketizer,
//     QuantileDiscretizer;
//   - selection and projection: VarianceThresholdSelector,
//     UnivariateFeatureSelector, PCA;
//   - text: Tokenizer, RegexTokenizer (Java regex syntax, run on RE2;
//     constructs RE2 lacks are refused with a rewrite hint),
//     StopWordsRemover (Spark's English list), NGram, HashingTF (Spark 3's
//     MurmurHash3, so indices match Spark's), CountVectorizer, IDF, and
//     Word2Vec (skip-gram with negative sampling; FindSynonyms);
//   - similarity search: BucketedRandomProjectionLSH and MinHashLSH
//     (ApproxNearestNeighbors, ApproxSimilarityJoin).
//
// Token columns are Spark's array<string> (ml.StringListType); term
// vectors are sparse ml.Vector values.
//
// Every stage checks its input schema in TransformSchema (missing or
// mistyped columns, output names that exist already) before reading data,
// and treats NULL and NaN explicitly: as its handleInvalid param says, or
// as Spark documents for it (each type's doc tells which). Vector outputs
// use ml.VectorType; categorical information travels in Spark's ml_attr
// field metadata, so StringIndexer → OneHotEncoder → VectorAssembler keeps
// category names and counts.
//
// Quantiles (RobustScaler, Imputer's median, QuantileDiscretizer) are
// exact, taken as Spark's approxQuantile takes them when its summary is
// exact: the element of rank ceil(q·n) of the sorted values. On small data
// this is what Spark returns; on large data Spark's answer is within its
// relativeError of it.
//
// Stages are safe for concurrent Transform calls once configured; do not
// change params while a Transform runs. Register adds every stage and
// model to an ml.Registry for YAML specs and ml.Load.
package feature
