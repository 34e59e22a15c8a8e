package spec

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// maxFuzzInput caps fuzz inputs.
const maxFuzzInput = 64 << 10

func FuzzParse(f *testing.F) {
	f.Add([]byte(fullExample))
	for _, tc := range errCases {
		f.Add([]byte(tc.src))
	}
	for _, s := range []string{
		"name: x\n" + okTasks,
		"a: &a [*a]\n",
		"name: x\ntasks:\n  - key: a\n    sql:\n      query: |\n        SELECT '${x}' /* ${y\n",
		"{{{{", "- - - -", "name: \"\\u0000\"\n", "? [a]\n: b\n", "!!binary AAAA",
		"name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${tasks.b.values.${x}}\"]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		j, err := Parse("f.yaml", data, "")
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v, want a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if e.Msg == "" {
					t.Fatalf("error without a message: %+v", e)
				}
			}
			return
		}
		// A valid job satisfies the package's invariants.
		if j.Name == "" || len(j.Tasks) == 0 || j.MaxConcurrentRuns < 1 {
			t.Fatalf("valid job with name %q, %d tasks, max runs %d", j.Name, len(j.Tasks), j.MaxConcurrentRuns)
		}
		if got := len(j.TopoOrder()); got != len(j.Tasks) {
			t.Fatalf("TopoOrder has %d tasks, want %d", got, len(j.Tasks))
		}
		for _, task := range j.Tasks {
			if task.Type() == "" {
				t.Fatalf("task %q has no type", task.Key)
			}
			if _, err := task.Substituted(map[string]string{}); err != nil {
				var u *UnknownRefError
				if !errors.As(err, &u) {
					t.Fatalf("Substituted: %v, want only unknown references", err)
				}
			}
		}
	})
}

func FuzzSubstituteSQL(f *testing.F) {
	for _, tpl := range templates {
		for _, v := range evilValues[:6] {
			f.Add(tpl, v)
		}
	}
	f.Add("SELECT ${ident:v}", `a"b`)
	f.Add("SELECT $a$ ${v} $a$ ${v}", "$a$'")
	f.Add("SELECT E'\\'${v}'", `\'`)
	f.Fuzz(func(t *testing.T, tpl, val string) {
		if len(tpl)+len(val) > maxFuzzInput {
			return
		}
		vars := map[string]string{}
		benignVars := map[string]string{}
		for _, name := range SQLRefs(tpl) {
			vars[name] = val
			benignVars[name] = "a"
		}
		out, err := SubstituteSQL(tpl, vars)
		if err != nil {
			return
		}
		benign, err := SubstituteSQL(tpl, benignVars)
		if err != nil {
			// Only the value can make the first call succeed and this
			// one fail: an identifier value with empty parts differs.
			return
		}
		// Every reference was replaced: with a value that cannot form ${,
		// the output holds no reference outside comments and quotes
		// (unless the template had escapes, which become ${ on purpose).
		if !strings.Contains(tpl, "$${") && !strings.ContainsAny(val, "${}") {
			if ps, _ := scanSQL(out); len(ps) > 0 && !strings.Contains(benign, "${") {
				t.Fatalf("%q → %q still holds references %v", tpl, out, ps)
			}
		}
		// A value never escapes its literal: the token structure is the
		// one a harmless value gives. Plain numbers are literals of their
		// own kind, and an identifier value with dots adds parts.
		if isPlainNumber(val) || strings.Contains(val, ".") && strings.Contains(tpl, identPrefix) {
			return
		}
		if got, want := tokenKinds(out), tokenKinds(benign); !reflect.DeepEqual(got, want) {
			t.Fatalf("template %q, value %q:\n%s\ntokens %v\nwant   %v (value a:\n%s)", tpl, val, out, got, want, benign)
		}
	})
}
