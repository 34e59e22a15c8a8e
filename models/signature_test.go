package models_test

import (
	"encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/models"
)

func TestArrowToType(t *testing.T) {
	tests := []struct {
		in   arrow.DataType
		want string
	}{
		{arrow.FixedWidthTypes.Boolean, "boolean"},
		{arrow.PrimitiveTypes.Int8, "integer"},
		{arrow.PrimitiveTypes.Int16, "integer"},
		{arrow.PrimitiveTypes.Int32, "integer"},
		{arrow.PrimitiveTypes.Uint16, "integer"},
		{arrow.PrimitiveTypes.Int64, "long"},
		{arrow.PrimitiveTypes.Uint32, "long"},
		{arrow.PrimitiveTypes.Float32, "float"},
		{arrow.PrimitiveTypes.Float64, "double"},
		{&arrow.Decimal128Type{Precision: 18, Scale: 2}, "double"},
		{arrow.BinaryTypes.String, "string"},
		{arrow.BinaryTypes.LargeString, "string"},
		{arrow.BinaryTypes.Binary, "binary"},
		{arrow.FixedWidthTypes.Date32, "datetime"},
		{arrow.FixedWidthTypes.Timestamp_us, "datetime"},
		{ml.VectorType, "array<double>"},
		{arrow.ListOf(arrow.BinaryTypes.String), "array<string>"},
		{arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), "array<array<integer>>"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			got, err := models.ArrowToType(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := models.ArrowToType(arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64)); err == nil {
		t.Error("map type: got no error")
	}
}

func TestTypeArrowType(t *testing.T) {
	tests := []struct {
		in   models.Type
		want arrow.DataType
	}{
		{models.Type{Name: "boolean"}, arrow.FixedWidthTypes.Boolean},
		{models.Type{Name: "integer"}, arrow.PrimitiveTypes.Int32},
		{models.Type{Name: "long"}, arrow.PrimitiveTypes.Int64},
		{models.Type{Name: "float"}, arrow.PrimitiveTypes.Float32},
		{models.Type{Name: "double"}, arrow.PrimitiveTypes.Float64},
		{models.Type{Name: "string"}, arrow.BinaryTypes.String},
		{models.Type{Name: "binary"}, arrow.BinaryTypes.Binary},
		{models.Type{Name: "datetime"}, arrow.FixedWidthTypes.Timestamp_us},
		{models.Type{Name: "array", Items: &models.Type{Name: "double"}}, arrow.ListOf(arrow.PrimitiveTypes.Float64)},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			got, err := tt.in.ArrowType()
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(got, tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSchemaJSON(t *testing.T) {
	sc := models.Schema{
		{Name: "x", Type: models.Type{Name: "double"}, Required: true},
		{Name: "features", Type: models.Type{Name: "array", Items: &models.Type{Name: "double"}}, Required: false},
	}
	b, err := sc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"type": "double", "name": "x", "required": true}, {"type": "array", "items": {"type": "double"}, "name": "features", "required": false}]`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	if !json.Valid(b) {
		t.Error("not valid JSON")
	}
	back, err := models.ParseSchema(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[1].Type.String() != "array<double>" || back[1].Required || !back[0].Required {
		t.Errorf("got %+v", back)
	}
	// MLflow omits required in older files: it means required.
	old, err := models.ParseSchema(`[{"name": "a", "type": "string"}]`)
	if err != nil || !old[0].Required {
		t.Errorf("got %+v, %v; want required", old, err)
	}
	for _, bad := range []string{`{}`, `[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]`, `[{"type": "array"}]`, `[{"name": "a"}]`} {
		if _, err := models.ParseSchema(bad); err == nil {
			t.Errorf("%s: got no error", bad)
		}
	}
}
