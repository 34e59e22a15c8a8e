package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxJobBytes bounds the size of a job file.
const MaxJobBytes = 1 << 20

// MaxTasks bounds the tasks of a job.
const MaxTasks = 10000

// CronParser checks a cron expression. On error, col is the 1-based
// column in expr of the problem (0: unknown).
type CronParser func(expr string) (col int, err error)

// ParseOptions are the options of ParseWithOptions.
type ParseOptions struct {
	// Cron checks schedule expressions. nil: package jobs/cron.
	Cron CronParser
}

// ParseFile reads and parses a job file; relative paths in the job
// resolve against the file's directory. Errors: an ErrorList for an
// invalid job, or the error reading the file.
func ParseFile(path string) (*Job, error) { return parseFileWithOptions(path, ParseOptions{}) }

// Parse parses and validates one job. file names the job in errors ("" is
// allowed); dir is the directory relative paths resolve against ("":
// files the job names, such as a sql task's file, are not checked to
// exist). When the job is not valid the error is an ErrorList of every
// problem found, sorted by position; the job is then nil.
func Parse(file string, data []byte, dir string) (*Job, error) {
	return ParseWithOptions(file, data, dir, ParseOptions{})
}

// ParseWithOptions is Parse with options. Parse and ParseWithOptions
// keep no state between calls and are safe for concurrent use.
func ParseWithOptions(file string, data []byte, dir string, opts ParseOptions) (*Job, error) {
	if opts.Cron == nil {
		opts.Cron = defaultCron
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	p := &parser{file: file, dir: dir, src: data, opts: opts}
	job := p.parse()
	if len(p.errs) > 0 {
		return nil, sortErrors(p.errs)
	}
	return job, nil
}

// parser holds the state of one Parse.
type parser struct {
	file  string
	dir   string
	src   []byte
	lines [][]rune // lazily split source, for positions inside values
	opts  ParseOptions
	errs  ErrorList

	job *Job
	// refs are the string fields whose ${…} references are checked once
	// the whole file is read.
	refs []refField
	// later are checks that need the whole file (declared parameters).
	later []func()
	// keyNodes and sections remember positions validation reports at.
	paramNodes map[string]*yaml.Node
	// firstType remembers each task's type key, for "two types" errors.
}

// refField is a string field that may hold references.
type refField struct {
	task  *Task // the top-level task it belongs to
	inner bool  // inside a for_each's task: ${item} is defined
	sql   bool  // SQL text: references are lexed as SubstituteSQL does
	what  string
	node  *yaml.Node
}

// taskCtx is where a task's fields are: its top-level task, and whether
// it is a for_each's nested task.
type taskCtx struct {
	top   *Task
	inner bool
}

func posOf(n *yaml.Node) Pos {
	if n == nil {
		return Pos{}
	}
	return Pos{n.Line, n.Column}
}

func (p *parser) errAt(pos Pos, hint, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (p *parser) errf(n *yaml.Node, hint, format string, args ...any) {
	p.errAt(posOf(n), hint, format, args...)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) parse() (job *Job) {
	if len(p.src) > MaxJobBytes {
		p.errAt(Pos{}, "split it into several jobs", "the file has %d bytes; a job file is at most %d", len(p.src), MaxJobBytes)
		return nil
	}
	if !utf8.Valid(p.src) {
		p.errAt(Pos{}, "save the file as UTF-8", "the file is not valid UTF-8")
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(p.src))
	if err := decodeSafe(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errAt(Pos{}, "a job needs at least name and tasks; see 'sluice help jobs'", "the file is empty")
		} else {
			p.yamlError(err)
		}
		return nil
	}
	var second yaml.Node
	if err := decodeSafe(dec, &second); err == nil {
		p.errf(&second, "put each job in its own file", "a second YAML document; a job file holds one job")
	} else if !errors.Is(err, io.EOF) {
		p.yamlError(err)
	}
	if len(doc.Content) == 0 {
		p.errAt(Pos{}, "a job needs at least name and tasks", "the file is empty")
		return nil
	}
	root := doc.Content[0]
	job = &Job{File: p.file, Dir: p.dir, Source: p.src, Pos: posOf(root)}
	p.job = job
	p.parseJob(root)
	for _, f := range p.later {
		f()
	}
	p.validate()
	return job
}

// decodeSafe decodes the next document, turning a panic of the YAML
// library into an error: user input never panics Parse.
func decodeSafe(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

func (p *parser) yamlError(err error) {
	msg := err.Error()
	var pos Pos
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.errAt(pos, "check the indentation and quoting around this line", "YAML syntax error: %s", msg)
}

// kv is a mapping entry.
type kv struct{ k, v *yaml.Node }

// mapping returns the entries of a mapping node. It reports a node that
// is not a mapping, aliases, non-scalar and duplicate keys, and, when
// known is not nil, keys not in known (with a "did you mean").
func (p *parser) mapping(n *yaml.Node, what string, known []string) ([]kv, bool) {
	if n.Kind == yaml.AliasNode {
		p.errf(n, "write the value out", "%s: YAML aliases are not supported", what)
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "write key: value lines under it", "%s must be a mapping, not %s", what, kindName(n))
		return nil, false
	}
	out := make([]kv, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errf(k, "", "%s: a key must be a plain name, not %s", what, kindName(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errf(k, "remove one of them", "%s: key %q appears twice (first at line %d)", what, k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		if known != nil && !contains(known, k.Value) {
			p.errf(k, didYouMean(k.Value, known, "known keys"), "unknown key %q in %s", k.Value, what)
			continue
		}
		if v.Kind == yaml.AliasNode {
			p.errf(v, "write the value out", "%s.%s: YAML aliases are not supported", what, k.Value)
			continue
		}
		out = append(out, kv{k, v})
	}
	return out, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if isNull(n) {
			return "empty"
		}
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "a number (" + clip(n.Value) + ")"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		}
		return "a string (" + strconv.Quote(clip(n.Value)) + ")"
	}
	return "empty"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// str reads a scalar as text: numbers and booleans keep their text, null
// is "".
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "", "%s must be a string, not %s", what, kindName(n))
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	if strings.IndexByte(n.Value, 0) >= 0 {
		p.errf(n, "", "%s holds a NUL character", what)
		return "", false
	}
	return n.Value, true
}

func (p *parser) integer(n *yaml.Node, what string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		p.errf(n, "", "%s must be an integer, not %s", what, kindName(n))
		return 0, false
	}
	var i int64
	if err := n.Decode(&i); err != nil || i > math.MaxInt32 || i < math.MinInt32 {
		p.errf(n, "", "%s: %s is not an integer in range", what, clip(n.Value))
		return 0, false
	}
	return int(i), true
}

func (p *parser) number(n *yaml.Node, what string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		p.errf(n, "", "%s must be a number, not %s", what, kindName(n))
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.errf(n, "", "%s: %s is not a finite number", what, clip(n.Value))
		return 0, false
	}
	return f, true
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.errf(n, "", "%s must be true or false, not %s", what, kindName(n))
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		p.errf(n, "", "%s must be true or false, not %s", what, kindName(n))
		return false, false
	}
	return b, true
}

// duration reads a Go duration ("90s", "1h30m") or a whole number of
// seconds.
func (p *parser) duration(n *yaml.Node, what string) (Duration, bool) {
	const hint = "write a duration like 90s, 30m or 2h (days as hours: 48h), or a number of seconds"
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errf(n, hint, "%s must be a duration, not %s", what, kindName(n))
		return Duration{}, false
	}
	if n.ShortTag() == "!!int" {
		secs, ok := p.integer(n, what)
		if !ok {
			return Duration{}, false
		}
		if secs < 0 {
			p.errf(n, "use 0 for none", "%s is negative (%d)", what, secs)
			return Duration{}, false
		}
		return Duration{time.Duration(secs) * time.Second}, true
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		p.errf(n, hint, "%s: bad duration %q", what, clip(n.Value))
		return Duration{}, false
	}
	if d < 0 {
		p.errf(n, "use 0 for none", "%s is negative (%s)", what, n.Value)
		return Duration{}, false
	}
	return Duration{d}, true
}

// strList reads a list of scalars as text.
func (p *parser) strList(n *yaml.Node, what string) ([]string, []*yaml.Node, bool) {
	if isNull(n) {
		return nil, nil, true
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf("write a list, as in [%s]", clip(n.Value))
		}
		p.errf(n, hint, "%s must be a list, not %s", what, kindName(n))
		return nil, nil, false
	}
	out := make([]string, 0, len(n.Content))
	nodes := make([]*yaml.Node, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		s, good := p.str(c, fmt.Sprintf("%s[%d]", what, i))
		if !good {
			ok = false
			continue
		}
		out = append(out, s)
		nodes = append(nodes, c)
	}
	return out, nodes, ok
}

// strMap reads a mapping of scalars as text.
func (p *parser) strMap(n *yaml.Node, what string) (map[string]string, []kv, bool) {
	if isNull(n) {
		return nil, nil, true
	}
	kvs, ok := p.mapping(n, what, nil)
	if !ok {
		return nil, nil, false
	}
	out := make(map[string]string, len(kvs))
	var good []kv
	for _, e := range kvs {
		s, ok2 := p.str(e.v, field(what, e.k.Value))
		if !ok2 {
			ok = false
			continue
		}
		out[e.k.Value] = s
		good = append(good, e)
	}
	return out, good, ok
}

// enum reads a string that must be one of allowed.
func (p *parser) enum(n *yaml.Node, what string, allowed ...string) (string, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return "", false
	}
	if !contains(allowed, s) {
		p.errf(n, didYouMean(s, allowed, "use one of"), "%s: %q is not one of %s", what, s, strings.Join(allowed, ", "))
		return "", false
	}
	return s, true
}

// ref registers a string field whose references are checked later.
func (p *parser) ref(c taskCtx, n *yaml.Node, what string, sql bool) {
	p.refs = append(p.refs, refField{task: c.top, inner: c.inner, sql: sql, what: what, node: n})
}

// The keys each mapping accepts; schema_test.go checks them against
// job.schema.json and the Go types.
var (
	jobKeys          = []string{"name", "description", "schedule", "on", "parameters", "max_concurrent_runs", "timeout", "retries", "notifications", "tasks"}
	scheduleKeys     = []string{"cron", "timezone", "paused", "catch_up", "max_catch_up"}
	triggerKeys      = []string{"table_updated"}
	parameterKeys    = []string{"name", "default", "description"}
	retryKeys        = []string{"count", "delay", "backoff", "max_delay"}
	notificationKeys = []string{"on_start", "on_success", "on_failure"}
	destinationKeys  = []string{"webhook", "slack", "headers"}
	taskKeys         = []string{"key", "description", "depends_on", "run_if", "retries", "timeout"}
	sqlKeys          = []string{"query", "file", "task_values"}
	ingestKeys       = []string{"paths", "table", "format", "mode", "partition_by", "merge_schema", "bad_rows", "header", "delimiter", "quote", "escape", "nulls", "date_format", "timestamp_format", "sample_size"}
	mlFitKeys        = []string{"spec", "experiment", "run_name", "register", "alias"}
	mlTransformKeys  = []string{"model", "table", "query", "into", "mode"}
	predictKeys      = []string{"model", "table", "query", "into", "mode", "columns"}
	recommendKeys    = []string{"model", "k", "for", "ids", "into", "mode"}
	recommendFor     = []string{"users", "items"}
	execKeys         = []string{"command", "env", "dir"}
	runJobKeys       = []string{"job", "parameters"}
	forEachKeys      = []string{"items", "param", "query", "concurrency", "task"}
	runIfValues      = []string{string(AllSuccess), string(AllDone), string(NoneFailed), string(AtLeastOneFailed)}
	ingestFormats    = []string{"csv", "tsv", "json", "parquet", "arrow"}
	ingestModes      = []string{"append", "overwrite"}
	badRowsValues    = []string{"fail", "quarantine"}
	outputModes      = []string{"overwrite", "append"}
	taskValuesValues = []string{"first_row"}
)

var (
	jobNameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)
	taskKeyRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	paramNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerRE    = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// maxNameLen bounds job names, task keys and parameter names.
const maxNameLen = 128

// reservedParams are names a parameter cannot take: they begin the
// built-in references (job.name, run.id, tasks.K.values.V, item).
var reservedParams = []string{"job", "run", "tasks", "item", "ident"}

func (p *parser) parseJob(root *yaml.Node) {
	j := p.job
	if isNull(root) {
		p.errf(root, "a job needs at least name and tasks", "the file is empty")
		return
	}
	kvs, ok := p.mapping(root, "the job", jobKeys)
	if !ok {
		return
	}
	var haveName, haveTasks bool
	for _, e := range kvs {
		k, v := e.k, e.v
		switch k.Value {
		case "name":
			haveName = true
			j.NamePos = posOf(v)
			if s, ok := p.str(v, "name"); ok {
				j.Name = s
				p.checkJobName(v, s, "name")
			}
		case "description":
			j.Description, _ = p.str(v, "description")
		case "schedule":
			j.Schedule = p.parseSchedule(v)
		case "on":
			j.On = p.parseTrigger(v)
		case "parameters":
			p.parseParameters(v)
		case "max_concurrent_runs":
			if n, ok := p.integer(v, "max_concurrent_runs"); ok {
				if n < 1 {
					p.errf(v, "use 1 to run one at a time", "max_concurrent_runs must be at least 1, not %d", n)
				}
				j.MaxConcurrentRuns = n
			}
		case "timeout":
			j.Timeout, _ = p.duration(v, "timeout")
		case "retries":
			j.Retries = p.parseRetry(v, "retries")
		case "notifications":
			j.Notifications = p.parseNotifications(v)
		case "tasks":
			haveTasks = true
			p.parseTasks(v)
		}
	}
	if !haveName {
		p.errf(root, "add name: NAME (letters, digits, _ . -)", "the job has no name")
	}
	if !haveTasks {
		p.errf(root, "add tasks: with at least one task", "the job has no tasks")
	}
	if j.MaxConcurrentRuns == 0 {
		j.MaxConcurrentRuns = 1
	}
}

func (p *parser) checkJobName(n *yaml.Node, s, what string) {
	switch {
	case s == "":
		p.errf(n, "name it with letters, digits, _ . -, starting with a letter", "%s is empty", what)
	case len(s) > maxNameLen:
		p.errf(n, "shorten it", "%s is longer than %d characters", what, maxNameLen)
	case !jobNameRE.MatchString(s):
		p.errf(n, "use letters, digits, _ . -, starting with a letter", "%s %q is not a valid job name", what, s)
	}
}

func (p *parser) parseSchedule(n *yaml.Node) *Schedule {
	kvs, ok := p.mapping(n, "schedule", scheduleKeys)
	if !ok {
		return nil
	}
	s := &Schedule{}
	var cronNode *yaml.Node
	for _, e := range kvs {
		k, v := e.k, e.v
		switch k.Value {
		case "cron":
			cronNode = v
			s.CronPos = posOf(v)
			s.Cron, _ = p.str(v, "schedule.cron")
		case "timezone":
			s.TZPos = posOf(v)
			if tz, ok := p.str(v, "schedule.timezone"); ok {
				s.Timezone = tz
				p.checkTimezone(v, tz)
			}
		case "paused":
			s.Paused, _ = p.boolean(v, "schedule.paused")
		case "catch_up":
			s.CatchUp, _ = p.boolean(v, "schedule.catch_up")
		case "max_catch_up":
			if m, ok := p.integer(v, "schedule.max_catch_up"); ok {
				if m < 1 {
					p.errf(v, "set catch_up: false to run only the latest missed tick", "schedule.max_catch_up must be at least 1, not %d", m)
				}
				s.MaxCatchUp = m
			}
		}
	}
	switch {
	case cronNode == nil:
		p.errf(n, `add cron: "0 2 * * *" (minute hour day-of-month month day-of-week)`, "schedule has no cron expression")
	case strings.TrimSpace(s.Cron) == "":
		p.errf(cronNode, `write an expression such as "0 2 * * *" or @daily`, "schedule.cron is empty")
	default:
		if col, err := p.opts.Cron(s.Cron); err != nil {
			pos := s.CronPos
			if col > 0 {
				off := runeOffset(s.Cron, col-1)
				pos = p.locate(cronNode, off, min(1, len(s.Cron)-off))
			}
			p.errAt(pos, "five fields: minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly", "bad cron expression %q: %v", s.Cron, cronMessage(err))
		}
	}
	if s.Timezone == "" {
		s.Timezone = "UTC"
	}
	if s.MaxCatchUp == 0 {
		s.MaxCatchUp = 100
	}
	return s
}

// runeOffset returns the byte offset of the n-th rune of s (len(s) past
// the end).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func (p *parser) checkTimezone(n *yaml.Node, tz string) {
	const hint = "use an IANA zone name such as UTC, Europe/Paris or America/New_York"
	if tz == "" {
		p.errf(n, hint, "schedule.timezone is empty")
		return
	}
	if tz == "Local" {
		p.errf(n, hint, "schedule.timezone Local depends on the server's settings")
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		p.errf(n, hint, "unknown time zone %q", tz)
	}
}

func (p *parser) parseTrigger(n *yaml.Node) *Trigger {
	kvs, ok := p.mapping(n, "on", triggerKeys)
	if !ok {
		return nil
	}
	t := &Trigger{Pos: posOf(n)}
	for _, e := range kvs {
		if e.k.Value == "table_updated" {
			t.Pos = posOf(e.v)
			if s, ok := p.str(e.v, "on.table_updated"); ok {
				t.TableUpdated = s
				if msg := checkTable(s); msg != "" {
					p.errf(e.v, "write name or namespace.name, as in default.churn", "on.table_updated: %s", msg)
				}
			}
		}
	}
	if len(kvs) == 0 && ok {
		p.errf(n, "add table_updated: namespace.table", "on has no trigger")
	}
	return t
}

// checkTable checks a table name as table.ParseIdent does: name or
// namespace.name, each part letters, digits and underscores, not
// starting with a digit. It returns "" when the name is good.
func checkTable(s string) string {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) > 2 {
		return fmt.Sprintf("table name %q has more than two parts", s)
	}
	for _, part := range parts {
		if part == "" {
			return fmt.Sprintf("table name %q has an empty part", s)
		}
		if len(part) > 255 {
			return fmt.Sprintf("table name %q has a part longer than 255 bytes", s)
		}
		for i, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
				return fmt.Sprintf("table name %q: invalid character %q; use letters, digits and underscores, not starting with a digit", s, r)
			}
		}
	}
	return ""
}

func (p *parser) parseParameters(n *yaml.Node) {
	if p.paramNodes == nil {
		p.paramNodes = map[string]*yaml.Node{}
	}
	add := func(name string, nameNode *yaml.Node, def, desc string) {
		switch {
		case !paramNameRE.MatchString(name) || len(name) > maxNameLen:
			p.errf(nameNode, "use letters, digits and _, not starting with a digit", "parameter name %q is not valid", name)
			return
		case contains(reservedParams, name):
			p.errf(nameNode, "rename it", "parameter name %q is reserved for built-in references (${job.name}, ${run.id}, ${tasks.KEY.values.NAME}, ${item})", name)
			return
		}
		if first, dup := p.paramNodes[name]; dup {
			p.errf(nameNode, "remove one of them", "parameter %q is declared twice (first at line %d)", name, first.Line)
			return
		}
		p.paramNodes[name] = nameNode
		p.job.Parameters = append(p.job.Parameters, Parameter{Name: name, Default: def, Description: desc, Pos: posOf(nameNode)})
	}
	switch {
	case isNull(n):
	case n.Kind == yaml.MappingNode:
		kvs, _ := p.mapping(n, "parameters", nil)
		for _, e := range kvs {
			what := "parameters." + e.k.Value
			var def, desc string
			ok := true
			if e.v.Kind == yaml.MappingNode {
				fields, _ := p.mapping(e.v, what, []string{"default", "description"})
				for _, f := range fields {
					switch f.k.Value {
					case "default":
						def, ok = p.str(f.v, field(what, "default"))
					case "description":
						desc, _ = p.str(f.v, field(what, "description"))
					}
				}
			} else {
				def, ok = p.str(e.v, what)
			}
			if ok {
				add(e.k.Value, e.k, def, desc)
			}
		}
	case n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			what := fmt.Sprintf("parameters[%d]", i)
			kvs, ok := p.mapping(item, what, parameterKeys)
			if !ok {
				continue
			}
			var name, def, desc string
			var nameNode *yaml.Node
			good := true
			for _, f := range kvs {
				switch f.k.Value {
				case "name":
					nameNode = f.v
					name, ok = p.str(f.v, field(what, "name"))
					good = good && ok
				case "default":
					def, ok = p.str(f.v, field(what, "default"))
					good = good && ok
				case "description":
					desc, _ = p.str(f.v, field(what, "description"))
				}
			}
			if nameNode == nil {
				p.errf(item, "add name: NAME", "%s has no name", what)
				continue
			}
			if good {
				add(name, nameNode, def, desc)
			}
		}
	default:
		p.errf(n, "write name: default lines, or a list of {name, default, description}", "parameters must be a mapping or a list, not %s", kindName(n))
	}
}

func (p *parser) parseRetry(n *yaml.Node, what string) *Retry {
	kvs, ok := p.mapping(n, what, retryKeys)
	if !ok {
		return nil
	}
	r := &Retry{Pos: posOf(n), Delay: Duration{10 * time.Second}, Backoff: 2, MaxDelay: Duration{10 * time.Minute}}
	for _, e := range kvs {
		k, v := e.k, e.v
		switch k.Value {
		case "count":
			if c, ok := p.integer(v, field(what, "count")); ok {
				switch {
				case c < 0:
					p.errf(v, "use 0 for no retries", "%s.count is negative (%d)", what, c)
				case c > 100:
					p.errf(v, "use at most 100", "%s.count %d is too many retries", what, c)
				}
				r.Count = c
			}
		case "delay":
			if d, ok := p.duration(v, field(what, "delay")); ok {
				r.Delay = d
			}
		case "backoff":
			if b, ok := p.number(v, field(what, "backoff")); ok {
				if b < 1 {
					p.errf(v, "use 1 for a constant delay, 2 to double it each time", "%s.backoff must be at least 1, not %v", what, b)
				}
				r.Backoff = b
			}
		case "max_delay":
			if d, ok := p.duration(v, field(what, "max_delay")); ok {
				r.MaxDelay = d
			}
		}
	}
	return r
}

func (p *parser) parseNotifications(n *yaml.Node) *Notifications {
	kvs, ok := p.mapping(n, "notifications", notificationKeys)
	if !ok {
		return nil
	}
	out := &Notifications{}
	for _, e := range kvs {
		what := "notifications." + e.k.Value
		if isNull(e.v) {
			continue
		}
		if e.v.Kind != yaml.SequenceNode {
			p.errf(e.v, "write a list: - webhook: URL", "%s must be a list of destinations, not %s", what, kindName(e.v))
			continue
		}
		var ds []Destination
		for i, item := range e.v.Content {
			if d, ok := p.parseDestination(item, fmt.Sprintf("%s[%d]", what, i)); ok {
				ds = append(ds, d)
			}
		}
		switch e.k.Value {
		case "on_start":
			out.OnStart = ds
		case "on_success":
			out.OnSuccess = ds
		case "on_failure":
			out.OnFailure = ds
		}
	}
	return out
}

func (p *parser) parseDestination(n *yaml.Node, what string) (Destination, bool) {
	d := Destination{Pos: posOf(n)}
	kvs, ok := p.mapping(n, what, destinationKeys)
	if !ok {
		return d, false
	}
	var kinds []*yaml.Node
	var headersNode *yaml.Node
	for _, e := range kvs {
		switch e.k.Value {
		case "webhook", "slack":
			kinds = append(kinds, e.k)
			s, ok := p.str(e.v, field(what, e.k.Value))
			if !ok {
				continue
			}
			if e.k.Value == "webhook" {
				d.Webhook = s
			} else {
				d.Slack = s
			}
			p.checkURL(e.v, s, field(what, e.k.Value))
		case "headers":
			headersNode = e.k
			h, hkvs, _ := p.strMap(e.v, field(what, "headers"))
			d.Headers = h
			for _, hk := range hkvs {
				if !headerRE.MatchString(hk.k.Value) {
					p.errf(hk.k, "use letters, digits and - as in X-Token", "header name %q is not valid", hk.k.Value)
				}
				if strings.ContainsAny(h[hk.k.Value], "\r\n") {
					p.errf(hk.v, "", "header %s: a value cannot hold a line break", hk.k.Value)
				}
			}
		}
	}
	switch {
	case len(kinds) == 0:
		p.errf(n, "add webhook: URL or slack: URL", "%s has no webhook or slack URL", what)
	case len(kinds) > 1:
		p.errf(kinds[1], "write two destinations, one with each", "%s has both webhook and slack; a destination is one of them", what)
	case headersNode != nil && d.Webhook == "":
		p.errf(headersNode, "remove headers, or use webhook:", "%s: headers apply to webhook destinations only", what)
	}
	return d, true
}

func (p *parser) checkURL(n *yaml.Node, s, what string) {
	const hint = "write an http:// or https:// URL"
	if s == "" {
		p.errf(n, hint, "%s is empty", what)
		return
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https")) {
		p.errf(n, hint, "%s %q is not an http(s) URL", what, clip(s))
		return
	}
	host, _, _ := strings.Cut(rest, "/")
	if _, h, found := strings.Cut(host, "@"); found {
		host = h
	}
	if host == "" || strings.ContainsAny(s, " \t\r\n") {
		p.errf(n, hint, "%s %q has no host or holds spaces", what, clip(s))
	}
}
