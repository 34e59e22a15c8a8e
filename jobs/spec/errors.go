package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/internal/editdist"
)

// Error is one problem in a job file, at a position.
type Error struct {
	// File is the job file ("" when parsing a string).
	File string
	// Pos is where the problem is; the zero Pos when it is about the
	// whole file. Col may be 0 when only the line is known (YAML syntax
	// errors).
	Pos Pos
	// Msg says what is wrong; Hint, when set, how to fix it.
	Msg, Hint string
}

// Error returns "file:line:col: msg; hint", leaving out the parts that are
// unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%d", e.Pos.Line)
		if e.Pos.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Pos.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// ErrorList is every problem found in one or more job files, sorted by
// file and position. Parse, ParseFile and LoadPath return one (never
// empty) when a job is not valid.
type ErrorList []*Error

// Error returns the errors one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// sortErrors sorts by file and position (stable, so errors at one
// position keep the order they were found in) and drops exact duplicates.
func sortErrors(l ErrorList) ErrorList {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return slices.CompactFunc(l, func(a, b *Error) bool { return *a == *b })
}

// nearest returns the candidate closest to s by edit distance (a prefix
// counting as distance 1) when it is close enough to be a likely typo,
// else "".
func nearest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein(ls, lc)
		if len(ls) >= 3 && len(lc) >= 3 && (strings.HasPrefix(lc, ls) || strings.HasPrefix(ls, lc)) {
			d = min(d, 1) // a truncated or extended name: on_fail, timeouts
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if n := len([]rune(s)); n > 8 {
		limit = 3
	} else if n <= 3 {
		limit = 1
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// levenshtein is the edit distance between a and b, in runes; strings
// over 256 runes (never a name) count as wholly different.
func levenshtein(a, b string) int {
	if la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b); la > 256 || lb > 256 {
		return max(la, lb)
	}
	return editdist.Distance(a, b)
}

// didYouMean returns a hint naming the nearest candidate, or listing
// them all ("known" names the list) when none is close.
func didYouMean(s string, candidates []string, known string) string {
	if n := nearest(s, candidates); n != "" {
		return fmt.Sprintf("did you mean %q?", n)
	}
	if len(candidates) == 0 {
		return ""
	}
	return known + ": " + strings.Join(candidates, ", ")
}
