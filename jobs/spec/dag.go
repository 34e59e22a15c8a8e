package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Task returns the task with the given key, nil if there is none.
func (j *Job) Task(key string) *Task {
	for _, t := range j.Tasks {
		if t.Key == key {
			return t
		}
	}
	return nil
}

// TaskRetry returns the retry policy of a task: its own, else the
// job's; nil means no retries.
func (j *Job) TaskRetry(t *Task) *Retry {
	if t.Retries != nil {
		return t.Retries
	}
	return j.Retries
}

// Roots returns the keys of the tasks that depend on nothing, in file
// order.
func (j *Job) Roots() []string {
	var out []string
	for _, t := range j.Tasks {
		if len(t.DependsOn) == 0 {
			out = append(out, t.Key)
		}
	}
	return out
}

// TopoOrder returns the tasks so that each comes after the tasks it
// depends on; among tasks ready at the same time, file order is kept
// (Kahn's algorithm, always taking the earliest ready task in the file).
// Dependencies on unknown keys are ignored; tasks on a cycle (which
// Parse refuses) come last, in file order.
func (j *Job) TopoOrder() []*Task {
	index := make(map[string]int, len(j.Tasks))
	for i, t := range j.Tasks {
		if _, dup := index[t.Key]; !dup {
			index[t.Key] = i
		}
	}
	pending := make([]int, len(j.Tasks))      // unmet dependencies per task
	dependents := make([][]int, len(j.Tasks)) // tasks depending on each
	for i, t := range j.Tasks {
		seen := map[int]bool{}
		for _, d := range t.DependsOn {
			if k, ok := index[d]; ok && !seen[k] {
				seen[k] = true
				pending[i]++
				dependents[k] = append(dependents[k], i)
			}
		}
	}
	var ready []int // kept sorted by file order
	for i, n := range pending {
		if n == 0 {
			ready = append(ready, i)
		}
	}
	out := make([]*Task, 0, len(j.Tasks))
	done := make([]bool, len(j.Tasks))
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		done[i] = true
		out = append(out, j.Tasks[i])
		for _, k := range dependents[i] {
			if pending[k]--; pending[k] == 0 {
				at := sort.SearchInts(ready, k)
				ready = slices.Insert(ready, at, k)
			}
		}
	}
	for i, t := range j.Tasks {
		if !done[i] {
			out = append(out, t)
		}
	}
	return out
}

// Downstream returns keys and every task depending on one of them,
// transitively, in TopoOrder. Keys that are not tasks are left out.
func (j *Job) Downstream(keys []string) []string {
	dependents := make(map[string][]string, len(j.Tasks))
	for _, t := range j.Tasks {
		for _, d := range t.DependsOn {
			dependents[d] = append(dependents[d], t.Key)
		}
	}
	in := make(map[string]bool, len(keys))
	var queue []string
	for _, k := range keys {
		if j.Task(k) != nil && !in[k] {
			in[k] = true
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, d := range dependents[k] {
			if !in[d] {
				in[d] = true
				queue = append(queue, d)
			}
		}
	}
	var out []string
	for _, t := range j.TopoOrder() {
		if in[t.Key] {
			out = append(out, t.Key)
			delete(in, t.Key) // a duplicated key (not from Parse) once
		}
	}
	return out
}

// Upstream returns the keys key depends on, transitively, in TopoOrder
// (not key itself).
func (j *Job) Upstream(key string) []string {
	t := j.Task(key)
	if t == nil {
		return nil
	}
	byKey := make(map[string]*Task, len(j.Tasks))
	for _, t := range j.Tasks {
		if _, dup := byKey[t.Key]; !dup {
			byKey[t.Key] = t
		}
	}
	up := upstreamSet(t, byKey)
	var out []string
	for _, u := range j.TopoOrder() {
		if up[u.Key] && u.Key != key {
			out = append(out, u.Key)
		}
	}
	return out
}

// ResolveParams returns the job's parameters: each default, replaced by
// overrides. Error: an override names no parameter (the message lists
// the job's parameters).
func (j *Job) ResolveParams(overrides map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(j.Parameters))
	names := make([]string, 0, len(j.Parameters))
	for _, p := range j.Parameters {
		out[p.Name] = p.Default
		names = append(names, p.Name)
	}
	var unknown []string
	for k := range overrides {
		if _, ok := out[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := "it has no parameters"
		if len(names) > 0 {
			known = "its parameters are " + strings.Join(names, ", ")
			if n := nearest(unknown[0], names); n != "" {
				known = fmt.Sprintf("did you mean %s? %s", n, known)
			}
		}
		return nil, fmt.Errorf("job %s: unknown parameter %s; %s", j.Name, strings.Join(unknown, ", "), known)
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out, nil
}
