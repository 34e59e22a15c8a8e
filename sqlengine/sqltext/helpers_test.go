package sqltext

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// describe renders a TableRef compactly for table tests:
// name [VERSION AS OF n | TIMESTAMP AS OF 'ts'] [AS alias] [(write)].
func describe(r TableRef) string {
	s := r.Name()
	switch r.Travel {
	case TravelVersion:
		s += fmt.Sprintf(" VERSION AS OF %d", r.Version)
	case TravelTimestamp:
		s += " TIMESTAMP AS OF '" + r.Timestamp + "'"
	}
	if r.Alias != "" {
		s += " AS " + r.Alias
	}
	if r.Write {
		s += " (write)"
	}
	return s
}

func describeAll(refs []TableRef) []string {
	out := []string{}
	for _, r := range refs {
		out = append(out, describe(r))
	}
	return out
}

// MustError returns err as an *Error, failing the test when it is not one.
func MustError(tb testing.TB, err error) *Error {
	tb.Helper()
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v (%T), want *Error", err, err)
	}
	return e
}

// checkErrorPos checks that err is an *Error whose position is consistent
// with src.
func checkErrorPos(tb testing.TB, src string, err error) {
	tb.Helper()
	e := MustError(tb, err)
	if e.Pos.Offset < 0 || e.Pos.Offset > len(src) {
		tb.Fatalf("error offset %d outside [0, %d]: %v", e.Pos.Offset, len(src), e)
	}
	if want := PosOf(src, e.Pos.Offset); e.Pos != want {
		tb.Fatalf("got error position %+v, want %+v", e.Pos, want)
	}
	if e.Msg == "" {
		tb.Fatalf("error without message: %+v", e)
	}
}

// checkTokens checks the invariants of Tokenize's result.
func checkTokens(tb testing.TB, sql string, toks []Token) {
	tb.Helper()
	if len(toks) == 0 || toks[len(toks)-1].Kind != EOF {
		tb.Fatalf("tokens of %q do not end with EOF", sql)
	}
	pos := 0
	var b strings.Builder
	for i, t := range toks {
		if t.Start != pos {
			tb.Fatalf("token %d %+v starts at %d, want %d", i, t, t.Start, pos)
		}
		if t.End < t.Start || t.End > len(sql) || t.Text != sql[t.Start:t.End] {
			tb.Fatalf("token %d %+v does not match its span in %q", i, t, sql)
		}
		if t.Kind == EOF && (i != len(toks)-1 || t.Start != len(sql)) || t.Kind != EOF && t.End == t.Start {
			tb.Fatalf("token %d %+v: bad EOF or empty token", i, t)
		}
		b.WriteString(t.Text)
		pos = t.End
	}
	if b.String() != sql {
		tb.Fatalf("tokens concatenate to %q, want %q", b.String(), sql)
	}
}

// checkRefs checks the invariants of FindTableRefs's result.
func checkRefs(tb testing.TB, stmt string, refs []TableRef) {
	tb.Helper()
	prev := 0
	for i, r := range refs {
		end := r.End
		if r.Travel != NoTravel {
			if r.TravelStart < r.End || r.TravelEnd <= r.TravelStart || r.TravelEnd > len(stmt) {
				tb.Fatalf("ref %d %+v: bad travel span in %q", i, r, stmt)
			}
			end = r.TravelEnd
			if r.Travel == TravelVersion && r.Version < 1 || r.Travel == TravelTimestamp && r.Timestamp == "" {
				tb.Fatalf("ref %d %+v: bad travel value", i, r)
			}
		} else if r.TravelStart != 0 || r.TravelEnd != 0 || r.Version != 0 || r.Timestamp != "" {
			tb.Fatalf("ref %d %+v: travel fields set without travel", i, r)
		}
		if r.Start < prev || r.End <= r.Start || end > len(stmt) {
			tb.Fatalf("ref %d %+v: span out of order or bounds (prev end %d, len %d)", i, r, prev, len(stmt))
		}
		if len(r.Parts) == 0 || len(r.Parts) != len(r.Quoted) {
			tb.Fatalf("ref %d %+v: got %d parts and %d quoted flags", i, r, len(r.Parts), len(r.Quoted))
		}
		prev = end
	}
	identity := func(r TableRef) string { return stmt[r.Start:r.spanEnd()] }
	if got := Rewrite(stmt, refs, identity); got != stmt {
		tb.Fatalf("identity Rewrite: got %q, want %q", got, stmt)
	}
}

// checkAnalysis checks that the text fields of an Analysis are the
// statement's text at their offsets.
func checkAnalysis(tb testing.TB, stmt string, a *Analysis) {
	tb.Helper()
	at := func(field, s string, off int) {
		if s == "" {
			return
		}
		if off < 0 || off+len(s) > len(stmt) || stmt[off:off+len(s)] != s {
			tb.Fatalf("%s %q is not the statement's text at offset %d: %q", field, s, off, stmt)
		}
	}
	at("Query", a.Query, a.QueryOffset)
	at("Where", a.Where, a.WhereOffset)
	for _, s := range a.Set {
		at("Set "+s.Column, s.Expr, s.Offset)
	}
	if a.Kind != Query {
		if len(a.Target.Parts) == 0 || a.Target.Travel != NoTravel || !a.Target.Write {
			tb.Fatalf("bad target %+v", a.Target)
		}
	}
}
