package serving

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/models"
)

// LoadFunc loads the MLflow model directory dir; the server passes
// models.Load with its stage registry. ctx bounds the load.
type LoadFunc func(ctx context.Context, dir string) (*models.Model, error)

// RegistryConfig configures a RegistryHandler.
type RegistryConfig struct {
	// Prefix is where the handler is mounted. Default "/serving/".
	Prefix string
	// Alias is the alias served when Targets has no entry for a model;
	// a model without that alias serves its latest version. Default
	// "champion".
	Alias string
	// Targets pins what to serve per model name: "@ALIAS", a version
	// number, "latest", or a stage (Production …, its latest version).
	// Default: none (Alias, else latest, for every model).
	Targets map[string]string
	// PollInterval is how often Run re-resolves the served models and
	// swaps in new versions. Default 5s; must not be negative.
	PollInterval time.Duration
	// CacheDir is where model versions are downloaded (models.Resolve).
	// Required.
	CacheDir string
	// Handler configures each model's handler.
	Handler Options
	// Logger receives swaps and background errors. Default: discard.
	Logger *slog.Logger
}

// DefaultRegistryConfig returns the defaults described on
// RegistryConfig's fields (CacheDir is left empty).
func DefaultRegistryConfig() RegistryConfig {
	return RegistryConfig{Prefix: "/serving/", Alias: "champion", PollInterval: 5 * time.Second, Handler: DefaultOptions()}
}

// Validate checks the config and names the bad field.
func (c RegistryConfig) Validate() error {
	switch {
	case !strings.HasPrefix(c.Prefix, "/") || !strings.HasSuffix(c.Prefix, "/"):
		return fmt.Errorf("serving: RegistryConfig.Prefix %q must start and end with /", c.Prefix)
	case c.PollInterval < 0:
		return fmt.Errorf("serving: RegistryConfig.PollInterval %v is negative", c.PollInterval)
	case c.CacheDir == "":
		return errors.New("serving: RegistryConfig.CacheDir is empty; give a directory to download models into")
	}
	for name, t := range c.Targets {
		if err := checkTarget(t); err != nil {
			return fmt.Errorf("serving: RegistryConfig.Targets[%q]: %w", name, err)
		}
	}
	return nil
}

func checkTarget(t string) error {
	if t == "" {
		return errors.New("empty target; use @ALIAS, a version, latest or a stage")
	}
	if a, ok := strings.CutPrefix(t, "@"); ok {
		_, err := models.ParseURI("models:/m@" + a)
		return err
	}
	_, err := models.ParseURI("models:/m/" + t)
	return err
}

// RegistryHandler serves registered models under PREFIX/NAME/…
// (/ping, /health, /version, /invocations as Handler does), each at the
// version its alias points to (see RegistryConfig). A model is loaded on
// its first request (which waits for it); Run then re-resolves every
// served model each PollInterval, and Refresh asks it to do so at once
// for one model. A new version loads in the background and is swapped in
// atomically: requests keep being answered by the old version until
// then, and none fails because of a swap. A failed refresh is logged and
// the old version stays. Safe for concurrent use.
type RegistryHandler struct {
	r    models.Resolver
	load LoadFunc
	cfg  RegistryConfig
	log  *slog.Logger

	ctx    context.Context // bounds loads; cancelled by Close
	cancel context.CancelFunc

	mu     sync.RWMutex
	models map[string]*served

	refresh chan string
}

// served is one model under the handler.
type served struct {
	name  string
	h     *Handler
	ready chan struct{} // closed when the first load finished
	err   error         // the first load's error, set before ready closes

	mu      sync.Mutex // serializes loads
	version string
	source  string
}

var _ http.Handler = (*RegistryHandler)(nil)

// NewRegistryHandler returns a handler resolving models through r and
// loading them with load. Zero fields of cfg take their defaults
// (DefaultRegistryConfig); the result is then validated.
func NewRegistryHandler(r models.Resolver, load LoadFunc, cfg RegistryConfig) (*RegistryHandler, error) {
	d := DefaultRegistryConfig()
	if cfg.Prefix == "" {
		cfg.Prefix = d.Prefix
	}
	if cfg.Alias == "" {
		cfg.Alias = d.Alias
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = d.PollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Handler.Logger == nil {
		cfg.Handler.Logger = cfg.Logger
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if r == nil || load == nil {
		return nil, errors.New("serving: NewRegistryHandler needs a resolver and a load function")
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &RegistryHandler{
		r: r, load: load, cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel,
		models: map[string]*served{}, refresh: make(chan string, 64),
	}, nil
}

// Close cancels loads in progress. Requests still running finish on the
// models they have; it is idempotent.
func (h *RegistryHandler) Close() error {
	h.cancel()
	return nil
}

// ServeHTTP serves PREFIX/NAME/ENDPOINT.
func (h *RegistryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, h.cfg.Prefix)
	name, sub, _ := strings.Cut(rest, "/")
	if !ok || name == "" || sub == "" {
		writeError(w, http.StatusNotFound, apierr.EndpointNotFound,
			fmt.Sprintf("%s %s: no such endpoint; use %sNAME/ping, /health, /version or /invocations", r.Method, r.URL.Path, h.cfg.Prefix))
		return
	}
	e, err := h.get(r.Context(), name)
	if err != nil {
		h.writeLoadErr(w, name, err)
		return
	}
	e.h.route(w, r, "/"+sub)
}

func (h *RegistryHandler) writeLoadErr(w http.ResponseWriter, name string, err error) {
	e := apierr.As(err)
	switch {
	case e != nil:
		writeError(w, e.HTTPStatus(), e.Code, fmt.Sprintf("model %s: %s", name, e.Error()))
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, apierr.InvalidState, fmt.Sprintf("model %s: not loaded yet (%v); retry", name, err))
	default:
		h.log.Error("serving: load failed", "model", name, "err", err)
		writeError(w, http.StatusInternalServerError, apierr.InternalError, fmt.Sprintf("model %s could not be loaded; see the server log", name))
	}
}

// get returns the served model, loading it first if it is new; it
// waits for a load in progress until ctx is done.
func (h *RegistryHandler) get(ctx context.Context, name string) (*served, error) {
	h.mu.RLock()
	e := h.models[name]
	h.mu.RUnlock()
	if e == nil {
		h.mu.Lock()
		if e = h.models[name]; e == nil {
			e = &served{name: name, h: NewHandler(nil, h.cfg.Handler), ready: make(chan struct{})}
			h.models[name] = e
			h.mu.Unlock()
			e.err = h.sync(h.ctx, e)
			if e.err != nil {
				h.mu.Lock()
				if h.models[name] == e {
					delete(h.models, name) // the next request tries again
				}
				h.mu.Unlock()
			}
			close(e.ready)
		} else {
			h.mu.Unlock()
		}
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return nil, e.err
	}
	return e, nil
}

// Sync resolves name's target now and, when it moved to another version,
// loads that version and swaps it in before returning. A model not
// served yet is loaded. ctx bounds the lookup and the load.
func (h *RegistryHandler) Sync(ctx context.Context, name string) error {
	h.mu.RLock()
	e := h.models[name]
	h.mu.RUnlock()
	if e == nil {
		_, err := h.get(ctx, name)
		return err
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if e.err != nil {
		return e.err
	}
	return h.sync(ctx, e)
}

// Refresh asks Run to re-resolve name at once (for example after its
// alias was moved). It does not block; requests made while Run is busy
// may be coalesced with the next poll.
func (h *RegistryHandler) Refresh(name string) {
	select {
	case h.refresh <- name:
	default:
	}
}

// Run polls the served models every PollInterval (and on Refresh) until
// ctx is done, swapping in new versions. It returns nil when ctx ends.
// Call it once, from the goroutine that owns the handler's lifetime.
func (h *RegistryHandler) Run(ctx context.Context) error {
	t := time.NewTicker(h.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.ctx.Done():
			return nil
		case name := <-h.refresh:
			h.mu.RLock()
			e := h.models[name]
			h.mu.RUnlock()
			if e != nil {
				h.syncLogged(ctx, e)
			}
		case <-t.C:
			h.mu.RLock()
			list := make([]*served, 0, len(h.models))
			for _, e := range h.models {
				list = append(list, e)
			}
			h.mu.RUnlock()
			slices.SortFunc(list, func(a, b *served) int { return strings.Compare(a.name, b.name) })
			for _, e := range list {
				if ctx.Err() != nil {
					return nil
				}
				h.syncLogged(ctx, e)
			}
		}
	}
}

func (h *RegistryHandler) syncLogged(ctx context.Context, e *served) {
	select {
	case <-e.ready:
	default:
		return // its first load is still running
	}
	if e.err != nil {
		return
	}
	ctx, cancel := mergeCancel(ctx, h.ctx)
	defer cancel()
	if err := h.sync(ctx, e); err != nil && ctx.Err() == nil {
		h.log.Warn("serving: refresh failed; keeping the current version", "model", e.name, "version", e.version, "err", err)
	}
}

// mergeCancel returns a ctx cancelled when either a or b is.
func mergeCancel(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}

// target looks up the version name should serve.
func (h *RegistryHandler) target(ctx context.Context, name string) (models.VersionInfo, error) {
	t := h.cfg.Targets[name]
	switch {
	case t == "":
		v, err := h.r.ModelVersionByAlias(ctx, name, h.cfg.Alias)
		if err == nil || !apierr.IsNotFound(err) {
			return v, err
		}
		return h.r.LatestModelVersion(ctx, name, "")
	case strings.HasPrefix(t, "@"):
		return h.r.ModelVersionByAlias(ctx, name, t[1:])
	}
	u, err := models.ParseURI("models:/" + name + "/" + t)
	if err != nil {
		return models.VersionInfo{}, err
	}
	if u.Latest {
		return h.r.LatestModelVersion(ctx, name, u.Stage)
	}
	return h.r.ModelVersion(ctx, name, u.Version)
}

// sync brings e to its target version.
func (h *RegistryHandler) sync(ctx context.Context, e *served) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, err := h.target(ctx, e.name)
	if err != nil {
		return err
	}
	if v.Name == "" {
		v.Name = e.name
	}
	if v.Version == e.version && v.Source == e.source && e.h.Model() != nil {
		return nil
	}
	res, err := models.ResolveVersion(ctx, v, h.r, h.cfg.CacheDir)
	if err != nil {
		return err
	}
	m, err := h.load(ctx, res.Dir)
	if err != nil {
		return fmt.Errorf("load version %s: %w", v.Version, err)
	}
	old := e.version
	e.h.Swap(m)
	e.version, e.source = v.Version, v.Source
	if old == "" {
		h.log.Info("serving: model loaded", "model", e.name, "version", v.Version)
	} else {
		h.log.Info("serving: model swapped", "model", e.name, "from", old, "to", v.Version)
	}
	return nil
}

// Version returns the version of name being served, or "" when it is
// not loaded.
func (h *RegistryHandler) Version(name string) string {
	h.mu.RLock()
	e := h.models[name]
	h.mu.RUnlock()
	if e == nil {
		return ""
	}
	select {
	case <-e.ready:
	default:
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version
}
