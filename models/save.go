package models

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
)

// Options tunes Save. The zero value is valid: every field has a default.
type Options struct {
	// Example is a frame of training rows; its first ExampleRows rows
	// become input_example.json. Default: none (no example is written).
	// When Save's input schema is nil, Example's schema is used.
	Example *ml.Frame
	// ExampleRows is how many rows of Example to write. Default: 5.
	ExampleRows int
	// KeepAllColumns keeps every column of the input schema in the
	// signature. By default Save drops the columns the model does not
	// read (the label, ids): a column is dropped when the model's
	// TransformSchema still succeeds without it.
	KeepAllColumns bool
	// ArtifactPath is MLmodel's artifact_path, the model's path inside
	// its run's artifacts. Default: "model".
	ArtifactPath string
	// RunID is MLmodel's run_id. Default: none.
	RunID string
	// SluiceVersion is written in the sluice flavor. Default: "dev".
	SluiceVersion string
	// PredictionCol is the output column /invocations returns. Default:
	// the final stage's predictionCol param, else the last column the
	// model adds.
	PredictionCol string
	// Metadata is MLmodel's free-form metadata block. Default: none.
	Metadata map[string]any
	// Now and UUID fix utc_time_created and model_uuid (for golden
	// tests). Default: the current time and a random UUID.
	Now  time.Time
	UUID string
}

// Save writes m as an MLflow model directory at dir, which must not exist
// yet:
//
//	MLmodel              flavors sluice and python_function, signature
//	input_example.json   the first rows of opts.Example (pandas split orient)
//	input_schema.arrow   the exact Arrow input schema
//	model/               the Sluice model (ml.Save)
//
// input is the schema of the frames m is applied to (nil: opts.Example's
// schema); the signature lists the columns m needs (see
// Options.KeepAllColumns) and the prediction column. The directory is
// written under a temporary name and renamed into place. ctx is checked
// between steps; SQLTransformer stages run their statement on an empty
// frame to compute schemas. Errors are *apierr.Error when the model or
// input is at fault.
func Save(ctx context.Context, dir string, m ml.Model, input *arrow.Schema, opts Options) error {
	if m == nil {
		return apierr.Invalid("save model %s: no model given", dir)
	}
	if input == nil && opts.Example != nil {
		input = opts.Example.Schema()
	}
	if input == nil {
		return apierr.Invalid("save model %s: no input schema; pass the schema of the frames the model transforms or an example frame", dir)
	}
	if _, err := os.Stat(dir); err == nil {
		return apierr.Exists("save model %s: directory already exists", dir).WithHint("remove it or choose another directory")
	}
	if opts.ExampleRows <= 0 {
		opts.ExampleRows = 5
	}
	if opts.ArtifactPath == "" {
		opts.ArtifactPath = "model"
	}
	if opts.SluiceVersion == "" {
		opts.SluiceVersion = "dev"
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.UUID == "" {
		opts.UUID = newUUID()
	}
	in := input
	if !opts.KeepAllColumns {
		var err error
		if in, err = RequiredInputs(m, input); err != nil {
			return apierr.Invalid("save model %s: %v", dir, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	out, err := m.TransformSchema(in)
	if err != nil {
		return apierr.Invalid("save model %s: the model does not accept its input schema: %v", dir, err)
	}
	pred := opts.PredictionCol
	if pred == "" {
		pred = PredictionColumn(m, in, out)
	}
	idx := out.FieldIndices(pred)
	if len(idx) == 0 {
		return apierr.Invalid("save model %s: prediction column %q is not in the model's output (%v)", dir, pred, ml.ColumnNames(out))
	}
	inputs, err := SchemaFromArrow(in)
	if err != nil {
		return apierr.Invalid("save model %s: input %v", dir, err)
	}
	predType, err := ArrowToType(out.Field(idx[0]).Type)
	if err != nil {
		return apierr.Invalid("save model %s: prediction column %s: %v", dir, pred, err)
	}
	sig := Signature{
		Inputs:  inputs,
		Outputs: Schema{{Name: pred, Type: predType, Required: true}},
		Params:  []ParamSpec{{Name: ParamOutput, Type: TypeString, Default: pred}},
	}

	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := ml.Save(filepath.Join(tmp, ModelSubdir), m); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(tmp, InputSchemaFile), schemaIPC(in)); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	mm := &MLmodel{
		ArtifactPath:   opts.ArtifactPath,
		Metadata:       opts.Metadata,
		ModelUUID:      opts.UUID,
		RunID:          opts.RunID,
		UTCTimeCreated: opts.Now.UTC().Format("2006-01-02 15:04:05.000000"),
	}
	if opts.Example != nil && opts.Example.NumRows() > 0 {
		ex, err := InputExample(opts.Example, in, opts.ExampleRows)
		if err != nil {
			return apierr.Invalid("save model %s: input example: %v", dir, err)
		}
		if err := writeFileSync(filepath.Join(tmp, InputExampleFile), ex); err != nil {
			return fmt.Errorf("save model %s: %w", dir, err)
		}
		mm.SavedInputExampleInfo = &ExampleInfo{ArtifactPath: InputExampleFile, PandasOrient: "split", Type: "dataframe"}
	}
	if mm.Signature, err = sig.yaml(); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	if err := mm.setFlavor(FlavorSluice, SluiceFlavor{
		Format: ml.ModelFormat, FormatVersion: SluiceFormatVersion, InputSchema: InputSchemaFile,
		ModelClass: m.StageName(), ModelDir: ModelSubdir, PredictionCol: pred, SluiceVersion: opts.SluiceVersion,
	}); err != nil {
		return err
	}
	if err := mm.setFlavor(FlavorPyfunc, pyfuncFlavor{Data: ModelSubdir, LoaderModule: "sluice"}); err != nil {
		return err
	}
	if mm.ModelSizeBytes, err = dirSize(tmp); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	b, err := mm.Marshal()
	if err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	if err := writeFileSync(filepath.Join(tmp, MLmodelFile), b); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("save model %s: %w", dir, err)
	}
	ok = true
	return nil
}

// ParamOutput is the inference param naming the output column(s)
// /invocations returns: one column name, or several separated by commas
// (then each prediction is an object keyed by column).
const ParamOutput = "output"

func (s Signature) yaml() (*SignatureYAML, error) {
	in, err := s.Inputs.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out, err := s.Outputs.MarshalJSON()
	if err != nil {
		return nil, err
	}
	y := &SignatureYAML{Inputs: string(in), Outputs: string(out)}
	if len(s.Params) > 0 {
		p, err := paramsJSON(s.Params)
		if err != nil {
			return nil, err
		}
		y.Params = &p
	}
	return y, nil
}

// RequiredInputs returns the fields of in that m needs: a field is
// dropped when m's TransformSchema still succeeds without it and still
// produces every column it adds to in (a fitted StringIndexer whose input
// is missing passes the frame through instead of failing). The result
// keeps in's order; it fails when m does not accept in at all.
func RequiredInputs(m ml.Stage, in *arrow.Schema) (*arrow.Schema, error) {
	out, err := m.TransformSchema(in)
	if err != nil {
		return nil, fmt.Errorf("the model does not accept its input schema: %w", err)
	}
	var produced []arrow.Field
	for _, f := range out.Fields() {
		if idx := in.FieldIndices(f.Name); len(idx) == 0 || !arrow.TypeEqual(in.Field(idx[0]).Type, f.Type) {
			produced = append(produced, f)
		}
	}
	fields := in.Fields()
	keep := make([]arrow.Field, 0, len(fields))
	for i := range fields {
		// Try without field i (and without those already dropped).
		trial := append(append([]arrow.Field{}, keep...), fields[i+1:]...)
		if !stillProduces(m, arrow.NewSchema(trial, nil), produced) {
			keep = append(keep, fields[i])
		}
	}
	return arrow.NewSchema(keep, nil), nil
}

// stillProduces reports whether m accepts in and its output has every
// field of produced, with the same type.
func stillProduces(m ml.Stage, in *arrow.Schema, produced []arrow.Field) bool {
	out, err := m.TransformSchema(in)
	if err != nil {
		return false
	}
	for _, f := range produced {
		idx := out.FieldIndices(f.Name)
		if len(idx) == 0 || !arrow.TypeEqual(out.Field(idx[0]).Type, f.Type) {
			return false
		}
	}
	return true
}

// PredictionColumn picks the column /invocations returns for m: the
// final stage's predictionCol param when the output has it, else the
// last column of out that in does not have, else out's last column.
func PredictionColumn(m ml.Stage, in, out *arrow.Schema) string {
	final := spec.FinalStage(m)
	for _, p := range ml.ParamList(final) {
		if p.Name == "predictionCol" {
			if s, ok := p.Value.(string); ok && s != "" && len(out.FieldIndices(s)) > 0 {
				return s
			}
		}
	}
	for i := out.NumFields() - 1; i >= 0; i-- {
		if len(in.FieldIndices(out.Field(i).Name)) == 0 {
			return out.Field(i).Name
		}
	}
	if out.NumFields() == 0 {
		return ""
	}
	return out.Field(out.NumFields() - 1).Name
}

// InputExample returns the pandas split-orient JSON
// {"columns": [...], "data": [[...], ...]} of the first n rows of f's
// columns named in sc.
func InputExample(f *ml.Frame, sc *arrow.Schema, n int) ([]byte, error) {
	n = int(min(int64(n), f.NumRows()))
	cols := make([]arrow.Array, sc.NumFields())
	for j, fl := range sc.Fields() {
		ch, err := f.Column(fl.Name)
		if err != nil {
			return nil, err
		}
		a, err := ml.Flatten(ch)
		if err != nil {
			return nil, err
		}
		defer a.Release()
		cols[j] = a
	}
	var b bytes.Buffer
	buf := []byte(`{"columns": [`)
	for j, fl := range sc.Fields() {
		if j > 0 {
			buf = append(buf, ", "...)
		}
		buf = AppendString(buf, fl.Name)
	}
	buf = append(buf, `], "data": [`...)
	for i := range n {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = append(buf, '[')
		for j, a := range cols {
			if j > 0 {
				buf = append(buf, ", "...)
			}
			var err error
			if buf, err = AppendJSON(buf, a, i); err != nil {
				return nil, fmt.Errorf("column %s: %w", sc.Field(j).Name, err)
			}
		}
		buf = append(buf, ']')
	}
	buf = append(buf, "]}\n"...)
	b.Write(buf)
	return b.Bytes(), nil
}

func schemaIPC(sc *arrow.Schema) []byte {
	var b bytes.Buffer
	w := ipc.NewWriter(&b, ipc.WithSchema(sc))
	w.Close() // writes the schema message and the end-of-stream marker
	return b.Bytes()
}

func readSchemaIPC(path string) (*arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ipc.NewReader(f)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	return r.Schema(), nil
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	return n, err
}

func writeFileSync(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newUUID returns a random RFC 4122 version 4 UUID in MLflow's form (32
// hex digits, no dashes, as uuid.uuid4().hex).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}
