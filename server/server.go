package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/mlflowapi"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// Stores gives the server its stores. *workspace.Workspace and
// *stores.Stores implement it; each accessor may open its store on first
// call (ctx bounds that).
type Stores interface {
	Tracking(ctx context.Context) (*tracking.Store, error)
	Registry(ctx context.Context) (*registry.Store, error)
	Artifacts(ctx context.Context) (*artifacts.Store, error)
}

var (
	_ Stores = (*stores.Stores)(nil)
)

// Server is Sluice's HTTP server: the MLflow REST API, model serving under
// /serving/, /health, /version and /metrics. Build it with New or Open,
// then Run it (or mount Handler in a test server). Its methods are safe
// for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler http.Handler
	metrics *metrics
	token   [sha256.Size]byte // sha256 of cfg.Token, compared in constant time
	// background tasks (model-alias pollers) Run starts and waits for.
	background []func(ctx context.Context) error

	serving *servingPart
	owned   io.Closer // stores opened by Open, closed by Close

	closeOnce sync.Once
	closeErr  error
}

// New returns a server over st configured by cfg (see Config for the
// defaults of zero fields). The stores are opened now, so a bad database
// or artifact URL fails here; ctx bounds that. Config.Dir, DB and
// Artifacts must be empty: configure st instead. The caller keeps
// ownership of st.
func New(ctx context.Context, st Stores, cfg Config) (*Server, error) {
	if cfg.Dir != "" || cfg.DB != "" || cfg.Artifacts != "" {
		return nil, errors.New("server.New: Config.Dir, DB and Artifacts are for server.Open; configure the stores passed to New instead")
	}
	return newServer(ctx, st, cfg)
}

// Open returns a server over the stores named by cfg.Dir, cfg.DB and
// cfg.Artifacts (see workspace/stores for the defaults), which it opens
// now and closes in Close. ctx bounds opening them.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	st, err := stores.New(stores.Config{Dir: cfg.Dir, DB: cfg.DB, Artifacts: cfg.Artifacts})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if cfg.ServingCacheDir == "" && cfg.Dir != "" {
		cfg.ServingCacheDir = filepath.Join(cfg.Dir, "cache", "serving")
	}
	s, err := newServer(ctx, st, cfg)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	s.owned = st
	return s, nil
}

func newServer(ctx context.Context, st Stores, cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errors.New("server: nil Stores")
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if cfg.Token != "" {
		s.token = tokenHash(cfg.Token)
	}
	reg, gat := cfg.Registerer, cfg.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg = r
		if gat == nil {
			gat = r
		}
	} else if g, ok := reg.(prometheus.Gatherer); ok && gat == nil {
		gat = g
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("server: register metrics: %w", err)
	}
	s.metrics = m

	api, err := NewAPI(ctx, st, s.log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "OK")
	})
	mux.Handle("GET /version", s.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, cfg.Version)
	})))
	if gat != nil {
		mux.Handle("GET /metrics", s.auth(promhttp.HandlerFor(gat, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)})))
	}
	sp, err := newServing(st, cfg)
	if err != nil {
		return nil, fmt.Errorf("server: model serving: %w", err)
	}
	s.serving = sp
	mux.Handle("/serving/", s.auth(sp.reg))
	s.background = append(s.background, sp.run)
	s.background = append(s.background, cfg.Background...)
	for pattern, h := range cfg.Mount {
		mux.Handle(pattern, s.auth(h))
	}
	// Everything else is the MLflow API, which answers unknown paths with
	// ENDPOINT_NOT_FOUND.
	mux.Handle("/", s.auth(sp.refreshOnAlias(api)))
	s.handler = s.observe(mux)
	return s, nil
}

// NewAPI returns the MLflow REST API (tracking, model registry and
// artifacts) over st, without the server's middleware: LocalClient(api)
// gives CLI commands an in-process client. Opening the stores is bounded
// by ctx; log receives internal errors.
func NewAPI(ctx context.Context, st Stores, log *slog.Logger) (*mlflowapi.API, error) {
	t, err := st.Tracking(ctx)
	if err != nil {
		return nil, fmt.Errorf("server: tracking store: %w", err)
	}
	r, err := st.Registry(ctx)
	if err != nil {
		return nil, fmt.Errorf("server: model registry: %w", err)
	}
	a, err := st.Artifacts(ctx)
	if err != nil {
		return nil, fmt.Errorf("server: artifact store: %w", err)
	}
	api := mlflowapi.New(log)
	mlflowapi.RegisterTracking(api, t)
	mlflowapi.RegisterRegistry(api, r)
	mlflowapi.RegisterArtifacts(api, a, mlflowapi.RunArtifactURIFunc(func(ctx context.Context, runID string) (string, error) {
		resp, err := t.GetRun(ctx, &tracking.GetRun{RunID: runID})
		if err != nil {
			return "", err
		}
		return resp.Run.Info.ArtifactURI, nil
	}))
	return api, nil
}

// Handler returns the server's HTTP handler with its middleware (metrics,
// request logs, authentication); tests mount it in an httptest.Server.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen opens the TCP listener of cfg.Addr for Serve; callers that print
// the address (port 0 picks one) use ln.Addr().
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, apierr.Invalid("listen on %s: %v", addr, err).WithHint("pick another address with --addr, e.g. 127.0.0.1:0 for any free port")
	}
	return ln, nil
}

// Run listens on Config.Addr and serves until ctx is cancelled; see Serve.
func (s *Server) Run(ctx context.Context) error {
	ln, err := Listen(s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled or serving fails, then shuts
// down gracefully: it stops accepting, waits up to Config.ShutdownTimeout
// for in-flight requests, and stops the background tasks (model-alias
// pollers). It closes ln and returns nil after a shutdown caused by ctx,
// or the error that stopped it. Serve does not close the server's stores
// (Close does).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.log.Info("serving", "addr", ln.Addr().String())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve %s: %w", ln.Addr(), err)
		}
		return nil
	})
	for _, task := range s.background {
		g.Go(func() error { return task(gctx) })
	}
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
		defer cancel()
		err := hs.Shutdown(sctx)
		if err != nil {
			s.log.Warn("shutdown: closing connections still busy", "err", err)
			hs.Close()
		}
		return nil
	})
	err := g.Wait()
	s.log.Info("stopped", "addr", ln.Addr().String())
	return err
}

// Close cancels model loads in progress, removes a temporary model cache,
// and closes the stores Open opened (New's stay the caller's). It is
// idempotent. Call it after Serve/Run returned.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		errs := []error{s.serving.close()}
		if s.owned != nil {
			errs = append(errs, s.owned.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// auth requires the bearer token on h's requests when one is configured.
func (s *Server) auth(h http.Handler) http.Handler {
	if s.cfg.Token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sluice"`)
			e := apierr.New(apierr.Unauthenticated, "%s %s: missing or wrong bearer token", r.Method, r.URL.Path).
				WithHint("send the header 'Authorization: Bearer <token>' with the server's --token (SLUICE_TOKEN)")
			mlflowapi.WriteJSON(w, e.HTTPStatus(), mlflowapi.ErrorBody{ErrorCode: string(e.Code), Message: e.Error()})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// tokenHash is what authorized compares: a fixed-size digest, so that the
// comparison's time does not depend on the token's length.
func tokenHash(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// authorized compares r's bearer token with the configured one in
// constant time (hashes first, so neither length leaks).
func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := tokenHash(strings.TrimSpace(tok))
	return subtle.ConstantTimeCompare(got[:], s.token[:]) == 1
}

// observe records metrics and a log record for every request.
func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inflight.Inc()
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.metrics.inflight.Dec()
			d := time.Since(start)
			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			// The mux that matched set r.Pattern on this very request.
			route := routeLabel(r)
			s.metrics.observe(route, r.Method, status, d)
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", rw.n),
				slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr))
		}()
		h.ServeHTTP(rw, r)
	})
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

// Flush passes a flush through (streamed downloads).
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// redactURL hides a URL's password for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
