// Package spec reads declarative ML pipelines written in YAML with
// Spark's stage and param names, checks them against a registry (unknown
// stages and params are reported with their file:line:column and the
// nearest valid name), and runs them: load the input (a table, a SQL
// query or a file), optionally downsample it by stratum, fit the
// pipeline — under CrossValidator or TrainValidationSplit when a tuning
// block is given — and score the test data with the listed evaluators.
//
// A spec:
//
//	name: churn
//	data:                          # files, relative to the spec; SQL sees them by name
//	  churn: data/mlc_churn.csv
//	input:                         # table: NAME | sql: QUERY | file: PATH
//	  sql: SELECT * FROM churn WHERE id <= 3333
//	sample:                        # optional: stratified downsample (Spark's sampleBy)
//	  col: churn
//	  fractions: {"no": 0.17, "yes": 1.0}
//	  seed: 42
//	test:
//	  sql: SELECT * FROM churn WHERE id > 3333
//	stages:
//	  - stage: StringIndexer
//	    inputCol: churn
//	    outputCol: label
//	  - stage: DecisionTreeClassifier
//	    name: tree                   # optional, for the grid
//	    maxDepth: 5
//	tuning:
//	  method: CrossValidator       # or TrainValidationSplit
//	  numFolds: 3
//	  seed: 7
//	  grid:
//	    tree.maxDepth: [2, 3, 4, 5, 6, 7]   # or DecisionTreeClassifier.maxDepth
//	  evaluator:
//	    evaluator: BinaryClassificationEvaluator
//	    metricName: areaUnderROC
//	evaluate:
//	  - evaluator: BinaryClassificationEvaluator
//	    metricName: areaUnderROC
package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sluice-dev/sluice/ml"
)

// MaxSpecBytes caps the size of a spec file.
const MaxSpecBytes = 1 << 20

// Pos is a position in the spec file.
type Pos struct{ Line, Col int }

// Spec is a parsed pipeline spec. Positions point into File.
type Spec struct {
	File        string
	Name        string
	Description string
	Data        map[string]string // relation name → file path (absolute)
	Input       Source
	Test        *Source
	Sample      *Sample
	Stages      []StageSpec
	Tuning      *Tuning
	Evaluate    []StageSpec
}

// Source is where rows come from: exactly one of Table, SQL, File.
type Source struct {
	Table, SQL, File string
	Pos              Pos
}

// Query returns the SQL reading the source (files are given to SQL as
// relations named by Relation()).
func (s Source) Query() string {
	switch {
	case s.SQL != "":
		return s.SQL
	case s.Table != "":
		return "SELECT * FROM " + s.Table
	}
	return "SELECT * FROM " + s.Relation()
}

// Relation is the relation name a File source is read as.
func (s Source) Relation() string { return "__input_file" }

// Sample is a stratified downsample of the training rows.
type Sample struct {
	Col       string
	Fractions map[string]float64
	Seed      int64
	Pos       Pos
}

// StageSpec is one stage or evaluator: its class, optional name and the
// params as written, each with its position.
type StageSpec struct {
	Class     string
	Name      string
	Params    map[string]any
	ParamPos  map[string]Pos
	ParamKeys []string // in file order
	// Nested holds stage-valued params (OneVsRest's classifier), written
	// as a mapping with a `stage:` key.
	Nested map[string]StageSpec
	Pos    Pos
}

// Tuning is the tuning block.
type Tuning struct {
	Method    string // CrossValidator | TrainValidationSplit
	Params    StageSpec
	Grid      []GridAxis
	Evaluator StageSpec
	Pos       Pos
}

// GridAxis is one grid entry: stage (a class or stage name) . param.
type GridAxis struct {
	Stage, Param string
	Values       []any
	Pos          Pos
}

// Error is a spec error with its position.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// ParseFile reads and parses the spec at path.
func ParseFile(path string) (*Spec, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	if st.Size() > MaxSpecBytes {
		return nil, fmt.Errorf("spec %s: %d bytes; a spec is at most %d", path, st.Size(), MaxSpecBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, filepath.Dir(abs), b)
}

// Parse parses a spec; name is used in error positions and dir resolves
// relative data paths.
func Parse(name, dir string, src []byte) (*Spec, error) {
	if len(src) > MaxSpecBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d bytes; a spec is at most %d", len(src), MaxSpecBytes)}
	}
	p := &parser{file: name, dir: dir}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &Error{File: name, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "the spec is empty; it needs at least input and stages"}
	}
	s, err := p.spec(doc.Content[0])
	if err != nil {
		return nil, err
	}
	return s, nil
}

type parser struct {
	file, dir string
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	e := &Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Pos = Pos{n.Line, n.Column}
	}
	return e
}

// mapping returns the key/value pairs of a mapping node, rejecting
// duplicate keys.
func (p *parser) mapping(n *yaml.Node, what string) ([][2]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode {
		return nil, p.errf(n, "%s: YAML aliases are not supported here; write the value out", what)
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "%s must be a mapping (key: value lines)", what)
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, p.errf(k, "%s: keys must be plain names", what)
		}
		if seen[k.Value] {
			return nil, p.errf(k, "%s: key %q appears twice", what, k.Value)
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, n.Content[i+1]})
	}
	return out, nil
}

func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n, "%s must be a string", what)
	}
	return n.Value, nil
}

func unknownKey(key string, known []string) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if near := ml.Nearest(key, known); near != "" {
		return msg + fmt.Sprintf("; did you mean %q?", near)
	}
	return msg + " (known: " + strings.Join(known, ", ") + ")"
}

var topKeys = []string{"name", "description", "data", "input", "test", "sample", "stages", "tuning", "evaluate"}

func (p *parser) spec(root *yaml.Node) (*Spec, error) {
	kvs, err := p.mapping(root, "the spec")
	if err != nil {
		return nil, err
	}
	s := &Spec{File: p.file, Data: map[string]string{}}
	var haveInput, haveStages bool
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			if s.Name, err = p.str(v, "name"); err != nil {
				return nil, err
			}
		case "description":
			if s.Description, err = p.str(v, "description"); err != nil {
				return nil, err
			}
		case "data":
			items, err := p.mapping(v, "data")
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				path, err := p.str(it[1], "data."+it[0].Value)
				if err != nil {
					return nil, err
				}
				if !filepath.IsAbs(path) {
					path = filepath.Join(p.dir, path)
				}
				s.Data[it[0].Value] = path
			}
		case "input":
			haveInput = true
			if s.Input, err = p.source(v, "input"); err != nil {
				return nil, err
			}
		case "test":
			src, err := p.source(v, "test")
			if err != nil {
				return nil, err
			}
			s.Test = &src
		case "sample":
			if s.Sample, err = p.sample(v); err != nil {
				return nil, err
			}
		case "stages":
			haveStages = true
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return nil, p.errf(v, "stages must be a non-empty list of `- stage: Name` items")
			}
			for _, item := range v.Content {
				st, err := p.stage(item, "stage")
				if err != nil {
					return nil, err
				}
				s.Stages = append(s.Stages, st)
			}
		case "tuning":
			if s.Tuning, err = p.tuning(v); err != nil {
				return nil, err
			}
		case "evaluate":
			if v.Kind != yaml.SequenceNode {
				return nil, p.errf(v, "evaluate must be a list of `- evaluator: Name` items")
			}
			for _, item := range v.Content {
				st, err := p.stage(item, "evaluator")
				if err != nil {
					return nil, err
				}
				s.Evaluate = append(s.Evaluate, st)
			}
		default:
			return nil, p.errf(k, "%s", unknownKey(k.Value, topKeys))
		}
	}
	if !haveInput {
		return nil, p.errf(root, "the spec has no input; add `input: {table: NAME}` (or sql: or file:)")
	}
	if !haveStages {
		return nil, p.errf(root, "the spec has no stages; add `stages:` with at least one `- stage: Name`")
	}
	for _, src := range []*Source{&s.Input, s.Test} {
		if src != nil && src.File != "" && !filepath.IsAbs(src.File) {
			src.File = filepath.Join(p.dir, src.File)
		}
	}
	return s, nil
}

func (p *parser) source(n *yaml.Node, what string) (Source, error) {
	src := Source{Pos: Pos{n.Line, n.Column}}
	if n.Kind == yaml.ScalarNode { // input: tablename
		src.Table = n.Value
		if src.Table == "" {
			return src, p.errf(n, "%s is empty; give a table name, or {sql: …} or {file: …}", what)
		}
		return src, nil
	}
	kvs, err := p.mapping(n, what)
	if err != nil {
		return src, err
	}
	count := 0
	for _, kv := range kvs {
		val, err := p.str(kv[1], what+"."+kv[0].Value)
		if err != nil {
			return src, err
		}
		switch kv[0].Value {
		case "table":
			src.Table = val
		case "sql":
			src.SQL = val
		case "file":
			src.File = val
		default:
			return src, p.errf(kv[0], "%s: %s", what, unknownKey(kv[0].Value, []string{"table", "sql", "file"}))
		}
		if strings.TrimSpace(val) == "" {
			return src, p.errf(kv[1], "%s.%s is empty", what, kv[0].Value)
		}
		count++
	}
	if count != 1 {
		return src, p.errf(n, "%s needs exactly one of table, sql or file (got %d)", what, count)
	}
	return src, nil
}

func (p *parser) sample(n *yaml.Node) (*Sample, error) {
	kvs, err := p.mapping(n, "sample")
	if err != nil {
		return nil, err
	}
	s := &Sample{Pos: Pos{n.Line, n.Column}, Fractions: map[string]float64{}}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "col":
			if s.Col, err = p.str(v, "sample.col"); err != nil {
				return nil, err
			}
		case "seed":
			var seed int64
			if err := v.Decode(&seed); err != nil {
				return nil, p.errf(v, "sample.seed must be a whole number")
			}
			s.Seed = seed
		case "fractions":
			items, err := p.mapping(v, "sample.fractions")
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				var f float64
				if err := it[1].Decode(&f); err != nil || f < 0 || f > 1 {
					return nil, p.errf(it[1], "sample.fractions.%s must be a number in [0, 1]", it[0].Value)
				}
				s.Fractions[it[0].Value] = f
			}
		default:
			return nil, p.errf(k, "sample: %s", unknownKey(k.Value, []string{"col", "fractions", "seed"}))
		}
	}
	if s.Col == "" || len(s.Fractions) == 0 {
		return nil, p.errf(n, "sample needs col and fractions, e.g. {col: churn, fractions: {\"no\": 0.2, \"yes\": 1.0}, seed: 42}")
	}
	return s, nil
}

// stage parses `- <key>: Class` plus params.
func (p *parser) stage(n *yaml.Node, key string) (StageSpec, error) {
	st := StageSpec{Pos: Pos{n.Line, n.Column}, Params: map[string]any{}, ParamPos: map[string]Pos{}}
	kvs, err := p.mapping(n, key)
	if err != nil {
		return st, err
	}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case key:
			if st.Class, err = p.str(v, key); err != nil {
				return st, err
			}
		case "name":
			if key != "stage" {
				return st, p.errf(k, "an evaluator has no name; remove it")
			}
			if st.Name, err = p.str(v, "name"); err != nil {
				return st, err
			}
		default:
			if v.Kind == yaml.MappingNode && key == "stage" {
				nested, err := p.stage(v, "stage")
				if err != nil {
					return st, err
				}
				if st.Nested == nil {
					st.Nested = map[string]StageSpec{}
				}
				st.Nested[k.Value] = nested
				st.ParamPos[k.Value] = Pos{k.Line, k.Column}
				continue
			}
			val, err := p.value(v, k.Value)
			if err != nil {
				return st, err
			}
			st.Params[k.Value] = val
			st.ParamPos[k.Value] = Pos{k.Line, k.Column}
			st.ParamKeys = append(st.ParamKeys, k.Value)
		}
	}
	if st.Class == "" {
		return st, p.errf(n, "this item has no %q key; write `- %s: ClassName` followed by its params", key, key)
	}
	return st, nil
}

// value decodes a param value: a scalar or a (nested) list of scalars.
func (p *parser) value(n *yaml.Node, name string) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, p.errf(n, "param %s: %v", name, err)
		}
		if v == nil {
			return nil, p.errf(n, "param %s has no value; give one or remove the line", name)
		}
		if i, ok := v.(int); ok {
			return float64(i), nil
		}
		return v, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := p.value(c, name)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, p.errf(n, "param %s must be a value or a list of values", name)
}

func (p *parser) tuning(n *yaml.Node) (*Tuning, error) {
	kvs, err := p.mapping(n, "tuning")
	if err != nil {
		return nil, err
	}
	t := &Tuning{Pos: Pos{n.Line, n.Column}, Params: StageSpec{Params: map[string]any{}, ParamPos: map[string]Pos{}, Pos: Pos{n.Line, n.Column}}}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "method":
			if t.Method, err = p.str(v, "tuning.method"); err != nil {
				return nil, err
			}
			if !slices.Contains([]string{"CrossValidator", "TrainValidationSplit"}, t.Method) {
				msg := fmt.Sprintf("tuning.method %q: use CrossValidator or TrainValidationSplit", t.Method)
				if near := ml.Nearest(t.Method, []string{"CrossValidator", "TrainValidationSplit"}); near != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", near)
				}
				return nil, p.errf(v, "%s", msg)
			}
		case "grid":
			items, err := p.mapping(v, "tuning.grid")
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				stage, param, ok := strings.Cut(it[0].Value, ".")
				if !ok || stage == "" || param == "" {
					return nil, p.errf(it[0], "grid key %q: write Stage.param, e.g. DecisionTreeClassifier.maxDepth", it[0].Value)
				}
				val, err := p.value(it[1], it[0].Value)
				if err != nil {
					return nil, err
				}
				vals, ok := val.([]any)
				if !ok || len(vals) == 0 {
					return nil, p.errf(it[1], "grid %s must be a non-empty list of values", it[0].Value)
				}
				t.Grid = append(t.Grid, GridAxis{Stage: stage, Param: param, Values: vals, Pos: Pos{it[0].Line, it[0].Column}})
			}
		case "evaluator":
			if t.Evaluator, err = p.stage(v, "evaluator"); err != nil {
				return nil, err
			}
		default:
			val, err := p.value(v, k.Value)
			if err != nil {
				return nil, err
			}
			t.Params.Params[k.Value] = val
			t.Params.ParamPos[k.Value] = Pos{k.Line, k.Column}
			t.Params.ParamKeys = append(t.Params.ParamKeys, k.Value)
		}
	}
	if t.Method == "" {
		t.Method = "CrossValidator"
	}
	t.Params.Class = t.Method
	if t.Evaluator.Class == "" {
		return nil, p.errf(n, "tuning needs an evaluator, e.g. `evaluator: {evaluator: BinaryClassificationEvaluator, metricName: areaUnderROC}`")
	}
	if len(t.Grid) == 0 {
		return nil, p.errf(n, "tuning needs a grid, e.g. `grid: {DecisionTreeClassifier.maxDepth: [2, 4, 6]}`")
	}
	return t, nil
}
