package feature_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func registry() *ml.Registry {
	r := ml.NewRegistry()
	feature.Register(r)
	return r
}

func TestPipelineModelSaveLoad(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"b", "a", "c", "a", "b", "a"}, nil, []float64{1, 2, 3, 4, 5, 6})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "plan_idx"
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"plan_idx", "x"}
	va.P.OutputCol = "raw"
	sc := feature.NewStandardScaler()
	sc.P.InputCol, sc.P.OutputCol = "raw", "features"
	sc.P.WithMean = true
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{si, va, sc}}).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "model")
	if err := ml.Save(dir, pm); err != nil {
		t.Fatal(err)
	}
	if err := ml.Save(dir, pm); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second save: err = %v, want 'already exists'", err)
	}
	loaded, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	want, err := pm.(ml.Transformer).Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := loaded.(ml.Transformer).Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"plan_idx"} {
		if g, w := floats(t, got, col), floats(t, want, col); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: loaded model gives %v, fitted %v", col, g, w)
		}
	}
	gc, _ := got.Column("features")
	wc, _ := want.Column("features")
	ga, _ := ml.Flatten(gc)
	wa, _ := ml.Flatten(wc)
	gv, _ := ml.NewVectorColumn(ga)
	wv, _ := ml.NewVectorColumn(wa)
	for i := 0; i < gv.Len(); i++ {
		if !reflect.DeepEqual(gv.At(i).AppendTo(nil), wv.At(i).AppendTo(nil)) {
			t.Errorf("row %d: features %v, want %v", i, gv.At(i), wv.At(i))
		}
	}
	if p := ml.ParamList(loaded.(*ml.PipelineModel).Stages[2]); len(p) == 0 {
		t.Error("loaded scaler has no params")
	}
}

func TestLoadRefusesBadDirectories(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"b", "a"}, nil, []float64{1, 2})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "i"
	m, err := si.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	save := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "m")
		if err := ml.Save(dir, m); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	edit := func(t *testing.T, path, old, new string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s lacks %q", path, old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   string
	}{
		{"newer format", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "metadata.json"), `"formatVersion": 1`, `"formatVersion": 99`)
		}, "newer than this Sluice reads"},
		{"unknown class", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "metadata.json"), `"StringIndexerModel"`, `"StringIndexerModle"`)
		}, `did you mean "StringIndexerModel"`},
		{"corrupt data", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "data", "labels.arrow")
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0xff
			os.WriteFile(p, b, 0o644)
		}, "checksum mismatch"},
		{"missing data", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "data", "labels.arrow"))
		}, "is missing"},
		{"bad json", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "metadata.json"), []byte("{"), 0o644)
		}, "metadata.json is corrupt"},
		{"not a model", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "metadata.json"))
		}, "not a Sluice model directory"},
		{"unknown param", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "metadata.json"), `"inputCol"`, `"inputColumn"`)
		}, `no param "inputColumn"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := save(t)
			tt.break_(t, dir)
			_, err := ml.Load(dir, registry())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSaveLoadUnsetList(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "va")
	if err := ml.Save(dir, feature.NewVectorAssembler()); err != nil { // inputCols unset: JSON null
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	if p := st.(*feature.VectorAssembler).P; p.InputCols != nil || p.OutputCol != "features" {
		t.Errorf("loaded params %+v", p)
	}
}
