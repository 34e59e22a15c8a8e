// Package artifacts stores MLflow run and model artifacts: files
// addressed by "/"-separated paths relative to a root, in a local
// directory or an S3 bucket, through gocloud.dev/blob.
//
// # Paths never escape
//
// Every path a caller gives is checked by CleanPath before it reaches the
// storage: a ".." component, an absolute path, a drive letter, a
// backslash, NUL or another control character is refused with an
// INVALID_PARAMETER_VALUE *apierr.Error naming the path; nothing is
// clamped silently. In a local store, a symlink found along a path that
// resolves outside the root (or a Sub store's root) is refused the same
// way, as are such symlinks met while listing, deleting or copying. The
// symlink checks run just before each operation; a process that plants
// symlinks in the directory between the check and the operation is
// outside what they guard against.
//
// # MLflow artifact URIs
//
// A run's artifact_uri has the form
// "mlflow-artifacts:/<experiment_id>/<run_id>/artifacts". KeyForURI maps it
// onto a key of the store ("1/<run_id>/artifacts"), and Store.RunRoot
// returns a view of the store confined to it, so that a request about one
// run can never reach another's files.
//
// # Main types
//
// Open returns a *Store for a directory, a file:// URL or an s3:// URL.
// Put, Get, Stat, List and Delete work on single paths; UploadDir and
// DownloadDir copy directory trees with bounded concurrency. Errors caused
// by the caller (a bad or missing path) are *apierr.Error; others wrap the
// storage error.
package artifacts
