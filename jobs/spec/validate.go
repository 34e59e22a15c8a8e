package spec

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// builtinRefs are the references every task may use besides parameters
// and task values.
var builtinRefs = []string{"job.name", "run.id", "run.logical_date", "run.logical_time"}

// validate runs the checks that need the whole job: task keys,
// dependencies, cycles and references.
func (p *parser) validate() {
	j := p.job
	byKey := make(map[string]*Task, len(j.Tasks))
	var keys []string
	for _, t := range j.Tasks {
		if t.Key == "" {
			continue
		}
		if first, dup := byKey[t.Key]; dup {
			p.errAt(t.Pos, "rename one of them", "duplicate task key %q (first at line %d)", t.Key, first.Pos.Line)
			continue
		}
		byKey[t.Key] = t
		keys = append(keys, t.Key)
	}
	for _, t := range j.Tasks {
		seen := map[string]bool{}
		for i, d := range t.DependsOn {
			pos := depPos(t, i)
			switch {
			case seen[d]:
				p.errAt(pos, "remove the repeated entry", "task %q lists %q twice in depends_on", t.Key, d)
			case byKey[d] == nil:
				p.errAt(pos, didYouMean(d, keys, "tasks"), "task %q depends on %q, which is not a task of this job", t.Key, d)
			}
			seen[d] = true
		}
	}
	p.checkCycles(byKey)
	g := &graph{job: j, byKey: byKey, keys: keys}
	params := p.paramNames()
	for _, f := range p.refs {
		p.checkRefs(f, g, params)
	}
}

// graph answers "is X upstream of T" for the reference checks: each
// task's transitive dependencies as a bitset over the tasks, computed
// once, on first use, in topological order — n²/8 bytes, where sets of
// keys would take n² map entries for a long chain.
type graph struct {
	job   *Job
	byKey map[string]*Task
	keys  []string
	index map[*Task]int
	up    [][]uint64
}

func (g *graph) isUpstream(t *Task, key string) bool {
	if g.up == nil {
		n := len(g.job.Tasks)
		g.index = make(map[*Task]int, n)
		for i, task := range g.job.Tasks {
			g.index[task] = i
		}
		words := (n + 63) / 64
		g.up = make([][]uint64, n)
		for _, task := range g.job.TopoOrder() {
			i := g.index[task]
			set := make([]uint64, words)
			for _, d := range task.DependsOn {
				u := g.byKey[d]
				if u == nil {
					continue
				}
				k := g.index[u]
				set[k/64] |= 1 << (k % 64)
				for w, bits := range g.up[k] { // nil when on a cycle
					set[w] |= bits
				}
			}
			g.up[i] = set
		}
	}
	i, ok := g.index[t]
	u := g.byKey[key]
	if !ok || u == nil {
		return false
	}
	k := g.index[u]
	return g.up[i] != nil && g.up[i][k/64]&(1<<(k%64)) != 0
}

func depPos(t *Task, i int) Pos {
	if i < len(t.DepsPos) {
		return t.DepsPos[i]
	}
	return t.Pos
}

// checkCycles reports each dependency cycle once, at the depends_on
// entry that closes it, naming the cycle a → b → a (each arrow a
// depends_on).
func (p *parser) checkCycles(byKey map[string]*Task) {
	const (
		white = iota
		grey
		black
	)
	color := map[*Task]int{}
	var stack []*Task
	var visit func(t *Task)
	visit = func(t *Task) {
		color[t] = grey
		stack = append(stack, t)
		for i, d := range t.DependsOn {
			u := byKey[d]
			if u == nil {
				continue
			}
			switch color[u] {
			case white:
				visit(u)
			case grey:
				start := slices.Index(stack, u)
				names := make([]string, 0, len(stack)-start+1)
				for _, s := range stack[start:] {
					names = append(names, s.Key)
				}
				names = append(names, u.Key)
				p.errAt(depPos(t, i), "each arrow is a depends_on; remove one of them", "dependency cycle %s", strings.Join(names, " → "))
			}
		}
		stack = stack[:len(stack)-1]
		color[t] = black
	}
	for _, t := range p.job.Tasks {
		if t.Key != "" && byKey[t.Key] == t && color[t] == white {
			visit(t)
		}
	}
}

// upstreamSet returns the keys t depends on, transitively.
func upstreamSet(t *Task, byKey map[string]*Task) map[string]bool {
	out := map[string]bool{}
	var walk func(t *Task)
	walk = func(t *Task) {
		for _, d := range t.DependsOn {
			if u := byKey[d]; u != nil && !out[d] {
				out[d] = true
				walk(u)
			}
		}
	}
	if t != nil {
		walk(t)
	}
	return out
}

// checkRefs checks the references of one string field.
func (p *parser) checkRefs(f refField, g *graph, params []string) {
	s := f.node.Value
	scan := scanPlain
	if f.sql {
		scan = scanSQL
	}
	pieces, rerr := scan(s)
	if rerr != nil {
		p.errAt(p.locate(f.node, rerr.off, 2), rerr.hint, "%s: %s", f.what, rerr.msg)
	}
	for _, pc := range pieces {
		if pc.kind != pieceRef {
			continue
		}
		at := func() Pos { return p.locate(f.node, pc.start, pc.end-pc.start) }
		name, ident := strings.CutPrefix(pc.body, identPrefix)
		if ident && !f.sql {
			p.errAt(at(), fmt.Sprintf("write ${%s}", name), "%s: ${ident:…} quotes a SQL identifier and is for SQL text only", f.what)
			continue
		}
		if ident && pc.state != inCode {
			p.errAt(at(), "move it outside the quotes", "%s: ${%s} is inside a string literal; an identifier goes outside quotes", f.what, pc.body)
			continue
		}
		switch {
		case name == "item" || strings.HasPrefix(name, "item."):
			if !f.inner {
				p.errAt(at(), "use it in the task of a for_each", "%s: ${%s} is only defined inside a for_each's task", f.what, name)
			} else if name == "item." {
				p.errAt(at(), "write ${item} or ${item.COLUMN}", "%s: ${item.} names no column", f.what)
			}
		case strings.HasPrefix(name, "tasks."):
			p.checkTaskRef(at(), f.what, name, f.task, g)
		case strings.HasPrefix(name, "job.") || strings.HasPrefix(name, "run."):
			if !contains(builtinRefs, name) {
				p.errAt(at(), didYouMean(name, builtinRefs, "built-in references"), "%s: unknown reference ${%s}", f.what, name)
			}
		default:
			if contains(params, name) {
				continue
			}
			hint := "declare it under parameters:, or write $${ for a literal ${"
			if near := nearest(name, slices.Concat(params, builtinRefs)); near != "" {
				hint = fmt.Sprintf("did you mean ${%s}? (or declare %s under parameters:)", near, name)
			}
			p.errAt(at(), hint, "%s: unknown parameter ${%s}", f.what, name)
		}
	}
}

// checkTaskRef checks ${tasks.KEY.values.NAME}.
func (p *parser) checkTaskRef(pos Pos, what, name string, task *Task, g *graph) {
	taskKey := ""
	if task != nil {
		taskKey = task.Key
	}
	rest := strings.TrimPrefix(name, "tasks.")
	key, tail, _ := strings.Cut(rest, ".")
	vname, ok := strings.CutPrefix(tail, "values.")
	if key == "" || !ok || vname == "" {
		p.errAt(pos, "write ${tasks.KEY.values.NAME}", "%s: malformed task value reference ${%s}", what, name)
		return
	}
	switch {
	case g.byKey[key] == nil:
		p.errAt(pos, didYouMean(key, g.keys, "tasks"), "%s: ${%s} names task %q, which is not a task of this job", what, name, key)
	case key == taskKey:
		p.errAt(pos, "a task reads values of the tasks it depends on", "%s: ${%s} refers to the task's own values", what, name)
	case !g.isUpstream(task, key):
		p.errAt(pos, fmt.Sprintf("add %s to depends_on of task %q", key, taskKey), "%s: ${%s} reads task %q, which task %q does not depend on", what, name, key, taskKey)
	}
}

// locate returns the position in the file of byte offset off of a
// scalar's value, checking that the n bytes there match the source.
// When the value's text cannot be mapped to the source (escapes, folded
// lines), it returns the scalar's position.
func (p *parser) locate(node *yaml.Node, off, n int) Pos {
	base := posOf(node)
	v := node.Value
	if off < 0 || off > len(v) {
		return base
	}
	n = min(n, len(v)-off)
	want := []rune(v[off : off+n])
	lineStart := strings.LastIndexByte(v[:off], '\n') + 1
	li := strings.Count(v[:off], "\n")
	col := len([]rune(v[lineStart:off])) // runes before off on its line
	var line, c int
	switch {
	case node.Style&(yaml.LiteralStyle) != 0:
		// Content starts on the line after the indicator; every value
		// line is a source line minus its indentation.
		line = node.Line + 1 + li
		lineEnd := strings.IndexByte(v[lineStart:], '\n')
		valueLine := v[lineStart:]
		if lineEnd >= 0 {
			valueLine = v[lineStart : lineStart+lineEnd]
		}
		src := p.sourceLine(line)
		if src == nil {
			return base
		}
		indent := len(src) - len([]rune(valueLine))
		if indent < 0 || string(src[indent:]) != valueLine {
			return base
		}
		c = indent + col + 1
	case node.Style&(yaml.FoldedStyle) != 0 || strings.Contains(v, "\n"):
		return base
	case node.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		line, c = node.Line, node.Column+1+col
	default:
		line, c = node.Line, node.Column+col
	}
	src := p.sourceLine(line)
	if src == nil || c < 1 || c-1+len(want) > len(src) || string(src[c-1:c-1+len(want)]) != string(want) {
		return base
	}
	return Pos{line, c}
}

// sourceLine returns line n (1-based) of the source as runes, without
// its line break; nil past the end.
func (p *parser) sourceLine(n int) []rune {
	if p.lines == nil {
		for _, l := range strings.Split(string(p.src), "\n") {
			p.lines = append(p.lines, []rune(strings.TrimSuffix(l, "\r")))
		}
	}
	if n < 1 || n > len(p.lines) {
		return nil
	}
	return p.lines[n-1]
}
