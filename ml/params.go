package ml

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
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
func ParamList(s Stage) []ParamInfo {
	v, ok := paramsValue(s)
	if !ok {
		return nil
	}
	var out []ParamInfo
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("param")
		if name == "" {
			continue
		}
		out = append(out, ParamInfo{Name: name, Doc: f.Tag.Get("doc"), Type: f.Type.String(), Value: v.Field(i).Interface()})
	}
	return out
}

func paramsValue(s Stage) (reflect.Value, bool) {
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
func SetParam(s Stage, name string, value any) error {
	v, ok := paramsValue(s)
	if !ok {
		return fmt.Errorf("%s has no params", s.StageName())
	}
	t := v.Type()
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		pn := f.Tag.Get("param")
		if pn == "" {
			continue
		}
		names = append(names, pn)
		if pn != name {
			continue
		}
		cv, err := convert(value, f.Type)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.StageName(), name, err)
		}
		v.Field(i).Set(cv)
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
		return "a list of " + kindName(t.Elem()) + "s"
	}
	return t.String()
}

// Nearest returns the candidate closest to name by edit distance
// (case-insensitive), or "" when none is reasonably close.
func Nearest(name string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > max(2, len(name)/3) {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = slices.Min([]int{prev[j] + 1, cur[j-1] + 1, prev[j-1] + cost})
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
