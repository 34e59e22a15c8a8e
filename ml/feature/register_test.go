package feature_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func TestRegisterEveryStage(t *testing.T) {
	r := registry()
	want := []string{
		"Binarizer", "Bucketizer", "IndexToString", "Imputer", "ImputerModel", "Interaction",
		"MaxAbsScaler", "MaxAbsScalerModel", "MinMaxScaler", "MinMaxScalerModel", "Normalizer",
		"OneHotEncoder", "OneHotEncoderModel", "PCA", "PCAModel", "PolynomialExpansion",
		"QuantileDiscretizer", "RobustScaler", "RobustScalerModel", "StandardScaler",
		"StandardScalerModel", "StringIndexer", "StringIndexerModel",
		"UnivariateFeatureSelector", "UnivariateFeatureSelectorModel", "VarianceThresholdSelector",
		"VarianceThresholdSelectorModel", "VectorAssembler", "VectorSlicer",
	}
	for _, name := range want {
		s, err := r.New(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, ok := s.(ml.Stage); !ok {
			t.Errorf("%s is not a Stage", name)
		}
		if len(ml.ParamList(s)) == 0 {
			t.Errorf("%s has no params", name)
		}
		// Every param type is one SetParam and Save handle.
		for _, p := range ml.ParamList(s) {
			switch p.Type {
			case "int", "float64", "string", "bool", "[]string", "[]float64", "[]int", "[][]float64":
			default:
				t.Errorf("%s.%s has type %s", name, p.Name, p.Type)
			}
		}
	}
}

// Estimators and transformers saved with their default (partly unset)
// params load back with the same params, including NaN and nil slices.
func TestSaveLoadParamsOnly(t *testing.T) {
	stages := []ml.Stage{
		feature.NewImputer(), feature.NewOneHotEncoder(), feature.NewQuantileDiscretizer(),
		feature.NewUnivariateFeatureSelector(), feature.NewVectorSlicer(), feature.NewInteraction(),
		feature.NewBinarizer(), feature.NewBucketizer(), feature.NewIndexToString(),
		&feature.Bucketizer{P: feature.BucketizerParams{InputCols: []string{"a"}, OutputCols: []string{"b"}, SplitsArray: [][]float64{{-inf, 0, inf}}, HandleInvalid: "keep"}},
		&feature.OneHotEncoderModel{P: feature.OneHotEncoderParams{InputCol: "c", OutputCol: "v", HandleInvalid: "error"}, CategorySizes: []int{3}},
	}
	for _, s := range stages {
		dir := filepath.Join(t.TempDir(), "s")
		if err := ml.Save(dir, s); err != nil {
			t.Fatalf("%s: %v", s.StageName(), err)
		}
		loaded, err := ml.Load(dir, registry())
		if err != nil {
			t.Fatalf("%s: %v", s.StageName(), err)
		}
		if got, want := paramString(loaded), paramString(s); got != want {
			t.Errorf("%s: loaded params %s, saved %s", s.StageName(), got, want)
		}
	}
}

func paramString(s ml.HasParams) string {
	var b strings.Builder
	for _, p := range ml.ParamList(s) {
		v := reflect.ValueOf(p.Value)
		if v.Kind() == reflect.Slice && v.Len() == 0 {
			fmt.Fprintf(&b, "%s=[] ", p.Name) // nil and empty are the same param
			continue
		}
		fmt.Fprintf(&b, "%s=%v ", p.Name, p.Value)
	}
	return b.String()
}
