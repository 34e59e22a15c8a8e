package jobs

import (
	"bytes"
	"encoding/json"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// baseVars are the references every task of a run can use: its
// parameters by name, job.name, run.id, run.logical_date (YYYY-MM-DD)
// and run.logical_time (RFC 3339), both in the schedule's time zone
// (UTC without one).
func baseVars(run *state.Run, job *spec.Job) map[string]string {
	v := make(map[string]string, len(run.Parameters)+4)
	maps.Copy(v, run.Parameters)
	lt := run.LogicalTime
	loc := time.UTC
	if job.Schedule != nil && job.Schedule.Timezone != "" {
		if l, err := time.LoadLocation(job.Schedule.Timezone); err == nil {
			loc = l
		}
	}
	lt = lt.In(loc)
	v["job.name"] = job.Name
	v["run.id"] = strconv.FormatInt(run.ID, 10)
	v["run.logical_date"] = lt.Format("2006-01-02")
	v["run.logical_time"] = lt.Format(time.RFC3339)
	return v
}

// vars returns the references a task starting now sees: the base ones
// and tasks.KEY.values.NAME of every task that published values. Called
// by the loop; the map is the task's own.
func (x *runExec) vars() map[string]string {
	n := len(x.base)
	for _, vs := range x.values {
		n += len(vs)
	}
	v := make(map[string]string, n)
	maps.Copy(v, x.base)
	for key, vs := range x.values {
		for name, raw := range vs {
			v["tasks."+key+".values."+name] = valueText(raw)
		}
	}
	return v
}

// valueText renders a task value for substitution: a JSON string
// unquoted, numbers and booleans as written, null as "", objects and
// arrays as compact JSON text.
func valueText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s
		}
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err == nil {
			return b.String()
		}
	case 'n':
		if string(raw) == "null" {
			return ""
		}
	}
	return string(raw)
}

// execEnv is an exec attempt's environment: this process's, Config.Env,
// the task's env, then SLUICE_TASK_VALUES, SLUICE_RUN_ID, SLUICE_JOB,
// SLUICE_TASK_KEY, SLUICE_ATTEMPT, SLUICE_TASK_LOG, SLUICE_LOGICAL_TIME
// and SLUICE_PARAM_<NAME> for every parameter (NAME upper-cased, other
// characters than letters and digits as _).
func (x *runExec) execEnv(taskEnv map[string]string, tr *state.TaskRun, valuesPath string) []string {
	env := make([]string, 0, len(x.e.environ)+len(taskEnv)+len(x.run.Parameters)+8)
	env = append(env, x.e.environ...)
	keys := make([]string, 0, len(taskEnv))
	for k := range taskEnv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+taskEnv[k])
	}
	pk := make([]string, 0, len(x.run.Parameters))
	for k := range x.run.Parameters {
		pk = append(pk, k)
	}
	sort.Strings(pk)
	for _, k := range pk {
		env = append(env, "SLUICE_PARAM_"+paramEnvName(k)+"="+x.run.Parameters[k])
	}
	env = append(env,
		"SLUICE_TASK_VALUES="+valuesPath,
		"SLUICE_RUN_ID="+strconv.FormatInt(x.id, 10),
		"SLUICE_JOB="+x.job.Name,
		"SLUICE_TASK_KEY="+tr.Key,
		"SLUICE_ATTEMPT="+strconv.Itoa(tr.Attempt),
		"SLUICE_TASK_LOG="+tr.LogPath,
		"SLUICE_LOGICAL_TIME="+x.base["run.logical_time"],
	)
	return env
}

// paramEnvName upper-cases a parameter name for SLUICE_PARAM_<NAME>.
func paramEnvName(name string) string {
	b := []byte(strings.ToUpper(name))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// item is one for_each input: ${item} and, for objects, ${item.COL}.
type item struct {
	text string
	cols map[string]string
	raw  json.RawMessage // as stored in the parent's values
}

// itemFromJSON makes an item of a JSON value: a string is its text; an
// object gives item.COL per field and compact JSON as item; other values
// their JSON text.
func itemFromJSON(raw json.RawMessage) item {
	it := item{text: valueText(raw), raw: raw}
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(t, &obj); err == nil {
			it.cols = make(map[string]string, len(obj))
			for k, v := range obj {
				it.cols[k] = valueText(v)
			}
		}
	}
	return it
}

// itemFromString makes an item of plain text.
func itemFromString(s string) item {
	raw, _ := json.Marshal(s)
	return item{text: s, raw: raw}
}

// itemVars adds ${item} and ${item.COL} to a copy of vars.
func itemVars(vars map[string]string, it item) map[string]string {
	v := make(map[string]string, len(vars)+1+len(it.cols))
	maps.Copy(v, vars)
	v["item"] = it.text
	for k, c := range it.cols {
		v["item."+k] = c
	}
	return v
}

// decodeItems reads the items a for_each parent stored in its values
// while running (key "items").
func decodeItems(vals map[string]json.RawMessage) ([]json.RawMessage, bool) {
	raw, ok := vals["items"]
	if !ok {
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	return items, true
}
