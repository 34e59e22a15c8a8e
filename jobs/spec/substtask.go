package spec

import (
	"fmt"
	"maps"
	"slices"
)

// Substituted returns a deep copy of t with the references of every
// string field that is not SQL text substituted (Substitute): ingest
// paths, table and reader options; ml_fit spec, experiment, run_name,
// register and alias; ml_transform and models_predict model, table,
// into and columns; ml_recommend model and into; exec command, env values and dir; run_job job and
// parameter values; for_each items and param; the sql task's file name.
// SQL text is left as written for SubstituteSQL at run time: sql query,
// ml_transform and models_predict query, ml_recommend ids, for_each query.
//
// A for_each's nested task is substituted too when vars holds "item"
// (the vars of one iteration); otherwise it is copied as written, to be
// substituted per iteration. Errors name the field: *UnknownRefError
// (wrapped) for a reference vars does not hold.
func (t *Task) Substituted(vars map[string]string) (*Task, error) {
	s := &substituter{vars: vars}
	out := s.task(t, "")
	if s.err != nil {
		return nil, s.err
	}
	return out, nil
}

type substituter struct {
	vars     map[string]string
	copyOnly bool // deep-copy without substituting
	err      error
}

func (s *substituter) str(v, field string) string {
	if s.copyOnly || s.err != nil || v == "" {
		return v
	}
	r, err := Substitute(v, s.vars)
	if err != nil {
		if u, ok := err.(*UnknownRefError); ok {
			s.err = &UnknownRefError{Name: u.Name, Field: field}
		} else {
			s.err = fmt.Errorf("%s: %w", field, err)
		}
		return v
	}
	return r
}

func (s *substituter) strs(vs []string, field string) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = s.str(v, fmt.Sprintf("%s[%d]", field, i))
	}
	return out
}

func (s *substituter) strMap(m map[string]string, field string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[k] = s.str(m[k], field+"."+k)
	}
	return out
}

func (s *substituter) task(t *Task, prefix string) *Task {
	if t == nil {
		return nil
	}
	c := *t
	c.DependsOn = slices.Clone(t.DependsOn)
	c.DepsPos = slices.Clone(t.DepsPos)
	if t.Retries != nil {
		r := *t.Retries
		c.Retries = &r
	}
	f := func(typ, field string) string { return prefix + typ + "." + field }
	if t.SQL != nil {
		x := *t.SQL
		x.File = s.str(x.File, f(TypeSQL, "file"))
		c.SQL = &x
	}
	if t.Ingest != nil {
		x := *t.Ingest
		x.Paths = s.strs(x.Paths, f(TypeIngest, "paths"))
		x.Table = s.str(x.Table, f(TypeIngest, "table"))
		x.PartitionBy = s.strs(x.PartitionBy, f(TypeIngest, "partition_by"))
		x.Delimiter = s.str(x.Delimiter, f(TypeIngest, "delimiter"))
		x.Quote = s.str(x.Quote, f(TypeIngest, "quote"))
		x.Escape = s.str(x.Escape, f(TypeIngest, "escape"))
		x.Nulls = s.strs(x.Nulls, f(TypeIngest, "nulls"))
		x.DateFormat = s.str(x.DateFormat, f(TypeIngest, "date_format"))
		x.TimestampFormat = s.str(x.TimestampFormat, f(TypeIngest, "timestamp_format"))
		if x.Header != nil {
			h := *x.Header
			x.Header = &h
		}
		c.Ingest = &x
	}
	if t.MLFit != nil {
		x := *t.MLFit
		x.Spec = s.str(x.Spec, f(TypeMLFit, "spec"))
		x.Experiment = s.str(x.Experiment, f(TypeMLFit, "experiment"))
		x.RunName = s.str(x.RunName, f(TypeMLFit, "run_name"))
		x.Register = s.str(x.Register, f(TypeMLFit, "register"))
		x.Alias = s.str(x.Alias, f(TypeMLFit, "alias"))
		c.MLFit = &x
	}
	if t.MLTransform != nil {
		x := *t.MLTransform
		x.Model = s.str(x.Model, f(TypeMLTransform, "model"))
		x.Table = s.str(x.Table, f(TypeMLTransform, "table"))
		x.Into = s.str(x.Into, f(TypeMLTransform, "into"))
		c.MLTransform = &x
	}
	if t.MLRecommend != nil {
		x := *t.MLRecommend
		x.Model = s.str(x.Model, f(TypeMLRecommend, "model"))
		x.Into = s.str(x.Into, f(TypeMLRecommend, "into"))
		c.MLRecommend = &x
	}
	if t.ModelsPredict != nil {
		x := *t.ModelsPredict
		x.Model = s.str(x.Model, f(TypeModelsPredict, "model"))
		x.Table = s.str(x.Table, f(TypeModelsPredict, "table"))
		x.Into = s.str(x.Into, f(TypeModelsPredict, "into"))
		x.Columns = s.strs(x.Columns, f(TypeModelsPredict, "columns"))
		c.ModelsPredict = &x
	}
	if t.Exec != nil {
		x := *t.Exec
		x.Command = s.strs(x.Command, f(TypeExec, "command"))
		x.Env = s.strMap(x.Env, f(TypeExec, "env"))
		x.Dir = s.str(x.Dir, f(TypeExec, "dir"))
		c.Exec = &x
	}
	if t.RunJob != nil {
		x := *t.RunJob
		x.Job = s.str(x.Job, f(TypeRunJob, "job"))
		x.Parameters = s.strMap(x.Parameters, f(TypeRunJob, "parameters"))
		c.RunJob = &x
	}
	if t.ForEach != nil {
		x := *t.ForEach
		x.Items = s.strs(x.Items, f(TypeForEach, "items"))
		x.Param = s.str(x.Param, f(TypeForEach, "param"))
		if _, iteration := s.vars["item"]; iteration {
			x.Task = s.task(x.Task, f(TypeForEach, "task."))
		} else {
			x.Task = (&substituter{copyOnly: true}).task(x.Task, "")
		}
		c.ForEach = &x
	}
	return &c
}
