package sqltext

import (
	"fmt"
	"testing"
)

var splitTests = []struct {
	name   string
	script string
	want   []string // "offset:text"
}{
	{"empty", "", []string{}},
	{"only whitespace and comments", " -- a\n/* b */ ;; \n", []string{}},
	{"one statement without semicolon", "SELECT 1", []string{"0:SELECT 1"}},
	{"two statements", "SELECT 1; SELECT 2;", []string{"0:SELECT 1", "10:SELECT 2"}},
	{"empty statements dropped", ";;SELECT 1;;\n;", []string{"2:SELECT 1"}},
	{"surrounding comments trimmed", "-- load\nINSERT INTO t VALUES (1) -- one row\n;\n/* done */",
		[]string{"8:INSERT INTO t VALUES (1)"}},
	{"inner comments kept", "SELECT 1 /* ; */ + 2; SELECT 3",
		[]string{"0:SELECT 1 /* ; */ + 2", "22:SELECT 3"}},
	{"semicolons in strings and identifiers", "SELECT ';', \";\", $$;$$, E'\\';'; SELECT 2",
		[]string{"0:SELECT ';', \";\", $$;$$, E'\\';'", "32:SELECT 2"}},
	{"line comment hides semicolon", "SELECT 1 -- ; SELECT 2\n; SELECT 3",
		[]string{"0:SELECT 1", "25:SELECT 3"}},
	{"multibyte", "SELECT 'é';\n\tSELECT \"ü\"", []string{"0:SELECT 'é'", "14:SELECT \"ü\""}},
}

func TestSplit(t *testing.T) {
	for _, tt := range splitTests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := Split(tt.script)
			if err != nil {
				t.Fatalf("Split(%q): got error %v, want none", tt.script, err)
			}
			got := []string{}
			for _, s := range stmts {
				if tt.script[s.Offset:s.Offset+len(s.Text)] != s.Text {
					t.Errorf("statement %q is not the script's text at %d", s.Text, s.Offset)
				}
				got = append(got, fmt.Sprintf("%d:%s", s.Offset, s.Text))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Split(%q):\ngot  %q\nwant %q", tt.script, got, tt.want)
			}
		})
	}
}

func TestSplitError(t *testing.T) {
	script := "SELECT 1;\nSELECT 'oops;\nSELECT 3;"
	stmts, err := Split(script)
	if stmts != nil {
		t.Errorf("got statements %+v, want none", stmts)
	}
	if err == nil {
		t.Fatal("got no error, want unterminated string")
	}
	checkErrorPos(t, script, err)
	if got, want := err.Error(), "line 2, column 8: unterminated string literal; close it with '"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
