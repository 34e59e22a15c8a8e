package sqltext

import (
	"fmt"
	"strings"
	"testing"
)

// maxFuzzInput caps fuzz inputs at 4 KiB.
const maxFuzzInput = 4 << 10

// addSeeds adds every input of the table tests to the corpus.
func addSeeds(f *testing.F) {
	for _, tt := range tokenizeTests {
		f.Add(tt.sql)
	}
	for _, tt := range tokenizeErrorTests {
		f.Add(tt.sql)
	}
	for _, tt := range splitTests {
		f.Add(tt.script)
	}
	for _, tt := range findTableRefsTests {
		f.Add(tt.stmt)
	}
	for _, tt := range findTableRefsErrorTests {
		f.Add(tt.stmt)
	}
	for _, tt := range analyzeTests {
		f.Add(tt.stmt)
	}
	for _, tt := range analyzeErrorTests {
		f.Add(tt.stmt)
	}
}

func FuzzTokenize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > maxFuzzInput {
			t.Skip()
		}
		toks, err := Tokenize(sql)
		if err != nil {
			checkErrorPos(t, sql, err)
			return
		}
		checkTokens(t, sql, toks)
		for _, tok := range toks {
			_ = tok.Value()
		}
	})
}

func FuzzFindTableRefs(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, stmt string) {
		if len(stmt) > maxFuzzInput {
			t.Skip()
		}
		refs, err := FindTableRefs(stmt)
		if err != nil {
			checkErrorPos(t, stmt, err)
			return
		}
		checkRefs(t, stmt, refs)
		// Spelling each reference canonically finds the same references.
		canon := Rewrite(stmt, refs, func(r TableRef) string {
			s := r.Name()
			switch r.Travel {
			case TravelVersion:
				s += fmt.Sprintf(" VERSION AS OF %d", r.Version)
			case TravelTimestamp:
				s += " TIMESTAMP AS OF '" + strings.ReplaceAll(r.Timestamp, "'", "''") + "'"
			}
			return s
		})
		again, err := FindTableRefs(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q: %v", canon, stmt, err)
		}
		if got, want := describeAll(again), describeAll(refs); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("references of canonical form %q of %q:\ngot  %q\nwant %q", canon, stmt, got, want)
		}
	})
}

func FuzzAnalyze(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, stmt string) {
		if len(stmt) > maxFuzzInput {
			t.Skip()
		}
		a, err := Analyze(stmt)
		if err != nil {
			if a != nil {
				t.Fatalf("got analysis %+v with error %v", a, err)
			}
			checkErrorPos(t, stmt, err)
			return
		}
		if a.Kind < Query || a.Kind > DropTable {
			t.Fatalf("got kind %v", a.Kind)
		}
		checkAnalysis(t, stmt, a)
	})
}

func FuzzSplit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > maxFuzzInput {
			t.Skip()
		}
		stmts, err := Split(script)
		if err != nil {
			checkErrorPos(t, script, err)
			return
		}
		prev := 0
		for _, s := range stmts {
			if s.Text == "" || s.Offset < prev || s.Offset+len(s.Text) > len(script) {
				t.Fatalf("statement %+v out of order or bounds (previous end %d)", s, prev)
			}
			if got := script[s.Offset : s.Offset+len(s.Text)]; got != s.Text {
				t.Fatalf("statement text %q, want the script's text %q", s.Text, got)
			}
			// A statement splits into itself.
			again, err := Split(s.Text)
			if err != nil || len(again) != 1 || again[0] != (Stmt{Text: s.Text}) {
				t.Fatalf("Split(%q): got %+v, %v; want the statement itself", s.Text, again, err)
			}
			prev = s.Offset + len(s.Text)
		}
	})
}

// TestLargeInputs checks that adversarial inputs far above the fuzz cap
// run in linear-ish time; a quadratic algorithm makes this test take
// minutes.
func TestLargeInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs take about a second")
	}
	const n = 50_000
	inputs := map[string]string{
		"open parens":         strings.Repeat("(", n) + "SELECT * FROM t",
		"subqueries":          strings.Repeat("SELECT * FROM (", n) + "t",
		"parenthesized joins": "SELECT * FROM " + strings.Repeat("(", n) + "t",
		"ctes with one name":  "WITH " + strings.Repeat("x AS (FROM x), ", n) + "y AS (FROM x) FROM x",
		"nested ctes":         strings.Repeat("WITH x AS (", n) + strings.Repeat(") FROM x", n),
		"with keywords":       strings.Repeat("WITH ", n),
		"from list":           "SELECT * FROM " + strings.Repeat("t VERSION AS OF 1 x, ", n) + "u",
		"insert columns":      "INSERT INTO t (" + strings.Repeat("a, ", n) + "b) " + strings.Repeat("(", n) + "SELECT 1",
		"update set":          "UPDATE t SET " + strings.Repeat("a = f(1, 2), ", n) + "b = 1 WHERE x",
		"statements":          strings.Repeat("SELECT 1;", n),
		"dollar signs":        strings.Repeat("$a", n),
		"quotes":              strings.Repeat("''", n),
	}
	for name, sql := range inputs {
		t.Run(name, func(t *testing.T) {
			if refs, err := FindTableRefs(sql); err == nil {
				checkRefs(t, sql, refs)
			}
			if a, err := Analyze(sql); err == nil {
				checkAnalysis(t, sql, a)
			}
			if _, err := Split(sql); err != nil {
				checkErrorPos(t, sql, err)
			}
		})
	}
}
