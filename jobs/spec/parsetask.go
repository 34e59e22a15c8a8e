package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

func (p *parser) parseTasks(n *yaml.Node) {
	if isNull(n) {
		p.errf(n, "add at least one task: - key: NAME and a type", "tasks is empty")
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "write a list: - key: NAME then the task's type", "tasks must be a list, not %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		p.errf(n, "add at least one task", "tasks is empty")
		return
	}
	if len(n.Content) > MaxTasks {
		p.errf(n, "split the job, or run a for_each over the items", "%d tasks; a job has at most %d", len(n.Content), MaxTasks)
		return
	}
	for i, item := range n.Content {
		if t := p.parseTask(item, fmt.Sprintf("tasks[%d]", i), nil); t != nil {
			p.job.Tasks = append(p.job.Tasks, t)
		}
	}
}

// parseTask parses a task; parent is the for_each task of a nested one.
func (p *parser) parseTask(n *yaml.Node, what string, parent *Task) *Task {
	kvs, ok := p.mapping(n, what, nil)
	if !ok {
		return nil
	}
	t := &Task{Pos: posOf(n)}
	c := taskCtx{top: t}
	if parent != nil {
		c = taskCtx{top: parent, inner: true}
	}
	// Name the task in messages by its key, wherever it is in the mapping.
	for _, e := range kvs {
		if e.k.Value == "key" && e.v.Kind == yaml.ScalarNode && parent == nil {
			what = fmt.Sprintf("task %q", e.v.Value)
		}
	}
	var typeKey *yaml.Node
	var haveKey bool
	for _, e := range kvs {
		k, v := e.k, e.v
		if parent != nil {
			switch k.Value {
			case "key":
				p.errf(k, "remove key: the iterations are named after the for_each task, KEY[0], KEY[1], …", "the task of a for_each has no key")
				continue
			case "depends_on":
				p.errf(k, "put depends_on on the for_each task itself", "the task of a for_each cannot have depends_on")
				continue
			case "run_if":
				p.errf(k, "put run_if on the for_each task itself", "the task of a for_each cannot have run_if")
				continue
			case TypeForEach:
				p.errf(k, "run a job with run_job inside the for_each, or list the combinations in one for_each", "a for_each inside a for_each is not supported")
				continue
			}
		}
		switch k.Value {
		case "key":
			haveKey = true
			t.Pos = posOf(v)
			if s, ok := p.str(v, field(what, "key")); ok {
				t.Key = s
				switch {
				case s == "":
					p.errf(v, "name it with letters, digits, _ and -", "%s: key is empty", what)
				case len(s) > maxNameLen:
					p.errf(v, "shorten it", "task key is longer than %d characters", maxNameLen)
				case !taskKeyRE.MatchString(s):
					p.errf(v, "use letters, digits, _ and -, starting with a letter or _", "task key %q is not valid", s)
				}
			}
		case "description":
			t.Description, _ = p.str(v, field(what, "description"))
		case "depends_on":
			deps, nodes, _ := p.strList(v, field(what, "depends_on"))
			t.DependsOn = deps
			for _, dn := range nodes {
				t.DepsPos = append(t.DepsPos, posOf(dn))
			}
		case "run_if":
			t.RunIfPos = posOf(v)
			if s, ok := p.enum(v, field(what, "run_if"), runIfValues...); ok {
				t.RunIf = RunIf(s)
			}
		case "retries":
			t.Retries = p.parseRetry(v, field(what, "retries"))
		case "timeout":
			t.Timeout, _ = p.duration(v, field(what, "timeout"))
		default:
			if !contains(Types, k.Value) {
				all := append(append([]string{}, taskKeys...), Types...)
				hint := "a task has key, description, depends_on, run_if, retries, timeout and one type: " + strings.Join(Types, ", ")
				if near := nearest(k.Value, all); near != "" {
					hint = fmt.Sprintf("did you mean %q? (task types: %s)", near, strings.Join(Types, ", "))
				}
				p.errf(k, hint, "unknown key %q in %s: not a task field or type", k.Value, what)
				continue
			}
			if typeKey != nil {
				p.errf(k, "keep one; split the work into two tasks with depends_on", "%s has more than one type: %s (line %d) and %s", what, typeKey.Value, typeKey.Line, k.Value)
				continue
			}
			typeKey = k
			t.TypePos = posOf(k)
			p.parseBody(t, k.Value, v, field(what, k.Value), c)
		}
	}
	if parent == nil && !haveKey {
		p.errf(n, "add key: NAME", "%s has no key", what)
	}
	if typeKey == nil {
		types := Types
		if parent != nil {
			types = Types[:len(Types)-1]
		}
		p.errf(n, "add one of: "+strings.Join(types, ", "), "%s has no type", what)
	}
	if t.RunIf == "" {
		t.RunIf = AllSuccess
	}
	return t
}

// parseBody parses a task's type body.
func (p *parser) parseBody(t *Task, typ string, n *yaml.Node, what string, c taskCtx) {
	switch typ {
	case TypeSQL:
		t.SQL = p.parseSQL(n, what, c)
	case TypeIngest:
		t.Ingest = p.parseIngest(n, what, c)
	case TypeMLFit:
		t.MLFit = p.parseMLFit(n, what, c)
	case TypeMLTransform, TypeModelsPredict:
		p.parseTransform(t, typ, n, what, c)
	case TypeMLRecommend:
		t.MLRecommend = p.parseRecommend(n, what, c)
	case TypeExec:
		t.Exec = p.parseExec(n, what, c)
	case TypeRunJob:
		t.RunJob = p.parseRunJob(n, what, c)
	case TypeForEach:
		t.ForEach = p.parseForEach(t, n, what, c)
	}
	// A body that failed to parse still counts as the task's type, so
	// "has no type" is not reported on top of its errors.
	if t.Type() == "" {
		switch typ {
		case TypeSQL:
			t.SQL = &SQLTask{Pos: posOf(n)}
		case TypeIngest:
			t.Ingest = &IngestTask{Pos: posOf(n)}
		case TypeMLFit:
			t.MLFit = &MLFitTask{Pos: posOf(n)}
		case TypeMLTransform:
			t.MLTransform = &MLTransformTask{Pos: posOf(n)}
		case TypeModelsPredict:
			t.ModelsPredict = &ModelsPredictTask{Pos: posOf(n)}
		case TypeMLRecommend:
			t.MLRecommend = &MLRecommendTask{Pos: posOf(n), K: 10}
		case TypeExec:
			t.Exec = &ExecTask{Pos: posOf(n)}
		case TypeRunJob:
			t.RunJob = &RunJobTask{Pos: posOf(n)}
		case TypeForEach:
			t.ForEach = &ForEachTask{Pos: posOf(n), Concurrency: 1}
		}
	}
}

// text reads a string field and registers it for reference checks.
func (p *parser) text(c taskCtx, n *yaml.Node, what string, sql bool) string {
	s, ok := p.str(n, what)
	if ok {
		p.ref(c, n, what, sql)
	}
	return s
}

// texts reads a list of strings and registers each for reference checks.
func (p *parser) texts(c taskCtx, n *yaml.Node, what string) []string {
	list, nodes, _ := p.strList(n, what)
	for i, e := range nodes {
		p.ref(c, e, fmt.Sprintf("%s[%d]", what, i), false)
	}
	return list
}

// checkFile reports a file that does not exist, unless the name holds
// references (resolved at run time) or the job has no directory.
func (p *parser) checkFile(n *yaml.Node, name, what string) {
	if p.dir == "" || name == "" || strings.Contains(name, "${") {
		return
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.dir, path)
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		p.errf(n, "paths are relative to the job file's directory", "%s: file %s not found (looked for %s)", what, name, path)
	case st.IsDir():
		p.errf(n, "name a file", "%s: %s is a directory", what, name)
	}
}

func (p *parser) parseSQL(n *yaml.Node, what string, c taskCtx) *SQLTask {
	kvs, ok := p.mapping(n, what, sqlKeys)
	if !ok {
		return nil
	}
	s := &SQLTask{Pos: posOf(n)}
	var src []*yaml.Node
	for _, e := range kvs {
		switch e.k.Value {
		case "query":
			src = append(src, e.k)
			s.Pos = posOf(e.v)
			s.Query = p.text(c, e.v, field(what, "query"), true)
			if strings.TrimSpace(s.Query) == "" {
				p.errf(e.v, "write the statements, or use file:", "%s.query is empty", what)
			}
		case "file":
			src = append(src, e.k)
			s.Pos = posOf(e.v)
			s.File = p.text(c, e.v, field(what, "file"), false)
			if s.File == "" {
				p.errf(e.v, "name a .sql file relative to the job file", "%s.file is empty", what)
			}
			p.checkFile(e.v, s.File, field(what, "file"))
		case "task_values":
			s.TaskValues, _ = p.enum(e.v, field(what, "task_values"), taskValuesValues...)
		}
	}
	switch {
	case len(src) == 0:
		p.errf(n, "add query: \"SELECT …\" or file: name.sql", "%s needs query or file", what)
	case len(src) > 1:
		p.errf(src[1], "keep one", "%s has both query and file; it takes one of them", what)
	}
	return s
}

func (p *parser) parseIngest(n *yaml.Node, what string, c taskCtx) *IngestTask {
	kvs, ok := p.mapping(n, what, ingestKeys)
	if !ok {
		return nil
	}
	in := &IngestTask{Pos: posOf(n)}
	var havePaths, haveTable bool
	for _, e := range kvs {
		k, v := e.k, e.v
		w := field(what, k.Value)
		switch k.Value {
		case "paths":
			havePaths = true
			in.Paths = p.texts(c, v, w)
			if len(in.Paths) == 0 && v.Kind == yaml.SequenceNode {
				p.errf(v, "list files or globs, relative to the job file", "%s is empty", w)
			}
			for i, s := range in.Paths {
				if s == "" {
					p.errf(v.Content[i], "", "%s[%d] is empty", w, i)
				}
			}
		case "table":
			haveTable = true
			in.Table = p.text(c, v, w, false)
			p.checkTableField(v, in.Table, w)
		case "format":
			in.Format, _ = p.enum(v, w, ingestFormats...)
		case "mode":
			in.Mode, _ = p.enum(v, w, ingestModes...)
		case "partition_by":
			in.PartitionBy = p.texts(c, v, w)
		case "merge_schema":
			in.MergeSchema, _ = p.boolean(v, w)
		case "bad_rows":
			in.BadRows, _ = p.enum(v, w, badRowsValues...)
		case "header":
			if b, ok := p.boolean(v, w); ok {
				in.Header = &b
			}
		case "delimiter":
			in.Delimiter = p.text(c, v, w, false)
		case "quote":
			in.Quote = p.text(c, v, w, false)
		case "escape":
			in.Escape = p.text(c, v, w, false)
		case "nulls":
			in.Nulls = p.texts(c, v, w)
		case "date_format":
			in.DateFormat = p.text(c, v, w, false)
		case "timestamp_format":
			in.TimestampFormat = p.text(c, v, w, false)
		case "sample_size":
			if sz, ok := p.integer(v, w); ok {
				if sz < -1 || sz == 0 {
					p.errf(v, "use a positive number of rows, or -1 for the whole file", "%s %d is not valid", w, sz)
				}
				in.SampleSize = sz
			}
		}
	}
	if !havePaths {
		p.errf(n, "add paths: [data/*.csv] (relative to the job file)", "%s needs paths", what)
	}
	if !haveTable {
		p.errf(n, "add table: NAME or namespace.name", "%s needs table", what)
	}
	return in
}

// checkTableField checks a table name unless it holds references.
func (p *parser) checkTableField(n *yaml.Node, s, what string) {
	if strings.Contains(s, "${") {
		return
	}
	if s == "" {
		p.errf(n, "write name or namespace.name", "%s is empty", what)
		return
	}
	if msg := checkTable(s); msg != "" {
		p.errf(n, "write name or namespace.name", "%s: %s", what, msg)
	}
}

// required reports a missing or empty required string field.
func (p *parser) required(body *yaml.Node, field *yaml.Node, val, what, hint string) {
	switch {
	case field == nil:
		p.errf(body, hint, "%s is required", what)
	case val == "" && field.Kind == yaml.ScalarNode:
		p.errf(field, hint, "%s is empty", what)
	}
}

func (p *parser) parseMLFit(n *yaml.Node, what string, c taskCtx) *MLFitTask {
	kvs, ok := p.mapping(n, what, mlFitKeys)
	if !ok {
		return nil
	}
	f := &MLFitTask{Pos: posOf(n)}
	var specNode, aliasNode *yaml.Node
	for _, e := range kvs {
		w := field(what, e.k.Value)
		switch e.k.Value {
		case "spec":
			specNode = e.v
			f.Spec = p.text(c, e.v, w, false)
			p.checkFile(e.v, f.Spec, w)
		case "experiment":
			f.Experiment = p.text(c, e.v, w, false)
		case "run_name":
			f.RunName = p.text(c, e.v, w, false)
		case "register":
			f.Register = p.text(c, e.v, w, false)
		case "alias":
			aliasNode = e.k
			f.Alias = p.text(c, e.v, w, false)
		}
	}
	p.required(n, specNode, f.Spec, field(what, "spec"), "add spec: pipeline.yaml (an ML pipeline spec, relative to the job file)")
	if aliasNode != nil && f.Alias != "" && f.Register == "" {
		p.errf(aliasNode, "add register: MODEL_NAME", "%s: alias needs register (the model the alias is set on)", what)
	}
	return f
}

func (p *parser) parseTransform(t *Task, typ string, n *yaml.Node, what string, c taskCtx) {
	keys := mlTransformKeys
	if typ == TypeModelsPredict {
		keys = predictKeys
	}
	kvs, ok := p.mapping(n, what, keys)
	if !ok {
		return
	}
	var model, table, query, into, mode string
	var columns []string
	var modelNode, intoNode *yaml.Node
	var inputs []*yaml.Node
	for _, e := range kvs {
		w := field(what, e.k.Value)
		switch e.k.Value {
		case "model":
			modelNode = e.v
			model = p.text(c, e.v, w, false)
		case "table":
			inputs = append(inputs, e.k)
			table = p.text(c, e.v, w, false)
			p.checkTableField(e.v, table, w)
		case "query":
			inputs = append(inputs, e.k)
			query = p.text(c, e.v, w, true)
			if strings.TrimSpace(query) == "" {
				p.errf(e.v, "write a SELECT", "%s is empty", w)
			}
		case "into":
			intoNode = e.v
			into = p.text(c, e.v, w, false)
			p.checkTableField(e.v, into, w)
		case "mode":
			mode, _ = p.enum(e.v, w, outputModes...)
		case "columns":
			columns = p.texts(c, e.v, w)
		}
	}
	p.required(n, modelNode, model, field(what, "model"), "add model: models:/NAME@alias, models:/NAME/VERSION, runs:/RUN/model or a directory")
	switch {
	case len(inputs) == 0:
		p.errf(n, "add table: NAME or query: SELECT …", "%s needs table or query", what)
	case len(inputs) > 1:
		p.errf(inputs[1], "keep one", "%s has both table and query; it takes one of them", what)
	}
	if intoNode == nil {
		p.errf(n, "add into: TABLE (the output table)", "%s needs into", what)
	}
	if typ == TypeMLTransform {
		t.MLTransform = &MLTransformTask{Model: model, Table: table, Query: query, Into: into, Mode: mode, Pos: posOf(n)}
	} else {
		t.ModelsPredict = &ModelsPredictTask{Model: model, Table: table, Query: query, Into: into, Mode: mode, Columns: columns, Pos: posOf(n)}
	}
}

func (p *parser) parseRecommend(n *yaml.Node, what string, c taskCtx) *MLRecommendTask {
	kvs, ok := p.mapping(n, what, recommendKeys)
	if !ok {
		return nil
	}
	r := &MLRecommendTask{K: 10, Pos: posOf(n)}
	var modelNode, intoNode *yaml.Node
	for _, e := range kvs {
		w := field(what, e.k.Value)
		switch e.k.Value {
		case "model":
			modelNode = e.v
			r.Model = p.text(c, e.v, w, false)
		case "k":
			if k, ok := p.integer(e.v, w); ok {
				if k < 1 || k > 10000 {
					p.errf(e.v, "give 1 to 10000", "%s is %d; it must be positive", w, k)
				}
				r.K = k
			}
		case "for":
			r.For, _ = p.enum(e.v, w, recommendFor...)
		case "ids":
			r.IDs = p.text(c, e.v, w, true)
			if strings.TrimSpace(r.IDs) == "" {
				p.errf(e.v, "write a SELECT whose first column holds the ids, or drop ids to recommend for all", "%s is empty", w)
			}
		case "into":
			intoNode = e.v
			r.Into = p.text(c, e.v, w, false)
			p.checkTableField(e.v, r.Into, w)
		case "mode":
			r.Mode, _ = p.enum(e.v, w, outputModes...)
		}
	}
	p.required(n, modelNode, r.Model, field(what, "model"), "add model: models:/NAME@alias, models:/NAME/VERSION, runs:/RUN/model or a directory (holding an ALS model)")
	if intoNode == nil {
		p.errf(n, "add into: TABLE (the output table)", "%s needs into", what)
	}
	return r
}

func (p *parser) parseExec(n *yaml.Node, what string, c taskCtx) *ExecTask {
	kvs, ok := p.mapping(n, what, execKeys)
	if !ok {
		return nil
	}
	x := &ExecTask{Pos: posOf(n)}
	var cmdNode *yaml.Node
	for _, e := range kvs {
		w := field(what, e.k.Value)
		switch e.k.Value {
		case "command":
			cmdNode = e.v
			if e.v.Kind == yaml.ScalarNode && !isNull(e.v) {
				p.errf(e.v, fmt.Sprintf("write command: [sh, -c, %q] to run it with a shell, or list the program and its arguments", clip(e.v.Value)), "%s must be a list (the program and its arguments)", w)
				continue
			}
			x.Command = p.texts(c, e.v, w)
			if len(x.Command) == 0 && e.v.Kind == yaml.SequenceNode || isNull(e.v) {
				p.errf(e.v, "list the program and its arguments, as in [python, train.py]", "%s is empty", w)
			} else if len(x.Command) > 0 && x.Command[0] == "" {
				p.errf(e.v.Content[0], "name the program to run", "%s[0] is empty", w)
			}
		case "env":
			env, ekvs, _ := p.strMap(e.v, w)
			x.Env = env
			for _, ev := range ekvs {
				switch {
				case !envNameRE.MatchString(ev.k.Value):
					p.errf(ev.k, "use letters, digits and _, not starting with a digit", "environment variable name %q is not valid", ev.k.Value)
				case strings.HasPrefix(strings.ToUpper(ev.k.Value), "SLUICE_"):
					p.errf(ev.k, "rename it; SLUICE_TASK_VALUES, SLUICE_RUN_ID, SLUICE_PARAM_<NAME>… are set for every task", "environment variable %s: names starting with SLUICE_ are Sluice's", ev.k.Value)
				}
				p.ref(c, ev.v, w+"."+ev.k.Value, false)
			}
		case "dir":
			x.Dir = p.text(c, e.v, w, false)
		}
	}
	if cmdNode == nil {
		p.errf(n, "add command: [program, args…]", "%s needs command", what)
	}
	return x
}

func (p *parser) parseRunJob(n *yaml.Node, what string, c taskCtx) *RunJobTask {
	kvs, ok := p.mapping(n, what, runJobKeys)
	if !ok {
		return nil
	}
	r := &RunJobTask{Pos: posOf(n)}
	var jobNode *yaml.Node
	for _, e := range kvs {
		w := field(what, e.k.Value)
		switch e.k.Value {
		case "job":
			jobNode = e.v
			r.Job = p.text(c, e.v, w, false)
			if r.Job != "" && !strings.Contains(r.Job, "${") {
				p.checkJobName(e.v, r.Job, w)
			}
		case "parameters":
			params, pkvs, _ := p.strMap(e.v, w)
			r.Parameters = params
			for _, pv := range pkvs {
				if !paramNameRE.MatchString(pv.k.Value) {
					p.errf(pv.k, "use letters, digits and _, not starting with a digit", "parameter name %q is not valid", pv.k.Value)
				}
				p.ref(c, pv.v, w+"."+pv.k.Value, false)
			}
		}
	}
	p.required(n, jobNode, r.Job, field(what, "job"), "add job: NAME (a deployed job)")
	return r
}

func (p *parser) parseForEach(t *Task, n *yaml.Node, what string, c taskCtx) *ForEachTask {
	kvs, ok := p.mapping(n, what, forEachKeys)
	if !ok {
		return nil
	}
	f := &ForEachTask{Pos: posOf(n)}
	var inputs []*yaml.Node
	var taskNode *yaml.Node
	for _, e := range kvs {
		w := field(what, e.k.Value)
		switch e.k.Value {
		case "items":
			inputs = append(inputs, e.k)
			f.Items = p.texts(c, e.v, w)
		case "param":
			inputs = append(inputs, e.k)
			if s, ok := p.str(e.v, w); ok {
				f.Param = s
				v := e.v
				p.later = append(p.later, func() { p.checkForEachParam(v, s, w) })
			}
		case "query":
			inputs = append(inputs, e.k)
			f.Query = p.text(c, e.v, w, true)
			if strings.TrimSpace(f.Query) == "" {
				p.errf(e.v, "write a SELECT; each row is an item", "%s is empty", w)
			}
		case "concurrency":
			if cc, ok := p.integer(e.v, w); ok {
				if cc < 1 {
					p.errf(e.v, "use 1 to run the iterations one at a time", "%s must be at least 1, not %d", w, cc)
				}
				f.Concurrency = cc
			}
		case "task":
			taskNode = e.v
			f.Task = p.parseTask(e.v, field(what, "task"), t)
		}
	}
	switch {
	case len(inputs) == 0:
		p.errf(n, "add items: [a, b], param: NAME (a parameter holding a JSON array or a comma-separated list) or query: SELECT …", "%s needs items, param or query", what)
	case len(inputs) > 1:
		p.errf(inputs[1], "keep one", "%s has both %s and %s; it takes one of items, param and query", what, inputs[0].Value, inputs[1].Value)
	}
	if taskNode == nil {
		p.errf(n, "add task: with the task to run for each item, as in task: {exec: {command: [echo, \"${item}\"]}}", "%s needs task", what)
	}
	if f.Concurrency == 0 {
		f.Concurrency = 1
	}
	return f
}

func (p *parser) checkForEachParam(n *yaml.Node, name, what string) {
	if _, ok := p.paramNodes[name]; ok {
		return
	}
	hint := didYouMean(name, p.paramNames(), "declared parameters")
	if strings.HasPrefix(name, "${") {
		hint = "write the parameter's name without ${ }"
	} else if hint == "" {
		hint = "declare it under parameters:"
	}
	p.errf(n, hint, "%s: %q is not a declared parameter", what, name)
}

func (p *parser) paramNames() []string {
	out := make([]string, 0, len(p.job.Parameters))
	for _, prm := range p.job.Parameters {
		out = append(out, prm.Name)
	}
	return out
}

// field names a field of what: `task "a" sql.query`, `schedule.cron`.
func field(what, key string) string {
	if strings.HasSuffix(what, `"`) {
		return what + " " + key
	}
	return what + "." + key
}
