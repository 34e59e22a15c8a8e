package tracking

import (
	"context"

	"github.com/sluice-dev/sluice/apierr"
)

// CreateExperiment creates an experiment (RESOURCE_ALREADY_EXISTS when an experiment of that name exists, deleted or not).
func (s *Store) CreateExperiment(ctx context.Context, req *CreateExperiment) (*CreateExperimentResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "CreateExperiment is not implemented yet")
}

// GetExperiment returns an experiment by id, deleted or not.
func (s *Store) GetExperiment(ctx context.Context, req *GetExperiment) (*GetExperimentResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "GetExperiment is not implemented yet")
}

// GetExperimentByName returns an experiment by name, preferring an active one.
func (s *Store) GetExperimentByName(ctx context.Context, req *GetExperimentByName) (*GetExperimentByNameResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "GetExperimentByName is not implemented yet")
}

// SearchExperiments lists experiments matching a filter, ordered and paged.
func (s *Store) SearchExperiments(ctx context.Context, req *SearchExperiments) (*SearchExperimentsResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "SearchExperiments is not implemented yet")
}

// UpdateExperiment renames an experiment.
func (s *Store) UpdateExperiment(ctx context.Context, req *UpdateExperiment) (*UpdateExperimentResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "UpdateExperiment is not implemented yet")
}

// DeleteExperiment marks an experiment and its runs deleted.
func (s *Store) DeleteExperiment(ctx context.Context, req *DeleteExperiment) (*DeleteExperimentResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "DeleteExperiment is not implemented yet")
}

// RestoreExperiment restores a deleted experiment and its runs.
func (s *Store) RestoreExperiment(ctx context.Context, req *RestoreExperiment) (*RestoreExperimentResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "RestoreExperiment is not implemented yet")
}

// SetExperimentTag sets (or replaces) a tag on an experiment.
func (s *Store) SetExperimentTag(ctx context.Context, req *SetExperimentTag) (*SetExperimentTagResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "SetExperimentTag is not implemented yet")
}

// DeleteExperimentTag deletes a tag of an experiment.
func (s *Store) DeleteExperimentTag(ctx context.Context, req *DeleteExperimentTag) (*DeleteExperimentTagResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "DeleteExperimentTag is not implemented yet")
}

// CreateRun creates a run in an experiment.
func (s *Store) CreateRun(ctx context.Context, req *CreateRun) (*CreateRunResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "CreateRun is not implemented yet")
}

// GetRun returns a run with its latest metrics, params, tags and inputs.
func (s *Store) GetRun(ctx context.Context, req *GetRun) (*GetRunResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "GetRun is not implemented yet")
}

// UpdateRun changes a run's status, end time or name.
func (s *Store) UpdateRun(ctx context.Context, req *UpdateRun) (*UpdateRunResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "UpdateRun is not implemented yet")
}

// DeleteRun marks a run deleted.
func (s *Store) DeleteRun(ctx context.Context, req *DeleteRun) (*DeleteRunResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "DeleteRun is not implemented yet")
}

// RestoreRun restores a deleted run.
func (s *Store) RestoreRun(ctx context.Context, req *RestoreRun) (*RestoreRunResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "RestoreRun is not implemented yet")
}

// SearchRuns lists runs matching a filter, ordered and paged.
func (s *Store) SearchRuns(ctx context.Context, req *SearchRuns) (*SearchRunsResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "SearchRuns is not implemented yet")
}

// LogMetric appends a metric value to a run.
func (s *Store) LogMetric(ctx context.Context, req *LogMetric) (*LogMetricResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "LogMetric is not implemented yet")
}

// LogParam logs a param of a run; a param's value is written once.
func (s *Store) LogParam(ctx context.Context, req *LogParam) (*LogParamResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "LogParam is not implemented yet")
}

// SetTag sets (or replaces) a tag on a run.
func (s *Store) SetTag(ctx context.Context, req *SetTag) (*SetTagResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "SetTag is not implemented yet")
}

// DeleteTag deletes a tag of a run.
func (s *Store) DeleteTag(ctx context.Context, req *DeleteTag) (*DeleteTagResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "DeleteTag is not implemented yet")
}

// LogBatch logs metrics, params and tags of a run in one transaction.
func (s *Store) LogBatch(ctx context.Context, req *LogBatch) (*LogBatchResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "LogBatch is not implemented yet")
}

// LogInputs records the datasets a run used.
func (s *Store) LogInputs(ctx context.Context, req *LogInputs) (*LogInputsResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "LogInputs is not implemented yet")
}

// GetMetricHistory returns every value of a run's metric, ordered by step and timestamp, paged.
func (s *Store) GetMetricHistory(ctx context.Context, req *GetMetricHistory) (*GetMetricHistoryResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "GetMetricHistory is not implemented yet")
}

// GetMetricHistoryBulkInterval returns a sample of a metric's history over several runs.
func (s *Store) GetMetricHistoryBulkInterval(ctx context.Context, req *GetMetricHistoryBulkInterval) (*GetMetricHistoryBulkIntervalResponse, error) {
	return nil, apierr.New(apierr.NotImplemented, "GetMetricHistoryBulkInterval is not implemented yet")
}
