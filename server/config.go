package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/ml"
)

// EnvToken names the environment variable holding the API token when
// Config.Token is empty (see DefaultConfig).
const EnvToken = "SLUICE_TOKEN"

// DefaultAddr is the address a server listens on unless told otherwise:
// loopback only, so a fresh install exposes nothing to the network.
const DefaultAddr = "127.0.0.1:8080"

// Config configures a Server. Build one with DefaultConfig and change what
// you need; New and Open call Validate.
type Config struct {
	// Addr is the TCP address Run listens on. Default DefaultAddr
	// ("127.0.0.1:8080"); use ":8080" to listen on every interface and
	// port 0 to pick a free port. Serve ignores it.
	Addr string

	// Dir is the workspace directory Open keeps its defaults in (meta.db,
	// artifacts/). Only Open reads it; New takes already-open stores.
	Dir string
	// DB is the metadata database Open uses: "" for the SQLite file
	// Dir/meta.db, or a postgres:// URL. Only Open reads it.
	DB string
	// Artifacts is where Open stores artifacts: "" for Dir/artifacts, a
	// directory, file:///dir, or s3://bucket/prefix?endpoint=…&region=….
	// Only Open reads it.
	Artifacts string

	// Token, when set, is the bearer token every request but /health must
	// carry ("Authorization: Bearer <token>"); others get 401
	// UNAUTHENTICATED. DefaultConfig fills it from $SLUICE_TOKEN. Default:
	// "" (no authentication; keep Addr on loopback then).
	Token string

	// ServingPoll is how often the model servers under /serving/ check
	// whether a model alias moved to another version and hot-swap the
	// model. Default 5s; must be positive.
	ServingPoll time.Duration

	// ServingAlias is the alias whose version /serving/NAME/ serves; a
	// model without it serves its latest version. Default "champion".
	ServingAlias string
	// ServingCacheDir is where served model versions are downloaded.
	// Default: Dir/cache/serving for Open; for New, a temporary directory
	// removed by Close.
	ServingCacheDir string
	// Stages creates the stages of served models (models.Load). Default
	// stages.Registry over no SQL engine: every stage loads, and
	// SQLTransformer stages fail when scoring; `sluice server` passes the
	// workspace's engine.
	Stages *ml.Registry

	// ShutdownTimeout bounds how long Run waits for in-flight requests
	// after its ctx is cancelled before closing their connections.
	// Default 10s.
	ShutdownTimeout time.Duration

	// Version is reported by /version. Default "dev".
	Version string

	// Logger receives one structured record per request (level Info) and
	// internal errors. Default: discard.
	Logger *slog.Logger
	// Registerer receives the server's Prometheus collectors. Default: a
	// new registry of the server's own, served at /metrics; when set, the
	// caller serves it (Gatherer) or the server serves /metrics from
	// Gatherer if that is set too.
	Registerer prometheus.Registerer
	// Gatherer is what /metrics serves. Default: the registry created when
	// Registerer is nil; when Registerer is set and Gatherer is nil,
	// Registerer is used if it is also a Gatherer (*prometheus.Registry
	// is), else /metrics answers 404.
	Gatherer prometheus.Gatherer

	// Background are long-running tasks Serve runs next to the HTTP
	// server (e.g. the jobs scheduler and executor): each gets a ctx that
	// ends at shutdown, and an error from one stops the server. Serve
	// waits for them before returning.
	Background []func(ctx context.Context) error
	// Mount adds handlers by ServeMux pattern (e.g. "/api/sluice/jobs/"),
	// behind the server's authentication and metrics.
	Mount map[string]http.Handler
}

// DefaultConfig returns the defaults described on Config's fields.
func DefaultConfig() Config {
	return Config{
		Addr:            DefaultAddr,
		Token:           os.Getenv(EnvToken),
		ServingPoll:     5 * time.Second,
		ServingAlias:    "champion",
		ShutdownTimeout: 10 * time.Second,
		Version:         "dev",
	}
}

// Validate reports the first invalid field of c, by name.
func (c *Config) Validate() error {
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("server config: Addr %q: want host:port, e.g. 127.0.0.1:8080: %w", c.Addr, err)
		}
	}
	if c.DB != "" && !metastore.IsPostgresURL(c.DB) && strings.Contains(c.DB, "://") && !strings.HasPrefix(c.DB, "sqlite://") {
		return fmt.Errorf("server config: DB %q: want a postgres:// URL, a sqlite:// URL or a file path", redactURL(c.DB))
	}
	if c.ServingPoll <= 0 {
		return errors.New("server config: ServingPoll must be positive")
	}
	if c.ShutdownTimeout < 0 {
		return errors.New("server config: ShutdownTimeout must not be negative")
	}
	if strings.ContainsAny(c.Token, " \t\r\n") {
		return errors.New("server config: Token must not contain whitespace")
	}
	return nil
}

// withDefaults fills zero fields that have defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.ServingPoll == 0 {
		c.ServingPoll = d.ServingPoll
	}
	if c.ServingAlias == "" {
		c.ServingAlias = d.ServingAlias
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.Version == "" {
		c.Version = d.Version
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
