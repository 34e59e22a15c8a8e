// Package sqltext is the lexical analysis of Sluice SQL: it lets the
// engine find the tables a statement reads and writes, rewrite their
// time-travel clauses, and take apart the write statements it commits to
// Iceberg tables itself, before handing SQL to DuckDB.
//
// It is not a SQL parser. It works on tokens and a few clause rules, and
// leaves everything it does not need to DuckDB. It uses the standard
// library only, so the engine's rules can be tested without DuckDB.
//
// # Dialect
//
// The tokenizer follows DuckDB (and PostgreSQL, whose grammar DuckDB
// inherits): '...' strings, where a doubled quote stands for a quote;
// E'...' strings with backslash escapes; dollar-quoted $$...$$ and
// $tag$...$tag$ strings; "..." identifiers with "" for a quote; -- line
// comments and /* */ block comments, which do not nest; numbers;
// operators; and the parameters ?, $1 and $name. Keywords are
// identifiers, compared case-insensitively.
//
// # Main entry points
//
//   - [Tokenize] splits text into [Token]s.
//   - [Split] splits a script into statements ([Stmt]).
//   - [FindTableRefs] finds table names ([TableRef]) and their
//     time-travel clauses: FROM orders VERSION AS OF 3 and
//     FROM orders TIMESTAMP AS OF '2026-11-20 10:00:00'.
//   - [Rewrite] replaces those names, for example with a scan of the
//     snapshot's files.
//   - [Analyze] classifies a statement ([Kind]) and returns the parts of a
//     write ([Analysis]): its target, its query, its WHERE predicate, its
//     SET assignments.
//
// # Invariants
//
// Every function accepts any input: none panics, whatever the text. All
// positions are byte offsets into the text the function was given (a
// statement, or the script for Split and Tokenize); [PosOf] turns an
// offset into a line and a column in runes. Token texts concatenate back
// to the input, spans returned by FindTableRefs are in order and do not
// overlap, Rewrite with a function that returns each span's own text
// returns the statement unchanged, and each Stmt's text is the script's
// text at its offset.
//
// Every error is an [*Error] with a position, a message and a hint, meant
// for users: "line 3, column 14: VERSION AS OF 0 on table orders:
// versions start at 1; write orders VERSION AS OF n, where n >= 1 is a
// snapshot version from the table's history". [Error.Relocate] moves an
// error found in a statement to its place in the script.
//
// # Concurrency
//
// The package has no state: all functions are safe for concurrent use.
package sqltext
