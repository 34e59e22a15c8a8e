// Package ml is Sluice's machine-learning library, shaped like Spark ML:
// a Transformer turns a Frame into another; an Estimator fits a Model (a
// Transformer) to a Frame; a Pipeline chains stages and is itself an
// Estimator whose Model is a PipelineModel. Stage and param names are
// Spark's (StringIndexer, VectorAssembler, maxDepth …) so Spark users find
// their way, and Spark's stage names address stages in YAML specs and
// param grids.
//
// # Frames
//
// A Frame is an immutable in-memory Arrow table: the same columnar data
// SQL results and table scans produce, with no row-by-row copy in between.
// Frames use Go-allocated Arrow memory, so releasing them is optional.
//
// # Vectors
//
// Feature vectors are one Arrow column type, VectorType, laid out like
// Spark's VectorUDT so Parquet files written by either side read in the
// other:
//
//	struct<type: int8, size: int32, indices: list<int32>, values: list<float64>>
//
// type 1 is dense (indices empty, values has size entries); type 0 is
// sparse (indices strictly increasing, in [0, size)). A NULL vector is a
// NULL struct. NaN is a value like any other; stages say how they treat it.
//
// # Schema checks
//
// Every stage has TransformSchema, which computes its output schema from
// its input schema without touching data; Pipeline.Fit calls it for all
// stages before fitting the first (Spark's transformSchema), so a pipeline
// with a missing or mistyped column fails at once, naming stage and column.
package ml
