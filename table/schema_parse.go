package table

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/iceberg-go"
)

// Column is one column of a schema written by a user: a name, an Iceberg
// type and whether NULL is allowed.
type Column struct {
	Name     string
	Type     iceberg.Type
	Required bool
}

// SchemaSyntaxError reports where a schema string is malformed.
type SchemaSyntaxError struct {
	Input  string
	Offset int // byte offset of the problem
	Msg    string
}

// Error renders the problem with its position: "column C" (in runes, from
// 1) for a one-line schema, "line L, column C" for a multi-line one.
func (e *SchemaSyntaxError) Error() string {
	line, col := position(e.Input, e.Offset)
	if strings.Contains(e.Input, "\n") {
		return fmt.Sprintf("schema %q: line %d, column %d: %s", e.Input, line, col, e.Msg)
	}
	return fmt.Sprintf("schema %q: column %d: %s", e.Input, col, e.Msg)
}

// position returns the line and column (both from 1, columns in runes) of
// byte offset off of s.
func position(s string, off int) (line, col int) {
	off = max(0, min(off, len(s)))
	before := s[:off]
	line = strings.Count(before, "\n") + 1
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, utf8.RuneCountInString(before) + 1
}

// ParseSchema parses a column list such as
//
//	id BIGINT NOT NULL, name VARCHAR, amount DECIMAL(18,2), tags VARCHAR[]
//
// Type names follow DuckDB and Spark SQL: BOOLEAN, TINYINT/SMALLINT/INT/
// INTEGER, BIGINT/LONG, FLOAT/REAL, DOUBLE, DECIMAL(p,s)/NUMERIC, VARCHAR/
// STRING/TEXT, DATE, TIME, TIMESTAMP, TIMESTAMPTZ (TIMESTAMP WITH TIME ZONE),
// TIMESTAMP_NS, UUID, BLOB/BINARY, and T[] for a list of T. Column names may
// be double-quoted. Errors are *SchemaSyntaxError with the column position.
func ParseSchema(s string) ([]Column, error) {
	p := &schemaParser{in: s}
	var cols []Column
	seen := map[string]bool{}
	for {
		p.skipSpace()
		if p.pos >= len(p.in) {
			if len(cols) == 0 {
				return nil, p.errf("empty schema; write columns like \"id BIGINT, name VARCHAR\"")
			}
			return cols, nil
		}
		start := p.pos
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, &SchemaSyntaxError{Input: s, Offset: start, Msg: fmt.Sprintf("duplicate column %q (names are case-insensitive); rename or remove one of them", name)}
		}
		seen[key] = true
		p.skipSpace()
		typ, err := p.typ()
		if err != nil {
			return nil, err
		}
		col := Column{Name: name, Type: typ}
		p.skipSpace()
		if w := p.peekWord(); strings.EqualFold(w, "NOT") {
			p.pos += len(w)
			p.skipSpace()
			if w2 := p.peekWord(); !strings.EqualFold(w2, "NULL") {
				return nil, p.errf("want NULL after NOT; write NOT NULL")
			}
			p.pos += 4
			col.Required = true
		} else if strings.EqualFold(w, "NULL") {
			p.pos += len(w)
		}
		cols = append(cols, col)
		p.skipSpace()
		if p.pos >= len(p.in) {
			return cols, nil
		}
		if p.in[p.pos] != ',' {
			return nil, p.errf("want ',' between columns, got %q; separate column definitions with commas", p.rest(10))
		}
		p.pos++
		p.skipSpace()
		if p.pos >= len(p.in) {
			return nil, p.errf("trailing ','; remove it or add a column")
		}
	}
}

var typeExample = map[string]string{"VARCHAR": "VARCHAR(20), or VARCHAR (lengths are not enforced)", "DECIMAL": "DECIMAL(18,2)"}

type schemaParser struct {
	in  string
	pos int
}

func (p *schemaParser) errf(format string, args ...any) error {
	return &SchemaSyntaxError{Input: p.in, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *schemaParser) rest(n int) string {
	r := []rune(p.in[p.pos:])
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func (p *schemaParser) skipSpace() {
	for p.pos < len(p.in) && (p.in[p.pos] == ' ' || p.in[p.pos] == '\t' || p.in[p.pos] == '\n' || p.in[p.pos] == '\r') {
		p.pos++
	}
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (p *schemaParser) peekWord() string {
	i := p.pos
	for i < len(p.in) && isWordByte(p.in[i]) {
		i++
	}
	return p.in[p.pos:i]
}

func (p *schemaParser) name() (string, error) {
	if p.in[p.pos] == '"' {
		var b strings.Builder
		i := p.pos + 1
		for {
			if i >= len(p.in) {
				return "", p.errf("unterminated quoted column name; close it with \"")
			}
			if p.in[i] == '"' {
				if i+1 < len(p.in) && p.in[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				break
			}
			b.WriteByte(p.in[i])
			i++
		}
		p.pos = i + 1
		if b.Len() == 0 {
			return "", p.errf("empty column name; write the name between the quotes")
		}
		return b.String(), nil
	}
	w := p.peekWord()
	if w == "" {
		r := []rune(p.in[p.pos:])
		return "", p.errf("want a column name, got %q; use letters, digits and _, or quote the name with \"", string(r[0]))
	}
	if unicode.IsDigit(rune(w[0])) {
		return "", p.errf("column name %q starts with a digit; quote it as \"%s\"", w, w)
	}
	p.pos += len(w)
	return w, nil
}

// intArg parses a whole number argument of typ (VARCHAR or DECIMAL).
func (p *schemaParser) intArg(typ string) (int, error) {
	p.skipSpace()
	i := p.pos
	for i < len(p.in) && p.in[i] >= '0' && p.in[i] <= '9' {
		i++
	}
	if i == p.pos {
		return 0, p.errf("want a number in %s(...); write e.g. %s", typ, typeExample[typ])
	}
	n, err := strconv.Atoi(p.in[p.pos:i])
	if err != nil || n > 1_000_000 {
		return 0, p.errf("number %q in %s(...) out of range; write e.g. %s", p.in[p.pos:i], typ, typeExample[typ])
	}
	p.pos = i
	p.skipSpace()
	return n, nil
}

func (p *schemaParser) typ() (iceberg.Type, error) {
	start := p.pos
	w := p.peekWord()
	if w == "" {
		if p.pos >= len(p.in) {
			return nil, p.errf("missing type; write e.g. \"name VARCHAR\"")
		}
		return nil, p.errf("want a type name, got %q; write e.g. \"name VARCHAR\"", p.rest(10))
	}
	p.pos += len(w)
	var t iceberg.Type
	switch strings.ToUpper(w) {
	case "BOOLEAN", "BOOL":
		t = iceberg.PrimitiveTypes.Bool
	case "TINYINT", "SMALLINT", "INT", "INTEGER", "INT4", "INT2", "INT1", "SHORT":
		t = iceberg.PrimitiveTypes.Int32
	case "BIGINT", "LONG", "INT8", "INT64":
		t = iceberg.PrimitiveTypes.Int64
	case "FLOAT", "REAL", "FLOAT4":
		t = iceberg.PrimitiveTypes.Float32
	case "DOUBLE", "FLOAT8":
		t = iceberg.PrimitiveTypes.Float64
		p.skipSpace()
		if strings.EqualFold(p.peekWord(), "PRECISION") {
			p.pos += len("PRECISION")
		}
	case "VARCHAR", "STRING", "TEXT", "CHAR", "BPCHAR":
		t = iceberg.PrimitiveTypes.String
		p.skipSpace()
		if p.pos < len(p.in) && p.in[p.pos] == '(' { // VARCHAR(n): length is not enforced
			p.pos++
			if _, err := p.intArg("VARCHAR"); err != nil {
				return nil, err
			}
			if p.pos >= len(p.in) || p.in[p.pos] != ')' {
				return nil, p.errf("want ')' after the VARCHAR length; write e.g. VARCHAR(20)")
			}
			p.pos++
		}
	case "DATE":
		t = iceberg.PrimitiveTypes.Date
	case "TIME":
		t = iceberg.PrimitiveTypes.Time
	case "TIMESTAMP", "DATETIME":
		t = iceberg.PrimitiveTypes.Timestamp
		save := p.pos
		p.skipSpace()
		if strings.EqualFold(p.peekWord(), "WITH") {
			p.pos += 4
			p.skipSpace()
			for _, want := range []string{"TIME", "ZONE"} {
				if !strings.EqualFold(p.peekWord(), want) {
					return nil, p.errf("want TIMESTAMP WITH TIME ZONE; write it in full or use TIMESTAMPTZ")
				}
				p.pos += len(want)
				p.skipSpace()
			}
			t = iceberg.PrimitiveTypes.TimestampTz
		} else {
			p.pos = save
		}
	case "TIMESTAMPTZ", "TIMESTAMP_LTZ":
		t = iceberg.PrimitiveTypes.TimestampTz
	case "TIMESTAMP_NTZ":
		t = iceberg.PrimitiveTypes.Timestamp
	case "TIMESTAMP_NS":
		t = iceberg.PrimitiveTypes.TimestampNs
	case "UUID":
		t = iceberg.PrimitiveTypes.UUID
	case "BLOB", "BINARY", "BYTEA", "VARBINARY":
		t = iceberg.PrimitiveTypes.Binary
	case "DECIMAL", "NUMERIC":
		prec, scale := 18, 3 // DuckDB's default DECIMAL
		p.skipSpace()
		if p.pos < len(p.in) && p.in[p.pos] == '(' {
			p.pos++
			var err error
			if prec, err = p.intArg("DECIMAL"); err != nil {
				return nil, err
			}
			scale = 0
			if p.pos < len(p.in) && p.in[p.pos] == ',' {
				p.pos++
				if scale, err = p.intArg("DECIMAL"); err != nil {
					return nil, err
				}
			}
			if p.pos >= len(p.in) || p.in[p.pos] != ')' {
				return nil, p.errf("want ')' to close DECIMAL(precision, scale); write e.g. DECIMAL(18,2)")
			}
			p.pos++
		}
		if prec < 1 || prec > 38 || scale > prec {
			return nil, &SchemaSyntaxError{Input: p.in, Offset: start, Msg: fmt.Sprintf("DECIMAL(%d,%d) out of range; precision must be 1..38 and scale at most the precision", prec, scale)}
		}
		t = iceberg.DecimalTypeOf(prec, scale)
	default:
		return nil, &SchemaSyntaxError{Input: p.in, Offset: start, Msg: fmt.Sprintf("unknown type %q; use BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), VARCHAR, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, UUID or BLOB", w)}
	}
	// T[] lists, possibly nested.
	for {
		save := p.pos
		p.skipSpace()
		if p.pos+1 < len(p.in) && p.in[p.pos] == '[' && p.in[p.pos+1] == ']' {
			p.pos += 2
			t = &iceberg.ListType{Element: t, ElementRequired: false}
			continue
		}
		p.pos = save
		return t, nil
	}
}

// SQLType renders an Iceberg type with DuckDB's type names, the names
// ParseSchema accepts back.
func SQLType(t iceberg.Type) string {
	switch t := t.(type) {
	case iceberg.BooleanType:
		return "BOOLEAN"
	case iceberg.Int32Type:
		return "INTEGER"
	case iceberg.Int64Type:
		return "BIGINT"
	case iceberg.Float32Type:
		return "FLOAT"
	case iceberg.Float64Type:
		return "DOUBLE"
	case iceberg.DecimalType:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision(), t.Scale())
	case iceberg.StringType:
		return "VARCHAR"
	case iceberg.DateType:
		return "DATE"
	case iceberg.TimeType:
		return "TIME"
	case iceberg.TimestampType:
		return "TIMESTAMP"
	case iceberg.TimestampTzType:
		return "TIMESTAMPTZ"
	case iceberg.TimestampNsType:
		return "TIMESTAMP_NS"
	case iceberg.TimestampTzNsType:
		return "TIMESTAMPTZ"
	case iceberg.UUIDType:
		return "UUID"
	case iceberg.BinaryType, iceberg.FixedType:
		return "BLOB"
	case *iceberg.ListType:
		return SQLType(t.Element) + "[]"
	case *iceberg.MapType:
		return fmt.Sprintf("MAP(%s, %s)", SQLType(t.KeyType), SQLType(t.ValueType))
	case *iceberg.StructType:
		parts := make([]string, len(t.FieldList))
		for i, f := range t.FieldList {
			parts[i] = QuoteIdent(f.Name) + " " + SQLType(f.Type)
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	default:
		return strings.ToUpper(t.String())
	}
}

// QuoteIdent quotes a SQL identifier with double quotes.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// FormatSchema renders a schema as a column list ParseSchema accepts.
func FormatSchema(sc *iceberg.Schema) string {
	parts := make([]string, 0, sc.NumFields())
	for _, f := range sc.Fields() {
		s := f.Name + " " + SQLType(f.Type)
		if !isPlainName(f.Name) {
			s = QuoteIdent(f.Name) + " " + SQLType(f.Type)
		}
		if f.Required {
			s += " NOT NULL"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func isPlainName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// NewSchema builds an Iceberg schema with fresh field ids from columns.
func NewSchema(cols []Column) (*iceberg.Schema, error) {
	fields := make([]iceberg.NestedField, len(cols))
	for i, c := range cols {
		fields[i] = iceberg.NestedField{ID: i + 1, Name: c.Name, Type: c.Type, Required: c.Required}
	}
	sc, err := iceberg.AssignFreshSchemaIDs(iceberg.NewSchema(0, fields...), nil)
	if err != nil {
		return nil, fmt.Errorf("assign field ids: %w", err)
	}
	return sc, nil
}
