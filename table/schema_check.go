package table

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"
)

// Mismatch is one incoming column that does not fit the table.
type Mismatch struct {
	Column       string
	TableType    string // "" when the table has no such column
	IncomingType string // "" when the incoming data lacks the column
	Reason       string
}

// SchemaMismatchError lists every column of a write that does not fit the
// table's schema. Nothing was written.
type SchemaMismatchError struct {
	Table      Ident
	Mismatches []Mismatch
}

func (e *SchemaMismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s: %d column(s) do not fit the table schema:", e.Table, len(e.Mismatches))
	merge := false
	for _, m := range e.Mismatches {
		fmt.Fprintf(&b, "\n  %s: table %s, incoming %s: %s", m.Column, orDash(m.TableType), orDash(m.IncomingType), m.Reason)
		if m.TableType == "" || strings.Contains(m.Reason, "--merge-schema") {
			merge = true
		}
	}
	b.WriteString("\ncast or rename the columns in a SELECT")
	if merge {
		b.WriteString(", or pass --merge-schema to add new columns and widen int→bigint, float→double")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// evolution is what a write must change in the table's schema first.
type evolution struct {
	add    []iceberg.NestedField // new optional columns, in incoming order
	widen  map[string]iceberg.PrimitiveType
	byName map[string]string // incoming name → table name, for case-insensitive matches
}

func (e *evolution) empty() bool { return len(e.add) == 0 && len(e.widen) == 0 }

// CheckSchema reports whether rows with the incoming Arrow schema in can be
// written to the table as it is, as Append checks before writing: nil when
// every incoming column matches a table column by name
// (case-insensitively) with a type that fits it and every NOT NULL column
// is there, and otherwise a *SchemaMismatchError listing every column that
// does not fit (with MergeSchema, Append would evolve the table for some
// of them).
func (t *Table) CheckSchema(in *arrow.Schema) error {
	_, err := checkSchema(t.id, t.Schema(), in, false)
	return err
}

// checkSchema compares an incoming Arrow schema with the table's schema.
// Types that Iceberg can promote losslessly on write (int→long,
// float→double, wider decimals, nanosecond→microsecond timestamps) fit as
// they are; with merge, new columns are added and table columns are
// widened to fit.
func checkSchema(id Ident, sc *iceberg.Schema, in *arrow.Schema, merge bool) (*evolution, error) {
	ev := &evolution{widen: map[string]iceberg.PrimitiveType{}, byName: map[string]string{}}
	var mm []Mismatch
	seen := map[string]bool{}
	for _, f := range in.Fields() {
		key := strings.ToLower(f.Name)
		if seen[key] {
			mm = append(mm, Mismatch{Column: f.Name, IncomingType: f.Type.String(), Reason: "appears twice in the incoming data (names are case-insensitive)"})
			continue
		}
		seen[key] = true
		it, err := icebergType(f)
		if err != nil {
			mm = append(mm, Mismatch{Column: f.Name, IncomingType: f.Type.String(), Reason: "type has no Iceberg equivalent; cast it (e.g. to BIGINT, DOUBLE or VARCHAR)"})
			continue
		}
		tf, ok := sc.FindFieldByNameCaseInsensitive(f.Name)
		if !ok {
			if merge {
				ev.add = append(ev.add, iceberg.NestedField{Name: f.Name, Type: it})
				ev.byName[f.Name] = f.Name
				continue
			}
			mm = append(mm, Mismatch{Column: f.Name, IncomingType: SQLType(it), Reason: "not in the table"})
			continue
		}
		ev.byName[f.Name] = tf.Name
		if fits(it, tf.Type) {
			continue
		}
		if merge {
			if w, ok := widening(tf.Type, it); ok {
				ev.widen[tf.Name] = w
				continue
			}
		}
		reason := "types differ"
		if _, ok := widening(tf.Type, it); ok {
			reason = "the table type is narrower; widen it with --merge-schema"
		}
		mm = append(mm, Mismatch{Column: tf.Name, TableType: SQLType(tf.Type), IncomingType: SQLType(it), Reason: reason})
	}
	for _, tf := range sc.Fields() {
		if tf.Required && !seen[strings.ToLower(tf.Name)] {
			mm = append(mm, Mismatch{Column: tf.Name, TableType: SQLType(tf.Type), Reason: "required (NOT NULL) column missing from the incoming data"})
		}
	}
	if len(mm) > 0 {
		return nil, &SchemaMismatchError{Table: id, Mismatches: mm}
	}
	return ev, nil
}

// icebergType converts an incoming field's type, giving nested types
// (lists, structs, maps) fresh element IDs.
func icebergType(f arrow.Field) (iceberg.Type, error) {
	sc, err := itable.ArrowSchemaToIcebergWithFreshIDs(arrow.NewSchema([]arrow.Field{f}, nil), true)
	if err != nil {
		return nil, err
	}
	return sc.Field(0).Type, nil
}

// fits reports whether values of type in can be written to a column of type
// col without changing the table schema. Nested types compare by shape,
// not by element IDs.
func fits(in, col iceberg.Type) bool {
	if in.Equals(col) {
		return true
	}
	if il, ok := in.(*iceberg.ListType); ok {
		cl, ok := col.(*iceberg.ListType)
		return ok && fits(il.Element, cl.Element)
	}
	switch c := col.(type) {
	case iceberg.Int64Type:
		_, ok := in.(iceberg.Int32Type)
		return ok
	case iceberg.Float64Type:
		_, ok := in.(iceberg.Float32Type)
		return ok
	case iceberg.DecimalType:
		d, ok := in.(iceberg.DecimalType)
		return ok && d.Scale() == c.Scale() && d.Precision() <= c.Precision()
	case iceberg.TimestampType:
		_, ok := in.(iceberg.TimestampNsType)
		return ok
	case iceberg.TimestampTzType:
		_, ok := in.(iceberg.TimestampTzNsType)
		return ok
	case *iceberg.ListType:
		l, ok := in.(*iceberg.ListType)
		return ok && fits(l.Element, c.Element)
	}
	return false
}

// widening returns the type a column of type col must become to hold in,
// when Iceberg's schema evolution allows it.
func widening(col, in iceberg.Type) (iceberg.PrimitiveType, bool) {
	switch c := col.(type) {
	case iceberg.Int32Type:
		if _, ok := in.(iceberg.Int64Type); ok {
			return iceberg.PrimitiveTypes.Int64, true
		}
	case iceberg.Float32Type:
		if _, ok := in.(iceberg.Float64Type); ok {
			return iceberg.PrimitiveTypes.Float64, true
		}
	case iceberg.DecimalType:
		if d, ok := in.(iceberg.DecimalType); ok && d.Scale() == c.Scale() && d.Precision() > c.Precision() {
			return iceberg.DecimalTypeOf(d.Precision(), d.Scale()), true
		}
	}
	return nil, false
}
