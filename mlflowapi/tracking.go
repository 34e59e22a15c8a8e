package mlflowapi

import (
	"context"
	"net/http"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/tracking"
)

// TrackingEndpoints lists the tracking endpoints RegisterTracking mounts,
// with their methods, as MLflow's service.proto declares them (runs/search
// also answers GET, as experiments/search does).
var TrackingEndpoints = []struct {
	Path    string
	Methods []string
}{
	{"experiments/create", trPost},
	{"experiments/get", trGet},
	{"experiments/get-by-name", trGet},
	{"experiments/search", trPostGet},
	{"experiments/update", trPost},
	{"experiments/delete", trPost},
	{"experiments/restore", trPost},
	{"experiments/set-experiment-tag", trPost},
	{"experiments/delete-experiment-tag", trPost},
	{"runs/create", trPost},
	{"runs/get", trGet},
	{"runs/update", trPost},
	{"runs/delete", trPost},
	{"runs/restore", trPost},
	{"runs/search", trPostGet},
	{"runs/log-metric", trPost},
	{"runs/log-parameter", trPost},
	{"runs/set-tag", trPost},
	{"runs/delete-tag", trPost},
	{"runs/log-batch", trPost},
	{"runs/log-inputs", trPost},
	{"metrics/get-history", trGet},
	{"metrics/get-history-bulk-interval", trGet},
}

var (
	trPost    = []string{http.MethodPost}
	trGet     = []string{http.MethodGet}
	trPostGet = []string{http.MethodPost, http.MethodGet}
)

// trackingRPC mounts a tracking RPC: it decodes the request into Req, runs check
// (which reports missing required parameters), then calls fn.
func trackingRPC[Req, Resp any](api *API, path string, methods []string, fn func(context.Context, *Req) (*Resp, error), check func(*Req) error) {
	api.Handle(path, methods, func(r *http.Request) (any, error) {
		req := new(Req)
		if err := Decode(r, req); err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(req); err != nil {
				return nil, err
			}
		}
		return fn(r.Context(), req)
	})
}

// trMissing is MLflow's error for an absent required parameter.
func trMissing(field string) error {
	return apierr.Invalid("Missing value for required parameter '%s'. See the API docs for more information about request parameters.", field)
}

// trRequired returns trMissing for the first pair whose value is empty.
func trRequired(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return trMissing(pairs[i])
		}
	}
	return nil
}

func trRunID(id, uuid string) string {
	if id != "" {
		return id
	}
	return uuid
}

// logMetricRequest is runs/log-metric's request with presence of the
// required value and timestamp.
type logMetricRequest struct {
	tracking.LogMetric
	Value     *tracking.Float `json:"value"`
	Timestamp *int64          `json:"timestamp"`
}

// logParamRequest is runs/log-parameter's request with presence of the
// required value.
type logParamRequest struct {
	tracking.LogParam
	Value *string `json:"value"`
}

// setTagRequest and setExperimentTagRequest carry presence of the
// required value.
type setTagRequest struct {
	tracking.SetTag
	Value *string `json:"value"`
}

type setExperimentTagRequest struct {
	tracking.SetExperimentTag
	Value *string `json:"value"`
}

// RegisterTracking mounts MLflow's tracking endpoints (experiments, runs,
// metrics; see TrackingEndpoints) on api, served by s.
func RegisterTracking(api *API, s *tracking.Store) {
	trackingRPC(api, "experiments/create", trPost, s.CreateExperiment, func(r *tracking.CreateExperiment) error {
		return trRequired("name", r.Name)
	})
	trackingRPC(api, "experiments/get", trGet, s.GetExperiment, func(r *tracking.GetExperiment) error {
		return trRequired("experiment_id", r.ExperimentID)
	})
	trackingRPC(api, "experiments/get-by-name", trGet, s.GetExperimentByName, func(r *tracking.GetExperimentByName) error {
		return trRequired("experiment_name", r.ExperimentName)
	})
	trackingRPC(api, "experiments/search", trPostGet, s.SearchExperiments, nil)
	trackingRPC(api, "experiments/update", trPost, s.UpdateExperiment, func(r *tracking.UpdateExperiment) error {
		return trRequired("experiment_id", r.ExperimentID)
	})
	trackingRPC(api, "experiments/delete", trPost, s.DeleteExperiment, func(r *tracking.DeleteExperiment) error {
		return trRequired("experiment_id", r.ExperimentID)
	})
	trackingRPC(api, "experiments/restore", trPost, s.RestoreExperiment, func(r *tracking.RestoreExperiment) error {
		return trRequired("experiment_id", r.ExperimentID)
	})
	trackingRPC(api, "experiments/set-experiment-tag", trPost, func(ctx context.Context, r *setExperimentTagRequest) (*tracking.SetExperimentTagResponse, error) {
		r.SetExperimentTag.Value = *r.Value
		return s.SetExperimentTag(ctx, &r.SetExperimentTag)
	}, func(r *setExperimentTagRequest) error {
		if err := trRequired("experiment_id", r.ExperimentID, "key", r.Key); err != nil {
			return err
		}
		if r.Value == nil {
			return trMissing("value")
		}
		return nil
	})
	trackingRPC(api, "experiments/delete-experiment-tag", trPost, s.DeleteExperimentTag, func(r *tracking.DeleteExperimentTag) error {
		return trRequired("experiment_id", r.ExperimentID, "key", r.Key)
	})

	trackingRPC(api, "runs/create", trPost, s.CreateRun, nil)
	trackingRPC(api, "runs/get", trGet, s.GetRun, func(r *tracking.GetRun) error {
		return trRequired("run_id", trRunID(r.RunID, r.RunUUID))
	})
	trackingRPC(api, "runs/update", trPost, s.UpdateRun, func(r *tracking.UpdateRun) error {
		return trRequired("run_id", trRunID(r.RunID, r.RunUUID))
	})
	trackingRPC(api, "runs/delete", trPost, s.DeleteRun, func(r *tracking.DeleteRun) error {
		return trRequired("run_id", r.RunID)
	})
	trackingRPC(api, "runs/restore", trPost, s.RestoreRun, func(r *tracking.RestoreRun) error {
		return trRequired("run_id", r.RunID)
	})
	trackingRPC(api, "runs/search", trPostGet, s.SearchRuns, nil)
	trackingRPC(api, "runs/log-metric", trPost, func(ctx context.Context, r *logMetricRequest) (*tracking.LogMetricResponse, error) {
		r.LogMetric.Value, r.LogMetric.Timestamp = *r.Value, *r.Timestamp
		return s.LogMetric(ctx, &r.LogMetric)
	}, func(r *logMetricRequest) error {
		if err := trRequired("run_id", trRunID(r.RunID, r.RunUUID), "key", r.Key); err != nil {
			return err
		}
		if r.Value == nil {
			return trMissing("value")
		}
		if r.Timestamp == nil {
			return trMissing("timestamp")
		}
		return nil
	})
	trackingRPC(api, "runs/log-parameter", trPost, func(ctx context.Context, r *logParamRequest) (*tracking.LogParamResponse, error) {
		r.LogParam.Value = *r.Value
		return s.LogParam(ctx, &r.LogParam)
	}, func(r *logParamRequest) error {
		if err := trRequired("run_id", trRunID(r.RunID, r.RunUUID), "key", r.Key); err != nil {
			return err
		}
		if r.Value == nil {
			return trMissing("value")
		}
		return nil
	})
	trackingRPC(api, "runs/set-tag", trPost, func(ctx context.Context, r *setTagRequest) (*tracking.SetTagResponse, error) {
		r.SetTag.Value = *r.Value
		return s.SetTag(ctx, &r.SetTag)
	}, func(r *setTagRequest) error {
		if err := trRequired("run_id", trRunID(r.RunID, r.RunUUID), "key", r.Key); err != nil {
			return err
		}
		if r.Value == nil {
			return trMissing("value")
		}
		return nil
	})
	trackingRPC(api, "runs/delete-tag", trPost, s.DeleteTag, func(r *tracking.DeleteTag) error {
		return trRequired("run_id", r.RunID, "key", r.Key)
	})
	trackingRPC(api, "runs/log-batch", trPost, s.LogBatch, func(r *tracking.LogBatch) error {
		return trRequired("run_id", r.RunID)
	})
	trackingRPC(api, "runs/log-inputs", trPost, s.LogInputs, func(r *tracking.LogInputs) error {
		return trRequired("run_id", r.RunID)
	})
	trackingRPC(api, "metrics/get-history", trGet, s.GetMetricHistory, func(r *tracking.GetMetricHistory) error {
		return trRequired("run_id", trRunID(r.RunID, r.RunUUID), "metric_key", r.MetricKey)
	})
	trackingRPC(api, "metrics/get-history-bulk-interval", trGet, s.GetMetricHistoryBulkInterval, func(r *tracking.GetMetricHistoryBulkInterval) error {
		if len(r.RunIDs) == 0 {
			return trMissing("run_ids")
		}
		return trRequired("metric_key", r.MetricKey)
	})
}
