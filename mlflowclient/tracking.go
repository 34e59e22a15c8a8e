package mlflowclient

// One method per MLflow RPC, named after it, taking the request message
// and returning the response message. Each is safe for concurrent use;
// ctx bounds the request; errors are as Call describes.

import (
	"context"

	"github.com/sluice-dev/sluice/tracking"
)

// CreateExperiment calls POST experiments/create: creates an experiment; RESOURCE_ALREADY_EXISTS when the name is taken.
func (c *Client) CreateExperiment(ctx context.Context, req *tracking.CreateExperiment) (*tracking.CreateExperimentResponse, error) {
	return call[tracking.CreateExperimentResponse](ctx, c, "POST", "experiments/create", req)
}

// GetExperiment calls GET experiments/get: returns an experiment by id (deleted ones too).
func (c *Client) GetExperiment(ctx context.Context, req *tracking.GetExperiment) (*tracking.GetExperimentResponse, error) {
	return call[tracking.GetExperimentResponse](ctx, c, "GET", "experiments/get", req)
}

// GetExperimentByName calls GET experiments/get-by-name: returns an experiment by name; RESOURCE_DOES_NOT_EXIST when there is none.
func (c *Client) GetExperimentByName(ctx context.Context, req *tracking.GetExperimentByName) (*tracking.GetExperimentByNameResponse, error) {
	return call[tracking.GetExperimentByNameResponse](ctx, c, "GET", "experiments/get-by-name", req)
}

// SearchExperiments calls POST experiments/search: lists experiments matching a filter, one page at a time.
func (c *Client) SearchExperiments(ctx context.Context, req *tracking.SearchExperiments) (*tracking.SearchExperimentsResponse, error) {
	return call[tracking.SearchExperimentsResponse](ctx, c, "POST", "experiments/search", req)
}

// DeleteExperiment calls POST experiments/delete: marks an experiment and its runs deleted.
func (c *Client) DeleteExperiment(ctx context.Context, req *tracking.DeleteExperiment) (*tracking.DeleteExperimentResponse, error) {
	return call[tracking.DeleteExperimentResponse](ctx, c, "POST", "experiments/delete", req)
}

// RestoreExperiment calls POST experiments/restore: restores a deleted experiment.
func (c *Client) RestoreExperiment(ctx context.Context, req *tracking.RestoreExperiment) (*tracking.RestoreExperimentResponse, error) {
	return call[tracking.RestoreExperimentResponse](ctx, c, "POST", "experiments/restore", req)
}

// UpdateExperiment calls POST experiments/update: renames an experiment.
func (c *Client) UpdateExperiment(ctx context.Context, req *tracking.UpdateExperiment) (*tracking.UpdateExperimentResponse, error) {
	return call[tracking.UpdateExperimentResponse](ctx, c, "POST", "experiments/update", req)
}

// SetExperimentTag calls POST experiments/set-experiment-tag: sets a tag on an experiment.
func (c *Client) SetExperimentTag(ctx context.Context, req *tracking.SetExperimentTag) (*tracking.SetExperimentTagResponse, error) {
	return call[tracking.SetExperimentTagResponse](ctx, c, "POST", "experiments/set-experiment-tag", req)
}

// DeleteExperimentTag calls POST experiments/delete-experiment-tag: deletes a tag of an experiment.
func (c *Client) DeleteExperimentTag(ctx context.Context, req *tracking.DeleteExperimentTag) (*tracking.DeleteExperimentTagResponse, error) {
	return call[tracking.DeleteExperimentTagResponse](ctx, c, "POST", "experiments/delete-experiment-tag", req)
}

// CreateRun calls POST runs/create: creates a run (status RUNNING).
func (c *Client) CreateRun(ctx context.Context, req *tracking.CreateRun) (*tracking.CreateRunResponse, error) {
	return call[tracking.CreateRunResponse](ctx, c, "POST", "runs/create", req)
}

// GetRun calls GET runs/get: returns a run with its latest metrics, params, tags and inputs.
func (c *Client) GetRun(ctx context.Context, req *tracking.GetRun) (*tracking.GetRunResponse, error) {
	return call[tracking.GetRunResponse](ctx, c, "GET", "runs/get", req)
}

// UpdateRun calls POST runs/update: updates a run's status, end time or name.
func (c *Client) UpdateRun(ctx context.Context, req *tracking.UpdateRun) (*tracking.UpdateRunResponse, error) {
	return call[tracking.UpdateRunResponse](ctx, c, "POST", "runs/update", req)
}

// DeleteRun calls POST runs/delete: marks a run deleted.
func (c *Client) DeleteRun(ctx context.Context, req *tracking.DeleteRun) (*tracking.DeleteRunResponse, error) {
	return call[tracking.DeleteRunResponse](ctx, c, "POST", "runs/delete", req)
}

// RestoreRun calls POST runs/restore: restores a deleted run.
func (c *Client) RestoreRun(ctx context.Context, req *tracking.RestoreRun) (*tracking.RestoreRunResponse, error) {
	return call[tracking.RestoreRunResponse](ctx, c, "POST", "runs/restore", req)
}

// SearchRuns calls POST runs/search: lists runs of experiments matching a filter, ordered and paged.
func (c *Client) SearchRuns(ctx context.Context, req *tracking.SearchRuns) (*tracking.SearchRunsResponse, error) {
	return call[tracking.SearchRunsResponse](ctx, c, "POST", "runs/search", req)
}

// LogMetric calls POST runs/log-metric: logs one metric value.
func (c *Client) LogMetric(ctx context.Context, req *tracking.LogMetric) (*tracking.LogMetricResponse, error) {
	return call[tracking.LogMetricResponse](ctx, c, "POST", "runs/log-metric", req)
}

// LogParam calls POST runs/log-parameter: logs one param (params are write-once).
func (c *Client) LogParam(ctx context.Context, req *tracking.LogParam) (*tracking.LogParamResponse, error) {
	return call[tracking.LogParamResponse](ctx, c, "POST", "runs/log-parameter", req)
}

// SetTag calls POST runs/set-tag: sets a tag on a run.
func (c *Client) SetTag(ctx context.Context, req *tracking.SetTag) (*tracking.SetTagResponse, error) {
	return call[tracking.SetTagResponse](ctx, c, "POST", "runs/set-tag", req)
}

// DeleteTag calls POST runs/delete-tag: deletes a tag of a run.
func (c *Client) DeleteTag(ctx context.Context, req *tracking.DeleteTag) (*tracking.DeleteTagResponse, error) {
	return call[tracking.DeleteTagResponse](ctx, c, "POST", "runs/delete-tag", req)
}

// LogBatch calls POST runs/log-batch: logs metrics, params and tags in one request, within MLflow's limits (1,000 metrics, 100 params, 100 tags); see LogBatchChunked for more.
func (c *Client) LogBatch(ctx context.Context, req *tracking.LogBatch) (*tracking.LogBatchResponse, error) {
	return call[tracking.LogBatchResponse](ctx, c, "POST", "runs/log-batch", req)
}

// LogInputs calls POST runs/log-inputs: records the datasets a run used.
func (c *Client) LogInputs(ctx context.Context, req *tracking.LogInputs) (*tracking.LogInputsResponse, error) {
	return call[tracking.LogInputsResponse](ctx, c, "POST", "runs/log-inputs", req)
}

// GetMetricHistory calls GET metrics/get-history: returns every logged value of a run's metric.
func (c *Client) GetMetricHistory(ctx context.Context, req *tracking.GetMetricHistory) (*tracking.GetMetricHistoryResponse, error) {
	return call[tracking.GetMetricHistoryResponse](ctx, c, "GET", "metrics/get-history", req)
}

// GetMetricHistoryBulkInterval calls GET metrics/get-history-bulk-interval: returns sampled metric histories of several runs.
func (c *Client) GetMetricHistoryBulkInterval(ctx context.Context, req *tracking.GetMetricHistoryBulkInterval) (*tracking.GetMetricHistoryBulkIntervalResponse, error) {
	return call[tracking.GetMetricHistoryBulkIntervalResponse](ctx, c, "GET", "metrics/get-history-bulk-interval", req)
}
