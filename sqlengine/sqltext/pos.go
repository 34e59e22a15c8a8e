package sqltext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a position in SQL text, as reported to users.
type Pos struct {
	// Offset is the byte offset from the start of the text, starting at 0.
	Offset int
	// Line is the line number, starting at 1. Lines end at '\n'.
	Line int
	// Col is the column within the line in runes (not bytes), starting
	// at 1. A tab counts as one column and so does each byte of invalid
	// UTF-8.
	Col int
}

// String renders p as "line 3, column 14".
func (p Pos) String() string {
	return fmt.Sprintf("line %d, column %d", p.Line, p.Col)
}

// PosOf returns the position of the byte offset in sql. Offsets outside
// [0, len(sql)] are clamped to that range, so PosOf never panics.
func PosOf(sql string, offset int) Pos {
	offset = max(0, min(offset, len(sql)))
	before := sql[:offset]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return Pos{
		Offset: offset,
		Line:   1 + strings.Count(before, "\n"),
		Col:    1 + utf8.RuneCountInString(before[lineStart:]),
	}
}

// Error is a user-facing problem in SQL text: what is wrong, where, and
// how to fix it. Every error returned by this package is an *Error.
type Error struct {
	// Pos is where the problem is, relative to the text passed to the
	// function that returned the error.
	Pos Pos
	// Msg says what is wrong, e.g. "unterminated string literal".
	Msg string
	// Hint says how to fix it, e.g. "close it with '". It may be empty.
	Hint string
}

// Error renders e as "line 3, column 14: unterminated string literal;
// close it with '".
func (e *Error) Error() string {
	s := e.Pos.String() + ": " + e.Msg
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Relocate returns a copy of e whose position refers to script instead of
// the statement the error was found in, where that statement starts at
// byte offset in script (see [Stmt.Offset]). e itself is not modified.
func (e *Error) Relocate(script string, offset int) *Error {
	c := *e
	c.Pos = PosOf(script, offset+e.Pos.Offset)
	return &c
}

// errorAt returns an *Error at the byte offset in src.
func errorAt(src string, offset int, hint, format string, args ...any) *Error {
	return &Error{Pos: PosOf(src, offset), Msg: fmt.Sprintf(format, args...), Hint: hint}
}
