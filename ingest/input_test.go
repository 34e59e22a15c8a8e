package ingest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFirstRecord(t *testing.T) {
	for _, tc := range []struct {
		in                   string
		delim, quote, escape string
		want                 []string
		end                  int
	}{
		{"a,b\n1,2\n", ",", `"`, `"`, []string{"a", "b"}, 4},
		{"a,b\r\n1,2\r\n", ",", `"`, `"`, []string{"a", "b"}, 5},
		{"a,b\r1,2", ",", `"`, `"`, []string{"a", "b"}, 4},
		{`"a,1","b""q"` + "\nx", ",", `"`, `"`, []string{"a,1", `b"q`}, 13},
		{"\"two\nlines\",b\nx", ",", `"`, `"`, []string{"two\nlines", "b"}, 14},
		{`'it\'s';b`, ";", "'", `\`, []string{"it's", "b"}, 9},
		{"aéb", "é", `"`, `"`, []string{"a", "b"}, 4},
		{`5" pipe,x`, ",", `"`, `"`, []string{`5" pipe`, "x"}, 9},
		{`"open,x`, ",", `"`, `"`, []string{"open,x"}, 7},
		{"", ",", `"`, `"`, []string{""}, 0},
	} {
		got, end := firstRecord([]byte(tc.in), tc.delim, tc.quote, tc.escape)
		if !slices.Equal(got, tc.want) || end != tc.end {
			t.Errorf("firstRecord(%q): got %q, %d; want %q, %d", tc.in, got, end, tc.want, tc.end)
		}
	}
}

func TestGuessDelimiter(t *testing.T) {
	for in, want := range map[string]string{
		"a,b,c\n":        ",",
		"a;b;c,d\n":      ";",
		"a\tb\n":         "\t",
		"a|b\n":          "|",
		`"x,y,z";b` + "": ";",
		"single\n1,2,3":  "",
		"":               "",
	} {
		if got := guessDelimiter([]byte(in)); got != want {
			t.Errorf("guessDelimiter(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestLineCounter(t *testing.T) {
	body := "h\n" + // line 1, offsets 0-1
		"a\r\n" + // line 2, offsets 2-4
		"b\r" + // line 3, offsets 5-6 (a lone CR ends it)
		"c\n" // line 4, offsets 7-8
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	lc, err := newLineCounter(p)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.close()
	// Offset 4 is the "\n" of "a\r\n", where DuckDB starts the next row.
	for _, tc := range []struct{ off, line int64 }{{0, 1}, {2, 2}, {4, 3}, {5, 3}, {7, 4}, {9, 5}} {
		got, err := lc.lineAt(tc.off)
		if err != nil || got != tc.line {
			t.Errorf("lineAt(%d): got %d, %v; want %d", tc.off, got, err, tc.line)
		}
	}
	if _, err := lc.lineAt(100); err == nil {
		t.Error("lineAt past the end: got no error")
	}
}
