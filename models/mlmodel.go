package models

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sluice-dev/sluice/apierr"
)

// File names inside an MLflow model directory.
const (
	// MLmodelFile is the model's description (YAML).
	MLmodelFile = "MLmodel"
	// InputExampleFile holds the input example in pandas split orient.
	InputExampleFile = "input_example.json"
	// InputSchemaFile holds the exact Arrow input schema (an Arrow IPC
	// stream with no batches): MLflow's types are coarser than Arrow's.
	InputSchemaFile = "input_schema.arrow"
	// ModelSubdir is where the Sluice model files (ml.Save) go.
	ModelSubdir = "model"
)

// Flavor names.
const (
	// FlavorSluice is the flavor Sluice loads.
	FlavorSluice = "sluice"
	// FlavorPyfunc is MLflow's generic flavor. Sluice writes it so MLflow
	// tools list the model, with loader_module "sluice": no Python module
	// of that name exists, so Python's mlflow.pyfunc.load_model cannot
	// load a Sluice model; serve it with `sluice models serve`.
	FlavorPyfunc = "python_function"
)

// SluiceFormatVersion is the version of the sluice flavor this package
// writes; Load refuses newer ones.
const SluiceFormatVersion = 1

// maxMLmodelBytes bounds the MLmodel file Load reads.
const maxMLmodelBytes = 1 << 20

// MLmodel is an MLmodel file: MLflow's top-level keys, in the
// alphabetical order MLflow writes them.
type MLmodel struct {
	ArtifactPath          string               `yaml:"artifact_path,omitempty"`
	Flavors               map[string]yaml.Node `yaml:"flavors"`
	Metadata              map[string]any       `yaml:"metadata,omitempty"`
	MLflowVersion         string               `yaml:"mlflow_version,omitempty"`
	ModelSizeBytes        int64                `yaml:"model_size_bytes,omitempty"`
	ModelUUID             string               `yaml:"model_uuid,omitempty"`
	RunID                 string               `yaml:"run_id,omitempty"`
	SavedInputExampleInfo *ExampleInfo         `yaml:"saved_input_example_info,omitempty"`
	Signature             *SignatureYAML       `yaml:"signature,omitempty"`
	UTCTimeCreated        string               `yaml:"utc_time_created,omitempty"`
}

// ExampleInfo is MLmodel's saved_input_example_info.
type ExampleInfo struct {
	ArtifactPath string `yaml:"artifact_path"`
	PandasOrient string `yaml:"pandas_orient,omitempty"`
	Type         string `yaml:"type"`
}

// SignatureYAML is MLmodel's signature block: JSON strings, as MLflow
// stores them.
type SignatureYAML struct {
	Inputs  string  `yaml:"inputs,omitempty"`
	Outputs string  `yaml:"outputs,omitempty"`
	Params  *string `yaml:"params"`
}

// SluiceFlavor is the sluice flavor's configuration.
type SluiceFlavor struct {
	// Format is ml.ModelFormat ("sluice-ml"), the layout of ModelDir.
	Format string `yaml:"format"`
	// FormatVersion is the flavor's version (SluiceFormatVersion).
	FormatVersion int `yaml:"format_version"`
	// InputSchema names the Arrow input schema file, relative to the
	// model directory; empty means "derive it from the signature".
	InputSchema string `yaml:"input_schema,omitempty"`
	// ModelClass is the saved stage's class, e.g. "PipelineModel".
	ModelClass string `yaml:"model_class"`
	// ModelDir is the Sluice model directory, relative to the model
	// directory (ModelSubdir).
	ModelDir string `yaml:"model_dir"`
	// PredictionCol is the column /invocations returns by default.
	PredictionCol string `yaml:"prediction_col"`
	// SluiceVersion is the version of Sluice that saved the model.
	SluiceVersion string `yaml:"sluice_version"`
}

type pyfuncFlavor struct {
	Data         string `yaml:"data"`
	LoaderModule string `yaml:"loader_module"`
}

// Flavor decodes the named flavor into dst; it reports false when the
// flavor is absent.
func (m *MLmodel) Flavor(name string, dst any) (bool, error) {
	n, ok := m.Flavors[name]
	if !ok {
		return false, nil
	}
	if err := n.Decode(dst); err != nil {
		return true, fmt.Errorf("flavors.%s: %w", name, err)
	}
	return true, nil
}

// FlavorNames lists the model's flavors, sorted.
func (m *MLmodel) FlavorNames() []string {
	out := make([]string, 0, len(m.Flavors))
	for k := range m.Flavors {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (m *MLmodel) setFlavor(name string, v any) error {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return err
	}
	if m.Flavors == nil {
		m.Flavors = map[string]yaml.Node{}
	}
	m.Flavors[name] = n
	return nil
}

// Marshal returns the MLmodel YAML.
func (m *MLmodel) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadMLmodel reads and parses dir/MLmodel. A missing file is a
// RESOURCE_DOES_NOT_EXIST error, a malformed one INVALID_PARAMETER_VALUE;
// both name the file.
func ReadMLmodel(dir string) (*MLmodel, error) {
	p := filepath.Join(dir, MLmodelFile)
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil, apierr.NotFound("%s: no such file; %s is not an MLflow model directory", p, dir).
			WithHint("give a directory with an MLmodel file (models.Save or `sluice ml fit --experiment` writes one)")
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMLmodelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(b) > maxMLmodelBytes {
		return nil, apierr.Invalid("%s: larger than %d bytes; this is not an MLmodel file", p, maxMLmodelBytes)
	}
	m, err := ParseMLmodel(b)
	if err != nil {
		return nil, apierr.Invalid("%s: %v", p, err)
	}
	return m, nil
}

// ParseMLmodel parses MLmodel YAML. Errors name the bad field.
func ParseMLmodel(b []byte) (*MLmodel, error) {
	var m MLmodel
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not valid MLmodel YAML: %v", err)
	}
	if len(m.Flavors) == 0 {
		return nil, fmt.Errorf("flavors: missing or empty")
	}
	return &m, nil
}

// sluiceFlavor returns the validated sluice flavor.
func (m *MLmodel) sluiceFlavor() (*SluiceFlavor, error) {
	var fl SluiceFlavor
	ok, err := m.Flavor(FlavorSluice, &fl)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("flavors: no %s flavor (the model has %s); it was not saved by Sluice, which loads only its own models",
			FlavorSluice, strings.Join(m.FlavorNames(), ", "))
	}
	switch {
	case fl.FormatVersion > SluiceFormatVersion:
		return nil, fmt.Errorf("flavors.sluice.format_version %d is newer than this Sluice reads (%d); upgrade Sluice", fl.FormatVersion, SluiceFormatVersion)
	case fl.FormatVersion < 1:
		return nil, fmt.Errorf("flavors.sluice.format_version is missing or invalid")
	case fl.ModelDir == "":
		return nil, fmt.Errorf("flavors.sluice.model_dir is missing")
	}
	if err := checkRelPath("flavors.sluice.model_dir", fl.ModelDir); err != nil {
		return nil, err
	}
	if fl.InputSchema != "" {
		if err := checkRelPath("flavors.sluice.input_schema", fl.InputSchema); err != nil {
			return nil, err
		}
	}
	return &fl, nil
}

// checkRelPath refuses paths that leave the model directory.
func checkRelPath(field, p string) error {
	if strings.Contains(p, `\`) || path.IsAbs(p) || filepath.IsAbs(p) {
		return fmt.Errorf("%s %q must be a relative path inside the model directory", field, p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return fmt.Errorf("%s %q leaves the model directory", field, p)
	}
	return nil
}
