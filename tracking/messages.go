package tracking

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// This file holds the messages of MLflow's tracking service
// (mlflow/protos/service.proto) as Go structs. JSON names are the proto
// field names; int64 fields are JSON numbers, enums their names, and unset
// optional fields are omitted, as MLflow's server writes them.

// ViewType selects active, deleted or all experiments or runs.
type ViewType string

// The view types of MLflow's ViewType enum.
const (
	ActiveOnly  ViewType = "ACTIVE_ONLY"
	DeletedOnly ViewType = "DELETED_ONLY"
	All         ViewType = "ALL"
)

// UnmarshalJSON accepts the enum's name or number (1, 2, 3), as protobuf's
// JSON parser does.
func (v *ViewType) UnmarshalJSON(b []byte) error {
	s, err := enumString(b, map[string]string{"1": "ACTIVE_ONLY", "2": "DELETED_ONLY", "3": "ALL"})
	*v = ViewType(s)
	return err
}

// RunStatus is the status of a run.
type RunStatus string

// The statuses of MLflow's RunStatus enum.
const (
	Running   RunStatus = "RUNNING"
	Scheduled RunStatus = "SCHEDULED"
	Finished  RunStatus = "FINISHED"
	Failed    RunStatus = "FAILED"
	Killed    RunStatus = "KILLED"
)

// UnmarshalJSON accepts the enum's name or number (1–5).
func (s *RunStatus) UnmarshalJSON(b []byte) error {
	v, err := enumString(b, map[string]string{"1": "RUNNING", "2": "SCHEDULED", "3": "FINISHED", "4": "FAILED", "5": "KILLED"})
	*s = RunStatus(v)
	return err
}

// enumString decodes a JSON string or number naming an enum value; numbers
// (also as strings, as query strings carry them) map through byNumber.
// Unknown names are kept and rejected by validation, which names the field.
func enumString(b []byte, byNumber map[string]string) (string, error) {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
	} else {
		s = string(b)
		if s == "null" {
			return "", nil
		}
	}
	if name, ok := byNumber[s]; ok {
		return name, nil
	}
	return strings.ToUpper(s), nil
}

// Lifecycle stages of experiments and runs.
const (
	StageActive  = "active"
	StageDeleted = "deleted"
)

// Experiment is an MLflow experiment.
type Experiment struct {
	ExperimentID     string          `json:"experiment_id"`
	Name             string          `json:"name"`
	ArtifactLocation string          `json:"artifact_location"`
	LifecycleStage   string          `json:"lifecycle_stage"`
	LastUpdateTime   int64           `json:"last_update_time,omitempty"`
	CreationTime     int64           `json:"creation_time,omitempty"`
	Tags             []ExperimentTag `json:"tags,omitempty"`
}

// ExperimentTag is a key-value tag on an experiment.
type ExperimentTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Run is a run's metadata, data and inputs.
type Run struct {
	Info   RunInfo   `json:"info"`
	Data   RunData   `json:"data"`
	Inputs RunInputs `json:"inputs"`
}

// RunInfo is a run's metadata.
type RunInfo struct {
	RunID          string    `json:"run_id"`
	RunUUID        string    `json:"run_uuid"` // deprecated alias of RunID, always equal to it
	RunName        string    `json:"run_name"`
	ExperimentID   string    `json:"experiment_id"`
	UserID         string    `json:"user_id"`
	Status         RunStatus `json:"status"`
	StartTime      int64     `json:"start_time"`
	EndTime        int64     `json:"end_time,omitempty"` // 0: not ended
	ArtifactURI    string    `json:"artifact_uri,omitempty"`
	LifecycleStage string    `json:"lifecycle_stage"`
}

// RunData is a run's latest metrics, params and tags.
type RunData struct {
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []RunTag `json:"tags,omitempty"`
}

// RunInputs is the datasets a run used.
type RunInputs struct {
	DatasetInputs []DatasetInput `json:"dataset_inputs,omitempty"`
}

// Metric is one logged value of a metric. Value may be NaN or ±Inf, which
// JSON carries as the strings "NaN", "Infinity" and "-Infinity", as
// protobuf's JSON mapping does.
type Metric struct {
	Key       string  `json:"key"`
	Value     float64 `json:"value"`
	Timestamp int64   `json:"timestamp"`
	Step      int64   `json:"step"`
}

// MarshalJSON writes m with non-finite values as protobuf's strings.
func (m Metric) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+len(m.Key))
	b = append(b, `{"key":`...)
	b = appendJSONString(b, m.Key)
	b = append(b, `,"value":`...)
	b = appendFloat(b, m.Value)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, m.Timestamp, 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, m.Step, 10)
	return append(b, '}'), nil
}

// UnmarshalJSON reads a metric whose value may be a number or one of the
// strings "NaN", "Infinity", "-Infinity".
func (m *Metric) UnmarshalJSON(b []byte) error {
	var raw struct {
		Key       string  `json:"key"`
		Value     Float   `json:"value"`
		Timestamp int64   `json:"timestamp"`
		Step      int64   `json:"step"`
		Extra     *string `json:"run_id"` // tolerated, ignored
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*m = Metric{Key: raw.Key, Value: float64(raw.Value), Timestamp: raw.Timestamp, Step: raw.Step}
	return nil
}

// Float is a float64 that JSON-decodes from a number or from "NaN",
// "Infinity", "-Infinity" (and numeric strings), and encodes non-finite
// values as those strings.
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	switch s {
	case "NaN", "nan":
		*f = Float(math.NaN())
		return nil
	case "Infinity", "inf", "Inf":
		*f = Float(math.Inf(1))
		return nil
	case "-Infinity", "-inf", "-Inf":
		*f = Float(math.Inf(-1))
		return nil
	case "null":
		*f = 0
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: floatType, Field: "value"}
	}
	*f = Float(x)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) { return appendFloat(nil, float64(f)), nil }

var floatType = reflect.TypeFor[float64]()

func appendFloat(b []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(b, `"NaN"`...)
	case math.IsInf(x, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(x, -1):
		return append(b, `"-Infinity"`...)
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		// Whole numbers as MLflow's Python server writes them: 1.0.
		b = strconv.AppendFloat(b, x, 'f', -1, 64)
		return append(b, ".0"...)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Param is a run parameter; once logged its value never changes.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// RunTag is a key-value tag on a run.
type RunTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Dataset is a reference to data a run used.
type Dataset struct {
	Name       string `json:"name"`
	Digest     string `json:"digest"`
	SourceType string `json:"source_type"`
	Source     string `json:"source"`
	Schema     string `json:"schema,omitempty"`
	Profile    string `json:"profile,omitempty"`
}

// DatasetInput is a dataset used by a run and the input's tags (for
// example mlflow.data.context=training).
type DatasetInput struct {
	Tags    []InputTag `json:"tags,omitempty"`
	Dataset *Dataset   `json:"dataset"`
}

// InputTag is a key-value tag on a dataset input.
type InputTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// MetricWithRunID is a metric value and the run it belongs to.
type MetricWithRunID struct {
	Metric
	RunID string `json:"run_id"`
}

// MarshalJSON writes the metric's fields and run_id.
func (m MetricWithRunID) MarshalJSON() ([]byte, error) {
	b, _ := m.Metric.MarshalJSON()
	b = b[:len(b)-1]
	b = append(b, `,"run_id":`...)
	b = appendJSONString(b, m.RunID)
	return append(b, '}'), nil
}

// CreateExperiment is the request of experiments/create.
type CreateExperiment struct {
	Name             string          `json:"name"`
	ArtifactLocation string          `json:"artifact_location,omitempty"`
	Tags             []ExperimentTag `json:"tags,omitempty"`
}

// CreateExperimentResponse is the response of experiments/create.
type CreateExperimentResponse struct {
	ExperimentID string `json:"experiment_id"`
}

// SearchExperiments is the request of experiments/search.
type SearchExperiments struct {
	MaxResults int64    `json:"max_results,omitempty"` // default 1000, at most 50,000
	PageToken  string   `json:"page_token,omitempty"`
	Filter     string   `json:"filter,omitempty"`
	OrderBy    []string `json:"order_by,omitempty"`
	ViewType   ViewType `json:"view_type,omitempty"` // default ACTIVE_ONLY
}

// SearchExperimentsResponse is the response of experiments/search.
type SearchExperimentsResponse struct {
	Experiments   []Experiment `json:"experiments,omitempty"`
	NextPageToken string       `json:"next_page_token,omitempty"`
}

// GetExperiment is the request of experiments/get.
type GetExperiment struct {
	ExperimentID string `json:"experiment_id"`
}

// GetExperimentResponse is the response of experiments/get.
type GetExperimentResponse struct {
	Experiment *Experiment `json:"experiment"`
}

// GetExperimentByName is the request of experiments/get-by-name.
type GetExperimentByName struct {
	ExperimentName string `json:"experiment_name"`
}

// GetExperimentByNameResponse is the response of experiments/get-by-name.
type GetExperimentByNameResponse struct {
	Experiment *Experiment `json:"experiment"`
}

// DeleteExperiment is the request of experiments/delete.
type DeleteExperiment struct {
	ExperimentID string `json:"experiment_id"`
}

// DeleteExperimentResponse is the (empty) response of experiments/delete.
type DeleteExperimentResponse struct{}

// RestoreExperiment is the request of experiments/restore.
type RestoreExperiment struct {
	ExperimentID string `json:"experiment_id"`
}

// RestoreExperimentResponse is the (empty) response of experiments/restore.
type RestoreExperimentResponse struct{}

// UpdateExperiment is the request of experiments/update.
type UpdateExperiment struct {
	ExperimentID string `json:"experiment_id"`
	NewName      string `json:"new_name,omitempty"`
}

// UpdateExperimentResponse is the (empty) response of experiments/update.
type UpdateExperimentResponse struct{}

// SetExperimentTag is the request of experiments/set-experiment-tag.
type SetExperimentTag struct {
	ExperimentID string `json:"experiment_id"`
	Key          string `json:"key"`
	Value        string `json:"value"`
}

// SetExperimentTagResponse is the (empty) response of
// experiments/set-experiment-tag.
type SetExperimentTagResponse struct{}

// DeleteExperimentTag is the request of experiments/delete-experiment-tag.
type DeleteExperimentTag struct {
	ExperimentID string `json:"experiment_id"`
	Key          string `json:"key"`
}

// DeleteExperimentTagResponse is the (empty) response of
// experiments/delete-experiment-tag.
type DeleteExperimentTagResponse struct{}

// CreateRun is the request of runs/create.
type CreateRun struct {
	ExperimentID string   `json:"experiment_id,omitempty"` // default "0"
	UserID       string   `json:"user_id,omitempty"`
	RunName      string   `json:"run_name,omitempty"`
	StartTime    int64    `json:"start_time,omitempty"` // default now
	Tags         []RunTag `json:"tags,omitempty"`
}

// CreateRunResponse is the response of runs/create.
type CreateRunResponse struct {
	Run *Run `json:"run"`
}

// UpdateRun is the request of runs/update. Zero fields are left unchanged.
type UpdateRun struct {
	RunID   string    `json:"run_id,omitempty"`
	RunUUID string    `json:"run_uuid,omitempty"` // deprecated alias of RunID
	Status  RunStatus `json:"status,omitempty"`
	EndTime int64     `json:"end_time,omitempty"`
	RunName string    `json:"run_name,omitempty"`
}

// UpdateRunResponse is the response of runs/update.
type UpdateRunResponse struct {
	RunInfo *RunInfo `json:"run_info"`
}

// DeleteRun is the request of runs/delete.
type DeleteRun struct {
	RunID string `json:"run_id"`
}

// DeleteRunResponse is the (empty) response of runs/delete.
type DeleteRunResponse struct{}

// RestoreRun is the request of runs/restore.
type RestoreRun struct {
	RunID string `json:"run_id"`
}

// RestoreRunResponse is the (empty) response of runs/restore.
type RestoreRunResponse struct{}

// LogMetric is the request of runs/log-metric.
type LogMetric struct {
	RunID     string `json:"run_id,omitempty"`
	RunUUID   string `json:"run_uuid,omitempty"` // deprecated alias of RunID
	Key       string `json:"key"`
	Value     Float  `json:"value"`
	Timestamp int64  `json:"timestamp"`
	Step      int64  `json:"step,omitempty"`
}

// LogMetricResponse is the (empty) response of runs/log-metric.
type LogMetricResponse struct{}

// LogParam is the request of runs/log-parameter.
type LogParam struct {
	RunID   string `json:"run_id,omitempty"`
	RunUUID string `json:"run_uuid,omitempty"` // deprecated alias of RunID
	Key     string `json:"key"`
	Value   string `json:"value"`
}

// LogParamResponse is the (empty) response of runs/log-parameter.
type LogParamResponse struct{}

// SetTag is the request of runs/set-tag.
type SetTag struct {
	RunID   string `json:"run_id,omitempty"`
	RunUUID string `json:"run_uuid,omitempty"` // deprecated alias of RunID
	Key     string `json:"key"`
	Value   string `json:"value"`
}

// SetTagResponse is the (empty) response of runs/set-tag.
type SetTagResponse struct{}

// DeleteTag is the request of runs/delete-tag.
type DeleteTag struct {
	RunID string `json:"run_id"`
	Key   string `json:"key"`
}

// DeleteTagResponse is the (empty) response of runs/delete-tag.
type DeleteTagResponse struct{}

// GetRun is the request of runs/get.
type GetRun struct {
	RunID   string `json:"run_id,omitempty"`
	RunUUID string `json:"run_uuid,omitempty"` // deprecated alias of RunID
}

// GetRunResponse is the response of runs/get.
type GetRunResponse struct {
	Run *Run `json:"run"`
}

// SearchRuns is the request of runs/search.
type SearchRuns struct {
	ExperimentIDs []string `json:"experiment_ids,omitempty"`
	Filter        string   `json:"filter,omitempty"`
	RunViewType   ViewType `json:"run_view_type,omitempty"` // default ACTIVE_ONLY
	MaxResults    int32    `json:"max_results,omitempty"`   // default 1000, at most 50,000
	OrderBy       []string `json:"order_by,omitempty"`
	PageToken     string   `json:"page_token,omitempty"`
}

// SearchRunsResponse is the response of runs/search.
type SearchRunsResponse struct {
	Runs          []Run  `json:"runs,omitempty"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

// GetMetricHistory is the request of metrics/get-history.
type GetMetricHistory struct {
	RunID      string `json:"run_id,omitempty"`
	RunUUID    string `json:"run_uuid,omitempty"` // deprecated alias of RunID
	MetricKey  string `json:"metric_key"`
	PageToken  string `json:"page_token,omitempty"`
	MaxResults int32  `json:"max_results,omitempty"` // 0: all values
}

// GetMetricHistoryResponse is the response of metrics/get-history.
type GetMetricHistoryResponse struct {
	Metrics       []Metric `json:"metrics,omitempty"`
	NextPageToken string   `json:"next_page_token,omitempty"`
}

// GetMetricHistoryBulkInterval is the request of
// metrics/get-history-bulk-interval.
type GetMetricHistoryBulkInterval struct {
	RunIDs     []string `json:"run_ids"`
	MetricKey  string   `json:"metric_key"`
	StartStep  *int32   `json:"start_step,omitempty"`
	EndStep    *int32   `json:"end_step,omitempty"`
	MaxResults int32    `json:"max_results,omitempty"` // default 320, at most 1000
}

// GetMetricHistoryBulkIntervalResponse is the response of
// metrics/get-history-bulk-interval.
type GetMetricHistoryBulkIntervalResponse struct {
	Metrics []MetricWithRunID `json:"metrics,omitempty"`
}

// LogBatch is the request of runs/log-batch.
type LogBatch struct {
	RunID   string   `json:"run_id"`
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []RunTag `json:"tags,omitempty"`
}

// LogBatchResponse is the (empty) response of runs/log-batch.
type LogBatchResponse struct{}

// LogInputs is the request of runs/log-inputs.
type LogInputs struct {
	RunID    string         `json:"run_id"`
	Datasets []DatasetInput `json:"datasets,omitempty"`
}

// LogInputsResponse is the (empty) response of runs/log-inputs.
type LogInputsResponse struct{}
