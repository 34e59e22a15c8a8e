package tuning

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/ml"
)

// ParamRef names one param of one stage of an estimator. The stage is
// given in one of four ways, tried in this order:
//
//   - Stage: the stage object itself (compared by pointer), anywhere in
//     the estimator (the estimator itself, or a stage of a pipeline,
//     nested pipelines included);
//   - Path: stage indices from the top pipeline down, 0-based, one per
//     level of nesting: Path{2} is the pipeline's third stage;
//   - Name: the stage's class name, e.g. "DecisionTreeClassifier"; it must
//     match exactly one stage (use Path when two stages share a class); a
//     Name of digits, e.g. "2", is read as a top-level stage index;
//   - none of them: the one stage that has a param called Param.
//
// Param is Spark's param name, e.g. "maxDepth".
type ParamRef struct {
	Stage ml.HasParams
	Path  []int
	Name  string
	Param string
}

// String returns the ref in the form ParseParamRef reads:
// "DecisionTreeClassifier.maxDepth", "2.maxDepth" or "maxDepth" (a Stage
// is shown by its class name).
func (r ParamRef) String() string {
	switch {
	case r.Stage != nil:
		return r.Stage.StageName() + "." + r.Param
	case r.Path != nil:
		parts := make([]string, len(r.Path), len(r.Path)+1)
		for i, p := range r.Path {
			parts[i] = strconv.Itoa(p)
		}
		return strings.Join(append(parts, r.Param), ".")
	case r.Name != "":
		return r.Name + "." + r.Param
	}
	return r.Param
}

func (r ParamRef) same(o ParamRef) bool {
	return r.Param == o.Param && r.Name == o.Name && slices.Equal(r.Path, o.Path) &&
		(r.Path == nil) == (o.Path == nil) && sameStage(r.Stage, o.Stage)
}

// sameStage compares stages by identity without panicking on
// non-comparable dynamic types.
func sameStage(a, b ml.HasParams) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	if va.Kind() == reflect.Pointer {
		return va.Pointer() == vb.Pointer()
	}
	return va.Comparable() && va.Equal(vb)
}

// maxParamRefLen caps the text ParseParamRef reads.
const maxParamRefLen = 1024

// ParseParamRef reads a param address as written in specs and grids:
//
//	"maxDepth"                         the one stage with that param
//	"DecisionTreeClassifier.maxDepth"  the stage of that class
//	"2.maxDepth"                       the pipeline's stage 2 (0-based)
//	"1.0.maxDepth"                     stage 0 of the pipeline at stage 1
//
// Errors say what is malformed.
func ParseParamRef(s string) (ParamRef, error) {
	if len(s) > maxParamRefLen {
		return ParamRef{}, fmt.Errorf("param address of %d bytes is too long", len(s))
	}
	parts := strings.Split(strings.TrimSpace(s), ".")
	param := parts[len(parts)-1]
	if !validName(param) {
		return ParamRef{}, fmt.Errorf("param address %q: want PARAM, STAGE.PARAM or INDEX.PARAM, e.g. \"DecisionTreeClassifier.maxDepth\"", s)
	}
	stage := parts[:len(parts)-1]
	switch {
	case len(stage) == 0:
		return ParamRef{Param: param}, nil
	case len(stage) == 1 && validName(stage[0]) && !isDigits(stage[0]):
		return ParamRef{Name: stage[0], Param: param}, nil
	}
	path := make([]int, len(stage))
	for i, p := range stage {
		n, err := strconv.Atoi(p)
		if err != nil || !isDigits(p) || n < 0 {
			return ParamRef{}, fmt.Errorf("param address %q: %q is neither a stage class name nor a stage index; want STAGE.PARAM or INDEX.PARAM", s, p)
		}
		path[i] = n
	}
	return ParamRef{Path: path, Param: param}, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParamPair is one param value of a ParamMap.
type ParamPair struct {
	Ref   ParamRef
	Value any
}

// ParamMap is one combination of param values to try, Spark's ParamMap:
// pairs applied in order (a later pair for the same param wins). Apply
// sets them on a copy of an estimator.
type ParamMap []ParamPair

// String returns the pairs as {ref: value, …}.
func (pm ParamMap) String() string {
	parts := make([]string, len(pm))
	for i, p := range pm {
		parts[i] = fmt.Sprintf("%s: %v", p.Ref, p.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// ParamGridBuilder builds the cartesian product of param values, Spark's
// ParamGridBuilder. Build's order is Spark's: the param added first
// varies fastest. (Spark iterates its params in hash-map order; here it is
// the order of AddGrid calls.) A builder is not safe for concurrent use.
type ParamGridBuilder struct {
	grid []gridEntry
}

type gridEntry struct {
	ref    ParamRef
	values []any
}

// NewParamGridBuilder returns an empty builder; its Build returns one
// empty ParamMap (the estimator as it is).
func NewParamGridBuilder() *ParamGridBuilder { return &ParamGridBuilder{} }

// AddGrid adds values to try for param of stage, which is the stage
// object (ml.HasParams), its 0-based index in the pipeline (int), a path
// of indices ([]int), its class name (string), or "" / nil for the one
// stage that has the param (see ParamRef). Adding the same param again
// replaces its values, keeping its place. Names are checked when the grid
// is used (CrossValidator.Fit, ParamMap.Apply), against the estimator
// then known. A stage argument of another Go type is a programming error
// and panics. An empty values list makes Build return no maps.
func (b *ParamGridBuilder) AddGrid(stage any, param string, values []any) *ParamGridBuilder {
	ref := ParamRef{Param: param}
	switch s := stage.(type) {
	case nil:
	case ml.HasParams:
		ref.Stage = s
	case int:
		ref.Path = []int{s}
	case []int:
		ref.Path = slices.Clone(s)
	case string:
		ref.Name = s
	default:
		panic(fmt.Sprintf("tuning: AddGrid stage must be an ml.HasParams, int, []int or string, not %T", stage))
	}
	return b.AddGridRef(ref, values)
}

// AddGridRef is AddGrid with the param given as a ParamRef, e.g. one
// from ParseParamRef.
func (b *ParamGridBuilder) AddGridRef(ref ParamRef, values []any) *ParamGridBuilder {
	values = slices.Clone(values)
	for i := range b.grid {
		if b.grid[i].ref.same(ref) {
			b.grid[i].values = values
			return b
		}
	}
	b.grid = append(b.grid, gridEntry{ref: ref, values: values})
	return b
}

// BaseOn fixes params to one value each in every map, Spark's baseOn.
func (b *ParamGridBuilder) BaseOn(pairs ...ParamPair) *ParamGridBuilder {
	for _, p := range pairs {
		b.AddGridRef(p.Ref, []any{p.Value})
	}
	return b
}

// Build returns every combination of the grid's values, the first added
// param varying fastest: AddGrid(a, [1 2]) then AddGrid(b, [x y]) gives
// {a:1 b:x} {a:2 b:x} {a:1 b:y} {a:2 b:y}, as Spark's build does.
func (b *ParamGridBuilder) Build() []ParamMap {
	maps := []ParamMap{{}}
	for _, g := range b.grid {
		next := make([]ParamMap, 0, len(maps)*len(g.values))
		for _, v := range g.values {
			for _, m := range maps {
				next = append(next, append(slices.Clip(m), ParamPair{Ref: g.ref, Value: v}))
			}
		}
		maps = next
	}
	return maps
}

// stageAt is one stage of an estimator tree with its path.
type stageAt struct {
	path  []int
	stage ml.Stage
}

// walk lists root and, for pipelines, their stages depth-first.
func walk(root ml.Stage) []stageAt {
	var out []stageAt
	var visit func(path []int, s ml.Stage)
	visit = func(path []int, s ml.Stage) {
		out = append(out, stageAt{path: path, stage: s})
		if p, ok := s.(*ml.Pipeline); ok {
			for i, st := range p.Stages {
				visit(append(slices.Clip(path), i), st)
			}
		}
	}
	visit([]int{}, root)
	return out
}

// follow returns the stage at path in root.
func follow(root ml.Stage, path []int) (ml.Stage, error) {
	s := root
	for depth, i := range path {
		p, ok := s.(*ml.Pipeline)
		if !ok {
			if depth == 0 {
				return nil, fmt.Errorf("stage index %d: the estimator is a %s, not a Pipeline; address its params by name", i, s.StageName())
			}
			return nil, fmt.Errorf("stage path %s: stage %s is a %s, not a Pipeline", pathString(path), pathString(path[:depth]), s.StageName())
		}
		if i < 0 || i >= len(p.Stages) {
			return nil, fmt.Errorf("stage index %d is out of range; the pipeline at %s has %d stages (0-%d)", i, pathOrTop(path[:depth]), len(p.Stages), len(p.Stages)-1)
		}
		s = p.Stages[i]
	}
	return s, nil
}

func pathString(path []int) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, ".")
}

func pathOrTop(path []int) string {
	if len(path) == 0 {
		return "the top"
	}
	return "stage " + pathString(path)
}

func paramNames(s ml.HasParams) []string {
	var names []string
	for _, p := range ml.ParamList(s) {
		names = append(names, p.Name)
	}
	return names
}

// resolve finds the stage ref addresses in root and checks that it has
// the param; it returns the stage's path.
func resolve(root ml.Stage, ref ParamRef) ([]int, error) {
	path, err := findStage(root, ref)
	if err != nil {
		return nil, err
	}
	s, _ := follow(root, path)
	names := paramNames(s)
	if !slices.Contains(names, ref.Param) {
		msg := fmt.Sprintf("%s has no param %q", s.StageName(), ref.Param)
		if near := ml.Nearest(ref.Param, names); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		if len(names) == 0 {
			return nil, errors.New(msg + " (it has no params)")
		}
		return nil, fmt.Errorf("%s (params: %s)", msg, strings.Join(names, ", "))
	}
	return path, nil
}

func findStage(root ml.Stage, ref ParamRef) ([]int, error) {
	all := walk(root)
	switch {
	case ref.Stage != nil:
		for _, e := range all {
			if sameStage(e.stage, ref.Stage) {
				return e.path, nil
			}
		}
		return nil, fmt.Errorf("stage %s given for param %s is not part of the estimator (%s); pass the stage object the pipeline holds, or address it by name (%q)",
			ref.Stage.StageName(), ref.Param, root.StageName(), ref.Stage.StageName()+"."+ref.Param)
	case ref.Path != nil:
		if _, err := follow(root, ref.Path); err != nil {
			return nil, err
		}
		return ref.Path, nil
	case ref.Name != "" && isDigits(ref.Name):
		// Class names are never numbers: "2" is a stage index.
		n, _ := strconv.Atoi(ref.Name)
		return findStage(root, ParamRef{Path: []int{n}, Param: ref.Param})
	case ref.Name != "":
		var hits []stageAt
		var names []string
		for _, e := range all {
			if e.stage.StageName() == ref.Name {
				hits = append(hits, e)
			}
			if !slices.Contains(names, e.stage.StageName()) {
				names = append(names, e.stage.StageName())
			}
		}
		switch len(hits) {
		case 1:
			return hits[0].path, nil
		case 0:
			msg := fmt.Sprintf("no stage is called %q", ref.Name)
			if near := ml.Nearest(ref.Name, names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			return nil, fmt.Errorf("%s (stages: %s)", msg, strings.Join(names, ", "))
		}
		return nil, ambiguous(fmt.Sprintf("%d stages are called %s", len(hits), ref.Name), hits, ref.Param)
	}
	var hits []stageAt
	var all2 []string
	for _, e := range all {
		names := paramNames(e.stage)
		all2 = append(all2, names...)
		if slices.Contains(names, ref.Param) {
			hits = append(hits, e)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0].path, nil
	case 0:
		msg := fmt.Sprintf("no stage of %s has a param %q", root.StageName(), ref.Param)
		if near := ml.Nearest(ref.Param, all2); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		return nil, errors.New(msg)
	}
	return nil, ambiguous(fmt.Sprintf("%d stages have a param %s", len(hits), ref.Param), hits, ref.Param)
}

func ambiguous(what string, hits []stageAt, param string) error {
	var where, examples []string
	for _, h := range hits {
		where = append(where, fmt.Sprintf("%s at index %s", h.stage.StageName(), pathString(h.path)))
		examples = append(examples, fmt.Sprintf("%q", pathString(h.path)+"."+param))
	}
	return fmt.Errorf("%s (%s); address one by its stage index, e.g. %s", what, strings.Join(where, ", "), strings.Join(examples, " or "))
}
