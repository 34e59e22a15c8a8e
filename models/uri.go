package models

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// Kind is the kind of a model URI.
type Kind int

// URI kinds.
const (
	// KindLocal is a local directory: a plain path or file:///path.
	KindLocal Kind = iota
	// KindModel is a registered model version: models:/NAME/VERSION,
	// models:/NAME@ALIAS, models:/NAME/latest or models:/NAME/STAGE.
	KindModel
	// KindRun is a run's artifact: runs:/RUN_ID/PATH.
	KindRun
	// KindArtifact is any other artifact URI the Resolver downloads:
	// mlflow-artifacts:/…, s3://…, gs://….
	KindArtifact
)

// Stages a model version can be in, as MLflow names them.
var modelStages = []string{"None", "Staging", "Production", "Archived"}

// URI is a parsed model URI.
type URI struct {
	Kind Kind
	// Raw is the URI as given.
	Raw string
	// Path is the local directory (KindLocal).
	Path string
	// Name is the registered model's name (KindModel).
	Name string
	// Version is the version number (KindModel with a version).
	Version string
	// Alias is the alias (KindModel with @ALIAS).
	Alias string
	// Latest is true for models:/NAME/latest and models:/NAME/STAGE
	// (the latest version, in Stage when it is set).
	Latest bool
	// Stage is the stage of models:/NAME/STAGE, in MLflow's spelling.
	Stage string
	// RunID and ArtifactPath address runs:/RUN_ID/PATH (KindRun).
	RunID, ArtifactPath string
}

// String returns the URI in canonical form.
func (u URI) String() string {
	switch u.Kind {
	case KindModel:
		switch {
		case u.Alias != "":
			return "models:/" + u.Name + "@" + u.Alias
		case u.Stage != "":
			return "models:/" + u.Name + "/" + u.Stage
		case u.Latest:
			return "models:/" + u.Name + "/latest"
		}
		return "models:/" + u.Name + "/" + u.Version
	case KindRun:
		if u.ArtifactPath == "" {
			return "runs:/" + u.RunID
		}
		return "runs:/" + u.RunID + "/" + u.ArtifactPath
	case KindLocal:
		return u.Path
	}
	return u.Raw
}

var (
	aliasRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	runIDRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// maxURILen bounds the URIs ParseURI accepts.
const maxURILen = 4096

// ParseURI parses a model URI:
//
//	models:/NAME/VERSION   a registered model version (VERSION a positive integer)
//	models:/NAME@ALIAS     the version an alias points to
//	models:/NAME/latest    the latest version
//	models:/NAME/STAGE     the latest version in STAGE (Staging, Production, Archived, None)
//	runs:/RUN_ID/PATH      PATH in a run's artifacts
//	mlflow-artifacts:/…    an artifact in the tracking server's store (also s3://, gs://, …)
//	file:///dir, dir       a local directory
//
// Errors are INVALID_PARAMETER_VALUE naming the bad part of the URI.
func ParseURI(s string) (URI, error) {
	u := URI{Raw: s}
	if s == "" {
		return u, apierr.Invalid("model URI is empty").WithHint("give a directory, models:/NAME/VERSION, models:/NAME@ALIAS or runs:/RUN_ID/PATH")
	}
	if len(s) > maxURILen {
		return u, apierr.Invalid("model URI is longer than %d characters", maxURILen)
	}
	if strings.ContainsAny(s, "\x00\n\r") {
		return u, apierr.Invalid("model URI %q contains control characters", s)
	}
	scheme, rest, hasScheme := strings.Cut(s, ":")
	if !hasScheme || !schemeRE.MatchString(s) || len(scheme) == 1 { // C:\dir is a path
		u.Kind, u.Path = KindLocal, s
		return u, nil
	}
	switch strings.ToLower(scheme) {
	case "models":
		return parseModelsURI(u, rest)
	case "runs":
		return parseRunsURI(u, rest)
	case "file":
		pu, err := url.Parse(s)
		if err != nil {
			return u, apierr.Invalid("model URI %q: %v", s, err)
		}
		if pu.Host != "" && pu.Host != "localhost" {
			return u, apierr.Invalid("model URI %q: file URIs on another host (%s) are not supported; use file:///path", s, pu.Host)
		}
		if pu.Path == "" {
			return u, apierr.Invalid("model URI %q has no path", s)
		}
		u.Kind, u.Path = KindLocal, pu.Path
		return u, nil
	}
	if _, err := url.Parse(s); err != nil {
		return u, apierr.Invalid("model URI %q: %v", s, err)
	}
	u.Kind = KindArtifact
	return u, nil
}

func parseModelsURI(u URI, rest string) (URI, error) {
	u.Kind = KindModel
	bad := func(format string, args ...any) (URI, error) {
		return u, apierr.Invalid("model URI %q: %s", u.Raw, fmt.Sprintf(format, args...)).
			WithHint("write models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest or models:/NAME/STAGE")
	}
	if strings.HasPrefix(rest, "//") {
		return bad("a models URI has no host or profile part (models://…); Sluice resolves models in its own registry")
	}
	if !strings.HasPrefix(rest, "/") {
		return bad("missing / after models:")
	}
	p := rest[1:]
	if q := strings.IndexAny(p, "?#"); q >= 0 {
		return bad("query strings and fragments are not supported")
	}
	if name, alias, ok := strings.Cut(p, "@"); ok {
		if name == "" {
			return bad("no model name before @")
		}
		if strings.Contains(name, "/") {
			return bad("a model name in a URI cannot contain /")
		}
		if !aliasRE.MatchString(alias) {
			return bad("alias %q: use letters, digits, _ and - (at most 255)", alias)
		}
		u.Name, u.Alias = name, alias
		return u, nil
	}
	name, ver, ok := strings.Cut(p, "/")
	if !ok {
		return bad("no version: add /VERSION, /latest or @ALIAS")
	}
	if name == "" {
		return bad("no model name")
	}
	if ver == "" || strings.Contains(ver, "/") {
		return bad("version %q: want a number, latest, a stage or @ALIAS after the name", ver)
	}
	u.Name = name
	if n, err := strconv.ParseInt(ver, 10, 64); err == nil {
		if n <= 0 {
			return bad("version %s: versions start at 1", ver)
		}
		u.Version = strconv.FormatInt(n, 10)
		return u, nil
	}
	if strings.EqualFold(ver, "latest") {
		u.Latest = true
		return u, nil
	}
	for _, st := range modelStages {
		if strings.EqualFold(ver, st) {
			u.Latest, u.Stage = true, st
			return u, nil
		}
	}
	return bad("%q is neither a version number, latest, nor a stage (%s)", ver, strings.Join(modelStages, ", "))
}

func parseRunsURI(u URI, rest string) (URI, error) {
	u.Kind = KindRun
	bad := func(format string, args ...any) (URI, error) {
		return u, apierr.Invalid("model URI %q: %s", u.Raw, fmt.Sprintf(format, args...)).
			WithHint("write runs:/RUN_ID/PATH, e.g. runs:/0a1b…/model")
	}
	if strings.HasPrefix(rest, "//") {
		return bad("a runs URI has no host part (runs://…)")
	}
	if !strings.HasPrefix(rest, "/") {
		return bad("missing / after runs:")
	}
	id, p, _ := strings.Cut(rest[1:], "/")
	if !runIDRE.MatchString(id) {
		return bad("run ID %q: use letters, digits, _ and -", id)
	}
	p = strings.Trim(p, "/")
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." || (seg == "" && p != "") {
			return bad("artifact path %q must not contain empty, . or .. segments", p)
		}
	}
	if strings.ContainsAny(p, `\?#`) {
		return bad("artifact path %q must not contain \\, ? or #", p)
	}
	u.RunID, u.ArtifactPath = id, p
	return u, nil
}
