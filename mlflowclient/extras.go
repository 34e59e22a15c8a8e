package mlflowclient

import (
	"context"
	"errors"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/tracking"
)

// MLflow's log-batch limits.
const (
	MaxBatchMetrics = 1000
	MaxBatchParams  = 100
	MaxBatchTags    = 100
	MaxBatchItems   = 1000
)

// ListArtifacts is the request of artifacts/list.
type ListArtifacts struct {
	RunID     string `json:"run_id,omitempty"`
	RunUUID   string `json:"run_uuid,omitempty"`
	Path      string `json:"path,omitempty"`
	PageToken string `json:"page_token,omitempty"`
}

// ListArtifactsResponse is the response of artifacts/list.
type ListArtifactsResponse struct {
	RootURI       string         `json:"root_uri,omitempty"`
	Files         []ArtifactFile `json:"files,omitempty"`
	NextPageToken string         `json:"next_page_token,omitempty"`
}

// ListArtifacts calls GET artifacts/list: the artifacts of a run directly
// under req.Path.
func (c *Client) ListArtifacts(ctx context.Context, req *ListArtifacts) (*ListArtifactsResponse, error) {
	return call[ListArtifactsResponse](ctx, c, "GET", "artifacts/list", req)
}

// GetOrCreateExperiment returns the id of the active experiment called
// name, creating it when there is none. A deleted experiment of that name
// is an INVALID_STATE error saying to restore it or pick another name
// (MLflow refuses to create one while a deleted one holds the name).
// Concurrent callers creating the same name both get its id.
func (c *Client) GetOrCreateExperiment(ctx context.Context, name string) (string, error) {
	if name == "" {
		return "", apierr.Invalid("experiment name is empty")
	}
	for attempt := 0; attempt < 2; attempt++ {
		got, err := c.GetExperimentByName(ctx, &tracking.GetExperimentByName{ExperimentName: name})
		switch {
		case err == nil && got.Experiment != nil:
			if got.Experiment.LifecycleStage == tracking.StageDeleted {
				return "", apierr.New(apierr.InvalidState, "experiment %q (id %s) is deleted", name, got.Experiment.ExperimentID).
					WithHint("restore it with 'sluice experiments restore %s' or pick another name", got.Experiment.ExperimentID)
			}
			return got.Experiment.ExperimentID, nil
		case err != nil && !apierr.IsNotFound(err):
			return "", err
		}
		created, err := c.CreateExperiment(ctx, &tracking.CreateExperiment{Name: name})
		if err == nil {
			return created.ExperimentID, nil
		}
		if apierr.CodeOf(err) != apierr.ResourceAlreadyExists {
			return "", err
		}
		// Someone else created it between our get and create: read it again.
	}
	return "", errors.New("get or create experiment " + name + ": it keeps appearing and disappearing")
}

// LogBatchChunked logs any number of metrics, params and tags with as
// many log-batch calls as MLflow's limits need, in order: each call holds
// at most MaxBatchMetrics metrics, MaxBatchParams params, MaxBatchTags
// tags and MaxBatchItems items in all. A failed call stops the sequence;
// the calls before it stay logged.
func (c *Client) LogBatchChunked(ctx context.Context, runID string, metrics []tracking.Metric, params []tracking.Param, tags []tracking.RunTag) error {
	for len(metrics) > 0 || len(params) > 0 || len(tags) > 0 {
		b := &tracking.LogBatch{RunID: runID}
		n := min(len(params), MaxBatchParams)
		b.Params, params = params[:n], params[n:]
		room := MaxBatchItems - n
		n = min(len(tags), MaxBatchTags, room)
		b.Tags, tags = tags[:n], tags[n:]
		room -= n
		n = min(len(metrics), MaxBatchMetrics, room)
		b.Metrics, metrics = metrics[:n], metrics[n:]
		if _, err := c.LogBatch(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// SearchAllRuns calls runs/search page after page and returns every run
// (req.PageToken is the first page; req is not modified).
func (c *Client) SearchAllRuns(ctx context.Context, req *tracking.SearchRuns) ([]tracking.Run, error) {
	r := *req
	return Collect(req.PageToken, 0, func(token string) ([]tracking.Run, string, error) {
		r.PageToken = token
		resp, err := c.SearchRuns(ctx, &r)
		if err != nil {
			return nil, "", err
		}
		return resp.Runs, resp.NextPageToken, nil
	})
}

// Collect gathers the items of a paged search: page is called with token
// (the first page; "" to start) and then with each next_page_token it
// returns, until a page has no next token or limit (> 0) items are
// gathered. The result holds at most limit items (all when limit ≤ 0)
// and is never nil, so it encodes as a JSON list.
func Collect[T any](token string, limit int, page func(token string) (items []T, next string, err error)) ([]T, error) {
	out := []T{}
	for {
		items, next, err := page(token)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if limit > 0 && len(out) >= limit {
			return out[:limit], nil
		}
		if next == "" {
			return out, nil
		}
		token = next
	}
}
