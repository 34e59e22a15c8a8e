package sqltext

// Stmt is one statement of a script, as returned by [Split].
type Stmt struct {
	// Text is the statement without its terminating ';' and without the
	// whitespace and comments around it. It is always
	// script[Offset:Offset+len(Text)].
	Text string
	// Offset is the byte offset of Text in the script. Use it with
	// [Error.Relocate] to report an error in Text against the script.
	Offset int
}

// Split splits a script into statements at each ';' outside string
// literals, quoted identifiers and comments. Statements that hold only
// whitespace and comments are dropped, so "SELECT 1;;\n-- done\n" is one
// statement.
//
// Split fails only when the script does not tokenize (see [Tokenize]);
// the *Error's position is relative to the script.
func Split(script string) ([]Stmt, error) {
	toks, err := Tokenize(script)
	if err != nil {
		return nil, err
	}
	var stmts []Stmt
	first, last := -1, -1
	for _, t := range toks {
		switch {
		case t.Kind == EOF || t.Kind == Punct && t.Text == ";":
			if first >= 0 {
				stmts = append(stmts, Stmt{Text: script[first:last], Offset: first})
			}
			first, last = -1, -1
		case t.Kind != Space && t.Kind != Comment:
			if first < 0 {
				first = t.Start
			}
			last = t.End
		}
	}
	return stmts, nil
}
