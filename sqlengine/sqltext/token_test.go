package sqltext

import (
	"fmt"
	"strings"
	"testing"
)

// tokenizeTests lists inputs and their tokens as "Kind:Text", without
// the final EOF.
var tokenizeTests = []struct {
	name string
	sql  string
	want []string
}{
	{"empty", "", []string{}},
	{"select", "SELECT a, b FROM t;", []string{
		"Ident:SELECT", "Space: ", "Ident:a", "Punct:,", "Space: ", "Ident:b", "Space: ",
		"Ident:FROM", "Space: ", "Ident:t", "Punct:;"}},
	{"whitespace run", " \t\r\n\f\vx", []string{"Space: \t\r\n\f\v", "Ident:x"}},
	{"string with doubled quote", "'it''s' x", []string{"String:'it''s'", "Space: ", "Ident:x"}},
	{"adjacent strings", "'a''b' 'c'", []string{"String:'a''b'", "Space: ", "String:'c'"}},
	{"empty string", "''", []string{"String:''"}},
	{"backslash ends a standard string", `'a\' x`, []string{`String:'a\'`, "Space: ", "Ident:x"}},
	{"E string", `E'a\'b' x`, []string{`String:E'a\'b'`, "Space: ", "Ident:x"}},
	{"e string lower case", `e'\\' x`, []string{`String:e'\\'`, "Space: ", "Ident:x"}},
	{"E string doubled quote", `E'a''b'`, []string{`String:E'a''b'`}},
	{"bit hex national strings", "B'101' x'ff' N'n'", []string{
		"String:B'101'", "Space: ", "String:x'ff'", "Space: ", "String:N'n'"}},
	{"unicode string and identifier", `U&'d\0061t' U&"i"`, []string{`String:U&'d\0061t'`, "Space: ", `QuotedIdent:U&"i"`}},
	{"identifier e is not a prefix", "e + 1", []string{"Ident:e", "Space: ", "Op:+", "Space: ", "Number:1"}},
	{"identifier ending in e before string", "name'x'", []string{"Ident:name", "String:'x'"}},
	{"dollar quoted", "$$a;'b$$", []string{"String:$$a;'b$$"}},
	{"dollar quoted with tag", "$fn$ x $ y $$ $fn$;", []string{"String:$fn$ x $ y $$ $fn$", "Punct:;"}},
	{"dollar tag must match", "$a$ $b$ $a$", []string{"String:$a$ $b$ $a$"}},
	{"positional parameter", "$1+$23", []string{"Param:$1", "Op:+", "Param:$23"}},
	{"named parameter", "$name, $x1", []string{"Param:$name", "Punct:,", "Space: ", "Param:$x1"}},
	{"question mark parameters", "? ?2", []string{"Param:?", "Space: ", "Param:?2"}},
	{"lone dollar", "$ x", []string{"Op:$", "Space: ", "Ident:x"}},
	{"quoted identifier", `"a""b" "x y"`, []string{`QuotedIdent:"a""b"`, "Space: ", `QuotedIdent:"x y"`}},
	{"identifier with dollar and digits", "abc$def1 _x", []string{"Ident:abc$def1", "Space: ", "Ident:_x"}},
	{"multibyte identifiers", "naïve 表", []string{"Ident:naïve", "Space: ", "Ident:表"}},
	{"line comment", "a -- note ' \" /*\nb", []string{
		"Ident:a", "Space: ", "Comment:-- note ' \" /*", "Space:\n", "Ident:b"}},
	{"line comment at end", "a--x", []string{"Ident:a", "Comment:--x"}},
	{"block comment", "a/* x\n' */b", []string{"Ident:a", "Comment:/* x\n' */", "Ident:b"}},
	{"block comments do not nest", "/* a /* b */ c */", []string{
		"Comment:/* a /* b */", "Space: ", "Ident:c", "Space: ", "Op:*/"}},
	{"integers and decimals", "1 1.5 .5 1. 10e3 1e-3 2E+4", []string{
		"Number:1", "Space: ", "Number:1.5", "Space: ", "Number:.5", "Space: ", "Number:1.",
		"Space: ", "Number:10e3", "Space: ", "Number:1e-3", "Space: ", "Number:2E+4"}},
	{"underscores and hex", "1_000 0xFF 0x_", []string{
		"Number:1_000", "Space: ", "Number:0xFF", "Space: ", "Number:0", "Ident:x_"}},
	{"number then identifier", "1e 3x", []string{"Number:1", "Ident:e", "Space: ", "Number:3", "Ident:x"}},
	{"range dots", "1..2", []string{"Number:1", "Punct:.", "Number:.2"}},
	{"minus after equals", "a=-1", []string{"Ident:a", "Op:=", "Op:-", "Number:1"}},
	{"operators", "a<>b||c->>'k' @> !=", []string{
		"Ident:a", "Op:<>", "Ident:b", "Op:||", "Ident:c", "Op:->>", "String:'k'", "Space: ",
		"Op:@>", "Space: ", "Op:!="}},
	{"operator keeps minus after special char", "a|-1", []string{"Ident:a", "Op:|-", "Number:1"}},
	{"cast and assign", "x::INT y:=1 [1:2]", []string{
		"Ident:x", "Op:::", "Ident:INT", "Space: ", "Ident:y", "Op::=", "Number:1", "Space: ",
		"Punct:[", "Number:1", "Op::", "Number:2", "Punct:]"}},
	{"operator stops at comment", "a*/*c*/b+--d", []string{
		"Ident:a", "Op:*", "Comment:/*c*/", "Ident:b", "Op:+", "Comment:--d"}},
	{"punctuation", "f(a.b,[1]){}", []string{
		"Ident:f", "Punct:(", "Ident:a", "Punct:.", "Ident:b", "Punct:,", "Punct:[", "Number:1",
		"Punct:]", "Punct:)", "Punct:{", "Punct:}"}},
	{"odd bytes", "\\\x00\x7f", []string{"Op:\\", "Op:\x00", "Op:\x7f"}},
	{"invalid utf8 is identifier text", "a\xffb", []string{"Ident:a\xffb"}},
}

func TestTokenize(t *testing.T) {
	for _, tt := range tokenizeTests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := Tokenize(tt.sql)
			if err != nil {
				t.Fatalf("Tokenize(%q): got error %v, want none", tt.sql, err)
			}
			checkTokens(t, tt.sql, toks)
			got := []string{}
			for _, tok := range toks[:len(toks)-1] {
				got = append(got, tok.Kind.String()+":"+tok.Text)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Tokenize(%q):\ngot  %q\nwant %q", tt.sql, got, tt.want)
			}
		})
	}
}

var tokenizeErrorTests = []struct {
	name string
	sql  string
	want string
}{
	{"string", "SELECT 'abc", "line 1, column 8: unterminated string literal; close it with '"},
	{"string ending in escaped quote", "SELECT 'ab''", "line 1, column 8: unterminated string literal; close it with '"},
	{"E string with escaped quote", `x = E'ab\'`, `line 1, column 5: unterminated string literal; close it with '; in E'...' strings \' does not end the string`},
	{"quoted identifier", "SELECT *\nFROM \"orders", "line 2, column 6: unterminated quoted identifier; close it with \""},
	{"block comment", "SELECT 1 /* a /* b", "line 1, column 10: unterminated block comment; close it with */"},
	{"dollar quoted", "SELECT $fn$ body $f$", "line 1, column 8: unterminated dollar-quoted string; close it with $fn$"},
	{"empty dollar tag", "$$", "line 1, column 1: unterminated dollar-quoted string; close it with $$"},
	{"after tabs and multibyte runes", "SELECT 'é',\n\t\"ünï\", 'x',\n\t é 'y", "line 3, column 5: unterminated string literal; close it with '"},
	{"bit string", "B'01", "line 1, column 1: unterminated string literal; close it with '"},
	{"unicode identifier", `U&"x`, `line 1, column 1: unterminated quoted identifier; close it with "`},
}

func TestTokenizeErrors(t *testing.T) {
	for _, tt := range tokenizeErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := Tokenize(tt.sql)
			if err == nil {
				t.Fatalf("Tokenize(%q): got no error, want %q", tt.sql, tt.want)
			}
			checkErrorPos(t, tt.sql, err)
			if got := err.Error(); got != tt.want {
				t.Errorf("Tokenize(%q):\ngot  error %q\nwant error %q", tt.sql, got, tt.want)
			}
			// The tokens before the bad one are returned, contiguous.
			pos := 0
			for _, tok := range toks {
				if tok.Start != pos || tok.Kind == EOF {
					t.Fatalf("partial tokens: got %+v at %d", tok, pos)
				}
				pos = tok.End
			}
			if e := MustError(t, err); pos != e.Pos.Offset {
				t.Errorf("partial tokens end at %d, want the error offset %d", pos, e.Pos.Offset)
			}
		})
	}
}

func TestTokenIs(t *testing.T) {
	tests := []struct {
		tok  Token
		word string
		want bool
	}{
		{Token{Kind: Ident, Text: "select"}, "SELECT", true},
		{Token{Kind: Ident, Text: "SeLeCt"}, "select", true},
		{Token{Kind: QuotedIdent, Text: `"select"`}, "select", false},
		{Token{Kind: String, Text: "'select'"}, "select", false},
		{Token{Kind: Ident, Text: "selects"}, "select", false},
	}
	for _, tt := range tests {
		if got := tt.tok.Is(tt.word); got != tt.want {
			t.Errorf("%+v.Is(%q): got %v, want %v", tt.tok, tt.word, got, tt.want)
		}
	}
}

func TestTokenValue(t *testing.T) {
	tests := []struct {
		sql  string
		want string
	}{
		{`"a""b"`, `a"b`},
		{`"Orders"`, `Orders`},
		{`U&"x"`, `x`},
		{`orders`, `orders`},
		{`'it''s'`, `it's`},
		{`''`, ``},
		{`E'a\tb\n\'\\\x41\101\u00e9\U0001F600\q'''`, "a\tb\n'\\AAé😀q'"},
		{`E'\x'`, `x`},
		{`E'\u12'`, `u12`},
		{`$$a'b$$`, `a'b`},
		{`$tag$ $$ $tag$`, ` $$ `},
		{`X'FF'`, `FF`},
		{`U&'a''b'`, `a'b`},
		{`42`, `42`},
	}
	for _, tt := range tests {
		toks, err := Tokenize(tt.sql)
		if err != nil || len(toks) != 2 {
			t.Fatalf("Tokenize(%q): got %v, %v; want one token", tt.sql, toks, err)
		}
		if got := toks[0].Value(); got != tt.want {
			t.Errorf("Value of %q: got %q, want %q", tt.sql, got, tt.want)
		}
	}
	// Hand-made malformed tokens do not panic.
	for _, tok := range []Token{
		{Kind: String, Text: ""}, {Kind: String, Text: "'"}, {Kind: String, Text: "E'"},
		{Kind: String, Text: "$a"}, {Kind: String, Text: "$a$"}, {Kind: String, Text: "U&'"},
		{Kind: String, Text: "X'"}, {Kind: QuotedIdent, Text: `"`}, {Kind: QuotedIdent, Text: `U&`},
	} {
		_ = tok.Value()
	}
}

func TestPosOf(t *testing.T) {
	const sql = "SELECT *\n\tFROM \"naïve\"\r\n  WHERE x = '日本'"
	tests := []struct {
		offset int
		want   Pos
	}{
		{0, Pos{0, 1, 1}},
		{7, Pos{7, 1, 8}},
		{8, Pos{8, 1, 9}}, // the newline itself
		{9, Pos{9, 2, 1}}, // the tab
		{10, Pos{10, 2, 2}},
		{strings.Index(sql, "\"naïve\""), Pos{15, 2, 7}},
		{strings.Index(sql, "\"\r"), Pos{22, 2, 13}}, // ï is 2 bytes, 1 column
		{strings.Index(sql, "WHERE"), Pos{27, 3, 3}},
		{strings.Index(sql, "本"), Pos{41, 3, 15}},
		{len(sql), Pos{len(sql), 3, 17}},
		{-5, Pos{0, 1, 1}},
		{1000, Pos{len(sql), 3, 17}},
	}
	for _, tt := range tests {
		if got := PosOf(sql, tt.offset); got != tt.want {
			t.Errorf("PosOf(%d): got %+v, want %+v", tt.offset, got, tt.want)
		}
	}
}

func TestErrorRelocate(t *testing.T) {
	script := "SELECT 1;\n\n  SELECT * FROM t VERSION AS OF 0;"
	stmts, err := Split(script)
	if err != nil {
		t.Fatal(err)
	}
	_, err = FindTableRefs(stmts[1].Text)
	e := MustError(t, err)
	if got, want := e.Pos, (Pos{30, 1, 31}); got != want {
		t.Errorf("statement position: got %+v, want %+v", got, want)
	}
	r := e.Relocate(script, stmts[1].Offset)
	if got, want := r.Pos, (Pos{43, 3, 33}); got != want {
		t.Errorf("script position: got %+v, want %+v", got, want)
	}
	if r.Msg != e.Msg || r.Hint != e.Hint || e.Pos.Offset != 30 {
		t.Errorf("Relocate changed the message or the original: %+v, %+v", r, e)
	}
	if got, want := r.Error(), "line 3, column 33: VERSION AS OF 0 on table t: versions start at 1; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestErrorWithoutHint(t *testing.T) {
	e := &Error{Pos: Pos{Line: 2, Col: 5}, Msg: "more than one statement"}
	if got, want := e.Error(), "line 2, column 5: more than one statement"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestKindStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{QuotedIdent.String(), "QuotedIdent"},
		{TokenKind(99).String(), "TokenKind(99)"},
		{TravelVersion.String(), "VERSION AS OF"},
		{TravelKind(-1).String(), "TravelKind(-1)"},
		{CreateTableAs.String(), "CREATE TABLE AS"},
		{Kind(42).String(), "Kind(42)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
