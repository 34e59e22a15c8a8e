package models

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
)

// Model is a loaded MLflow model with a sluice flavor.
type Model struct {
	// Pipeline is the fitted model: a PipelineModel, or a tuning model
	// (CrossValidatorModel …) wrapping one.
	Pipeline ml.Model
	// Signature is the MLmodel signature.
	Signature Signature
	// InputSchema is the exact Arrow schema of the input columns, in the
	// signature's order.
	InputSchema *arrow.Schema
	// PredictionCol is the output column /invocations returns by default.
	PredictionCol string
	// Flavor is the sluice flavor's configuration.
	Flavor SluiceFlavor
	// Meta is the whole MLmodel file.
	Meta *MLmodel
	// Dir is the directory the model was loaded from.
	Dir string
}

// Load reads the MLflow model directory dir (see Save): its MLmodel, the
// sluice flavor's model (stages created with reg, which must know every
// stage class the model uses; build it with stages.Registry), the
// signature and the input schema. Errors name the file and field; they
// are *apierr.Error (RESOURCE_DOES_NOT_EXIST for a missing MLmodel,
// INVALID_PARAMETER_VALUE for anything malformed). ctx is checked before
// the model files are read.
func Load(ctx context.Context, dir string, reg *ml.Registry) (*Model, error) {
	mm, err := ReadMLmodel(dir)
	if err != nil {
		return nil, err
	}
	mlmodel := filepath.Join(dir, MLmodelFile)
	fl, err := mm.sluiceFlavor()
	if err != nil {
		return nil, apierr.Invalid("%s: %v", mlmodel, err)
	}
	sig, err := mm.signature()
	if err != nil {
		return nil, apierr.Invalid("%s: %v", mlmodel, err)
	}
	if len(sig.Inputs) == 0 {
		return nil, apierr.Invalid("%s: signature.inputs is missing; Sluice serves models with a column-based input signature", mlmodel)
	}
	for i, c := range sig.Inputs {
		if c.Name == "" {
			return nil, apierr.Invalid("%s: signature.inputs: column %d has no name; Sluice needs named columns", mlmodel, i+1)
		}
	}
	var in *arrow.Schema
	if fl.InputSchema != "" {
		p := filepath.Join(dir, filepath.FromSlash(fl.InputSchema))
		if in, err = readSchemaIPC(p); err != nil {
			return nil, apierr.Invalid("%s (flavors.sluice.input_schema): %v; the model directory is incomplete or corrupt", p, err)
		}
		if err := sameColumns(in, sig.Inputs); err != nil {
			return nil, apierr.Invalid("%s: %v", p, err)
		}
	} else if in, err = sig.Inputs.ArrowSchema(); err != nil {
		return nil, apierr.Invalid("%s: signature.inputs: %v", mlmodel, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	mdir := filepath.Join(dir, filepath.FromSlash(fl.ModelDir))
	st, err := ml.Load(mdir, reg)
	if err != nil {
		return nil, apierr.Invalid("%s (flavors.sluice.model_dir): %v", mdir, err)
	}
	pm, ok := st.(ml.Model)
	if !ok {
		return nil, apierr.Invalid("%s holds an unfitted %s; save a fitted model", mdir, st.StageName())
	}
	out, err := pm.TransformSchema(in)
	if err != nil {
		return nil, apierr.Invalid("%s: the model does not accept the signature's inputs: %v", dir, err)
	}
	pred := fl.PredictionCol
	if pred == "" {
		if len(sig.Outputs) == 1 && sig.Outputs[0].Name != "" {
			pred = sig.Outputs[0].Name
		} else {
			pred = PredictionColumn(pm, in, out)
		}
	}
	if len(out.FieldIndices(pred)) == 0 {
		return nil, apierr.Invalid("%s: flavors.sluice.prediction_col %q is not among the model's output columns %v", mlmodel, pred, ml.ColumnNames(out))
	}
	return &Model{Pipeline: pm, Signature: sig, InputSchema: in, PredictionCol: pred, Flavor: *fl, Meta: mm, Dir: dir}, nil
}

// signature parses the signature block.
func (m *MLmodel) signature() (Signature, error) {
	var s Signature
	if m.Signature == nil {
		return s, nil
	}
	var err error
	if m.Signature.Inputs != "" {
		if s.Inputs, err = ParseSchema(m.Signature.Inputs); err != nil {
			return s, fmt.Errorf("signature.inputs: %v", err)
		}
	}
	if m.Signature.Outputs != "" {
		if s.Outputs, err = ParseSchema(m.Signature.Outputs); err != nil {
			return s, fmt.Errorf("signature.outputs: %v", err)
		}
	}
	if m.Signature.Params != nil && *m.Signature.Params != "" && *m.Signature.Params != "null" {
		if s.Params, err = parseParams(*m.Signature.Params); err != nil {
			return s, fmt.Errorf("signature.params: %v", err)
		}
	}
	return s, nil
}

// sameColumns checks that the Arrow schema and the signature list the
// same columns in the same order.
func sameColumns(in *arrow.Schema, sig Schema) error {
	if in.NumFields() != len(sig) {
		return fmt.Errorf("has %d columns, signature.inputs %d; the model directory was edited, re-save it", in.NumFields(), len(sig))
	}
	for i, c := range sig {
		if in.Field(i).Name != c.Name {
			return fmt.Errorf("column %d is %q, signature.inputs says %q; the model directory was edited, re-save it", i+1, in.Field(i).Name, c.Name)
		}
	}
	return nil
}
