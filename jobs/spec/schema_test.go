package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func loadSchema(tb testing.TB) map[string]any {
	tb.Helper()
	var s map[string]any
	if err := json.Unmarshal(Schema(), &s); err != nil {
		tb.Fatalf("job.schema.json: %v", err)
	}
	return s
}

// jsonKeys returns the JSON names of a struct's fields (json:"-" left out).
func jsonKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

func propKeys(def map[string]any) []string {
	props, _ := def["properties"].(map[string]any)
	var out []string
	for k := range props {
		out = append(out, k)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

// TestSchemaMatchesParserAndTypes checks that the schema, the keys the
// parser accepts and the Go types' JSON names agree, so none can drift.
func TestSchemaMatchesParserAndTypes(t *testing.T) {
	s := loadSchema(t)
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema %v", s["$schema"])
	}
	defs := s["$defs"].(map[string]any)
	def := func(name string) map[string]any {
		if name == "" {
			return s
		}
		d, ok := defs[name].(map[string]any)
		if !ok {
			t.Fatalf("schema has no $defs/%s", name)
		}
		return d
	}
	allTask := append(slices.Clone(taskKeys), Types...)
	checked := map[string]bool{}
	for _, c := range []struct {
		def  string
		keys []string
		typ  any
	}{
		{"", jobKeys, Job{}},
		{"schedule", scheduleKeys, Schedule{}},
		{"trigger", triggerKeys, Trigger{}},
		{"parameter", parameterKeys, Parameter{}},
		{"retry", retryKeys, Retry{}},
		{"notifications", notificationKeys, Notifications{}},
		{"destination", destinationKeys, Destination{}},
		{"task", allTask, Task{}},
		{TypeSQL, sqlKeys, SQLTask{}},
		{TypeIngest, ingestKeys, IngestTask{}},
		{TypeMLFit, mlFitKeys, MLFitTask{}},
		{TypeMLTransform, mlTransformKeys, MLTransformTask{}},
		{TypeModelsPredict, predictKeys, ModelsPredictTask{}},
		{TypeMLRecommend, recommendKeys, MLRecommendTask{}},
		{TypeExec, execKeys, ExecTask{}},
		{TypeRunJob, runJobKeys, RunJobTask{}},
		{TypeForEach, forEachKeys, ForEachTask{}},
	} {
		checked[c.def] = true
		d := def(c.def)
		props := propKeys(d)
		goKeys := jsonKeys(reflect.TypeOf(c.typ))
		if !sameSet(props, c.keys) {
			t.Errorf("$defs/%s: schema properties %v, parser keys %v", c.def, props, c.keys)
		}
		if !sameSet(goKeys, c.keys) {
			t.Errorf("$defs/%s: Go JSON names %v, parser keys %v", c.def, goKeys, c.keys)
		}
		if d["additionalProperties"] != false {
			t.Errorf("$defs/%s: additionalProperties is not false", c.def)
		}
		for _, k := range props {
			p := d["properties"].(map[string]any)[k].(map[string]any)
			if _, ok := p["description"]; !ok && c.def != "" && !strings.HasPrefix(fmt.Sprint(p["$ref"]), "#/$defs/") {
				t.Errorf("$defs/%s.%s has no description", c.def, k)
			}
		}
	}
	// The nested task of a for_each: a task without key, depends_on,
	// run_if and for_each.
	checked["nestedTask"] = true
	var nested []string
	for _, k := range allTask {
		if !slices.Contains([]string{"key", "depends_on", "run_if", TypeForEach}, k) {
			nested = append(nested, k)
		}
	}
	if got := propKeys(def("nestedTask")); !sameSet(got, nested) {
		t.Errorf("nestedTask properties %v, want %v", got, nested)
	}
	// Every task type is a oneOf branch.
	var branches []string
	for _, b := range def("task")["oneOf"].([]any) {
		branches = append(branches, b.(map[string]any)["required"].([]any)[0].(string))
	}
	if !sameSet(branches, Types) {
		t.Errorf("task oneOf %v, want %v", branches, Types)
	}
	// Every object definition is checked above.
	for name, d := range defs {
		if _, ok := d.(map[string]any)["properties"]; ok && !checked[name] {
			t.Errorf("$defs/%s is not compared with the parser", name)
		}
	}
	// Enums agree with the parser's.
	enum := func(path ...string) []string {
		var cur any = s
		for _, p := range path {
			cur = cur.(map[string]any)[p]
		}
		var out []string
		for _, v := range cur.([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	for _, c := range []struct {
		path []string
		want []string
	}{
		{[]string{"$defs", "task", "properties", "run_if", "enum"}, runIfValues},
		{[]string{"$defs", "ingest", "properties", "mode", "enum"}, ingestModes},
		{[]string{"$defs", "ingest", "properties", "format", "enum"}, ingestFormats},
		{[]string{"$defs", "ingest", "properties", "bad_rows", "enum"}, badRowsValues},
		{[]string{"$defs", "ml_transform", "properties", "mode", "enum"}, outputModes},
		{[]string{"$defs", "models_predict", "properties", "mode", "enum"}, outputModes},
		{[]string{"$defs", "ml_recommend", "properties", "mode", "enum"}, outputModes},
		{[]string{"$defs", "ml_recommend", "properties", "for", "enum"}, recommendFor},
		{[]string{"$defs", "sql", "properties", "task_values", "enum"}, taskValuesValues},
	} {
		if got := enum(c.path...); !sameSet(got, c.want) {
			t.Errorf("%s: %v, parser %v", strings.Join(c.path, "/"), got, c.want)
		}
	}
}

// TestSchemaValidatesExamples checks valid jobs against the schema, and
// that the schema refuses what the parser refuses for its shape.
func TestSchemaValidatesExamples(t *testing.T) {
	v := &validator{root: loadSchema(t)}
	docs := map[string]string{"fullExample": fullExample}
	for _, f := range []string{"../../examples/churn/job.yaml", "../../examples/nightly/job.yaml"} {
		if b, err := os.ReadFile(f); err == nil {
			docs[filepath.Base(filepath.Dir(f))] = string(b)
		}
	}
	for name, src := range docs {
		var doc any
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		if errs := v.validate(v.root, doc, "$"); len(errs) > 0 {
			t.Errorf("%s does not validate:\n%s", name, strings.Join(errs, "\n"))
		}
	}
	for _, src := range []string{
		"name: x\n",                       // no tasks
		"name: x\ntasks: []\n",            // empty tasks
		"name: x\ntimout: 1h\n" + okTasks, // unknown key
		"name: 9x\n" + okTasks,            // name pattern
		"name: x\ntimeout: 2 days\n" + okTasks,
		"name: x\nmax_concurrent_runs: 0\n" + okTasks,
		"name: x\nretries: {count: -1}\n" + okTasks,
		"name: x\nretries: {backoff: 0.5}\n" + okTasks,
		"name: x\nschedule: {timezone: UTC}\n" + okTasks,
		"name: x\nnotifications: {on_failure: [{webhook: \"http://a\", slack: \"http://b\"}]}\n" + okTasks,
		"name: x\nnotifications: {on_failure: [{webhook: \"ftp://a\"}]}\n" + okTasks,
		"name: x\ntasks:\n  - key: a\n",
		"name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n    sql: {query: x}\n",
		"name: x\ntasks:\n  - key: a\n    sqll: {query: x}\n",
		"name: x\ntasks:\n  - key: a\n    run_if: sometimes\n    exec: {command: [echo]}\n",
		"name: x\ntasks:\n  - key: a\n    sql: {query: x, file: y}\n",
		"name: x\ntasks:\n  - key: a\n    sql: {query: x, task_values: all}\n",
		"name: x\ntasks:\n  - key: a\n    ingest: {paths: [a], table: t, mode: merge}\n",
		"name: x\ntasks:\n  - key: a\n    ingest: {paths: [a]}\n",
		"name: x\ntasks:\n  - key: a\n    exec: {command: []}\n",
		"name: x\ntasks:\n  - key: a\n    models_predict: {model: m, table: t, query: q, into: u}\n",
		"name: x\ntasks:\n  - key: a\n    for_each: {items: [a], param: p, task: {exec: {command: [echo]}}}\n",
		"name: x\ntasks:\n  - key: a\n    for_each: {items: [a], concurrency: 0, task: {exec: {command: [echo]}}}\n",
		"name: x\ntasks:\n  - key: a\n    for_each: {items: [a], task: {for_each: {items: [b], task: {exec: {command: [echo]}}}}}\n",
		"name: x\ntasks:\n  - key: a\n    for_each: {items: [a], task: {depends_on: [b], exec: {command: [echo]}}}\n",
	} {
		var doc any
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		if errs := v.validate(v.root, doc, "$"); len(errs) == 0 {
			t.Errorf("schema accepts\n%s", src)
		}
		if _, err := Parse("x.yaml", []byte(src), ""); err == nil {
			t.Errorf("parser accepts\n%s", src)
		}
	}
}

// validator implements the JSON Schema keywords job.schema.json uses.
type validator struct{ root map[string]any }

func (v *validator) validate(s map[string]any, x any, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for key, arg := range s {
		switch key {
		case "$ref":
			name := strings.TrimPrefix(arg.(string), "#/$defs/")
			errs = append(errs, v.validate(v.root["$defs"].(map[string]any)[name].(map[string]any), x, at)...)
		case "type":
			types, ok := arg.([]any)
			if !ok {
				types = []any{arg}
			}
			if !slices.ContainsFunc(types, func(t any) bool { return hasType(x, t.(string)) }) {
				fail("%v is not %v", x, arg)
			}
		case "properties":
			if m, ok := x.(map[string]any); ok {
				for k, sub := range arg.(map[string]any) {
					if val, ok := m[k]; ok {
						errs = append(errs, v.validate(sub.(map[string]any), val, at+"."+k)...)
					}
				}
			}
		case "additionalProperties":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for k, val := range m {
				if _, known := props[k]; known {
					continue
				}
				switch a := arg.(type) {
				case bool:
					if !a {
						fail("unknown key %s", k)
					}
				case map[string]any:
					errs = append(errs, v.validate(a, val, at+"."+k)...)
				}
			}
		case "propertyNames":
			if m, ok := x.(map[string]any); ok {
				for k := range m {
					errs = append(errs, v.validate(arg.(map[string]any), k, at+"."+k)...)
				}
			}
		case "required":
			if m, ok := x.(map[string]any); ok {
				for _, k := range arg.([]any) {
					if _, ok := m[k.(string)]; !ok {
						fail("missing %s", k)
					}
				}
			}
		case "items":
			if l, ok := x.([]any); ok {
				for i, e := range l {
					errs = append(errs, v.validate(arg.(map[string]any), e, fmt.Sprintf("%s[%d]", at, i))...)
				}
			}
		case "minItems":
			if l, ok := x.([]any); ok && float64(len(l)) < arg.(float64) {
				fail("fewer than %v items", arg)
			}
		case "uniqueItems":
			if l, ok := x.([]any); ok {
				seen := map[string]bool{}
				for _, e := range l {
					if k := fmt.Sprint(e); seen[k] {
						fail("repeated item %v", e)
					} else {
						seen[k] = true
					}
				}
			}
		case "enum":
			if !slices.ContainsFunc(arg.([]any), func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(x) }) {
				fail("%v is not one of %v", x, arg)
			}
		case "const":
			if n, ok := number(x); !ok || n != arg.(float64) {
				fail("%v is not %v", x, arg)
			}
		case "pattern":
			if str, ok := x.(string); ok && !regexp.MustCompile(arg.(string)).MatchString(str) {
				fail("%q does not match %s", str, arg)
			}
		case "maxLength":
			if str, ok := x.(string); ok && float64(len([]rune(str))) > arg.(float64) {
				fail("longer than %v", arg)
			}
		case "minimum", "maximum":
			if n, ok := number(x); ok && (key == "minimum" && n < arg.(float64) || key == "maximum" && n > arg.(float64)) {
				fail("%v is out of range (%s %v)", x, key, arg)
			}
		case "oneOf":
			matched := 0
			for _, b := range arg.([]any) {
				if len(v.validate(b.(map[string]any), x, at)) == 0 {
					matched++
				}
			}
			if matched != 1 {
				fail("matches %d of oneOf, want 1", matched)
			}
		case "not":
			if len(v.validate(arg.(map[string]any), x, at)) == 0 {
				fail("matches not")
			}
		case "$schema", "$id", "title", "description", "default", "$defs":
		default:
			panic("validator: keyword " + key + " is not implemented")
		}
	}
	return errs
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func hasType(x any, t string) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "null":
		return x == nil
	case "integer":
		n, ok := number(x)
		return ok && n == math.Trunc(n)
	case "number":
		_, ok := number(x)
		return ok
	}
	return false
}
