package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// MLflow's column types (mlflow.types.DataType names) and the array type.
const (
	TypeBoolean  = "boolean"
	TypeInteger  = "integer"
	TypeLong     = "long"
	TypeFloat    = "float"
	TypeDouble   = "double"
	TypeString   = "string"
	TypeBinary   = "binary"
	TypeDatetime = "datetime"
	TypeArray    = "array"
)

// Type is an MLflow column type: one of the Type* scalar names, or
// TypeArray with Items set.
type Type struct {
	Name  string
	Items *Type // element type when Name is TypeArray
}

// String returns the type as MLflow prints it: "double", "array<double>".
func (t Type) String() string {
	if t.Name == TypeArray && t.Items != nil {
		return "array<" + t.Items.String() + ">"
	}
	return t.Name
}

// ColSpec is one column of an MLflow column-based schema.
type ColSpec struct {
	Name     string
	Type     Type
	Required bool
}

// Schema is an MLflow column-based schema: the columns in order.
type Schema []ColSpec

// ParamSpec is one inference param of a signature's params schema.
type ParamSpec struct {
	Name    string
	Type    string // a scalar Type* name
	Default any
}

// Signature is an MLflow model signature: the input columns the model
// needs, the output it returns, and optional inference params.
type Signature struct {
	Inputs  Schema
	Outputs Schema
	Params  []ParamSpec
}

// ArrowToType maps an Arrow type to an MLflow column type: bool → boolean;
// 8-, 16- and 32-bit integers and 8/16-bit unsigned → integer; int64 and
// wider unsigned → long; float16/32 → float; float64 and decimals →
// double; strings → string; binaries → binary; dates and timestamps →
// datetime; ml.VectorType → array<double>; lists → array of their
// element's type. Other types (maps, structs, unions) are an error.
func ArrowToType(t arrow.DataType) (Type, error) {
	if ml.IsVector(t) {
		return Type{Name: TypeArray, Items: &Type{Name: TypeDouble}}, nil
	}
	switch t.ID() {
	case arrow.BOOL:
		return Type{Name: TypeBoolean}, nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16:
		return Type{Name: TypeInteger}, nil
	case arrow.INT64, arrow.UINT32, arrow.UINT64:
		return Type{Name: TypeLong}, nil
	case arrow.FLOAT16, arrow.FLOAT32:
		return Type{Name: TypeFloat}, nil
	case arrow.FLOAT64, arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return Type{Name: TypeDouble}, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return Type{Name: TypeString}, nil
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return Type{Name: TypeBinary}, nil
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return Type{Name: TypeDatetime}, nil
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		elem := t.(arrow.ListLikeType).Elem()
		it, err := ArrowToType(elem)
		if err != nil {
			return Type{}, err
		}
		return Type{Name: TypeArray, Items: &it}, nil
	}
	return Type{}, fmt.Errorf("type %s has no MLflow column type", t)
}

// ArrowType maps an MLflow column type to the Arrow type Sluice builds
// for it: boolean → bool, integer → int32, long → int64, float → float32,
// double → float64, string → utf8, binary → binary, datetime →
// timestamp[us], array<T> → list<T>.
func (t Type) ArrowType() (arrow.DataType, error) {
	switch t.Name {
	case TypeBoolean:
		return arrow.FixedWidthTypes.Boolean, nil
	case TypeInteger:
		return arrow.PrimitiveTypes.Int32, nil
	case TypeLong:
		return arrow.PrimitiveTypes.Int64, nil
	case TypeFloat:
		return arrow.PrimitiveTypes.Float32, nil
	case TypeDouble:
		return arrow.PrimitiveTypes.Float64, nil
	case TypeString:
		return arrow.BinaryTypes.String, nil
	case TypeBinary:
		return arrow.BinaryTypes.Binary, nil
	case TypeDatetime:
		return arrow.FixedWidthTypes.Timestamp_us, nil
	case TypeArray:
		if t.Items == nil {
			return nil, fmt.Errorf("array type has no items")
		}
		it, err := t.Items.ArrowType()
		if err != nil {
			return nil, err
		}
		return arrow.ListOf(it), nil
	}
	return nil, fmt.Errorf("unsupported MLflow type %q (Sluice reads boolean, integer, long, float, double, string, binary, datetime and array)", t.Name)
}

// SchemaFromArrow returns the MLflow schema of an Arrow schema, every
// column required.
func SchemaFromArrow(sc *arrow.Schema) (Schema, error) {
	out := make(Schema, sc.NumFields())
	for i, f := range sc.Fields() {
		t, err := ArrowToType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
		out[i] = ColSpec{Name: f.Name, Type: t, Required: true}
	}
	return out, nil
}

// ArrowSchema returns the Arrow schema Sluice builds for s (see
// Type.ArrowType); every field is nullable.
func (s Schema) ArrowSchema() (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(s))
	for i, c := range s {
		t, err := c.Type.ArrowType()
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// The JSON encoding follows MLflow's: a list of objects with keys type,
// (items,) name, required, written with Python's separators (", ", ": ")
// as MLflow's json.dumps does, so MLmodel files read the same as MLflow's.

func appendPyString(b []byte, s string) []byte {
	enc, _ := json.Marshal(s)
	return append(b, enc...)
}

func (t Type) appendJSON(b []byte) []byte {
	b = append(b, `{"type": `...)
	b = appendPyString(b, t.Name)
	if t.Name == TypeArray && t.Items != nil {
		b = append(b, `, "items": `...)
		b = t.Items.appendJSON(b)
	}
	return append(b, '}')
}

// MarshalJSON writes s as MLflow's column-based schema JSON.
func (s Schema) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, c := range s {
		if i > 0 {
			b = append(b, ", "...)
		}
		t := c.Type.appendJSON(nil)
		b = append(b, t[:len(t)-1]...) // open the type object to add name and required
		if c.Name != "" {
			b = append(b, `, "name": `...)
			b = appendPyString(b, c.Name)
		}
		b = append(b, `, "required": `...)
		b = strconv.AppendBool(b, c.Required)
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

type jsonType struct {
	Type       string          `json:"type"`
	Items      *jsonType       `json:"items"`
	Name       *string         `json:"name"`
	Required   *bool           `json:"required"`
	TensorSpec json.RawMessage `json:"tensor-spec"`
}

func (j *jsonType) toType(depth int) (Type, error) {
	if depth > 32 {
		return Type{}, fmt.Errorf("array types nest too deeply")
	}
	switch j.Type {
	case TypeBoolean, TypeInteger, TypeLong, TypeFloat, TypeDouble, TypeString, TypeBinary, TypeDatetime:
		return Type{Name: j.Type}, nil
	case TypeArray:
		if j.Items == nil {
			return Type{}, fmt.Errorf("array type has no items")
		}
		it, err := j.Items.toType(depth + 1)
		if err != nil {
			return Type{}, err
		}
		return Type{Name: TypeArray, Items: &it}, nil
	case "tensor":
		return Type{}, fmt.Errorf("tensor-based schemas are not supported; Sluice models use column-based schemas")
	case "":
		return Type{}, fmt.Errorf("column has no type")
	}
	return Type{}, fmt.Errorf("unsupported type %q (Sluice reads boolean, integer, long, float, double, string, binary, datetime and array)", j.Type)
}

// UnmarshalJSON reads MLflow's column-based schema JSON.
func (s *Schema) UnmarshalJSON(b []byte) error {
	var cols []jsonType
	if err := json.Unmarshal(b, &cols); err != nil {
		return err
	}
	out := make(Schema, len(cols))
	for i := range cols {
		t, err := cols[i].toType(0)
		if err != nil {
			return fmt.Errorf("column %d: %w", i+1, err)
		}
		c := ColSpec{Type: t, Required: true}
		if cols[i].Name != nil {
			c.Name = *cols[i].Name
		}
		if cols[i].Required != nil {
			c.Required = *cols[i].Required
		}
		out[i] = c
	}
	*s = out
	return nil
}

// ParseSchema parses MLflow's column-based schema JSON (the strings in
// an MLmodel file's signature).
func ParseSchema(s string) (Schema, error) {
	var sc Schema
	if err := sc.UnmarshalJSON([]byte(s)); err != nil {
		return nil, err
	}
	return sc, nil
}

// paramsJSON writes the params schema as MLflow does:
// [{"name": "output", "type": "string", "default": "prediction", "shape": null}].
func paramsJSON(ps []ParamSpec) (string, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		d, err := json.Marshal(p.Default)
		if err != nil {
			return "", fmt.Errorf("param %s: default: %w", p.Name, err)
		}
		b.WriteString(`{"name": `)
		b.Write(appendPyString(nil, p.Name))
		b.WriteString(`, "type": `)
		b.Write(appendPyString(nil, p.Type))
		b.WriteString(`, "default": `)
		b.Write(d)
		b.WriteString(`, "shape": null}`)
	}
	b.WriteByte(']')
	return b.String(), nil
}

func parseParams(s string) ([]ParamSpec, error) {
	var raw []struct {
		Name    string `json:"name"`
		Type    string `json:"type"`
		Default any    `json:"default"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	out := make([]ParamSpec, len(raw))
	for i, r := range raw {
		if r.Name == "" {
			return nil, fmt.Errorf("param %d has no name", i+1)
		}
		out[i] = ParamSpec(r)
	}
	return out, nil
}
