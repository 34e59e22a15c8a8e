package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// badRow is an expected reject.
type badRow struct {
	line   int64
	column string
	reason string // a substring of the reason
	raw    string
}

type malformedCase struct {
	name   string
	file   string // file name; .gz is gzip-compressed
	body   string
	schema string // --schema, to make a column typed
	header *bool  // --header / --no-header
	good   int64  // rows that load in quarantine mode
	bad    []badRow
}

var malformedCases = []malformedCase{
	{
		name: "too many fields", body: "id,name\n1,a\n2,b,extra\n3,c\n",
		good: 2, bad: []badRow{{3, "", "too many fields: want 2, found 3", "2,b,extra"}},
	},
	{
		name: "too few fields", body: "id,name\n1,a\n2\n3,c\n",
		good: 2, bad: []badRow{{3, "name", "too few fields: want 2, found 1", "2"}},
	},
	{
		name: "ragged rows", body: "id,name\n1,a\n2,b,x\n3\n4,d\n5,e,f,g\n6,f\n",
		good: 3, bad: []badRow{
			{3, "", "too many fields: want 2, found 3", "2,b,x"},
			{4, "name", "too few fields: want 2, found 1", "3"},
			{6, "", "too many fields: want 2, found 4", "5,e,f,g"},
		},
	},
	{
		name: "more fields than the header", body: "a,b\n1,2,3\n4,5,6\n",
		bad: []badRow{
			{2, "", "too many fields: want 2, found 3", "1,2,3"},
			{3, "", "too many fields: want 2, found 3", "4,5,6"},
		},
	},
	{
		name: "one-column file, two extra fields", body: "x\n1\n3,4,5\n6\n",
		good: 2, bad: []badRow{{3, "", "too many fields: want 1, found 3", "3,4,5"}},
	},
	{
		// The quote opened on line 3 runs to the end of the file: lines 3
		// and 4 are one bad row.
		name: "unclosed quote", body: "id,name\n1,a\n2,\"b\n3,c\n",
		good: 1, bad: []badRow{{3, "name", "unclosed quote", "2,\"b\n3,c"}},
	},
	{
		// The quote opened on line 3 closes at the stray quote on line 5,
		// after which the row has text past its closing quote; its next
		// quote is never closed. DuckDB rejects lines 3-5 as one row and
		// reads line 6 again.
		name: "unclosed quote mid-file", body: "id,name\n1,a\n2,\"b\n3,c\n4,\"d\"\n5,e\n",
		good: 2, bad: []badRow{{3, "name", "unclosed quote", "2,\"b\n3,c\n4,\"d\""}},
	},
	{
		name: "bad integer", body: "id,name\n1,a\nx,b\n3,c\n", schema: "id INTEGER, name VARCHAR",
		good: 2, bad: []badRow{{3, "id", `cannot convert "x" to INTEGER`, "x,b"}},
	},
	{
		name: "integer overflow", body: "id,name\n1,a\n99999999999,b\n", schema: "id INTEGER, name VARCHAR",
		good: 1, bad: []badRow{{3, "id", `cannot convert "99999999999" to INTEGER`, "99999999999,b"}},
	},
	{
		name: "bad dates", body: "id,d\n1,2024-01-02\n2,2024-13-45\n3,2024-02-30\n4,2024-03-01\n", schema: "id INTEGER, d DATE",
		good: 2, bad: []badRow{
			{3, "d", `cannot convert "2024-13-45" to DATE`, "2,2024-13-45"},
			{4, "d", `cannot convert "2024-02-30" to DATE`, "3,2024-02-30"},
		},
	},
	{
		name: "invalid utf-8", body: "id,name\n1,ok\n2,\xff\xfe\n3,fine\n",
		good: 2, bad: []badRow{{3, "name", "invalid UTF-8", "2,??"}},
	},
	{
		name: "crlf", body: "id,name\r\n1,a\r\nx,b\r\n3,c\r\n", schema: "id INTEGER, name VARCHAR",
		good: 2, bad: []badRow{{3, "id", `cannot convert "x" to INTEGER`, "x,b"}},
	},
	{
		// DuckDB says line 4 (it counts rows); the row starts on line 7.
		name: "quoted newlines before", body: "id,name\n1,\"multi\nline\"\n2,\"three\nline\nvalue\"\nx,b\n4,c\n", schema: "id INTEGER, name VARCHAR",
		good: 3, bad: []badRow{{7, "id", `cannot convert "x" to INTEGER`, "x,b"}},
	},
	{
		name: "quoted crlf before, crlf", body: "id,name\r\n1,\"a\r\nb\"\r\nx,c\r\n4,d\r\n", schema: "id INTEGER, name VARCHAR",
		good: 2, bad: []badRow{{4, "id", `cannot convert "x" to INTEGER`, "x,c"}},
	},
	{
		name: "quoted newline in the bad row", body: "id,name\n1,a\n2,\"b\nc\",extra\n4,d\nx,e\n", schema: "id INTEGER, name VARCHAR",
		good: 2, bad: []badRow{
			{3, "", "too many fields: want 2, found 3", "2,\"b\nc\",extra"},
			{6, "id", `cannot convert "x" to INTEGER`, "x,e"},
		},
	},
	{
		name: "gzip, quoted newline before", file: "data.csv.gz", body: "id,name\n1,\"multi\nline\"\nx,b\n4,c\n", schema: "id INTEGER, name VARCHAR",
		good: 2, bad: []badRow{{4, "id", `cannot convert "x" to INTEGER`, "x,b"}},
	},
	{
		name: "zstd, quoted crlf before", file: "data.csv.zst", body: "id,name\r\n1,\"multi\r\nline\"\r\nx,b\r\n4,c\r\n", schema: "id INTEGER, name VARCHAR",
		good: 2, bad: []badRow{{4, "id", `cannot convert "x" to INTEGER`, "x,b"}},
	},
	{
		name: "two bad fields in a row", body: "a,b\n1,2\nx,y\n3,4\n", schema: "a INTEGER, b INTEGER",
		good: 2, bad: []badRow{{3, "a, b", `cannot convert "x" to INTEGER; cannot convert "y" to INTEGER`, "x,y"}},
	},
	{
		name: "byte order mark", body: "\xef\xbb\xbfid,name\n1,a\nx,b\n", schema: "id INTEGER, name VARCHAR",
		good: 1, bad: []badRow{{3, "id", `cannot convert "x" to INTEGER`, "x,b"}},
	},
	{
		name: "no header, bad first line", body: "x,a\n2,b\n", schema: "id INTEGER, name VARCHAR", header: ptr(false),
		good: 1, bad: []badRow{{1, "id", `cannot convert "x" to INTEGER`, "x,a"}},
	},
}

// sameReason reports whether got states want, and as many problems.
func sameReason(got, want string) bool {
	return strings.Contains(got, want) && strings.Count(got, "; ") == strings.Count(want, "; ")
}

func (c malformedCase) write(tb testing.TB, e *env) string {
	tb.Helper()
	name := c.file
	if name == "" {
		name = "data.csv"
	}
	body := []byte(c.body)
	switch {
	case strings.HasSuffix(name, ".gz"):
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
	case strings.HasSuffix(name, ".zst"):
		zw, err := zstd.NewWriter(nil)
		if err != nil {
			tb.Fatal(err)
		}
		body = zw.EncodeAll(body, nil)
		zw.Close()
	}
	p := filepath.Join(e.dir, strings.NewReplacer(" ", "_", ",", "").Replace(c.name), name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func (c malformedCase) options(tb testing.TB, mode string) Options {
	opts := Options{Table: mustIdent(tb, "ns.t"), BadRows: mode, Format: "csv"}
	if c.schema != "" {
		opts.Schema = mustSchema(tb, c.schema)
	}
	opts.CSV.Header = c.header
	return opts
}

func TestMalformedFail(t *testing.T) {
	t.Parallel()
	for _, c := range malformedCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := mustEnv(t)
			f := c.write(t, e)
			_, err := Run(e.ctx, e.eng, []string{f}, c.options(t, "fail"))
			var bre *BadRowsError
			if !errors.As(err, &bre) {
				t.Fatalf("got %v, want *BadRowsError", err)
			}
			if bre.Total != int64(len(c.bad)) {
				t.Errorf("total: got %d, want %d", bre.Total, len(c.bad))
			}
			if len(bre.First) != len(c.bad) {
				t.Fatalf("got %d listed bad rows, want %d: %v", len(bre.First), len(c.bad), err)
			}
			for i, want := range c.bad {
				got := bre.First[i]
				if got.File != f || got.Line != want.line || got.Column != want.column || !sameReason(got.Reason, want.reason) || got.Raw != want.raw {
					t.Errorf("bad row %d: got %s:%d column %q reason %q raw %q; want line %d column %q reason ~%q raw %q",
						i, got.File, got.Line, got.Column, got.Reason, got.Raw, want.line, want.column, want.reason, want.raw)
				}
				if loc := fmt.Sprintf("%s:%d: ", f, want.line); !strings.Contains(err.Error(), loc) {
					t.Errorf("error does not list %s:\n%v", loc, err)
				}
			}
			if v := e.version("ns.t"); v != -1 {
				t.Errorf("table ns.t exists at version %d after a failed first ingest, want none", v)
			}
			if v := e.version("ns.t__rejects"); v != -1 {
				t.Errorf("ns.t__rejects exists in fail mode")
			}
		})
	}
}

func TestMalformedQuarantine(t *testing.T) {
	t.Parallel()
	for _, c := range malformedCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := mustEnv(t)
			f := c.write(t, e)
			sum, err := Run(e.ctx, e.eng, []string{f}, c.options(t, "quarantine"))
			if err != nil {
				t.Fatal(err)
			}
			bad := int64(len(c.bad))
			if sum.RowsWritten != c.good || sum.RowsRejected != bad || sum.RowsRead != c.good+bad {
				t.Errorf("got %d read, %d written, %d rejected; want %d, %d, %d", sum.RowsRead, sum.RowsWritten, sum.RowsRejected, c.good+bad, c.good, bad)
			}
			if n := e.count("ns.t"); n != c.good {
				t.Errorf("ns.t has %d rows, want %d", n, c.good)
			}
			if sum.RejectsTable != "ns.t__rejects" {
				t.Errorf("rejects table: got %q, want ns.t__rejects", sum.RejectsTable)
			}
			got := e.rows(`SELECT file, line, "column", reason, raw, table_version FROM ns.t__rejects ORDER BY line`)
			if len(got) != len(c.bad) {
				t.Fatalf("ns.t__rejects has %d rows, want %d: %v", len(got), len(c.bad), got)
			}
			for i, want := range c.bad {
				row := got[i]
				if row[0] != f || row[1] != fmt.Sprint(want.line) || row[2] != want.column || !sameReason(row[3], want.reason) || row[4] != want.raw || row[5] != fmt.Sprint(sum.Version) {
					t.Errorf("reject %d: got %q; want file %s line %d column %q reason ~%q raw %q version %d", i, row, f, want.line, want.column, want.reason, want.raw, sum.Version)
				}
			}
		})
	}
}

// TestFailKeepsVersion checks that a failed ingest into an existing table
// commits nothing, and a quarantined one commits the good rows.
func TestFailKeepsVersion(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	id := mustIdent(t, "ns.t")
	schema := mustSchema(t, "id INTEGER, name VARCHAR")
	e.mustRun(Options{Table: id, Schema: schema}, e.write("good.csv", "id,name\n1,a\n"))
	bad := e.write("bad.csv", "id,name\n2,b\nx,c\n4,d,e\n5,e\n")
	_, err := Run(e.ctx, e.eng, []string{bad}, Options{Table: id})
	var bre *BadRowsError
	if !errors.As(err, &bre) || bre.Total != 2 {
		t.Fatalf("got %v, want 2 bad rows", err)
	}
	if v, n := e.version("ns.t"), e.count("ns.t"); v != 1 || n != 1 {
		t.Errorf("got version %d with %d rows, want version 1 with 1 row", v, n)
	}
	sum, err := Run(e.ctx, e.eng, []string{bad}, Options{Table: id, BadRows: "quarantine"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Version != 2 || sum.RowsWritten != 2 || sum.RowsRejected != 2 || sum.RowsRead != 4 {
		t.Errorf("got %+v, want version 2, 2 written, 2 rejected", sum)
	}
	// A second quarantined run appends to the same rejects table.
	if _, err := Run(e.ctx, e.eng, []string{bad}, Options{Table: id, BadRows: "quarantine"}); err != nil {
		t.Fatal(err)
	}
	got := e.rows(`SELECT table_version, line FROM ns.t__rejects ORDER BY table_version, line`)
	want := [][]string{{"2", "3"}, {"2", "4"}, {"3", "3"}, {"3", "4"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rejects: got %v, want %v", got, want)
	}
}

func TestManyBadRowsReported(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := 0; i < 40; i++ {
		if i%2 == 1 {
			fmt.Fprintf(&b, "x%d,n\n", i)
		} else {
			fmt.Fprintf(&b, "%d,n\n", i)
		}
	}
	f := e.write("many.csv", b.String())
	_, err := Run(e.ctx, e.eng, []string{f}, Options{Table: mustIdent(t, "ns.t"), Schema: mustSchema(t, "id INTEGER, name VARCHAR")})
	var bre *BadRowsError
	if !errors.As(err, &bre) {
		t.Fatalf("got %v, want *BadRowsError", err)
	}
	if bre.Total != 20 || len(bre.First) != 10 {
		t.Fatalf("got total %d with %d listed, want 20 with 10 listed", bre.Total, len(bre.First))
	}
	for i, r := range bre.First {
		// Data row i (0-based) is on line i+2; the odd ones are bad.
		if want := int64(2*i + 1 + 2); r.Line != want {
			t.Errorf("bad row %d: line %d, want %d", i, r.Line, want)
		}
	}
	if !strings.Contains(err.Error(), "… and 10 more") {
		t.Errorf("error does not say how many more:\n%v", err)
	}
}

func TestBOMLoads(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	f := e.write("bom.csv", "\xef\xbb\xbfid,name\n1,a\n2,b\n")
	sum := e.mustRun(Options{Table: mustIdent(t, "ns.t"), BadRows: "fail"}, f)
	if sum.RowsWritten != 2 {
		t.Fatalf("got %d rows, want 2", sum.RowsWritten)
	}
	if got, want := e.schema("ns.t"), []string{"id BIGINT", "name VARCHAR"}; !slices.Equal(got, want) {
		t.Errorf("schema: got %q, want %q (no byte order mark in the first name)", got, want)
	}
}

func TestCRLFLoads(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	f := e.write("crlf.csv", "id,name,n\r\n1,a,10\r\n2,\"b\r\nc\",20\r\n3,d,30\r\n")
	e.mustRun(Options{Table: mustIdent(t, "ns.t")}, f)
	if got, want := e.schema("ns.t"), []string{"id BIGINT", "name VARCHAR", "n BIGINT"}; !slices.Equal(got, want) {
		t.Errorf("schema: got %v, want %v", got, want)
	}
	got := e.rows("SELECT id, name, n FROM ns.t ORDER BY id")
	want := [][]string{{"1", "a", "10"}, {"2", "b\r\nc", "20"}, {"3", "d", "30"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows: got %q, want %q (no stray \\r)", got, want)
	}
}

func TestEmptyFile(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"fail", "quarantine"} {
		t.Run(mode, func(t *testing.T) {
			e := mustEnv(t)
			f := e.write("empty.csv", "")
			_, err := Run(e.ctx, e.eng, []string{f}, Options{Table: mustIdent(t, "ns.t"), BadRows: mode})
			if err == nil || !strings.Contains(err.Error(), f+" is empty") {
				t.Fatalf("got %v, want an error saying %s is empty", err, f)
			}
			if v := e.version("ns.t"); v != -1 {
				t.Errorf("table created (version %d)", v)
			}
			// Into an existing table, too: nothing is committed.
			e.mustRun(Options{Table: mustIdent(t, "ns.t")}, e.write("a.csv", "id\n1\n"))
			if _, err := Run(e.ctx, e.eng, []string{f}, Options{Table: mustIdent(t, "ns.t"), BadRows: mode}); err == nil {
				t.Fatal("empty file into an existing table: got no error")
			}
			if v := e.version("ns.t"); v != 1 {
				t.Errorf("got version %d, want 1", v)
			}
		})
	}
}

func TestHeaderOnly(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"fail", "quarantine"} {
		t.Run(mode, func(t *testing.T) {
			e := mustEnv(t)
			f := e.write("h.csv", "id,name\n")
			_, err := Run(e.ctx, e.eng, []string{f}, Options{Table: mustIdent(t, "ns.t"), BadRows: mode})
			if err == nil || !strings.Contains(err.Error(), "no rows") {
				t.Fatalf("got %v, want an error saying there are no rows to infer types from", err)
			}
			if v := e.version("ns.t"); v != -1 {
				t.Errorf("table created (version %d)", v)
			}
			// With a schema the table is created, empty.
			sum := e.mustRun(Options{Table: mustIdent(t, "ns.t"), BadRows: mode, Schema: mustSchema(t, "id BIGINT, name VARCHAR")}, f)
			if !sum.Created || sum.RowsRead != 0 || sum.RowsRejected != 0 {
				t.Errorf("got %+v, want a created table and no rows", sum)
			}
			// Into a table with rows: zero rows, no new version.
			e.mustRun(Options{Table: mustIdent(t, "ns.t")}, e.write("a.csv", "id,name\n1,a\n"))
			sum = e.mustRun(Options{Table: mustIdent(t, "ns.t"), BadRows: mode}, f)
			if sum.RowsRead != 0 || sum.Version != 1 || e.version("ns.t") != 1 {
				t.Errorf("got %+v (table version %d), want 0 rows and version 1", sum, e.version("ns.t"))
			}
		})
	}
}

// TestGlobBadRowsPerFile checks that each bad row names its own file and
// its line in that file.
func TestGlobBadRowsPerFile(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	a := e.write("g/a.csv", "id,name\n1,\"two\nlines\"\nx,b\n")
	b := e.write("g/b.csv", "id,name\n3,c\n4,d\ny,e\n5,f,g\n")
	opts := Options{Table: mustIdent(t, "ns.t"), Schema: mustSchema(t, "id INTEGER, name VARCHAR")}
	_, err := Run(e.ctx, e.eng, []string{filepath.Join(e.dir, "g", "*.csv")}, opts)
	var bre *BadRowsError
	if !errors.As(err, &bre) {
		t.Fatalf("got %v, want *BadRowsError", err)
	}
	var got []string
	for _, r := range bre.First {
		got = append(got, fmt.Sprintf("%s:%d", filepath.Base(r.File), r.Line))
	}
	if want := []string{"a.csv:4", "b.csv:4", "b.csv:5"}; !slices.Equal(got, want) || bre.Total != 3 {
		t.Fatalf("got %v (total %d), want %v", got, bre.Total, want)
	}
	opts.BadRows = "quarantine"
	sum, err := Run(e.ctx, e.eng, []string{a, b}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.RowsWritten != 3 || sum.RowsRejected != 3 || sum.Version != 1 {
		t.Errorf("got %+v, want 3 written and 3 rejected in version 1", sum)
	}
	rows := e.rows(`SELECT file, line FROM ns.t__rejects ORDER BY file, line`)
	want := [][]string{{a, "4"}, {b, "4"}, {b, "5"}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rejects: got %v, want %v", rows, want)
	}
}
