// Package serving answers MLflow's scoring protocol for Sluice models:
// GET /ping, /health and /version, and POST /invocations taking MLflow's
// JSON bodies (dataframe_split, dataframe_records, instances, inputs) or
// CSV and answering {"predictions": [...]}.
//
// Handler serves one model (`sluice models serve`). RegistryHandler
// serves registered models under /serving/NAME/… inside `sluice server`,
// each at the version its alias (default "champion", else the latest
// version) points to, and hot-swaps a model when the alias moves.
//
// # Speed
//
// /invocations does not go through encoding/json or reflection: a small
// JSON scanner reads the body in place and appends each value straight
// into reused Arrow builders typed by the model's input schema, and the
// response is written into a reused buffer. Decoders (builders and
// buffers) are pooled per loaded model, so a swap never mixes two
// models' state.
//
// The model's stages run on narrow frames: each gets only the columns it
// reads (found once, at load time), instead of the ever wider frame a
// PipelineModel passes along, whose schema is rebuilt several times per
// stage. When only the prediction is asked for and the last stage is a
// classifier, its prediction is computed from the stage's per-row kernel
// (ml.ClassifierKernel) without building the probability columns. Both
// give the whole pipeline's answer (tests compare them on every churn
// test row); a stage that drops rows, or a SQLTransformer, makes a
// request run the whole pipeline instead.
//
// # Errors
//
// Errors are MLflow's {"error_code": …, "message": …}: 400 BAD_REQUEST for
// malformed bodies, missing or mistyped columns (the message names the
// column and the row, counting from 1) and inputs the model rejects; 413
// REQUEST_LIMIT_EXCEEDED for bodies over Options.MaxBodyBytes; 415
// UNSUPPORTED_MEDIA_TYPE for content types other than application/json
// and text/csv; 503 while no model is loaded.
package serving
