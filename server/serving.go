package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/serving"
)

// servingPart is the /serving/ subtree: registered models served at the
// version of their alias, hot-swapped when it moves.
type servingPart struct {
	reg     *serving.RegistryHandler
	tempDir string // removed by close, when the cache dir was made here
}

// newServing builds the model servers under /serving/NAME/….
func newServing(st Stores, cfg Config) (*servingPart, error) {
	p := &servingPart{}
	cache := cfg.ServingCacheDir
	if cache == "" {
		d, err := os.MkdirTemp("", "sluice-serving-")
		if err != nil {
			return nil, err
		}
		cache, p.tempDir = d, d
	}
	reg := cfg.Stages
	if reg == nil {
		reg = stages.Registry(noSQL{})
	}
	rc := serving.DefaultRegistryConfig()
	rc.Alias = cfg.ServingAlias
	rc.PollInterval = cfg.ServingPoll
	rc.CacheDir = cache
	rc.Logger = cfg.Logger
	rc.Handler.Version = cfg.Version
	rc.Handler.Logger = cfg.Logger
	h, err := serving.NewRegistryHandler(NewResolver(st), func(ctx context.Context, dir string) (*models.Model, error) {
		return models.Load(ctx, dir, reg)
	}, rc)
	if err != nil {
		p.close()
		return nil, err
	}
	p.reg = h
	return p, nil
}

// run polls the served models until ctx is done.
func (p *servingPart) run(ctx context.Context) error { return p.reg.Run(ctx) }

func (p *servingPart) close() error {
	var err error
	if p.reg != nil {
		err = p.reg.Close()
	}
	if p.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(p.tempDir))
	}
	return err
}

// refreshOnAlias wraps the MLflow API so that setting or deleting an
// alias (registered-models/alias, POST or DELETE) that succeeds asks the
// model server to re-resolve that model at once instead of at its next
// poll.
func (p *servingPart) refreshOnAlias(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodPost && r.Method != http.MethodDelete) || !strings.HasSuffix(r.URL.Path, "/registered-models/alias") {
			api.ServeHTTP(w, r)
			return
		}
		name := r.URL.Query().Get("name")
		if r.Body != nil {
			// Alias requests are tiny; read (a bounded part of) the body to
			// learn the model's name, and hand the handler the same bytes.
			b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
			var req struct {
				Name string `json:"name"`
			}
			if err == nil && json.Unmarshal(b, &req) == nil && req.Name != "" {
				name = req.Name
			}
		}
		sw := &statusWriter{ResponseWriter: w}
		api.ServeHTTP(sw, r)
		if name != "" && (sw.status == 0 || sw.status == http.StatusOK) {
			p.reg.Refresh(name)
		}
	})
}

// noSQL is the SQL engine of a server without one: SQLTransformer stages
// load, and fail when they run.
type noSQL struct{}

func (noSQL) QueryArrowViews(ctx context.Context, query string, views map[string]array.RecordReader, fn func(array.RecordReader) error) error {
	return errors.New("this model has a SQLTransformer stage, which needs a SQL engine; serve it with `sluice server` on a workspace")
}
