package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/workspace"
)

// EnvTrackingURI names the environment variable that points the
// experiments, runs and models commands at a running server.
const EnvTrackingURI = "SLUICE_TRACKING_URI"

func (a *app) serverCmd() *cobra.Command {
	var addr, db, arts, token, logLevel, logFormat string
	var jobsOn bool
	var slots int
	c := &cobra.Command{
		Use:   "server",
		Short: "Run the tracking server, model registry and model serving",
		Long: `Run Sluice's long-running HTTP server on the workspace:

  /api/2.0/mlflow/…            MLflow REST API 2.0 (tracking, registry, artifacts);
  /ajax-api/2.0/mlflow/…       the same, as MLflow's UI calls it;
  /api/2.0/mlflow-artifacts/…  the artifact proxy;
  /serving/NAME/…              registered models: /ping, /health, /version, /invocations;
  /health, /version, /metrics  liveness, version, Prometheus metrics.

It also runs the jobs scheduler and executor (--jobs=false turns them
off): deployed jobs run on their cron schedules and table triggers,
queued runs ('sluice jobs run NAME' without --wait, backfills, repairs)
execute here, and runs left behind by a crashed server are adopted and
reconciled at start.

Point any MLflow client at it (MLFLOW_TRACKING_URI=http://127.0.0.1:8080),
and the Sluice CLI with --tracking-uri or SLUICE_TRACKING_URI.

Metadata goes to the workspace's meta.db (SQLite) unless --db names a
PostgreSQL database; artifacts go to the workspace's artifacts/ directory
unless --artifacts names a bucket. Migrations are applied at start.

With --token (or SLUICE_TOKEN), every request but /health needs the
header "Authorization: Bearer <token>"; others get 401 UNAUTHENTICATED.
Without it, keep --addr on loopback.

The server logs one line per request to stderr and stops gracefully on
Ctrl-C or SIGTERM, letting in-flight requests finish.`,
		Example: `  sluice server
  sluice server --addr 0.0.0.0:8080 --token "$(openssl rand -hex 16)"
  sluice server --db postgres://sluice:secret@db:5432/sluice --artifacts 's3://ml-artifacts/sluice?region=eu-west-1'
  MLFLOW_TRACKING_URI=http://127.0.0.1:8080 python train.py`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(a.stderr, logLevel, logFormat)
			if err != nil {
				return usage(cmd, err)
			}
			cfg := server.DefaultConfig()
			tuneServerGC()
			cfg.Addr = addr
			cfg.Logger = log
			cfg.Version = Version
			if cmd.Flags().Changed("token") {
				cfg.Token = token
			}
			if err := cfg.Validate(); err != nil {
				return usage(cmd, err)
			}
			wcfg := workspace.DefaultConfig()
			if a.workspace != "" {
				wcfg.Dir = a.workspace
			}
			wcfg.MetaDB, wcfg.Artifacts = db, arts
			ws, err := workspace.Open(a.ctx, wcfg)
			if err != nil {
				return err
			}
			a.ws = ws // closed by Main
			cfg.ServingCacheDir = filepath.Join(ws.Dir(), "cache", "serving")
			// Served models' SQLTransformer stages run on the workspace's
			// engine, started on first use.
			cfg.Stages = stages.Registry(workspaceSQL{ws})
			if jobsOn {
				// The jobs scheduler and executor run next to the HTTP
				// server, with their metrics on its /metrics.
				reg := prometheus.NewRegistry()
				cfg.Registerer, cfg.Gatherer = reg, reg
				eng, err := a.jobsEngine(engineOptions{slots: slots, logger: log, metrics: reg, server: true})
				if err != nil {
					return err
				}
				defer eng.Close()
				cfg.Background = append(cfg.Background, func(ctx context.Context) error {
					if err := eng.Serve(ctx); ctx.Err() == nil {
						return err
					}
					return nil // shutting down
				})
			}
			srv, err := server.New(a.ctx, ws, cfg)
			if err != nil {
				return err
			}
			defer srv.Close()
			ln, err := server.Listen(cfg.Addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "sluice server %s listening on http://%s (workspace %s)\n", Version, ln.Addr(), ws.Dir())
			if cfg.Token != "" {
				fmt.Fprintln(a.stdout, "bearer token required on every request but /health")
			}
			return srv.Serve(a.ctx, ln)
		},
	}
	c.Flags().StringVar(&addr, "addr", server.DefaultAddr, "address to listen on (host:port; port 0 picks a free one)")
	c.Flags().StringVar(&db, "db", os.Getenv(EnvDB), "metadata database: a postgres:// URL (default $"+EnvDB+", else the workspace's meta.db, SQLite)")
	c.Flags().StringVar(&arts, "artifacts", "", "artifact store: a directory, file:///dir or s3://bucket/prefix?region=… (default: the workspace's artifacts/)")
	c.Flags().StringVar(&token, "token", "", "bearer token required on every request but /health (default $SLUICE_TOKEN)")
	c.Flags().BoolVar(&jobsOn, "jobs", true, "run the jobs scheduler and executor (deployed jobs' schedules and triggers, queued runs)")
	c.Flags().IntVar(&slots, "slots", 0, "job tasks running at once (default 32)")
	c.Flags().StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	c.Flags().StringVar(&logFormat, "log-format", "text", "log format: text or json")
	return c
}

// workspaceSQL runs SQL on a workspace's engine, starting it on first use.
type workspaceSQL struct{ ws *workspace.Workspace }

func (q workspaceSQL) QueryArrowViews(ctx context.Context, query string, views map[string]array.RecordReader, fn func(array.RecordReader) error) error {
	eng, err := q.ws.SQL(ctx)
	if err != nil {
		return err
	}
	return eng.QueryArrowViews(ctx, query, views, fn)
}

// newLogger returns a slog logger writing to w.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// mlflowConn holds the --tracking-uri flag of the commands that speak the
// MLflow API, and the client they share.
type mlflowConn struct {
	a   *app
	uri string

	once   sync.Once
	client *mlflowclient.Client
	err    error
}

// addTrackingFlag adds --tracking-uri to cmd and its subcommands.
func (a *app) addTrackingFlag(cmd *cobra.Command) *mlflowConn {
	t := &mlflowConn{a: a}
	cmd.PersistentFlags().StringVar(&t.uri, "tracking-uri", "", "tracking server to use, e.g. http://127.0.0.1:8080 (default $"+EnvTrackingURI+", else the workspace, in-process)")
	return t
}

// Client returns the MLflow client: over HTTP to --tracking-uri (or
// $SLUICE_TRACKING_URI, with the bearer token of $SLUICE_TOKEN), else
// in-process over the workspace — the same API either way.
func (t *mlflowConn) Client() (*mlflowclient.Client, error) {
	t.once.Do(func() { t.client, t.err = t.a.mlflowClient(t.uri) })
	return t.client, t.err
}

func (t *mlflowConn) ctx() context.Context { return t.a.ctx }

// mlflowClient returns a client of the server at uri, or of the workspace
// when uri and $SLUICE_TRACKING_URI are empty.
func (a *app) mlflowClient(uri string) (*mlflowclient.Client, error) {
	if uri == "" {
		uri = os.Getenv(EnvTrackingURI)
	}
	opts := []mlflowclient.Option{mlflowclient.WithUserAgent("sluice-cli/" + Version)}
	if uri != "" {
		if !strings.Contains(uri, "://") {
			return nil, fmt.Errorf("--tracking-uri %q: want the server's URL, e.g. http://127.0.0.1:8080", uri)
		}
		return mlflowclient.New(uri, append(opts, mlflowclient.WithToken(os.Getenv(server.EnvToken)))...)
	}
	ws, err := a.open()
	if err != nil {
		return nil, err
	}
	api, err := server.NewAPI(a.ctx, ws, slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		return nil, err
	}
	return mlflowclient.New(server.LocalURL, append(opts, mlflowclient.WithHTTPClient(server.LocalClient(api)))...)
}
