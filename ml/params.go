package ml

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/sluice-dev/sluice/internal/editdist"
)

// ParamInfo describes one param of a stage.
type ParamInfo struct {
	Name  string // Spark's param name, e.g. "maxDepth"
	Doc   string
	Type  string // Go type: int, float64, string, bool, []string, []float64
	Value any    // current value
}

// Validator is implemented by params structs that check their values.
type Validator interface{ Validate() error }

// ParamList lists the params of a stage, in declaration order.
func ParamList(s HasParams) []ParamInfo {
	v, ok := paramsValue(s)
	if !ok {
		return nil
	}
	var out []ParamInfo
	for _, pf := range paramFields(v) {
		out = append(out, ParamInfo{Name: pf.name, Doc: pf.field.Tag.Get("doc"), Type: pf.field.Type.String(), Value: pf.value.Interface()})
	}
	return out
}

type paramField struct {
	name  string
	field reflect.StructField
	value reflect.Value
}

// paramFields lists the tagged fields of params struct v in declaration
// order, descending into embedded structs (ml.PredictorCols and the like),
// so shared column params are declared once.
func paramFields(v reflect.Value) []paramField {
	var out []paramField
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("param") == "" {
			out = append(out, paramFields(v.Field(i))...)
			continue
		}
		name := f.Tag.Get("param")
		if name == "" || !f.IsExported() {
			continue
		}
		out = append(out, paramField{name: name, field: f, value: v.Field(i)})
	}
	return out
}

func paramsValue(s HasParams) (reflect.Value, bool) {
	p := s.Params()
	if p == nil {
		return reflect.Value{}, false
	}
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	return v.Elem(), true
}

// SetParam sets the param called name (Spark's name, case-sensitive as in
// Spark) of stage s to value, converting YAML/JSON-style values: whole
// float64 to int, int to float64, []any to []string or []float64. Unknown
// names get an error suggesting the nearest valid name; values of the
// wrong type an error naming the type wanted. The params' Validate is not
// called; callers validate once all params are set.
func SetParam(s HasParams, name string, value any) error {
	v, ok := paramsValue(s)
	if !ok {
		return fmt.Errorf("%s has no params", s.StageName())
	}
	var names []string
	for _, pf := range paramFields(v) {
		names = append(names, pf.name)
		if pf.name != name {
			continue
		}
		cv, err := convert(value, pf.field.Type)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.StageName(), name, err)
		}
		pf.value.Set(cv)
		return nil
	}
	msg := fmt.Sprintf("%s has no param %q", s.StageName(), name)
	if near := Nearest(name, names); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return fmt.Errorf("%s (params: %s)", msg, strings.Join(names, ", "))
}

func convert(value any, t reflect.Type) (reflect.Value, error) {
	rv := reflect.ValueOf(value)
	if value != nil && rv.Type().AssignableTo(t) {
		return rv, nil
	}
	if value == nil && t.Kind() == reflect.Slice { // JSON null: an unset list
		return reflect.Zero(t), nil
	}
	bad := func() (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("got %v (%T), want %s", value, value, kindName(t))
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		switch x := value.(type) {
		case int:
			return reflect.ValueOf(x).Convert(t), nil
		case int64:
			return reflect.ValueOf(x).Convert(t), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return reflect.ValueOf(int64(x)).Convert(t), nil
			}
		}
	case reflect.Float64, reflect.Float32:
		switch x := value.(type) {
		case int:
			return reflect.ValueOf(float64(x)).Convert(t), nil
		case int64:
			return reflect.ValueOf(float64(x)).Convert(t), nil
		case float64:
			return reflect.ValueOf(x).Convert(t), nil
		case string: // JSON has no literal for these; Save writes them as strings
			switch strings.ToLower(x) {
			case "inf", "+inf", "infinity", "+infinity", ".inf":
				return reflect.ValueOf(math.Inf(1)).Convert(t), nil
			case "-inf", "-infinity", "-.inf":
				return reflect.ValueOf(math.Inf(-1)).Convert(t), nil
			case "nan", ".nan":
				return reflect.ValueOf(math.NaN()).Convert(t), nil
			}
		}
	case reflect.Slice:
		items, ok := value.([]any)
		if !ok {
			return bad()
		}
		out := reflect.MakeSlice(t, len(items), len(items))
		for i, it := range items {
			cv, err := convert(it, t.Elem())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("item %d: %w", i, err)
			}
			out.Index(i).Set(cv)
		}
		return out, nil
	}
	return bad()
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(kindName(t.Elem()), "a "), "an ") + "s"
	}
	return t.String()
}

// Nearest returns the candidate closest to name by edit distance
// (case-insensitive), or "" when none is reasonably close.
func Nearest(name string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editdist.Distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > max(2, len(name)/3) {
		return ""
	}
	return best
}
