package models_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/models/modelstest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// MustSaveChurn saves the churn model into a fresh directory and returns it.
func MustSaveChurn(tb testing.TB, opts models.Options) string {
	tb.Helper()
	c := modelstest.MustChurn(tb)
	dir := filepath.Join(tb.TempDir(), "churn")
	if opts.Example == nil {
		opts.Example = c.Train
	}
	if err := models.Save(context.Background(), dir, c.Model, c.Train.Schema(), opts); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := modelstest.MustChurn(t)
	dir := MustSaveChurn(t, models.Options{RunID: "r1", SluiceVersion: "1.2.3"})
	m, err := models.Load(ctx, dir, stages.Registry(nil))
	if err != nil {
		t.Fatal(err)
	}
	// The label is dropped from the signature: the model does not read it.
	var names []string
	for _, c := range m.Signature.Inputs {
		names = append(names, c.Name)
	}
	wantNames := []string{"account_length", "international_plan", "voice_mail_plan", "number_vmail_messages",
		"total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls", "total_night_minutes",
		"total_night_calls", "total_intl_minutes", "total_intl_calls", "number_customer_service_calls"}
	if strings.Join(names, ",") != strings.Join(wantNames, ",") {
		t.Errorf("got inputs %v, want %v", names, wantNames)
	}
	if m.PredictionCol != "prediction" {
		t.Errorf("got prediction col %q, want prediction", m.PredictionCol)
	}
	if got := m.InputSchema.Field(1).Type; got.ID() != arrow.BOOL {
		t.Errorf("got international_plan type %s, want bool", got)
	}
	if m.Meta.RunID != "r1" || m.Flavor.SluiceVersion != "1.2.3" || m.Flavor.ModelClass != "PipelineModel" {
		t.Errorf("got run %q version %q class %q", m.Meta.RunID, m.Flavor.SluiceVersion, m.Flavor.ModelClass)
	}
	// Same predictions as the model before saving.
	want, err := c.Model.Transform(ctx, c.Test)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Pipeline.Transform(ctx, c.Test)
	if err != nil {
		t.Fatal(err)
	}
	wp, gp := floats(t, want, "prediction"), floats(t, got, "prediction")
	for i := range wp {
		if wp[i] != gp[i] {
			t.Fatalf("row %d: got prediction %v, want %v", i+1, gp[i], wp[i])
		}
	}
	ex, err := os.ReadFile(filepath.Join(dir, models.InputExampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(ex), `{"columns": ["account_length", "international_plan"`) || !strings.Contains(string(ex), `"data": [[128, false, true, 25, 265.1, 110,`) {
		t.Errorf("input example: got %s", ex)
	}
}

func floats(t *testing.T, f *ml.Frame, col string) []float64 {
	t.Helper()
	ch, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ml.Flatten(ch)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := ml.Float64s(a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMLmodelGolden(t *testing.T) {
	dir := MustSaveChurn(t, models.Options{
		RunID: "0123456789abcdef0123456789abcdef", SluiceVersion: "0.1.0",
		Now: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), UUID: "00000000000000000000000000000001",
	})
	b, err := os.ReadFile(filepath.Join(dir, models.MLmodelFile))
	if err != nil {
		t.Fatal(err)
	}
	// model_size_bytes depends on timestamps inside model/; normalize it.
	got := regexp.MustCompile(`model_size_bytes: \d+`).ReplaceAll(b, []byte("model_size_bytes: 1"))
	golden := filepath.Join("testdata", "churn.MLmodel")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("MLmodel differs from %s (rerun with -update and review the diff):\n%s", golden, got)
	}
	// The golden file parses back.
	m, err := models.ParseMLmodel(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.FlavorNames(); strings.Join(got, ",") != "python_function,sluice" {
		t.Errorf("got flavors %v", got)
	}
}

func TestSaveRefusesExistingDir(t *testing.T) {
	c := modelstest.MustChurn(t)
	dir := t.TempDir()
	err := models.Save(context.Background(), dir, c.Model, c.Train.Schema(), models.Options{})
	if apierr.CodeOf(err) != apierr.ResourceAlreadyExists {
		t.Errorf("got %v, want RESOURCE_ALREADY_EXISTS", err)
	}
}

func TestSaveKeepAllColumns(t *testing.T) {
	dir := MustSaveChurn(t, models.Options{KeepAllColumns: true})
	m, err := models.Load(context.Background(), dir, stages.Registry(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Signature.Inputs[len(m.Signature.Inputs)-1].Name; got != "label" {
		t.Errorf("got last input %q, want label", got)
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	reg := stages.Registry(nil)
	good := MustSaveChurn(t, models.Options{})
	mlmodel, err := os.ReadFile(filepath.Join(good, models.MLmodelFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(dir string) error
		code   apierr.Code
		substr string
	}{
		{"no MLmodel", func(dir string) error { return os.Remove(filepath.Join(dir, "MLmodel")) }, apierr.ResourceDoesNotExist, "MLmodel: no such file"},
		{"bad yaml", writeMLmodel("flavors: [\n"), apierr.InvalidParameterValue, "not valid MLmodel YAML"},
		{"no flavors", writeMLmodel("artifact_path: model\n"), apierr.InvalidParameterValue, "flavors: missing"},
		{"sklearn model", writeMLmodel("flavors:\n  python_function: {loader_module: mlflow.sklearn}\n  sklearn: {pickled_model: model.pkl}\n"),
			apierr.InvalidParameterValue, "no sluice flavor (the model has python_function, sklearn)"},
		{"newer format", replaceIn(mlmodel, "format_version: 1", "format_version: 99"), apierr.InvalidParameterValue, "format_version 99 is newer"},
		{"escaping model_dir", replaceIn(mlmodel, "model_dir: model", "model_dir: ../../etc"), apierr.InvalidParameterValue, "model_dir \"../../etc\" leaves the model directory"},
		{"bad signature", replaceIn(mlmodel, `"type": "long"`, `"type": "complex"`), apierr.InvalidParameterValue, "signature.inputs: column 1: unsupported type \"complex\""},
		{"missing model files", func(dir string) error { return os.RemoveAll(filepath.Join(dir, "model")) }, apierr.InvalidParameterValue, "flavors.sluice.model_dir"},
		{"missing input schema", func(dir string) error { return os.Remove(filepath.Join(dir, models.InputSchemaFile)) }, apierr.InvalidParameterValue, "flavors.sluice.input_schema"},
		{"renamed column", replaceIn(mlmodel, `"name": "account_length"`, `"name": "acct"`), apierr.InvalidParameterValue, `column 1 is "account_length", signature.inputs says "acct"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			if err := os.CopyFS(dir, os.DirFS(good)); err != nil {
				t.Fatal(err)
			}
			if err := tt.edit(dir); err != nil {
				t.Fatal(err)
			}
			_, err := models.Load(ctx, dir, reg)
			if err == nil {
				t.Fatal("got no error")
			}
			if got := apierr.CodeOf(err); got != tt.code {
				t.Errorf("got code %s, want %s (%v)", got, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("got %q, want it to contain %q", err, tt.substr)
			}
		})
	}
}

func writeMLmodel(s string) func(string) error {
	return func(dir string) error { return os.WriteFile(filepath.Join(dir, "MLmodel"), []byte(s), 0o644) }
}

func replaceIn(orig []byte, old, new string) func(string) error {
	return func(dir string) error {
		if !strings.Contains(string(orig), old) {
			return errors.New("MLmodel has no " + old)
		}
		return os.WriteFile(filepath.Join(dir, "MLmodel"), []byte(strings.Replace(string(orig), old, new, 1)), 0o644)
	}
}

// A Sluice model saved as an MLflow model directory loads back and
// predicts like the model did.
func ExampleSave() {
	ctx := context.Background()
	c, err := modelstest.FitChurn()
	if err != nil {
		panic(err)
	}
	dir := filepath.Join(os.TempDir(), "example-churn-model")
	os.RemoveAll(dir)
	defer os.RemoveAll(dir)
	if err := models.Save(ctx, dir, c.Model, c.Train.Schema(), models.Options{Example: c.Train}); err != nil {
		panic(err)
	}
	m, err := models.Load(ctx, dir, stages.Registry(nil))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(m.Signature.Inputs), "input columns; returns", m.Signature.Outputs[0].Name, m.Signature.Outputs[0].Type)
	// Output: 13 input columns; returns prediction double
}

// A stage that passes the frame through when its input is missing (a
// fitted StringIndexer) still needs that input.
func TestRequiredInputsPassThrough(t *testing.T) {
	c := modelstest.MustChurn(t)
	si := c.Model.Stages[0]
	got, err := models.RequiredInputs(si, c.Train.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if names := ml.ColumnNames(got); strings.Join(names, ",") != "international_plan" {
		t.Errorf("got %v, want [international_plan]", names)
	}
	// And a model that adds nothing needs nothing.
	pm := &ml.PipelineModel{}
	if got, err = models.RequiredInputs(pm, c.Train.Schema()); err != nil || got.NumFields() != 0 {
		t.Errorf("empty pipeline: got %v, %v; want no columns", got, err)
	}
}
