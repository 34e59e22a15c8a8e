package serving

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/models"
)

// Options configures a Handler. The zero value is valid; DefaultOptions
// spells out the defaults.
type Options struct {
	// MaxBodyBytes bounds a request body; larger ones get 413
	// REQUEST_LIMIT_EXCEEDED. Default 16 MiB.
	MaxBodyBytes int64
	// Version is what GET /version answers. Default "dev".
	Version string
	// Logger receives internal errors (5xx). Default: discard.
	Logger *slog.Logger
}

// DefaultOptions returns the defaults described on Options' fields.
func DefaultOptions() Options {
	return Options{MaxBodyBytes: 16 << 20, Version: "dev", Logger: slog.New(slog.DiscardHandler)}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = d.MaxBodyBytes
	}
	if o.Version == "" {
		o.Version = d.Version
	}
	if o.Logger == nil {
		o.Logger = d.Logger
	}
	return o
}

// Handler serves one model with MLflow's scoring protocol:
//
//	GET  /ping, /health   200 once a model is loaded, 503 before
//	GET  /version         the Sluice version (text)
//	POST /invocations     {"predictions": [...]} for a JSON or CSV body
//
// /invocations accepts Content-Type application/json with one of
// MLflow's bodies — dataframe_split {columns, data[, index]},
// dataframe_records [{col: v}], instances (records, lists of values, or
// values for single-input models), inputs ({col: [values]} or a list) —
// with optional "params": {"output": "col" | ["col", …]}; and text/csv
// with a header row. Inputs are checked against the model's signature:
// a missing or mistyped column is a 400 BAD_REQUEST naming the column
// and row (rows count from 1); other content types get 415. Predictions
// are the model's prediction column, one value per row; with
// params.output naming several columns, one object per row.
//
// The model is held in an atomic pointer: Swap replaces it while
// requests run, each request finishing on the model it started with.
// A Handler is safe for concurrent use.
type Handler struct {
	p    atomic.Pointer[plan]
	opts Options
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a handler serving m; m may be nil, in which case
// the handler answers 503 until Swap installs a model.
func NewHandler(m *models.Model, opts Options) *Handler {
	h := &Handler{opts: opts.withDefaults()}
	if m != nil {
		h.p.Store(newPlan(m))
	}
	return h
}

// Swap makes m the served model and returns the previous one (nil if
// none). Requests already running finish on the previous model; none is
// dropped. m must not be nil.
func (h *Handler) Swap(m *models.Model) *models.Model {
	old := h.p.Swap(newPlan(m))
	if old == nil {
		return nil
	}
	return old.model
}

// Model returns the served model, or nil.
func (h *Handler) Model() *models.Model {
	if p := h.p.Load(); p != nil {
		return p.model
	}
	return nil
}

// ServeHTTP routes /ping, /health, /version and /invocations.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.route(w, r, r.URL.Path)
}

var (
	jsonContentType = []string{"application/json"}
	textContentType = []string{"text/plain; charset=utf-8"}
)

// route serves path, the part of the URL after any mount prefix.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, path string) {
	switch path {
	case "/invocations":
		if r.Method != http.MethodPost {
			w.Header()["Allow"] = []string{"POST"}
			writeError(w, http.StatusMethodNotAllowed, apierr.BadRequest, "/invocations takes POST")
			return
		}
		h.invocations(w, r)
	case "/ping", "/health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, http.StatusMethodNotAllowed, apierr.BadRequest, path+" takes GET")
			return
		}
		if h.p.Load() == nil {
			writeError(w, http.StatusServiceUnavailable, apierr.InvalidState, "no model is loaded yet")
			return
		}
		w.Header()["Content-Type"] = jsonContentType
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "\n")
	case "/version":
		w.Header()["Content-Type"] = textContentType
		io.WriteString(w, h.opts.Version)
	default:
		writeError(w, http.StatusNotFound, apierr.EndpointNotFound, fmt.Sprintf("%s %s: no such endpoint; use /ping, /health, /version or /invocations", r.Method, r.URL.Path))
	}
}

// writeError writes MLflow's error body.
func writeError(w http.ResponseWriter, status int, code apierr.Code, msg string) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	b := make([]byte, 0, 64+len(msg))
	b = append(b, `{"error_code": "`...)
	b = append(b, code...)
	b = append(b, `", "message": `...)
	b = models.AppendString(b, msg)
	b = append(b, "}\n"...)
	w.Write(b)
}

func (h *Handler) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	e := apierr.As(err)
	if e == nil {
		h.opts.Logger.Error("serving: internal error", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, apierr.InternalError, "internal error; see the server log")
		return
	}
	writeError(w, e.HTTPStatus(), e.Code, e.Error())
}

type bodyKind uint8

const (
	bodyJSON bodyKind = iota + 1
	bodyCSV
)

// contentKind reads the media type of a Content-Type header without
// allocating.
func contentKind(ct string) bodyKind {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	switch {
	case strings.EqualFold(ct, "application/json"):
		return bodyJSON
	case strings.EqualFold(ct, "text/csv"):
		return bodyCSV
	}
	return 0
}

var errTooLarge = errors.New("body too large")

// readBody reads the request body into buf, at most max bytes.
func readBody(r *http.Request, buf []byte, max int64) ([]byte, error) {
	if r.ContentLength > max {
		return buf, errTooLarge
	}
	if r.ContentLength > 0 {
		n := int(r.ContentLength)
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return buf[:0], err
		}
		return buf, nil
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return buf, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (h *Handler) invocations(w http.ResponseWriter, r *http.Request) {
	p := h.p.Load()
	if p == nil {
		writeError(w, http.StatusServiceUnavailable, apierr.InvalidState, "no model is loaded yet; retry shortly")
		return
	}
	kind := contentKind(r.Header.Get("Content-Type"))
	if kind == 0 {
		writeError(w, http.StatusUnsupportedMediaType, apierr.UnsupportedMediaType,
			fmt.Sprintf("content type %q is not supported; send application/json (dataframe_split, dataframe_records, instances or inputs) or text/csv", r.Header.Get("Content-Type")))
		return
	}
	d := p.getDecoder()
	defer p.putDecoder(d)
	defer func() {
		if v := recover(); v != nil {
			h.opts.Logger.Error("serving: panic in /invocations", "panic", v)
			writeError(w, http.StatusInternalServerError, apierr.InternalError, "internal error; see the server log")
		}
	}()
	var err error
	d.body, err = readBody(r, d.body, h.opts.MaxBodyBytes)
	if errors.Is(err, errTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, apierr.RequestLimitExceeded,
			fmt.Sprintf("request body is larger than %d bytes; send fewer rows per request", h.opts.MaxBodyBytes))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, apierr.BadRequest, "reading the request body: "+err.Error())
		return
	}
	if kind == bodyJSON {
		err = d.decodeJSON(d.body)
	} else {
		err = d.decodeCSV(d.body)
	}
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	out, err := h.predict(r.Context(), p, d)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	w.Header()["Content-Type"] = jsonContentType
	w.Write(out)
}

// predict runs the model on the decoded rows and encodes the answer
// into d.out.
func (h *Handler) predict(ctx context.Context, p *plan, d *decoder) ([]byte, error) {
	f, cols, err := d.frame()
	if err != nil {
		return nil, err
	}
	if c := p.chain; c != nil && c.final != nil && !d.hasOut {
		// The prediction alone: all stages but the last, then its kernel.
		d.vals, err = c.runSteps(ctx, cols, d.rows, d.vals, len(c.steps)-1)
		if err == nil && d.vals[c.final.features] != nil {
			d.out = append(d.out[:0], `{"predictions": [`...)
			if err = c.final.predict(d, d.vals[c.final.features]); err == nil {
				return append(d.out, "]}\n"...), nil
			}
		}
		// Otherwise the stages below report the error as they do.
	}
	var res result
	if p.chain != nil {
		d.vals, err = p.chain.run(ctx, cols, d.rows, d.vals)
		if err == nil {
			res = result{c: p.chain, vals: d.vals}
		}
		// On errFallback, and to report a model error exactly as the
		// whole pipeline does, run the pipeline.
	}
	if res.vals == nil {
		out, err := p.model.Pipeline.Transform(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				return nil, apierr.New(apierr.BadRequest, "request cancelled")
			}
			return nil, badRequest("the model failed on this input: %v", err)
		}
		res = result{frame: out}
	}
	d.out = append(d.out[:0], `{"predictions": [`...)
	if !d.hasOut {
		if d.out, err = appendColumn(d.out, res, p.model.PredictionCol); err != nil {
			return nil, err
		}
		return append(d.out, "]}\n"...), nil
	}
	names := strings.Split(string(d.output), ",")
	for _, n := range names {
		if res.column(n) == nil {
			return nil, badRequest("params.output: no column %q; the model's output columns are %s", n, strings.Join(res.names(), ", "))
		}
	}
	if len(names) == 1 {
		if d.out, err = appendColumn(d.out, res, names[0]); err != nil {
			return nil, err
		}
		return append(d.out, "]}\n"...), nil
	}
	if d.out, err = appendRecords(d.out, res, names); err != nil {
		return nil, err
	}
	return append(d.out, "]}\n"...), nil
}

// result is the model's output columns: from the narrow-frame chain or
// from the whole pipeline's frame.
type result struct {
	c     *chain
	vals  []*arrow.Chunked
	frame *ml.Frame
}

// column returns the named output column, or nil.
func (r result) column(name string) *arrow.Chunked {
	if r.frame != nil {
		col, err := r.frame.Column(name)
		if err != nil {
			return nil
		}
		return col
	}
	id, ok := r.c.ids[name]
	if !ok {
		return nil
	}
	return r.vals[id]
}

// names lists the output columns.
func (r result) names() []string {
	if r.frame != nil {
		return ml.ColumnNames(r.frame.Schema())
	}
	var out []string
	for id, n := range r.c.names {
		if r.vals[id] != nil {
			out = append(out, n)
		}
	}
	return out
}

// appendColumn writes the values of column name, comma-separated.
func appendColumn(dst []byte, r result, name string) ([]byte, error) {
	col := r.column(name)
	if col == nil {
		return dst, fmt.Errorf("output column %s is missing", name)
	}
	k := 0
	for _, a := range col.Chunks() {
		for i := 0; i < a.Len(); i++ {
			if k > 0 {
				dst = append(dst, ", "...)
			}
			k++
			var err error
			if dst, err = models.AppendJSON(dst, a, i); err != nil {
				return dst, fmt.Errorf("output column %s: %w", name, err)
			}
		}
	}
	return dst, nil
}

// appendRecords writes one {name: value, …} object per row.
func appendRecords(dst []byte, r result, names []string) ([]byte, error) {
	arrs := make([]arrow.Array, len(names))
	rows := -1
	for j, n := range names {
		a, err := ml.Flatten(r.column(n))
		if err != nil {
			return dst, err
		}
		defer a.Release()
		arrs[j] = a
		if rows >= 0 && a.Len() != rows {
			return dst, badRequest("params.output: columns %s and %s have different numbers of rows", names[0], n)
		}
		rows = a.Len()
	}
	for i := 0; i < rows; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '{')
		for j, n := range names {
			if j > 0 {
				dst = append(dst, ", "...)
			}
			dst = models.AppendString(dst, n)
			dst = append(dst, ": "...)
			var err error
			if dst, err = models.AppendJSON(dst, arrs[j], i); err != nil {
				return dst, fmt.Errorf("output column %s: %w", n, err)
			}
		}
		dst = append(dst, '}')
	}
	return dst, nil
}
