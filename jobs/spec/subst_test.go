package spec

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"date": "2026-01-01", "x": "a'b", "tasks.a.values.n": "7", "item": "it", "item.id": "3"}
	for _, tc := range []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"day=${date}", "day=2026-01-01", ""},
		{"${x}${x}", "a'ba'b", ""},
		{"${tasks.a.values.n}/${item}/${item.id}", "7/it/3", ""},
		{"$${HOME} and $$ and $x", "${HOME} and $$ and $x", ""},
		{"$$${date}", "$${date}", ""}, // left to right: $ then the escape $${
		{"${nope}", "", "unknown reference ${nope}"},
		{"${date", "", "unterminated reference ${date"},
		{"${}", "", "empty reference"},
		{"${a b}", "", "malformed reference"},
		{"${ident:date}", "", "for SQL text only"},
	} {
		got, err := Substitute(tc.in, vars)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Substitute(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Substitute(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	// A value holding a reference is not substituted again.
	got, err := Substitute("${a}", map[string]string{"a": "${b}", "b": "no"})
	if err != nil || got != "${b}" {
		t.Errorf("got %q, %v; want ${b} as is", got, err)
	}
	var u *UnknownRefError
	if _, err := Substitute("${zz}", nil); !errors.As(err, &u) || u.Name != "zz" {
		t.Errorf("error %v, want *UnknownRefError for zz", err)
	}
}

func TestSubstituteSQL(t *testing.T) {
	vars := map[string]string{
		"n": "42", "neg": "-5", "dec": "3.25", "zip": "007", "exp": "1e5", "hex": "0x10", "date": "2026-01-01",
		"q": "x'; DROP TABLE t; --", "bs": `a\'b`, "tbl": `sales.or"ders`, "nl": "a\nb", "empty": "",
	}
	for _, tc := range []struct{ in, want string }{
		{"SELECT ${n}", "SELECT 42"},
		{"SELECT 1-${neg}", "SELECT 1-(-5)"},
		{"SELECT ${dec}, ${zip}, ${exp}, ${hex}", "SELECT 3.25, '007', '1e5', '0x10'"},
		{"WHERE d = ${date}", "WHERE d = '2026-01-01'"},
		{"WHERE d = DATE '${date}'", "WHERE d = DATE '2026-01-01'"},
		{"WHERE s = ${q}", "WHERE s = 'x''; DROP TABLE t; --'"},
		{"WHERE s = 'pre ${q} post'", "WHERE s = 'pre x''; DROP TABLE t; -- post'"},
		{"WHERE s = E'${bs}'", `WHERE s = E'a\\''b'`},
		{"WHERE s = '${bs}'", `WHERE s = 'a\''b'`},
		{"WHERE s = ${bs}", `WHERE s = 'a\''b'`},
		{"SELECT * FROM ${ident:tbl}", `SELECT * FROM "sales"."or""ders"`},
		{"SELECT ${nl}", "SELECT 'a\nb'"},
		{"SELECT ${empty}", "SELECT ''"},
		{"SELECT x${n}", "SELECT x 42"},
		{"SELECT '${date}'${date}", "SELECT '2026-01-01' '2026-01-01'"},
		{"SELECT ${date}'a'", "SELECT '2026-01-01' 'a'"},
		{"SELECT E${q}", "SELECT E 'x''; DROP TABLE t; --'"},
		{"SELECT 1 -- ${nope} stays\n, ${n}", "SELECT 1 -- ${nope} stays\n, 42"},
		{"/* ${nope} /* nested ${nope} */ ${nope} */ ${n}", "/* ${nope} /* nested ${nope} */ ${nope} */ 42"},
		{`SELECT "${nope}" FROM t`, `SELECT "${nope}" FROM t`},
		{"SELECT $$ ${nope} $$, $tag$ it's ${nope} $tag$, ${n}", "SELECT $$ ${nope} $$, $tag$ it's ${nope} $tag$, 42"},
		{"SELECT a$b$ , ${n}", "SELECT a$b$ , 42"},
		{"SELECT '$${literal}', $${n}", "SELECT '${literal}', ${n}"},
		{"SELECT 'it''s ${date}'", "SELECT 'it''s 2026-01-01'"},
		{"SELECT \"a\"\"b\", ${n}", "SELECT \"a\"\"b\", 42"},
	} {
		got, err := SubstituteSQL(tc.in, vars)
		if err != nil || got != tc.want {
			t.Errorf("SubstituteSQL(%q)\n got %q, %v\nwant %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, err string }{
		{"SELECT ${nope}", "unknown reference ${nope}"},
		{"SELECT '${nope}'", "unknown reference ${nope}"},
		{"SELECT ${bad", "unterminated reference"},
		{"SELECT '${ident:tbl}'", "inside a string literal"},
		{"SELECT ${ident:empty}", "empty part"},
		{"SELECT ${nul}", "NUL byte"},
	} {
		_, err := SubstituteSQL(tc.in, map[string]string{"tbl": "t", "empty": "a..b", "nul": "a\x00b"})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("SubstituteSQL(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
}

func TestRefs(t *testing.T) {
	if got, want := Refs("${a} ${b.c} ${a} $${d} ${ident:e} ${bad"), []string{"a", "b.c", "e"}; !reflect.DeepEqual(got, want) {
		// the malformed tail stops the scan; what came before is returned
		t.Errorf("Refs = %q, want %q", got, want)
	}
	if got, want := SQLRefs("SELECT ${a}, '${b}' -- ${c}\n/* ${d} */ \"${e}\" $$${f}$$ ${ident:g}"), []string{"a", "b", "g"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SQLRefs = %q, want %q", got, want)
	}
	if got := Refs("no refs"); got != nil {
		t.Errorf("Refs = %q, want nil", got)
	}
}

// evilValues try to break out of the literal they are put in.
var evilValues = []string{
	"x'; DROP TABLE t; --", "1 OR 1=1", `"`, `\`, `\'`, `'\`, "''", "'", "a\nb\r\nc", "é☃'ü", "$$", "$a$", "$$'; DROP TABLE t; $$",
	"*/", "/*", "--", "-- x\n'", "0x10", "1e5", "${x}", "$${", "' || (SELECT 1) || '", "\t", "E'\\''", `\\'`, "\u00a0'", ";",
}

// templates put a reference in each lexical place.
var templates = []string{
	"SELECT * FROM t WHERE a = ${v}",
	"SELECT '${v}'",
	"SELECT 'pre ${v} post', 'x'",
	"SELECT E'x${v}y', 1",
	"SELECT e'${v}'",
	"SELECT DATE '${v}'",
	"SELECT ${v}${v}",
	"SELECT 1-${v}",
	"SELECT x${v}",
	"SELECT E${v}",
	"SELECT '${v}'${v}'${v}'",
	"SELECT \"c\"${v}",
	"-- ${v}\nSELECT ${v}",
	"/* ${v} */ SELECT ${v} /* ${v} */",
	"SELECT $$ ${v} $$, ${v}, $q$ ${v} $q$",
	"SELECT \"${v}\", ${v}",
	"SELECT ${v} -- trailing",
	"SELECT ${v}/* c */",
	"SELECT $1${v}",
	"SELECT 1$a$ ${v} $a$, ${v}",
	"SELECT 12E'${v}', ${v}",
	"SELECT x1E'${v}', ${v}",
	"SELECT $1$a$ ${v} $a$ ${v}",
}

func TestSubstituteSQLInjection(t *testing.T) {
	for _, tpl := range templates {
		benign, err := SubstituteSQL(tpl, map[string]string{"v": "a"})
		if err != nil {
			t.Fatalf("%q: %v", tpl, err)
		}
		want := tokenKinds(benign)
		for _, v := range evilValues {
			got, err := SubstituteSQL(tpl, map[string]string{"v": v})
			if err != nil {
				t.Errorf("%q with %q: %v", tpl, v, err)
				continue
			}
			if k := tokenKinds(got); !reflect.DeepEqual(k, want) {
				t.Errorf("%q with value %q:\n%s\ntokens %v, want %v (as with a harmless value)", tpl, v, got, k, want)
			}
		}
	}
	// The value comes back out of the literal unchanged.
	for _, v := range evilValues {
		out, err := SubstituteSQL("${v}", map[string]string{"v": v})
		if err != nil {
			t.Fatal(err)
		}
		toks := sqlTokens(out)
		if len(toks) != 1 || toks[0].kind != "str" {
			t.Errorf("%q → %q: tokens %v, want one string literal", v, out, toks)
			continue
		}
		if got := strings.ReplaceAll(toks[0].text[1:len(toks[0].text)-1], "''", "'"); got != v {
			t.Errorf("%q → %q decodes to %q", v, out, got)
		}
	}
	// Identifiers.
	for _, v := range []string{`a"; DROP TABLE t; --`, `x""y`, "tbl", "é"} {
		out, err := SubstituteSQL("SELECT * FROM ${ident:v}", map[string]string{"v": v})
		if err != nil {
			t.Fatal(err)
		}
		if k := tokenKinds(out); !reflect.DeepEqual(k, []string{"ident", "op", "ident", "qident"}) {
			t.Errorf("%q → %q: tokens %v", v, out, k)
		}
	}
}

// token is a SQL token of the test's own lexer, written apart from
// scanSQL so the two check each other.
type token struct{ kind, text string }

func (t token) String() string { return t.kind + ":" + t.text }

func tokenKinds(sql string) []string {
	var out []string
	for _, t := range sqlTokens(sql) {
		out = append(out, t.kind)
	}
	return out
}

// sqlTokens lexes SQL the way PostgreSQL and DuckDB do, for the token
// kinds that matter here: str ('…', E'…'), qident ("…"), dollar ($t$…$t$),
// comment, num, ident, param ($1), op (any other character).
func sqlTokens(s string) []token {
	var out []token
	identCont := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
	}
	quoted := func(i int, q byte, backslash bool) int { // index after the closing quote
		j := i + 1
		for j < len(s) {
			switch {
			case backslash && s[j] == '\\':
				j += 2
				continue
			case s[j] == q && j+1 < len(s) && s[j+1] == q:
				j += 2
				continue
			case s[j] == q:
				return j + 1
			}
			j++
		}
		return len(s)
	}
	i := 0
	for i < len(s) {
		c := s[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			out = append(out, token{"comment", s[start:i]})
		case strings.HasPrefix(s[i:], "/*"):
			depth := 0
			for i < len(s) {
				if strings.HasPrefix(s[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(s[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			out = append(out, token{"comment", s[start:i]})
		case c == '\'':
			i = quoted(i, '\'', false)
			out = append(out, token{"str", s[start:i]})
		case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
			i = quoted(i+1, '\'', true)
			out = append(out, token{"str", s[start:i]})
		case c == '"':
			i = quoted(i, '"', false)
			out = append(out, token{"qident", s[start:i]})
		case c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			i++
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			out = append(out, token{"param", s[start:i]})
		case c == '$':
			j := i + 1
			for j < len(s) && identCont(s[j]) && s[j] != '$' {
				j++
			}
			if j < len(s) && s[j] == '$' && (j == i+1 || !(s[i+1] >= '0' && s[i+1] <= '9')) {
				tag := s[i : j+1]
				if k := strings.Index(s[j+1:], tag); k >= 0 {
					i = j + 1 + k + len(tag)
				} else {
					i = len(s)
				}
				out = append(out, token{"dollar", s[start:i]})
			} else {
				i++
				out = append(out, token{"op", s[start:i]})
			}
		case c >= '0' && c <= '9':
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
				i++
			}
			out = append(out, token{"num", s[start:i]})
		case identCont(c):
			for i < len(s) && identCont(s[i]) {
				i++
			}
			out = append(out, token{"ident", s[start:i]})
		default:
			i++
			out = append(out, token{"op", s[start:i]})
		}
	}
	return out
}

func TestTaskSubstituted(t *testing.T) {
	j := MustParse(t, fullExample, jobDir(t))
	vars := map[string]string{"date": "2026-05-01", "rows": "1", "strict": "true", "tasks.prep.values.n": "9", "tasks.fit.values.model_uri": "models:/churn/3"}

	child, err := j.Task("child").Substituted(vars)
	if err != nil {
		t.Fatal(err)
	}
	if got := child.RunJob.Parameters["x"]; got != "2026-05-01" {
		t.Errorf("run_job parameter %q", got)
	}
	if j.Task("child").RunJob.Parameters["x"] != "${date}" {
		t.Error("Substituted changed the original task")
	}
	prep, err := j.Task("prep").Substituted(vars)
	if err != nil {
		t.Fatal(err)
	}
	if prep.SQL.Query != j.Task("prep").SQL.Query {
		t.Errorf("SQL query was substituted: %q", prep.SQL.Query)
	}
	score, err := j.Task("score").Substituted(vars)
	if err != nil {
		t.Fatal(err)
	}
	if score.ModelsPredict.Model != "models:/churn/3" || score.ModelsPredict.Query != "SELECT * FROM x" {
		t.Errorf("models_predict %+v", *score.ModelsPredict)
	}

	// for_each: the nested task is substituted only with an item.
	each := j.Task("each")
	parent, err := each.Substituted(vars)
	if err != nil {
		t.Fatal(err)
	}
	if got := parent.ForEach.Task.Exec.Command; !reflect.DeepEqual(got, []string{"echo", "${item}", "${tasks.prep.values.n}"}) {
		t.Errorf("nested task without item: %q, want it as written", got)
	}
	parent.ForEach.Task.Exec.Command[0] = "changed"
	if each.ForEach.Task.Exec.Command[0] != "echo" {
		t.Error("the nested task was not copied")
	}
	vars["item"] = "b"
	iter, err := each.Substituted(vars)
	if err != nil {
		t.Fatal(err)
	}
	if got := iter.ForEach.Task.Exec.Command; !reflect.DeepEqual(got, []string{"echo", "b", "9"}) {
		t.Errorf("nested task with item: %q", got)
	}
	nested, err := each.ForEach.Task.Substituted(vars)
	if err != nil || nested.Exec.Command[1] != "b" {
		t.Errorf("nested.Substituted: %v %v", nested, err)
	}

	// Every non-SQL field of every type.
	j = MustParse(t, `name: all
parameters: {p: P}
tasks:
  - key: i
    ingest: {paths: ["${p}/*.csv"], table: "t_${p}", partition_by: ["${p}"], delimiter: "${p}", quote: "${p}", escape: "${p}", nulls: ["${p}"], date_format: "%Y${p}", timestamp_format: "${p}"}
  - key: f
    ml_fit: {spec: "${p}.yaml", experiment: "${p}", run_name: "${p}", register: "${p}", alias: "${p}"}
  - key: m
    ml_transform: {model: "${p}", table: "${p}", into: "${p}"}
  - key: x
    exec: {command: ["${p}"], env: {E: "${p}"}, dir: "${p}"}
  - key: r
    run_job: {job: "${p}", parameters: {a: "${p}"}}
  - key: e
    for_each: {param: p, task: {ml_fit: {spec: "${item}"}}}
  - key: s
    sql: {file: "${p}.sql"}
`, "")
	vars = map[string]string{"p": "P", "item": "I"}
	sub := func(key string) *Task {
		t.Helper()
		s, err := j.Task(key).Substituted(vars)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	in := sub("i").Ingest
	if in.Paths[0] != "P/*.csv" || in.Table != "t_P" || in.PartitionBy[0] != "P" || in.Delimiter != "P" || in.Quote != "P" || in.Escape != "P" || in.Nulls[0] != "P" || in.DateFormat != "%YP" || in.TimestampFormat != "P" {
		t.Errorf("ingest %+v", *in)
	}
	if f := sub("f").MLFit; f.Spec != "P.yaml" || f.Experiment != "P" || f.RunName != "P" || f.Register != "P" || f.Alias != "P" {
		t.Errorf("ml_fit %+v", *f)
	}
	if m := sub("m").MLTransform; m.Model != "P" || m.Table != "P" || m.Into != "P" {
		t.Errorf("ml_transform %+v", *m)
	}
	if x := sub("x").Exec; x.Command[0] != "P" || x.Env["E"] != "P" || x.Dir != "P" {
		t.Errorf("exec %+v", *x)
	}
	if r := sub("r").RunJob; r.Job != "P" || r.Parameters["a"] != "P" {
		t.Errorf("run_job %+v", *r)
	}
	if e := sub("e").ForEach; e.Task.MLFit.Spec != "I" || e.Param != "p" {
		t.Errorf("for_each %+v", *e)
	}
	if s := sub("s").SQL; s.File != "P.sql" {
		t.Errorf("sql %+v", *s)
	}

	// Unknown references name the field.
	_, err = j.Task("x").Substituted(map[string]string{})
	var u *UnknownRefError
	if !errors.As(err, &u) || u.Name != "p" || u.Field != "exec.command[0]" {
		t.Errorf("error %v, want unknown ${p} in exec.command[0]", err)
	}
	_, err = j.Task("e").Substituted(map[string]string{"p": "x", "item": "y"})
	if err != nil {
		t.Errorf("for_each with item: %v", err)
	}
	_, err = j.Task("e").Substituted(map[string]string{"item": "y"})
	if err != nil {
		t.Errorf("for_each param is a name, not a reference: %v", err)
	}
	j2 := MustParse(t, "name: n\ntasks:\n  - key: e\n    for_each: {items: [a], task: {exec: {command: [\"${item.id}\"]}}}\n", "")
	_, err = j2.Tasks[0].Substituted(map[string]string{"item": "{}"})
	if !errors.As(err, &u) || u.Field != "for_each.task.exec.command[0]" {
		t.Errorf("error %v, want it to name for_each.task.exec.command[0]", err)
	}
}
