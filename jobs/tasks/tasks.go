package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/workspace"
)

// Config configures the runners.
type Config struct {
	// Workspace holds the tables, the SQL engine and the model cache.
	// Required.
	Workspace *workspace.Workspace
	// Tracking is where ml_fit logs its runs and registers models; nil:
	// fits are not logged, and an ml_fit task with register fails.
	Tracking *mlflowclient.Client
	// Models resolves models:/ and runs:/ URIs for ml_transform and
	// models_predict (as `sluice models predict` does: server.NewResolver
	// over the workspace, or one over Tracking's REST API); nil: only
	// local model directories can be used.
	Models models.Resolver
	// ModelCache is where resolved models are downloaded to. Default
	// WORKSPACE/cache/models, the CLI's cache.
	ModelCache string
	// SluiceVersion is logged with ml_fit runs (tag sluice.version).
	SluiceVersion string
}

// DefaultConfig returns a Config with its defaults; Workspace must still
// be set.
func DefaultConfig() Config { return Config{} }

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Workspace == nil {
		return errors.New("tasks: Config.Workspace is required")
	}
	return nil
}

func (c Config) modelCache() string {
	if c.ModelCache != "" {
		return c.ModelCache
	}
	return filepath.Join(c.Workspace.Dir(), "cache", "models")
}

// Runners returns the in-process task runners by task type: spec.TypeSQL,
// TypeIngest, TypeMLFit, TypeMLTransform, TypeModelsPredict and
// TypeMLRecommend. With an
// invalid cfg (see Validate) every runner fails with that error.
func Runners(cfg Config) map[string]jobs.TaskRunner {
	r := &runners{cfg: cfg}
	return map[string]jobs.TaskRunner{
		spec.TypeSQL:           sqlRunner{TaskRunner: r.wrap(spec.TypeSQL, r.runSQL), r: r},
		spec.TypeIngest:        r.wrap(spec.TypeIngest, r.runIngest),
		spec.TypeMLFit:         r.wrap(spec.TypeMLFit, r.runMLFit),
		spec.TypeMLTransform:   r.wrap(spec.TypeMLTransform, r.runMLTransform),
		spec.TypeModelsPredict: r.wrap(spec.TypeModelsPredict, r.runModelsPredict),
		spec.TypeMLRecommend:   r.wrap(spec.TypeMLRecommend, r.runMLRecommend),
	}
}

type runners struct{ cfg Config }

// runFunc runs one attempt; values are collected into a values.
type runFunc func(ctx context.Context, tc *jobs.TaskContext, out values) error

// wrap checks the configuration and the task's type, and turns ctx's end
// into an error wrapping ctx's error whatever the library returned.
func (r *runners) wrap(typ string, fn runFunc) jobs.TaskRunner {
	return jobs.TaskRunnerFunc(func(ctx context.Context, tc *jobs.TaskContext) (map[string]json.RawMessage, error) {
		if err := r.cfg.Validate(); err != nil {
			return nil, err
		}
		if tc == nil || tc.Task == nil {
			return nil, fmt.Errorf("%s task: no task given", typ)
		}
		if got := tc.Task.Type(); got != typ {
			return nil, fmt.Errorf("task %s is a %q task, not %s", tc.Key, got, typ)
		}
		if tc.Log == nil {
			tc2 := *tc
			tc2.Log = io.Discard
			tc = &tc2
		}
		out := values{}
		err := fn(ctx, tc, out)
		if err != nil {
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%v: stopped: %w", err, ctxErr(ctx))
			}
			return nil, err
		}
		if len(out) == 0 {
			return nil, nil
		}
		return map[string]json.RawMessage(out), nil
	})
}

// ctxErr is ctx's error, with its cause when that says more.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("%w: %w", err, cause)
	}
	return err
}

// values collects a task's published values.
type values map[string]json.RawMessage

// set stores v (any JSON-encodable value) under name.
func (v values) set(name string, val any) {
	b, err := json.Marshal(val)
	if err != nil {
		b = []byte("null")
	}
	v[name] = b
}

// abs resolves a path written in a job file against the job's directory.
func abs(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

// logf writes one line to the attempt log.
func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format+"\n", args...)
}

// seconds formats a duration for the log.
func seconds(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
