package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/ml"
)

// Plan is a spec built against a registry: real stages with their params
// set and validated, ready to fit.
type Plan struct {
	Spec       *Spec
	Pipeline   *ml.Pipeline
	Names      []string // each stage's spec name (or class)
	Evaluators []ml.Evaluator
	Tuning     *TuningPlan
}

// TuningPlan is the tuning block resolved against the pipeline.
type TuningPlan struct {
	Method    string
	Params    map[string]any // CrossValidator / TrainValidationSplit params (numFolds, seed, …)
	ParamPos  map[string]Pos
	Grid      []Axis
	Evaluator ml.Evaluator
}

// Axis is one resolved grid axis.
type Axis struct {
	Stage  int    // index into Pipeline.Stages
	Label  string // as written, e.g. "tree.maxDepth"
	Param  string
	Values []any
}

// Build creates every stage and evaluator from reg and sets its params.
// Unknown classes and params, values of the wrong type and invalid
// settings are errors at the spec line that holds them.
func (s *Spec) Build(reg *ml.Registry) (*Plan, error) {
	pl := &Plan{Spec: s, Pipeline: &ml.Pipeline{}}
	seen := map[string]int{}
	for i, ss := range s.Stages {
		obj, err := s.create(reg, ss)
		if err != nil {
			return nil, err
		}
		st, ok := obj.(ml.Stage)
		if !ok {
			return nil, s.errAt(ss.Pos, fmt.Sprintf("%s is an evaluator, not a pipeline stage; list it under evaluate: or tuning.evaluator", ss.Class))
		}
		if _, ok := st.(ml.Evaluator); ok {
			return nil, s.errAt(ss.Pos, fmt.Sprintf("%s is an evaluator, not a pipeline stage; list it under evaluate:", ss.Class))
		}
		name := ss.Name
		if name == "" {
			name = ss.Class
		} else if j, dup := seen[name]; dup {
			return nil, s.errAt(ss.Pos, fmt.Sprintf("stage name %q is already used by stage %d", name, j+1))
		}
		seen[name] = i
		pl.Pipeline.Stages = append(pl.Pipeline.Stages, st)
		pl.Names = append(pl.Names, name)
	}
	for _, es := range s.Evaluate {
		ev, err := s.evaluator(reg, es)
		if err != nil {
			return nil, err
		}
		pl.Evaluators = append(pl.Evaluators, ev)
	}
	if s.Tuning != nil {
		tp, err := s.tuningPlan(reg, pl)
		if err != nil {
			return nil, err
		}
		pl.Tuning = tp
	}
	return pl, nil
}

func (s *Spec) errAt(p Pos, msg string) error { return &Error{File: s.File, Pos: p, Msg: msg} }

// create makes one object and sets its params.
func (s *Spec) create(reg *ml.Registry, ss StageSpec) (ml.HasParams, error) {
	obj, err := reg.New(ss.Class)
	if err != nil {
		return nil, s.errAt(ss.Pos, err.Error())
	}
	for _, k := range ss.ParamKeys {
		if err := ml.SetParam(obj, k, ss.Params[k]); err != nil {
			return nil, s.errAt(ss.ParamPos[k], err.Error())
		}
	}
	names := make([]string, 0, len(ss.Nested))
	for k := range ss.Nested {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		holder, ok := obj.(ml.StageHolder)
		if !ok || !slices.Contains(holder.StageParams(), k) {
			return nil, s.errAt(ss.ParamPos[k], fmt.Sprintf("%s has no param %q that takes a stage", ss.Class, k))
		}
		sub, err := s.create(reg, ss.Nested[k])
		if err != nil {
			return nil, err
		}
		st, ok := sub.(ml.Stage)
		if !ok {
			return nil, s.errAt(ss.Nested[k].Pos, fmt.Sprintf("%s is not a stage", ss.Nested[k].Class))
		}
		if err := holder.SetStageParam(k, st); err != nil {
			return nil, s.errAt(ss.ParamPos[k], fmt.Sprintf("%s.%s: %v", ss.Class, k, err))
		}
	}
	if v, ok := obj.Params().(ml.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, s.errAt(ss.Pos, fmt.Sprintf("%s: %v", ss.Class, err))
		}
	}
	return obj, nil
}

func (s *Spec) evaluator(reg *ml.Registry, es StageSpec) (ml.Evaluator, error) {
	obj, err := s.create(reg, es)
	if err != nil {
		return nil, err
	}
	ev, ok := obj.(ml.Evaluator)
	if !ok {
		return nil, s.errAt(es.Pos, fmt.Sprintf("%s is not an evaluator; use BinaryClassificationEvaluator, MulticlassClassificationEvaluator or RegressionEvaluator", es.Class))
	}
	return ev, nil
}

func (s *Spec) tuningPlan(reg *ml.Registry, pl *Plan) (*TuningPlan, error) {
	t := s.Tuning
	tp := &TuningPlan{Method: t.Method, Params: t.Params.Params, ParamPos: t.Params.ParamPos}
	ev, err := s.evaluator(reg, t.Evaluator)
	if err != nil {
		return nil, err
	}
	tp.Evaluator = ev
	for _, g := range t.Grid {
		idx := -1
		for i, n := range pl.Names {
			if n == g.Stage {
				idx = i
				break
			}
		}
		if idx < 0 {
			var matches []int
			for i, st := range pl.Pipeline.Stages {
				if st.StageName() == g.Stage {
					matches = append(matches, i)
				}
			}
			switch len(matches) {
			case 0:
				if n, err := strconv.Atoi(g.Stage); err == nil && n >= 1 && n <= len(pl.Names) {
					idx = n - 1
					break
				}
				msg := fmt.Sprintf("grid %s.%s: no stage %q in this pipeline (stages: %s)", g.Stage, g.Param, g.Stage, strings.Join(pl.Names, ", "))
				if near := ml.Nearest(g.Stage, pl.Names); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				}
				return nil, s.errAt(g.Pos, msg)
			case 1:
				idx = matches[0]
			default:
				return nil, s.errAt(g.Pos, fmt.Sprintf("grid %s.%s: %d stages are %s; give the one you mean a `name:` and write NAME.%s", g.Stage, g.Param, len(matches), g.Stage, g.Param))
			}
		}
		st := pl.Pipeline.Stages[idx]
		var names []string
		for _, p := range ml.ParamList(st) {
			names = append(names, p.Name)
		}
		if !slices.Contains(names, g.Param) {
			msg := fmt.Sprintf("grid %s.%s: %s has no param %q", g.Stage, g.Param, st.StageName(), g.Param)
			if near := ml.Nearest(g.Param, names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			return nil, s.errAt(g.Pos, msg)
		}
		// Check every value converts and validates, on a scratch copy.
		for _, v := range g.Values {
			if err := checkValue(reg, st, g.Param, v); err != nil {
				return nil, s.errAt(g.Pos, fmt.Sprintf("grid %s.%s value %v: %v", g.Stage, g.Param, v, err))
			}
		}
		tp.Grid = append(tp.Grid, Axis{Stage: idx, Label: g.Stage + "." + g.Param, Param: g.Param, Values: g.Values})
	}
	if _, err := s.tuner(tp, pl.Pipeline); err != nil { // checks the tuning params
		return nil, err
	}
	return tp, nil
}

// checkValue sets param on a fresh copy of st's class and validates.
func checkValue(reg *ml.Registry, st ml.Stage, param string, v any) error {
	obj, err := reg.New(st.StageName())
	if err != nil {
		return err
	}
	for _, p := range ml.ParamList(st) {
		if err := ml.SetParam(obj, p.Name, p.Value); err != nil {
			return err
		}
	}
	if err := ml.SetParam(obj, param, v); err != nil {
		return err
	}
	if val, ok := obj.Params().(ml.Validator); ok {
		return val.Validate()
	}
	return nil
}
