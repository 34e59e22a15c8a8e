// Package feature holds Sluice's feature transformers and estimators, with
// Spark ML's names and params: VectorAssembler, StringIndexer and
// StandardScaler so far.
package feature
