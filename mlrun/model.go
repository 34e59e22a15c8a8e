package mlrun

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/models"
)

// logModelHistory returns the value of the mlflow.log-model.history tag
// for the model directory dir: a JSON list with one entry naming the run,
// artifact path, creation time, flavors and model UUID from its MLmodel.
func logModelHistory(dir string) (string, error) {
	mm, err := models.ReadMLmodel(dir)
	if err != nil {
		return "", err
	}
	flavors := map[string]any{}
	for name, node := range mm.Flavors {
		var v any
		if err := node.Decode(&v); err != nil {
			return "", fmt.Errorf("MLmodel flavor %s: %w", name, err)
		}
		flavors[name] = jsonable(v)
	}
	entry := map[string]any{
		"run_id":           mm.RunID,
		"artifact_path":    mm.ArtifactPath,
		"utc_time_created": mm.UTCTimeCreated,
		"flavors":          flavors,
		"model_uuid":       mm.ModelUUID,
	}
	b, err := json.Marshal([]any{entry})
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonable turns YAML-decoded maps with non-string keys into ones JSON
// can encode.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
		return x
	}
	return v
}

// deriveInputSchema recovers the schema of the rows the model was applied
// to from the scored rows: the model appends its output columns, so the
// input is the longest prefix of the scored schema that the model maps to
// exactly the scored columns. nil when there are no scored rows or no
// prefix fits.
func deriveInputSchema(res *spec.Result) *arrow.Schema {
	if res.Predictions == nil || res.Model == nil {
		return nil
	}
	sc := res.Predictions.Schema()
	want := ml.ColumnNames(sc)
	fields := sc.Fields()
	for k := len(fields) - 1; k > 0; k-- {
		in := arrow.NewSchema(fields[:k], nil)
		out, err := res.Model.TransformSchema(in)
		if err != nil {
			continue
		}
		if got := ml.ColumnNames(out); slices.Equal(got, want) {
			return in
		}
	}
	return nil
}
