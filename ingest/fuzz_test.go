package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// sqlArgs parses the argument list of a generated table function call
// "PREFIX(first, k = v, ...)" where every value is a string literal, a
// list of them, a struct of them, true, false or an integer. It returns
// the decoded first argument's literals and each key's decoded literals.
// Anything else — text outside a literal that is not part of that shape —
// is an error: a user's value broke out of its quotes.
func sqlArgs(sql, prefix string) (first []string, args map[string][]string, err error) {
	if !strings.HasPrefix(sql, prefix+"(") || !strings.HasSuffix(sql, ")") {
		return nil, nil, fmt.Errorf("want %s(…), got %q", prefix, sql)
	}
	s := sql[len(prefix)+1 : len(sql)-1]
	i := 0
	lit := func() (string, error) {
		if i >= len(s) || s[i] != '\'' {
			return "", fmt.Errorf("offset %d: want a string literal", i)
		}
		var b strings.Builder
		for i++; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				i++
				return b.String(), nil
			}
			b.WriteByte(s[i])
		}
		return "", errors.New("unterminated string literal")
	}
	expect := func(tok string) error {
		if !strings.HasPrefix(s[i:], tok) {
			return fmt.Errorf("offset %d: want %q, got %.20q", i, tok, s[i:])
		}
		i += len(tok)
		return nil
	}
	value := func() ([]string, error) {
		switch {
		case strings.HasPrefix(s[i:], "["), strings.HasPrefix(s[i:], "{"):
			open := s[i]
			closing, isStruct := byte(']'), open == '{'
			if isStruct {
				closing = '}'
			}
			i++
			var out []string
			for i < len(s) && s[i] != closing {
				if len(out) > 0 && (isStruct && len(out)%2 == 0 || !isStruct) {
					if err := expect(", "); err != nil {
						return nil, err
					}
				}
				v, err := lit()
				if err != nil {
					return nil, err
				}
				out = append(out, v)
				if isStruct {
					if err := expect(": "); err != nil {
						return nil, err
					}
					if v, err = lit(); err != nil {
						return nil, err
					}
					out = append(out, v)
				}
			}
			return out, expect(string(closing))
		case strings.HasPrefix(s[i:], "'"):
			v, err := lit()
			return []string{v}, err
		}
		m := regexp.MustCompile(`^(true|false|-?[0-9]+)`).FindString(s[i:])
		if m == "" {
			return nil, fmt.Errorf("offset %d: want a value, got %.20q", i, s[i:])
		}
		i += len(m)
		return []string{m}, nil
	}
	if first, err = value(); err != nil {
		return nil, nil, err
	}
	args = map[string][]string{}
	for i < len(s) {
		if err := expect(", "); err != nil {
			return nil, nil, err
		}
		key := regexp.MustCompile(`^[a-z_]+`).FindString(s[i:])
		if key == "" {
			return nil, nil, fmt.Errorf("offset %d: want an option name, got %.20q", i, s[i:])
		}
		i += len(key)
		if err := expect(" = "); err != nil {
			return nil, nil, err
		}
		if _, dup := args[key]; dup {
			return nil, nil, fmt.Errorf("option %s given twice", key)
		}
		if args[key], err = value(); err != nil {
			return nil, nil, err
		}
	}
	return first, args, nil
}

// checkCSVSQL checks that the generated sniff and read calls hold each
// option value as one intact string literal.
func checkCSVSQL(t *testing.T, files []string, o Options, l *csvLayout) {
	t.Helper()
	want := func(args map[string][]string, key string, vals ...string) {
		t.Helper()
		if got := args[key]; len(vals) > 0 && vals[0] != "" && strings.Join(got, "\x00") != strings.Join(vals, "\x00") {
			t.Fatalf("%s: got %q, want %q", key, got, vals)
		}
	}
	sniffPrefix := "SELECT Delimiter, Quote, Escape, HasHeader, CAST(to_json(Columns) AS VARCHAR), DateFormat, TimestampFormat FROM sniff_csv"
	first, args, err := sqlArgs(sniffSQL(files[0], o, sniffArgs{}), sniffPrefix)
	if err != nil {
		t.Fatalf("sniffSQL: %v", err)
	}
	if len(first) != 1 || first[0] != files[0] {
		t.Fatalf("sniffSQL file: got %q, want %q", first, files[0])
	}
	want(args, "delim", o.CSV.Delimiter)
	want(args, "quote", o.CSV.Quote)
	want(args, "escape", o.CSV.Escape)
	want(args, "dateformat", o.CSV.DateFormat)
	want(args, "timestampformat", o.CSV.TimestampFormat)
	if len(o.CSV.Nulls) > 0 {
		want(args, "nullstr", o.CSV.Nulls...)
	}
	types := map[string]string{}
	if len(l.Columns) > 0 {
		types[l.Columns[0].Name] = "VARCHAR"
	}
	first, args, err = sqlArgs(csvSQL(files, o, l, types, "rej", "scan"), "SELECT * FROM read_csv")
	if err != nil {
		t.Fatalf("csvSQL: %v", err)
	}
	if strings.Join(first, "\x00") != strings.Join(files, "\x00") {
		t.Fatalf("csvSQL files: got %q, want %q", first, files)
	}
	want(args, "delim", l.Delim)
	want(args, "quote", l.Quote)
	want(args, "escape", l.Escape)
	want(args, "dateformat", l.DateFormat)
	var cols []string
	for i, c := range l.Columns {
		typ := c.Type
		if i == 0 {
			typ = "VARCHAR"
		}
		cols = append(cols, c.Name, typ)
	}
	if fmt.Sprint(args["columns"]) != fmt.Sprint(cols) {
		t.Fatalf("columns: got %q, want %q", args["columns"], cols)
	}
}

var fuzzSeq atomic.Int64

// FuzzCSVOptions fuzzes the CSV reader's options and a small body. The
// options must be rejected by Validate or be quoted intact into the SQL,
// and an ingest must succeed with every row either written or rejected,
// or fail with an error.
func FuzzCSVOptions(f *testing.F) {
	f.Add(",", `"`, `"`, "", "", uint8(0), "id,name\n1,a\n2,b\n")
	f.Add(";", "'", `\`, "NA", "%d/%m/%Y", uint8(1), "id;day\n1;02/03/2024\n2;NA\n3;x\n")
	f.Add("\t", "", "", "-", "", uint8(2), "1\ta\n2\tb\tc\n")
	f.Add("", "", "", "", "%Y-%m-%d", uint8(0), "d,n\n2024-01-01,1\n2024-13-01,2\n")
	f.Add("'", `"`, "'", "''", "%Y' OR 1=1 --", uint8(1), "a'b\n1'2\n")
	f.Add(",", "'", "'", "x'); DROP TABLE t; --", "%d", uint8(0), "a,b\n'x''y',2\n")
	f.Add("|", `"`, `"`, "", "", uint8(0), "a|b\r\n1|\"x\r\ny\"\r\nq|2\r\n")
	f.Add(",", `"`, `"`, "", "", uint8(0), "a,b\n1,\"unclosed\n2,3\n")
	f.Add("", "", "", "", "", uint8(0), "\xef\xbb\xbfa,b\n1,\xff\n")
	f.Add("é", "", "", "", "", uint8(0), "aéb\n1é2\n")
	f.Add("\x00", "\n", "ab", "\r", "no directive", uint8(3), "")
	f.Add(",", "", "", "", "", uint8(4), "id,n\n1,2\n3,4,5\n")
	f.Add("", "", "", "", "", uint8(5), "x\n\"a\nb\",\n")

	// One engine for all iterations, on one thread: the fuzzer runs a
	// worker per core.
	base := mustEnvConfig(f, sqlengine.Config{Threads: 1})
	f.Fuzz(func(t *testing.T, delim, quote, escape, null, dateFmt string, header uint8, body string) {
		e := base.with(t)
		if len(delim)+len(quote)+len(escape)+len(null)+len(dateFmt)+len(body) > 2048 {
			t.Skip("input over 2 KiB")
		}
		n := fuzzSeq.Add(1)
		id := table.Ident{Namespace: "fz", Name: fmt.Sprintf("t%d", n)}
		mode := "quarantine"
		if header&4 != 0 {
			mode = "fail"
		}
		opts := Options{Table: id, BadRows: mode, Format: "csv", CSV: CSVOptions{Delimiter: delim, Quote: quote, Escape: escape, DateFormat: dateFmt}}
		if null != "" {
			opts.CSV.Nulls = []string{null}
		}
		switch header % 3 {
		case 1:
			opts.CSV.Header = ptr(true)
		case 2:
			opts.CSV.Header = ptr(false)
		}
		path := filepath.Join(e.dir, fmt.Sprintf("f'%d.csv", n))
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)

		o := opts
		if err := o.Validate([]string{path}); err != nil {
			return // rejected up front: nothing to run
		}
		l := &csvLayout{Delim: o.CSV.Delimiter, Quote: o.CSV.Quote, Escape: o.CSV.Escape, Header: true, DateFormat: o.CSV.DateFormat,
			Columns: []csvColumn{{Name: "c0" + delim + quote, Type: "VARCHAR"}, {Name: "c1" + null, Type: escape}}}
		checkCSVSQL(t, []string{path, path + "'"}, o, l)

		sum, err := Run(e.ctx, e.eng, []string{path}, opts)
		defer func() {
			for _, name := range []string{id.Name, id.Name + "__rejects"} {
				_ = e.cat.Drop(e.ctx, table.Ident{Namespace: id.Namespace, Name: name}, true)
			}
		}()
		if err != nil {
			// An error is a fine answer (a panic is not), but a failed
			// first ingest leaves no table behind.
			if v := e.version(id.String()); v != -1 {
				t.Fatalf("failed ingest (%v) left table %s at version %d", err, id, v)
			}
			return
		}
		if sum.RowsRead != sum.RowsWritten+sum.RowsRejected || sum.RowsWritten < 0 || sum.RowsRejected < 0 {
			t.Fatalf("got %d read, %d written, %d rejected", sum.RowsRead, sum.RowsWritten, sum.RowsRejected)
		}
		if lines := int64(strings.Count(body, "\n") + strings.Count(body, "\r") + 1); sum.RowsRead > lines {
			t.Fatalf("got %d rows read from %d lines", sum.RowsRead, lines)
		}
		if mode == "fail" && sum.RowsRejected != 0 {
			t.Fatalf("fail mode committed with %d rejected rows", sum.RowsRejected)
		}
		// Count from the table's metadata: a column name the SQL engine's
		// views cannot read yet (see TestHeaderNamesIcebergSanitizes) must
		// not hide a wrong count.
		if got := e.records(id.String()); got != sum.RowsWritten {
			t.Fatalf("table has %d rows, summary says %d written", got, sum.RowsWritten)
		}
		if sum.RowsRejected > 0 {
			if got := e.records(id.String() + "__rejects"); got != sum.RowsRejected {
				t.Fatalf("rejects table has %d rows, summary says %d rejected", got, sum.RowsRejected)
			}
		}
	})
}
