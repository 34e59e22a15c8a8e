package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// DeployResult says what Deploy did with one job.
type DeployResult struct {
	Job     string
	Version int64
	Changed bool
}

// builtinTypes are the task types the engine runs itself.
var builtinTypes = map[string]bool{spec.TypeExec: true, spec.TypeRunJob: true, spec.TypeForEach: true}

// Validate checks jobs against each other and the deployed jobs beyond
// what spec.Parse checked: every task type has a runner in this engine,
// a for_each over a query has a SQL runner that can return rows, run_job
// targets exist (among jobs or deployed), no two of jobs share a name,
// and run_job calls form no cycle (jobs replacing their deployed
// versions). The error is a spec.ErrorList naming file:line:col of each
// problem.
func (e *Engine) Validate(ctx context.Context, jobs []*spec.Job) error {
	deployed, err := e.store.ListJobs(ctx)
	if err != nil {
		return fmt.Errorf("validate jobs: list deployed jobs: %w", err)
	}
	var errs spec.ErrorList
	calls := map[string][]string{} // job → run_job targets
	for _, d := range deployed {
		calls[d.Name] = deployedCalls(d.SpecJSON)
	}
	mine := map[string]*spec.Job{}
	for _, j := range jobs {
		if prev := mine[j.Name]; prev != nil {
			errs = append(errs, &spec.Error{File: j.File, Pos: j.Pos, Msg: fmt.Sprintf("job %q is also in %s", j.Name, prev.File), Hint: "job names are unique; rename one of them"})
			continue
		}
		mine[j.Name] = j
		calls[j.Name] = nil
	}
	names := make([]string, 0, len(calls))
	for n := range calls {
		names = append(names, n)
	}
	slices.Sort(names)

	for _, j := range jobs {
		if mine[j.Name] != j {
			continue
		}
		var tasks []*spec.Task
		for _, t := range j.Tasks {
			tasks = append(tasks, t)
			if t.ForEach != nil && t.ForEach.Task != nil {
				tasks = append(tasks, t.ForEach.Task)
				if t.ForEach.Query != "" {
					if _, ok := e.cfg.Runners[spec.TypeSQL].(RowsQuerier); !ok {
						errs = append(errs, &spec.Error{File: j.File, Pos: cmp.Or(t.ForEach.Pos, t.TypePos, t.Pos),
							Msg:  fmt.Sprintf("task %s: for_each query needs a SQL runner that returns rows, and this engine has none", t.Key),
							Hint: "use items or param, or validate with sluice (whose engine has the sql runner)"})
					}
				}
			}
		}
		for _, t := range tasks {
			typ := t.Type()
			if !builtinTypes[typ] && e.cfg.Runners[typ] == nil {
				errs = append(errs, &spec.Error{File: j.File, Pos: cmp.Or(t.TypePos, t.Pos),
					Msg:  fmt.Sprintf("task %s: no runner for task type %q in this engine", t.Key, typ),
					Hint: "known types here: " + strings.Join(e.knownTypes(), ", ")})
			}
			if t.RunJob == nil {
				continue
			}
			target := t.RunJob.Job
			calls[j.Name] = append(calls[j.Name], target)
			if _, ok := calls[target]; !ok {
				hint := "deploy it first or together with this job (sluice jobs deploy DIR)"
				if len(names) > 0 {
					hint += "; known jobs: " + strings.Join(firstN(names, 20), ", ")
				}
				errs = append(errs, &spec.Error{File: j.File, Pos: cmp.Or(t.RunJob.Pos, t.TypePos, t.Pos),
					Msg: fmt.Sprintf("task %s: run_job: job %q is not deployed", t.Key, target), Hint: hint})
			}
		}
	}
	// run_job cycles through at least one job being deployed.
	for _, j := range jobs {
		if mine[j.Name] != j {
			continue
		}
		if cyc := findCycle(j.Name, calls); cyc != nil {
			pos, file := j.Pos, j.File
			for _, t := range allTasks(j) {
				if t.RunJob != nil && t.RunJob.Job == cyc[1] {
					pos = cmp.Or(t.RunJob.Pos, t.TypePos, t.Pos)
					break
				}
			}
			errs = append(errs, &spec.Error{File: file, Pos: pos,
				Msg:  "run_job cycle: " + strings.Join(cyc, " → "),
				Hint: "a job that calls itself, directly or through others, never ends; remove one of the run_job tasks"})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *spec.Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return errs
}

// knownTypes lists the task types this engine runs.
func (e *Engine) knownTypes() []string {
	var out []string
	for _, t := range spec.Types {
		if builtinTypes[t] || e.cfg.Runners[t] != nil {
			out = append(out, t)
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(slices.Clone(s[:n]), "…")
	}
	return s
}

func allTasks(j *spec.Job) []*spec.Task {
	var out []*spec.Task
	for _, t := range j.Tasks {
		out = append(out, t)
		if t.ForEach != nil && t.ForEach.Task != nil {
			out = append(out, t.ForEach.Task)
		}
	}
	return out
}

// findCycle returns a run_job cycle through start (start → … → start),
// or nil.
func findCycle(start string, calls map[string][]string) []string {
	var path []string
	onPath := map[string]bool{}
	done := map[string]bool{}
	var visit func(n string) []string
	visit = func(n string) []string {
		if onPath[n] {
			if n != start {
				return nil // a cycle not through start: reported from its own jobs
			}
			return append(slices.Clone(path), n)
		}
		if done[n] {
			return nil
		}
		onPath[n] = true
		path = append(path, n)
		for _, c := range calls[n] {
			if cyc := visit(c); cyc != nil {
				return cyc
			}
		}
		path = path[:len(path)-1]
		onPath[n] = false
		done[n] = true
		return nil
	}
	return visit(start)
}

// deployedCalls reads the run_job targets of a deployed job from its
// SpecJSON.
func deployedCalls(specJSON json.RawMessage) []string {
	type lite struct {
		RunJob *struct {
			Job string `json:"job"`
		} `json:"run_job"`
		ForEach *struct {
			Task *struct {
				RunJob *struct {
					Job string `json:"job"`
				} `json:"run_job"`
			} `json:"task"`
		} `json:"for_each"`
	}
	var j struct {
		Tasks []lite `json:"tasks"`
	}
	if json.Unmarshal(specJSON, &j) != nil {
		return nil
	}
	var out []string
	for _, t := range j.Tasks {
		if t.RunJob != nil {
			out = append(out, t.RunJob.Job)
		}
		if t.ForEach != nil && t.ForEach.Task != nil && t.ForEach.Task.RunJob != nil {
			out = append(out, t.ForEach.Task.RunJob.Job)
		}
	}
	return out
}

// Deploy validates jobs (Validate) and stores each (a new version when
// its text changed). A new job's schedule starts paused when its spec
// says paused: true; a redeploy keeps the job's paused state. Jobs need
// their Source (spec.Parse keeps it). Validation failing deploys
// nothing; a store error part-way leaves the jobs before it deployed
// (their results are returned with the error).
func (e *Engine) Deploy(ctx context.Context, jobs []*spec.Job) ([]DeployResult, error) {
	if err := e.Validate(ctx, jobs); err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if len(j.Source) == 0 {
			return nil, fmt.Errorf("deploy job %s: it has no source text; parse it from its file (spec.ParseFile) so that the deployed text can be shown and reparsed", j.Name)
		}
	}
	var out []DeployResult
	for _, j := range jobs {
		src := j.File
		if src != "" {
			if abs, err := filepath.Abs(src); err == nil {
				src = abs
			}
		}
		specJSON, err := json.Marshal(j)
		if err != nil {
			return out, fmt.Errorf("deploy job %s: encode: %w", j.Name, err)
		}
		var setPaused *bool
		if _, err := e.store.GetJob(ctx, j.Name); errors.Is(err, state.ErrNotFound) {
			p := j.Schedule != nil && j.Schedule.Paused
			setPaused = &p
		} else if err != nil {
			return out, fmt.Errorf("deploy job %s: %w", j.Name, err)
		}
		sj, changed, err := e.store.Deploy(ctx, j.Name, j.Source, specJSON, src, setPaused)
		if err != nil {
			return out, fmt.Errorf("deploy job %s: %w", j.Name, err)
		}
		out = append(out, DeployResult{Job: sj.Name, Version: sj.Version, Changed: changed})
	}
	e.wakeServe()
	return out, nil
}

// parseDeployed parses a deployed job version's text, relative paths
// resolving against the file it was deployed from.
func parseDeployed(sj *state.Job) (*spec.Job, error) {
	dir := ""
	if sj.SourcePath != "" {
		dir = filepath.Dir(sj.SourcePath)
	}
	j, err := spec.Parse(sj.SourcePath, sj.Spec, dir)
	if err != nil {
		return nil, fmt.Errorf("job %s version %d as deployed does not parse any more (fix and redeploy it): %w", sj.Name, sj.Version, err)
	}
	return j, nil
}
