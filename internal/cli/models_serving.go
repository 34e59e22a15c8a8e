package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/serving"
	"github.com/sluice-dev/sluice/tracking"
)

// modelsServingCmds returns 'sluice models serve' and 'sluice models predict'.
func (a *app) modelsServingCmds() []*cobra.Command {
	return []*cobra.Command{a.modelsServeCmd(), a.modelsPredictCmd()}
}

const modelURIHelp = `MODEL_URI is a model directory (the one holding MLmodel), file:///dir,
models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest,
models:/NAME/STAGE, runs:/RUN_ID/PATH or mlflow-artifacts:/…. Registered
models and run artifacts come from the workspace, or from the server given
by --tracking-uri (or $` + EnvTrackingURI + `); downloads are cached in the
workspace under cache/models.`

// modelRef resolves and loads the model a command was given.
type modelRef struct {
	a           *app
	trackingURI string
}

func (r *modelRef) flags(c *cobra.Command) {
	c.Flags().StringVar(&r.trackingURI, "tracking-uri", "", "tracking server holding the model, e.g. http://127.0.0.1:8080 (default $"+EnvTrackingURI+", else the workspace)")
}

// modelResolver is THE place where CLI commands get their models.Resolver:
// the MLflow REST API of --tracking-uri (or $SLUICE_TRACKING_URI), else
// the workspace's registry, tracking and artifact stores in process.
func (r *modelRef) modelResolver() (models.Resolver, error) {
	uri := r.trackingURI
	if uri == "" {
		uri = os.Getenv(EnvTrackingURI)
	}
	if uri != "" {
		cl, err := r.a.mlflowClient(uri)
		if err != nil {
			return nil, err
		}
		return clientResolver{cl}, nil
	}
	ws, err := r.a.open()
	if err != nil {
		return nil, err
	}
	return server.NewResolver(ws), nil
}

// resolve turns uri into a local model directory.
func (r *modelRef) resolve(uri string) (*models.Resolved, error) {
	u, err := models.ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Kind == models.KindLocal {
		return models.Resolve(r.a.ctx, uri, nil, "")
	}
	res, cache, err := r.resolverAndCache()
	if err != nil {
		return nil, err
	}
	return models.Resolve(r.a.ctx, uri, res, cache)
}

func (r *modelRef) resolverAndCache() (models.Resolver, string, error) {
	res, err := r.modelResolver()
	if err != nil {
		return nil, "", err
	}
	ws, err := r.a.open()
	if err != nil {
		return nil, "", err
	}
	return res, filepath.Join(ws.Dir(), "cache", "models"), nil
}

// clientResolver resolves models through an MLflow REST API client.
type clientResolver struct{ cl *mlflowclient.Client }

func versionInfo(v *registry.ModelVersion, what string) (models.VersionInfo, error) {
	if v == nil {
		return models.VersionInfo{}, apierr.NotFound("%s not found", what)
	}
	return models.VersionInfo{Name: v.Name, Version: v.Version, Source: v.Source, RunID: v.RunID}, nil
}

func (c clientResolver) ModelVersion(ctx context.Context, name, version string) (models.VersionInfo, error) {
	resp, err := c.cl.GetModelVersion(ctx, &registry.GetModelVersion{Name: name, Version: version})
	if err != nil {
		return models.VersionInfo{}, err
	}
	return versionInfo(resp.ModelVersion, "registered model "+name+" version "+version)
}

func (c clientResolver) ModelVersionByAlias(ctx context.Context, name, alias string) (models.VersionInfo, error) {
	resp, err := c.cl.GetModelVersionByAlias(ctx, &registry.GetModelVersionByAlias{Name: name, Alias: alias})
	if err != nil {
		return models.VersionInfo{}, err
	}
	return versionInfo(resp.ModelVersion, "registered model "+name+" alias "+alias)
}

func (c clientResolver) LatestModelVersion(ctx context.Context, name, stage string) (models.VersionInfo, error) {
	req := &registry.GetLatestVersions{Name: name}
	if stage != "" {
		req.Stages = []string{stage}
	}
	resp, err := c.cl.GetLatestVersions(ctx, req)
	if err != nil {
		return models.VersionInfo{}, err
	}
	var best *registry.ModelVersion
	var bestN int64 = -1
	for i := range resp.ModelVersions {
		if n, err := strconv.ParseInt(resp.ModelVersions[i].Version, 10, 64); err == nil && n > bestN {
			best, bestN = &resp.ModelVersions[i], n
		}
	}
	return versionInfo(best, "a version of registered model "+name)
}

func (c clientResolver) RunArtifactURI(ctx context.Context, runID string) (string, error) {
	resp, err := c.cl.GetRun(ctx, &tracking.GetRun{RunID: runID})
	if err != nil {
		return "", err
	}
	if resp.Run == nil {
		return "", apierr.NotFound("run %s not found", runID)
	}
	return resp.Run.Info.ArtifactURI, nil
}

func (c clientResolver) Download(ctx context.Context, artifactURI, localDir string) error {
	return c.cl.DownloadArtifacts(ctx, artifactURI, "", localDir)
}

// lazyQuerier runs SQLTransformer statements on the workspace's SQL
// engine, starting it on first use, so serving a model without SQL stages
// never starts DuckDB.
type lazyQuerier struct{ a *app }

func (q lazyQuerier) QueryArrowViews(ctx context.Context, query string, views map[string]array.RecordReader, fn func(array.RecordReader) error) error {
	ws, err := q.a.open()
	if err != nil {
		return err
	}
	eng, err := ws.SQL(ctx)
	if err != nil {
		return err
	}
	return eng.QueryArrowViews(ctx, query, views, fn)
}

// load loads the model directory dir.
func (r *modelRef) load(ctx context.Context, dir string, reg *ml.Registry) (*models.Model, error) {
	if reg == nil {
		reg = stages.Registry(lazyQuerier{r.a})
	}
	return models.Load(ctx, dir, reg)
}

func (a *app) modelsServeCmd() *cobra.Command {
	ref := &modelRef{a: a}
	var addr string
	var poll, shutdown time.Duration
	var maxBody int64
	c := &cobra.Command{
		Use:   "serve MODEL_URI [--addr HOST:PORT]",
		Short: "Serve a model over HTTP with MLflow's scoring protocol (/invocations)",
		Long: `Serve one model: GET /ping, /health and /version, and POST /invocations
with MLflow's JSON bodies (dataframe_split, dataframe_records, instances,
inputs) or CSV, answering {"predictions": [...]}. Inputs are checked
against the model's signature; errors are MLflow's {"error_code",
"message"}. Stops gracefully on Ctrl-C, letting requests in flight finish.

For models:/NAME@ALIAS, models:/NAME/latest and models:/NAME/STAGE, the
alias is looked up again every --poll and a new version is loaded in the
background and swapped in without dropping requests.

` + modelURIHelp,
		Example: `  sluice models serve models:/churn@champion --addr 127.0.0.1:5001
  sluice models serve /tmp/churn-model
  sluice models serve runs:/0a1b2c3d/model --tracking-uri http://127.0.0.1:8080

  curl -s http://127.0.0.1:5001/invocations -H 'Content-Type: application/json' \
    -d '{"dataframe_records": [{"account_length": 128, "international_plan": false, ...}]}'
  curl -s http://127.0.0.1:5001/invocations -H 'Content-Type: text/csv' --data-binary @rows.csv`,
		Args: exactArgs(1, "a model URI"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if poll < 0 {
				return usage(cmd, fmt.Errorf("--poll %v is negative", poll))
			}
			log := slog.New(slog.NewTextHandler(a.stderr, nil))
			tuneServerGC()
			u, err := models.ParseURI(args[0])
			if err != nil {
				return usage(cmd, err)
			}
			res, err := ref.resolve(args[0])
			if err != nil {
				return err
			}
			m, err := ref.load(a.ctx, res.Dir, nil)
			if err != nil {
				return err
			}
			h := serving.NewHandler(m, serving.Options{MaxBodyBytes: maxBody, Version: Version, Logger: log})
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("--addr %s: %w", addr, err)
			}
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
			url := "http://" + ln.Addr().String()
			log.Info("serving model", "uri", args[0], "version", res.Version, "dir", res.Dir, "addr", ln.Addr().String())
			fmt.Fprintf(a.stdout, "serving %s at %s/invocations (Ctrl-C to stop)\n", args[0], url)

			g, ctx := errgroup.WithContext(a.ctx)
			g.Go(func() error {
				if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			})
			g.Go(func() error {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdown)
				defer cancel()
				log.Info("shutting down", "addr", ln.Addr().String())
				return srv.Shutdown(sctx)
			})
			if u.Kind == models.KindModel && (u.Alias != "" || u.Latest) && poll > 0 {
				g.Go(func() error { return a.followModel(ctx, ref, u, res, h, poll, log) })
			}
			return g.Wait()
		},
	}
	ref.flags(c)
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:5001", "address to listen on (port 0 picks a free port)")
	c.Flags().DurationVar(&poll, "poll", 10*time.Second, "for alias, latest and stage URIs: how often to check for a new version (0 disables)")
	c.Flags().DurationVar(&shutdown, "shutdown-timeout", 10*time.Second, "how long to wait for requests in flight when stopping")
	c.Flags().Int64Var(&maxBody, "max-body-bytes", 16<<20, "largest request body accepted (413 beyond)")
	return c
}

// followModel re-resolves u every poll until ctx ends and swaps in a new
// version when the alias (or latest) moved. Failures are logged; the
// current model keeps serving.
func (a *app) followModel(ctx context.Context, ref *modelRef, u models.URI, cur *models.Resolved, h *serving.Handler, poll time.Duration, log *slog.Logger) error {
	r, cache, err := ref.resolverAndCache()
	if err != nil {
		return err
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	version := cur.Version
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		res, err := models.Resolve(ctx, u.Raw, r, cache)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("checking for a new model version failed; keeping the current one", "uri", u.Raw, "version", version, "err", err)
			}
			continue
		}
		if res.Version == version {
			continue
		}
		m, err := ref.load(ctx, res.Dir, nil)
		if err != nil {
			log.Warn("loading the new model version failed; keeping the current one", "uri", u.Raw, "version", res.Version, "err", err)
			continue
		}
		h.Swap(m)
		log.Info("model swapped", "uri", u.Raw, "from", version, "to", res.Version)
		version = res.Version
	}
}

func (a *app) modelsPredictCmd() *cobra.Command {
	ref := &modelRef{a: a}
	var src mlSource
	var sink frameSink
	var outputs string
	c := &cobra.Command{
		Use:   "predict MODEL_URI (--table T | --sql Q | --file F) [--into T2 | --out-file F]",
		Short: "Score rows in batch with a model and store or print the predictions",
		Long: `Apply a model to the rows of a table, a query or a file and write the
rows with the model's predictions into a table (--into, created if
missing; --mode append|overwrite) or a file (--out-file: .parquet or
.csv), or print the first rows. The output has the input's columns and
the prediction column; --outputs adds other model output columns
(probability, features, …; "all" for every one). Vector columns are
stored as arrays of doubles.

` + modelURIHelp,
		Example: `  sluice models predict models:/churn@champion --table churn.test --into churn.scored
  sluice models predict models:/churn/1 --file new_customers.csv --out-file scored.parquet
  sluice models predict /tmp/churn-model --sql "SELECT * FROM churn.test LIMIT 5" --outputs probability`,
		Args: exactArgs(1, "a model URI"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sink.check(); err != nil {
				return usage(cmd, err)
			}
			if _, err := models.ParseURI(args[0]); err != nil {
				return usage(cmd, err)
			}
			reg, eng, err := a.mlRegistry()
			if err != nil {
				return err
			}
			res, err := ref.resolve(args[0])
			if err != nil {
				return err
			}
			m, err := ref.load(a.ctx, res.Dir, reg)
			if err != nil {
				return err
			}
			f, err := src.frame(a.ctx, cmd, a.ws)
			if err != nil {
				return err
			}
			scored, err := m.Score(a.ctx, f)
			if err != nil {
				return err
			}
			if scored, err = models.SelectOutputs(f.Schema(), scored, m.PredictionCol, strings.Split(outputs, ",")); err != nil {
				return usage(cmd, fmt.Errorf("--outputs: %w", err))
			}
			if scored, err = scored.StorableColumns(); err != nil {
				return err
			}
			return a.emitFrame(cmd, eng, scored, sink)
		},
	}
	ref.flags(c)
	src.flags(c)
	sink.flags(c, "the scored rows", "append", 20)
	c.Flags().StringVar(&outputs, "outputs", "", "more model output columns to keep, comma-separated, or all")
	return c
}
