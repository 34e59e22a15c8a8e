package registry

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/sluice-dev/sluice/apierr"
)

// Limits on user-supplied strings, as MLflow's.
const (
	MaxNameLength     = 256     // registered model name
	MaxTagKeyLength   = 250     // tag key
	MaxTagValueLength = 100_000 // registered model and model version tag value
	MaxAliasLength    = 255     // alias name
)

// missing is MLflow's error for an absent required parameter.
func missing(field string) *apierr.Error {
	return apierr.Invalid("Missing value for required parameter '%s'. See the API docs for more information about request parameters.", field)
}

// checkName validates a registered model name given in field.
func checkName(field, name string) error {
	if name == "" {
		return missing(field)
	}
	if len(name) > MaxNameLength {
		return apierr.Invalid("Parameter '%s' is %d bytes long, longer than the limit of %d.", field, len(name), MaxNameLength)
	}
	if strings.Contains(name, "/") {
		return apierr.Invalid("Invalid value '%s' for parameter '%s': registered model names may not contain '/'.", name, field).
			WithHint("models:/NAME/VERSION URIs could not address it; use another separator such as '.' or '-'")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return apierr.Invalid("Invalid value %q for parameter '%s': registered model names may not contain control characters.", name, field)
		}
	}
	return nil
}

// parseVersion validates a model version number given as a string.
func parseVersion(v string) (int64, error) {
	if v == "" {
		return 0, missing("version")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, apierr.Invalid("Parameter 'version' must be a positive integer, got '%s'.", v)
	}
	return n, nil
}

// canonicalStage returns stage in MLflow's spelling (matched
// case-insensitively).
func canonicalStage(stage string) (string, error) {
	for _, s := range Stages {
		if strings.EqualFold(s, stage) {
			return s, nil
		}
	}
	return "", apierr.Invalid("Invalid Model Version stage: %s. Value must be one of %s.", stage, strings.Join(Stages, ", "))
}

// checkTag validates a tag key and value.
func checkTag(key, value string) error {
	if key == "" {
		return missing("key")
	}
	if len(key) > MaxTagKeyLength {
		return apierr.Invalid("Tag key '%s' is %d bytes long, longer than the limit of %d.", key, len(key), MaxTagKeyLength)
	}
	for _, r := range key {
		ok := r == '_' || r == '-' || r == '.' || r == ' ' || r == '/' || r == ':' ||
			unicode.IsLetter(r) || unicode.IsDigit(r)
		if !ok {
			return apierr.Invalid("Invalid tag name: '%s'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).", key)
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == ".." || seg == "." {
			return apierr.Invalid("Invalid tag name: '%s'. Names may not contain '.' or '..' path segments.", key)
		}
	}
	if len(value) > MaxTagValueLength {
		return apierr.Invalid("Tag value of key '%s' is %d bytes long, longer than the limit of %d.", key, len(value), MaxTagValueLength)
	}
	return nil
}

// checkAlias validates an alias name.
func checkAlias(alias string) error {
	if alias == "" {
		return missing("alias")
	}
	if len(alias) > MaxAliasLength {
		return apierr.Invalid("Alias '%s' is %d bytes long, longer than the limit of %d.", alias, len(alias), MaxAliasLength)
	}
	for _, r := range alias {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return apierr.Invalid("Invalid alias name: '%s'. Alias names may only contain alphanumerics, underscores (_) and dashes (-).", alias)
		}
	}
	if strings.EqualFold(alias, "latest") {
		return apierr.Invalid("'%s' alias name (case insensitive) is reserved.", alias)
	}
	if len(alias) > 1 && (alias[0] == 'v' || alias[0] == 'V') {
		if _, err := strconv.ParseUint(alias[1:], 10, 64); err == nil {
			return apierr.Invalid("Version alias name '%s' is reserved.", alias)
		}
	}
	return nil
}

func modelNotFound(name string) *apierr.Error {
	return apierr.NotFound("Registered Model with name=%s not found", name)
}

func versionNotFound(name string, version int64) *apierr.Error {
	return apierr.NotFound("Model Version (name=%s, version=%d) not found", name, version)
}

func modelExists(name string) *apierr.Error {
	return apierr.Exists("Registered Model (name=%s) already exists.", name)
}
