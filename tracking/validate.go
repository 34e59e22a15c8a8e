package tracking

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/apierr"
)

// MLflow's request limits.
const (
	MaxMetricsPerBatch       = 1000
	MaxParamsPerBatch        = 100
	MaxTagsPerBatch          = 100
	MaxEntitiesPerBatch      = 1000
	MaxKeyLen                = 250
	MaxParamValueLen         = 6000
	MaxTagValueLen           = 8000
	MaxExperimentTagValueLen = 20000
	MaxExperimentNameLen     = 500
	MaxRunNameLen            = 250
	MaxDatasetNameLen        = 500
	MaxDatasetDigestLen      = 36
	MaxDatasetSourceLen      = 65535
	MaxDatasetSchemaLen      = 1 << 20
	MaxDatasetProfileLen     = 16384
	MaxInputTagKeyLen        = 255
	MaxInputTagValueLen      = 500

	DefaultMaxResults = 1000  // search experiments and runs
	MaxSearchResults  = 50000 // search experiments and runs

	DefaultBulkIntervalMaxResults = 320
	MaxBulkIntervalMaxResults     = 1000
	MaxBulkIntervalRuns           = 100
)

// RunNameTag is the tag that mirrors a run's name.
const RunNameTag = "mlflow.runName"

// ParentRunTag is the tag naming a child run's parent.
const ParentRunTag = "mlflow.parentRunId"

// missing is MLflow's error for a required parameter that is absent.
func missing(field string) *apierr.Error {
	return apierr.Invalid("Missing value for required parameter '%s'. See the API docs for more information about request parameters.", field)
}

// validateKey checks a metric, param or tag key as MLflow does: not empty,
// at most 250 characters, made of letters, digits, underscores, dashes,
// periods, spaces, colons and slashes, and not a path escaping its root.
func validateKey(field, key string) error {
	if key == "" {
		return missing(field)
	}
	if n := utf8.RuneCountInString(key); n > MaxKeyLen {
		return apierr.Invalid("%s '%s…' is %d characters long, more than the limit of %d", field, truncate(key, 40), n, MaxKeyLen)
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '_' || r == '-' || r == '.' || r == ' ' || r == ':' || r == '/':
		default:
			return apierr.Invalid("invalid %s '%s': names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)", field, key)
		}
	}
	if strings.HasPrefix(key, "/") || key == ".." || strings.HasPrefix(key, "../") || strings.HasSuffix(key, "/..") || strings.Contains(key, "/../") {
		return apierr.Invalid("invalid %s '%s': names may not be absolute paths or contain '..' path components", field, key)
	}
	return nil
}

func validateValueLen(field, key, value string, limit int) error {
	if n := utf8.RuneCountInString(value); n > limit {
		return apierr.Invalid("%s of '%s' is %d characters long, more than the limit of %d", field, key, n, limit)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// runIDOf returns the run id of a request carrying both run_id and the
// deprecated run_uuid.
func runIDOf(runID, runUUID string) (string, error) {
	if runID == "" {
		runID = runUUID
	}
	if runID == "" {
		return "", missing("run_id")
	}
	return runID, nil
}

// newRunID returns a random 32-character hex id (a UUID4 without dashes).
func newRunID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// parseExperimentID parses a decimal experiment id.
func parseExperimentID(field, id string) (int64, error) {
	if id == "" {
		return 0, missing(field)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return 0, apierr.Invalid("invalid %s '%s': experiment ids are non-negative decimal integers", field, id)
	}
	return n, nil
}

// pageToken is the decoded form of a page_token: an offset into the
// ordered results.
type pageToken struct {
	Offset int64 `json:"offset"`
}

func encodePageToken(offset int64) string {
	b, _ := json.Marshal(pageToken{Offset: offset})
	return base64.StdEncoding.EncodeToString(b)
}

func decodePageToken(tok string) (int64, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		b, err = base64.URLEncoding.DecodeString(tok)
	}
	var pt pageToken
	if err == nil {
		err = json.Unmarshal(b, &pt)
	}
	if err != nil || pt.Offset < 0 {
		return 0, apierr.Invalid("invalid page_token '%s': pass the next_page_token of the previous response unchanged", truncate(tok, 64))
	}
	return pt.Offset, nil
}

// viewStages returns the lifecycle stages a view type selects.
func viewStages(field string, v ViewType) ([]string, error) {
	switch v {
	case "", ActiveOnly:
		return []string{StageActive}, nil
	case DeletedOnly:
		return []string{StageDeleted}, nil
	case All:
		return []string{StageActive, StageDeleted}, nil
	}
	return nil, apierr.Invalid("invalid %s '%s': want ACTIVE_ONLY, DELETED_ONLY or ALL", field, v)
}

func validStatus(s RunStatus) bool {
	switch s {
	case Running, Scheduled, Finished, Failed, Killed:
		return true
	}
	return false
}
