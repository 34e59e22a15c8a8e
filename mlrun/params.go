package mlrun

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/tuning"
)

// MLflow's limits on keys and values.
const (
	MaxParamKeyLen   = 250
	MaxParamValueLen = 6000
	MaxTagValueLen   = 8000
	MaxMetricKeyLen  = 250
)

// Key sanitizes a param or metric key for MLflow: characters other than
// letters, digits, '_', '-', '.', ' ' and '/' become '_', and a key over
// MaxParamKeyLen characters is cut and suffixed with a short hash of the
// whole key so distinct long keys stay distinct.
func Key(k string) string {
	var b strings.Builder
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.', r == ' ', r == '/':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" {
		s = "_"
	}
	if len(s) > MaxParamKeyLen {
		h := sha256.Sum256([]byte(k))
		s = s[:MaxParamKeyLen-9] + "~" + hex.EncodeToString(h[:4])
	}
	return s
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ParamValue formats a param value as MLflow stores it (a string):
// strings as they are, numbers in their shortest form, lists and maps as
// JSON, cut to MaxParamValueLen bytes.
func ParamValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = ""
	case string:
		s = x
	case float64:
		s = formatFloat(x)
	case float32:
		s = formatFloat(float64(x))
	case int, int64, int32, bool:
		s = fmt.Sprint(x)
	case ml.Stage:
		s = x.StageName()
	default:
		b, err := json.Marshal(jsonSafe(v))
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(b)
		}
	}
	return truncate(s, MaxParamValueLen)
}

func formatFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// jsonSafe replaces non-finite floats inside lists and maps by strings.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatFloat(x)
		}
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = jsonSafe(f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	}
	return v
}

// param is one key/value pair in logging order.
type param struct{ Key, Value string }

// params collects params in order, the first value of a key winning
// (MLflow params are write-once).
type params struct {
	list []param
	seen map[string]int
}

func (p *params) set(key string, v any) {
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	key = Key(key)
	val := ParamValue(v)
	if i, ok := p.seen[key]; ok {
		p.list[i].Value = val
		return
	}
	p.seen[key] = len(p.list)
	p.list = append(p.list, param{key, val})
}

// specParams returns the params a spec sets explicitly, as "Stage.param"
// (the stage's spec name, or its class), nested stage params as
// "Stage.param.inner", and the tuning block's as "<Method>.param".
func specParams(pl *spec.Plan) *params {
	p := &params{}
	s := pl.Spec
	names := make([]string, len(s.Stages))
	count := map[string]int{}
	for i, ss := range s.Stages {
		names[i] = ss.Class
		if i < len(pl.Names) {
			names[i] = pl.Names[i]
		}
		count[names[i]]++
	}
	// Unnamed stages of one class would share keys (and params are
	// write-once): number them in pipeline order, StringIndexer_1, _2, ….
	idx := map[string]int{}
	for i, ss := range s.Stages {
		name := names[i]
		if count[name] > 1 {
			idx[name]++
			name = fmt.Sprintf("%s_%d", name, idx[name])
		}
		stageSpecParams(p, name, ss)
	}
	if s.Tuning != nil {
		m := s.Tuning.Method
		keys := append([]string(nil), s.Tuning.Params.ParamKeys...)
		if len(keys) == 0 {
			for k := range s.Tuning.Params.Params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		}
		for _, k := range keys {
			p.set(m+"."+k, s.Tuning.Params.Params[k])
		}
		if ev := s.Tuning.Evaluator; ev.Class != "" {
			p.set(m+".evaluator", ev.Class)
			stageSpecParams(p, m+".evaluator", ev)
		}
	}
	return p
}

func stageSpecParams(p *params, prefix string, ss spec.StageSpec) {
	for _, k := range ss.ParamKeys {
		if _, nested := ss.Nested[k]; nested {
			continue
		}
		p.set(prefix+"."+k, ss.Params[k])
	}
	names := make([]string, 0, len(ss.Nested))
	for k := range ss.Nested {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		n := ss.Nested[k]
		p.set(prefix+"."+k, n.Class)
		stageSpecParams(p, prefix+"."+k, n)
	}
}

// gridKeys maps each grid label of a plan ("tree.maxDepth" or
// "DecisionTreeClassifier.maxDepth") to its param key ("tree.maxDepth":
// the stage's spec name and the param).
func gridKeys(pl *spec.Plan) map[string]string {
	out := map[string]string{}
	if pl == nil || pl.Tuning == nil {
		return out
	}
	for _, a := range pl.Tuning.Grid {
		key := a.Label
		if a.Stage >= 0 && a.Stage < len(pl.Names) {
			key = pl.Names[a.Stage] + "." + a.Param
		}
		out[a.Label] = key
	}
	return out
}

// modelParams lists every param of every stage of a fitted model as
// "Class.param" (the index is added when a class repeats), for callers
// of the Go API that have no spec.
func modelParams(m ml.Stage) *params {
	p := &params{}
	var stages []ml.Stage
	if pm, ok := bestPipeline(m); ok {
		for _, s := range pm.Stages {
			stages = append(stages, s)
		}
	} else {
		stages = []ml.Stage{m}
	}
	count := map[string]int{}
	for _, s := range stages {
		count[s.StageName()]++
	}
	idx := map[string]int{}
	for _, s := range stages {
		name := s.StageName()
		if count[name] > 1 {
			idx[name]++
			name = fmt.Sprintf("%s_%d", name, idx[name])
		}
		for _, pi := range ml.ParamList(s) {
			p.set(name+"."+pi.Name, pi.Value)
		}
	}
	return p
}

// bestPipeline returns the fitted pipeline inside m: m itself, or the
// best model of a tuning model.
func bestPipeline(m ml.Stage) (*ml.PipelineModel, bool) {
	for {
		switch x := m.(type) {
		case *ml.PipelineModel:
			return x, true
		case *tuning.CrossValidatorModel:
			m = x.BestModel
		case *tuning.TrainValidationSplitModel:
			m = x.BestModel
		default:
			return nil, false
		}
	}
}
