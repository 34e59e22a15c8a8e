// Package filter parses MLflow's search filter strings and order_by
// clauses into a small AST. A filter is a conjunction (AND) of comparisons
// between an entity's key and a constant:
//
//	metrics.rmse < 1 AND params.model = 'tree' AND tags.`mlflow.user` LIKE 'a%'
//	attributes.status IN ('FINISHED', 'FAILED') AND start_time >= 1700000000000
//
// Keys are prefixed with an entity type (metric(s), param(s)/parameter(s),
// tag(s), attribute(s)/attr/run, dataset(s)); a key without a prefix is an
// attribute. Keys with special characters are quoted with backticks or
// double quotes: tags."user-name", metrics.`f1 score`. Values are numbers,
// single- (or double-) quoted strings, or parenthesized lists of them.
// Operators: =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL,
// IS NOT NULL; keywords are case-insensitive.
//
// The parser checks syntax only: which operators and value kinds an entity
// accepts is the caller's rule (tracking's runs, experiments, the model
// registry differ), as is the translation to SQL. Errors are
// *apierr.Error (INVALID_PARAMETER_VALUE) wrapping a *SyntaxError that
// names the position and the offending token.
package filter

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// MaxLen bounds the length of a filter or order_by string.
const MaxLen = 64 << 10

// Entity is the kind of thing a key names.
type Entity string

// The entity types of MLflow's search grammar.
const (
	Metric    Entity = "metrics"
	Param     Entity = "params"
	Tag       Entity = "tags"
	Attribute Entity = "attributes"
	Dataset   Entity = "datasets"
)

// entityAliases maps every accepted prefix to its entity.
var entityAliases = map[string]Entity{
	"metric": Metric, "metrics": Metric,
	"param": Param, "params": Param, "parameter": Param, "parameters": Param,
	"tag": Tag, "tags": Tag,
	"attribute": Attribute, "attributes": Attribute, "attr": Attribute, "run": Attribute,
	"dataset": Dataset, "datasets": Dataset,
}

// Op is a comparison operator, in upper case.
type Op string

// The comparison operators.
const (
	Eq        Op = "="
	Ne        Op = "!="
	Lt        Op = "<"
	Le        Op = "<="
	Gt        Op = ">"
	Ge        Op = ">="
	Like      Op = "LIKE"
	ILike     Op = "ILIKE"
	In        Op = "IN"
	NotIn     Op = "NOT IN"
	IsNull    Op = "IS NULL"
	IsNotNull Op = "IS NOT NULL"
)

// Kind is the kind of a constant.
type Kind int

// The kinds of constants.
const (
	None   Kind = iota // no value (IS NULL, IS NOT NULL)
	String             // a quoted string
	Number             // a numeric literal
	List               // a parenthesized list
)

func (k Kind) String() string {
	switch k {
	case String:
		return "a string"
	case Number:
		return "a number"
	case List:
		return "a list"
	}
	return "no value"
}

// Value is a constant on the right of a comparison.
type Value struct {
	Kind Kind
	Str  string  // String: the unquoted text; Number: the literal as written
	Num  float64 // Number: its value
	List []Value // List: the elements (strings or numbers)
}

// Comparison is one "entity.key op value" term.
type Comparison struct {
	Entity Entity
	Key    string
	Op     Op
	Value  Value
	Pos    int // 1-based position of the term's first character
}

// String renders c in the filter grammar (keys always backtick-quoted).
func (c Comparison) String() string {
	s := string(c.Entity) + ".`" + c.Key + "` " + string(c.Op)
	if c.Value.Kind != None {
		s += " " + c.Value.String()
	}
	return s
}

// String renders v as a literal.
func (v Value) String() string {
	switch v.Kind {
	case String:
		return "'" + strings.ReplaceAll(strings.ReplaceAll(v.Str, `\`, `\\`), "'", "''") + "'"
	case Number:
		return v.Str
	case List:
		parts := make([]string, len(v.List))
		for i, e := range v.List {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return ""
}

// OrderBy is one order_by clause: a key and its direction.
type OrderBy struct {
	Entity Entity
	Key    string
	Desc   bool
}

// SyntaxError says where a filter or order_by clause went wrong.
type SyntaxError struct {
	Input string
	Pos   int    // 1-based position of the offending token (len+1 at the end)
	Token string // the offending token; "" at the end of input
	Msg   string // what was expected
}

func (e *SyntaxError) Error() string {
	tok := "end of input"
	switch {
	case e.Token == "":
	case e.Token[0] == '\'' || e.Token[0] == '"' || e.Token[0] == '`':
		tok = e.Token
	default:
		tok = "'" + e.Token + "'"
	}
	return fmt.Sprintf("at position %d, %s: %s", e.Pos, tok, e.Msg)
}

func wrap(what, input string, se *SyntaxError) error {
	se.Input = input
	e := apierr.Invalid("invalid %s %q: %s", what, input, se.Error())
	e.Err = se
	return e
}

// Parse parses a filter string. An empty (or blank) filter gives no
// comparisons. Errors are *apierr.Error wrapping a *SyntaxError.
func Parse(s string) ([]Comparison, error) {
	if len(s) > MaxLen {
		return nil, apierr.Invalid("filter is %d bytes long, more than the limit of %d", len(s), MaxLen)
	}
	p := &parser{lx: lexer{src: s}}
	p.next()
	var out []Comparison
	if p.tok.kind == tEOF {
		return nil, nil
	}
	for {
		c, err := p.comparison()
		if err != nil {
			return nil, wrap("filter", s, err)
		}
		out = append(out, c)
		switch {
		case p.tok.kind == tEOF:
			return out, nil
		case p.tok.isWord("AND"):
			p.next()
		case p.tok.isWord("OR"):
			return nil, wrap("filter", s, p.errf("OR is not supported; combine comparisons with AND"))
		default:
			return nil, wrap("filter", s, p.errf("expected AND or the end of the filter"))
		}
	}
}

// ParseOrderBy parses one order_by clause such as "metrics.auc DESC",
// "attributes.start_time" or "tags.`my tag` ASC". Errors are
// *apierr.Error wrapping a *SyntaxError.
func ParseOrderBy(s string) (OrderBy, error) {
	if len(s) > MaxLen {
		return OrderBy{}, apierr.Invalid("order_by clause is %d bytes long, more than the limit of %d", len(s), MaxLen)
	}
	p := &parser{lx: lexer{src: s}}
	p.next()
	ent, key, err := p.identifier()
	if err != nil {
		return OrderBy{}, wrap("order_by clause", s, err)
	}
	o := OrderBy{Entity: ent, Key: key}
	switch {
	case p.tok.isWord("DESC"):
		o.Desc = true
		p.next()
	case p.tok.isWord("ASC"):
		p.next()
	}
	if p.tok.kind != tEOF {
		return OrderBy{}, wrap("order_by clause", s, p.errf("expected ASC, DESC or the end of the clause"))
	}
	return o, nil
}

type parser struct {
	lx  lexer
	tok token
}

func (p *parser) next() { p.tok = p.lx.next() }

func (p *parser) errf(format string, args ...any) *SyntaxError {
	if p.tok.kind == tError {
		return &SyntaxError{Pos: p.tok.pos + 1, Token: p.tok.text, Msg: p.tok.err}
	}
	tok := p.tok.text
	if p.tok.kind == tQuoted {
		tok = p.tok.raw
	}
	if p.tok.kind == tEOF {
		tok = ""
	}
	return &SyntaxError{Pos: p.tok.pos + 1, Token: tok, Msg: fmt.Sprintf(format, args...)}
}

// identifier reads [entity.]key where key may be quoted.
func (p *parser) identifier() (Entity, string, *SyntaxError) {
	switch p.tok.kind {
	case tQuoted:
		if p.tok.quote == '\'' {
			return "", "", p.errf("expected a key such as metrics.rmse or params.alpha, not a string")
		}
		key := p.tok.text
		p.next()
		return Attribute, key, nil
	case tWord:
	default:
		return "", "", p.errf("expected a key such as metrics.rmse or params.alpha")
	}
	start := p.tok
	word := p.tok.text
	p.next()
	prefix, rest, dotted := strings.Cut(word, ".")
	if !dotted {
		if isKeyword(word) {
			return "", "", &SyntaxError{Pos: start.pos + 1, Token: word, Msg: "expected a key such as metrics.rmse or params.alpha"}
		}
		return Attribute, word, nil
	}
	ent, ok := entityAliases[strings.ToLower(prefix)]
	if !ok {
		return "", "", &SyntaxError{Pos: start.pos + 1, Token: prefix, Msg: "unknown entity type; expected metrics, params, tags, attributes or datasets"}
	}
	if rest == "" {
		// prefix."quoted key" or prefix.`quoted key`
		if p.tok.kind != tQuoted || p.tok.quote == '\'' || p.tok.pos != start.pos+len(word) {
			return "", "", p.errf("expected a key after '%s'", word)
		}
		rest = p.tok.text
		p.next()
	}
	if rest == "" {
		return "", "", &SyntaxError{Pos: start.pos + 1, Token: word, Msg: "empty key"}
	}
	return ent, rest, nil
}

func isKeyword(w string) bool {
	switch strings.ToUpper(w) {
	case "AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL":
		return true
	}
	return false
}

func (p *parser) comparison() (Comparison, *SyntaxError) {
	pos := p.tok.pos + 1
	ent, key, err := p.identifier()
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{Entity: ent, Key: key, Pos: pos}
	switch {
	case p.tok.kind == tOp:
		c.Op = Op(p.tok.text)
		p.next()
	case p.tok.isWord("LIKE"):
		c.Op = Like
		p.next()
	case p.tok.isWord("ILIKE"):
		c.Op = ILike
		p.next()
	case p.tok.isWord("IN"):
		c.Op = In
		p.next()
	case p.tok.isWord("NOT"):
		p.next()
		if !p.tok.isWord("IN") {
			return c, p.errf("expected IN after NOT")
		}
		c.Op = NotIn
		p.next()
	case p.tok.isWord("IS"):
		p.next()
		c.Op = IsNull
		if p.tok.isWord("NOT") {
			c.Op = IsNotNull
			p.next()
		}
		if !p.tok.isWord("NULL") {
			return c, p.errf("expected NULL")
		}
		p.next()
		return c, nil
	default:
		return c, p.errf("expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)")
	}
	if c.Op == In || c.Op == NotIn {
		if p.tok.kind != tLParen {
			return c, p.errf("expected a parenthesized list such as ('a', 'b') after %s", c.Op)
		}
		p.next()
		list := Value{Kind: List}
		for {
			v, err := p.scalar()
			if err != nil {
				return c, err
			}
			list.List = append(list.List, v)
			if p.tok.kind == tComma {
				p.next()
				continue
			}
			if p.tok.kind == tRParen {
				p.next()
				break
			}
			return c, p.errf("expected ',' or ')' in the list")
		}
		c.Value = list
		return c, nil
	}
	v, err := p.scalar()
	if err != nil {
		return c, err
	}
	c.Value = v
	return c, nil
}

func (p *parser) scalar() (Value, *SyntaxError) {
	switch p.tok.kind {
	case tQuoted:
		v := Value{Kind: String, Str: p.tok.text}
		p.next()
		return v, nil
	case tNumber:
		x, err := strconv.ParseFloat(p.tok.text, 64)
		if err != nil {
			return Value{}, p.errf("invalid number")
		}
		v := Value{Kind: Number, Str: p.tok.text, Num: x}
		p.next()
		return v, nil
	}
	return Value{}, p.errf("expected a value: a number or a quoted string such as 'abc'")
}
