// Package mlflowapi serves MLflow's REST API 2.0 over Sluice's tracking
// store, model registry and artifact store: request and response JSON as
// MLflow's protos define them (proto field names, int64 as JSON numbers,
// enums as their names), errors as {"error_code": …, "message": …} with
// MLflow's HTTP statuses.
//
// An *API is an http.Handler. Each domain registers its endpoints on it:
// RegisterTracking (experiments, runs, metrics), RegisterRegistry
// (registered models, model versions) and RegisterArtifacts (artifact
// listing and the mlflow-artifacts proxy). Every endpoint is mounted under
// both /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/, as MLflow's server does.
package mlflowapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// Prefixes under which every endpoint is mounted.
var Prefixes = []string{"/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"}

// MaxBodyBytes bounds a JSON request body.
const MaxBodyBytes = 32 << 20

// API is MLflow's REST API as an http.Handler. Register endpoints before
// serving; ServeHTTP is safe for concurrent use.
type API struct {
	mux *http.ServeMux
	log *slog.Logger
}

// New returns an API with no endpoints; log receives internal errors.
func New(log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{mux: http.NewServeMux(), log: log}
	// Whatever no endpoint matches (unknown path or method) gets MLflow's
	// ENDPOINT_NOT_FOUND with status 404.
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.WriteError(w, r, apierr.New(apierr.EndpointNotFound, "%s %s: no such endpoint", r.Method, r.URL.Path))
	})
	return a
}

// Logger returns the API's logger.
func (a *API) Logger() *slog.Logger { return a.log }

// HandlerFunc handles one decoded request: it returns the response message
// (encoded as JSON with status 200) or an error (an *apierr.Error becomes
// MLflow's error body; anything else an INTERNAL_ERROR whose details are
// logged, not returned).
type HandlerFunc func(r *http.Request) (any, error)

// Handle mounts h for path (relative to the prefixes, e.g.
// "experiments/create") and the given methods under every prefix.
func (a *API) Handle(path string, methods []string, h HandlerFunc) {
	for _, p := range Prefixes {
		for _, m := range methods {
			a.mux.HandleFunc(m+" "+p+path, func(w http.ResponseWriter, r *http.Request) {
				resp, err := h(r)
				if err != nil {
					a.WriteError(w, r, err)
					return
				}
				WriteJSON(w, http.StatusOK, resp)
			})
		}
	}
}

// HandleRaw mounts an ordinary handler at a ServeMux pattern (for example
// the artifact proxy's "PUT /api/2.0/mlflow-artifacts/artifacts/{path...}").
func (a *API) HandleRaw(pattern string, h http.Handler) { a.mux.Handle(pattern, h) }

// ServeHTTP dispatches to the registered endpoints; an unknown path gets
// MLflow's ENDPOINT_NOT_FOUND with status 404.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v == nil {
		v = struct{}{}
	}
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// ErrorBody is MLflow's error response.
type ErrorBody struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// WriteError writes err as MLflow's error body. Errors that are not
// *apierr.Error are logged and answered as INTERNAL_ERROR without detail.
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := apierr.As(err)
	if e == nil {
		a.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = apierr.New(apierr.InternalError, "internal error serving %s %s; see the server log", r.Method, r.URL.Path)
	}
	WriteJSON(w, e.HTTPStatus(), ErrorBody{ErrorCode: string(e.Code), Message: e.Error()})
}

// Decode reads r's request message into dst (a pointer to a struct with
// json tags): the JSON body for POST, PATCH and DELETE; the query string
// for GET, where repeated keys fill slices and numbers and booleans are
// parsed by the field's type. Malformed input is an
// INVALID_PARAMETER_VALUE error naming the field.
func Decode(r *http.Request, dst any) error {
	if r.Method == http.MethodGet {
		return decodeQuery(r, dst)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return apierr.New(apierr.BadRequest, "read request body: %v", err)
	}
	if len(body) > MaxBodyBytes {
		return apierr.New(apierr.BadRequest, "request body larger than %d bytes", MaxBodyBytes)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		// MLflow clients send GET-style parameters in the query string of
		// some DELETE requests; accept them there too.
		return decodeQuery(r, dst)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError turns a JSON decoding error into a user-facing one naming the
// field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return apierr.Invalid("invalid value for parameter '%s': got JSON %s, want %s", te.Field, te.Value, jsonKind(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return apierr.New(apierr.BadRequest, "malformed JSON request body at byte %d: %v", se.Offset, err)
	}
	return apierr.New(apierr.BadRequest, "malformed JSON request body: %v", err)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice:
		return "a list"
	default:
		return "an object"
	}
}

// decodeQuery fills dst's fields from r's query string by their json tags.
func decodeQuery(r *http.Request, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("mlflowapi.Decode: dst must point to a struct, got %T", dst)
	}
	q := r.URL.Query()
	if len(q) == 0 {
		return nil
	}
	m := map[string]any{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		vals, ok := q[name]
		if !ok {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice {
			list := make([]any, 0, len(vals))
			for _, s := range vals {
				x, err := queryScalar(name, s, ft.Elem())
				if err != nil {
					return err
				}
				list = append(list, x)
			}
			m[name] = list
			continue
		}
		x, err := queryScalar(name, vals[len(vals)-1], ft)
		if err != nil {
			return err
		}
		m[name] = x
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return jsonError(err)
	}
	return nil
}

func queryScalar(name, s string, t reflect.Type) (any, error) {
	switch t.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, apierr.Invalid("invalid value %q for parameter '%s': want an integer", s, name)
		}
		return n, nil
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, apierr.Invalid("invalid value %q for parameter '%s': want a number", s, name)
		}
		return x, nil
	case reflect.Bool:
		x, err := strconv.ParseBool(s)
		if err != nil {
			return nil, apierr.Invalid("invalid value %q for parameter '%s': want true or false", s, name)
		}
		return x, nil
	case reflect.String:
		return s, nil
	default:
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			return nil, apierr.Invalid("invalid value %q for parameter '%s': want JSON", s, name)
		}
		return x, nil
	}
}
