package table

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/iceberg-go"
)

// PartitionField is one field of a partition spec as a user writes it:
// a transform applied to a source column.
type PartitionField struct {
	Column    string // source column
	Transform string // identity, year, month, day, hour, bucket, truncate
	Width     int    // bucket count or truncate width
}

// String renders the field in the syntax ParsePartitionSpec accepts.
func (f PartitionField) String() string {
	switch f.Transform {
	case "identity":
		return f.Column
	case "bucket", "truncate":
		return fmt.Sprintf("%s(%d, %s)", f.Transform, f.Width, f.Column)
	default:
		return fmt.Sprintf("%s(%s)", f.Transform, f.Column)
	}
}

// PartitionSpecError reports a malformed partition spec string.
type PartitionSpecError struct {
	Input  string
	Field  int // 1-based index of the bad field
	Offset int // byte offset of the bad field
	Msg    string
}

// Error names the field by number and column (in runes, from 1).
func (e *PartitionSpecError) Error() string {
	_, col := position(e.Input, e.Offset)
	return fmt.Sprintf("partition spec %q: column %d, field %d: %s", e.Input, col, e.Field, e.Msg)
}

// ParsePartitionSpec parses a comma-separated partition spec in Spark SQL's
// PARTITIONED BY syntax:
//
//	region, day(ts), bucket(16, id), truncate(4, name)
//
// Plural transform names (days, months, …) are accepted too. An empty string
// is the unpartitioned spec. Errors are *PartitionSpecError.
func ParsePartitionSpec(s string) ([]PartitionField, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []PartitionField
	for i, part := range splitTopLevel(s) {
		item := strings.TrimSpace(part.text)
		fail := func(format string, args ...any) error {
			off := part.off + strings.Index(part.text, item)
			return &PartitionSpecError{Input: s, Field: i + 1, Offset: off, Msg: fmt.Sprintf(format, args...)}
		}
		if item == "" {
			return nil, fail("empty field; separate fields with single commas")
		}
		open := strings.IndexByte(item, '(')
		if open < 0 {
			if !isPlainName(item) {
				return nil, fail("%q is not a column name; use letters, digits and _, or a transform such as day(ts)", item)
			}
			out = append(out, PartitionField{Column: item, Transform: "identity"})
			continue
		}
		if !strings.HasSuffix(item, ")") {
			return nil, fail("%q: missing ')'; write e.g. day(ts) or bucket(16, id)", item)
		}
		name := strings.ToLower(strings.TrimSpace(item[:open]))
		args := strings.Split(item[open+1:len(item)-1], ",")
		for i := range args {
			args[i] = strings.TrimSpace(args[i])
		}
		name = strings.TrimSuffix(name, "s")
		switch name {
		case "year", "month", "day", "hour", "identity":
			if len(args) != 1 || !isPlainName(args[0]) {
				return nil, fail("%s takes one column, e.g. %s(ts)", name, name)
			}
			out = append(out, PartitionField{Column: args[0], Transform: name})
		case "bucket", "truncate":
			if len(args) != 2 {
				return nil, fail("%s takes a width and a column, e.g. %s(16, id)", name, name)
			}
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 || n > 1<<20 {
				return nil, fail("%s width %q must be a whole number from 1 to 1048576, e.g. %s(16, %s)", name, args[0], name, args[1])
			}
			if !isPlainName(args[1]) {
				return nil, fail("%q is not a column name; write e.g. %s(%d, id)", args[1], name, n)
			}
			out = append(out, PartitionField{Column: args[1], Transform: name, Width: n})
		default:
			return nil, fail("unknown transform %q; use identity, year, month, day, hour, bucket(n, col) or truncate(w, col)", strings.TrimSpace(item[:open]))
		}
	}
	return out, nil
}

type specPart struct {
	text string
	off  int // byte offset of text in the spec
}

func splitTopLevel(s string) []specPart {
	var out []specPart
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, specPart{s[start:i], start})
				start = i + 1
			}
		}
	}
	return append(out, specPart{s[start:], start})
}

// bindPartitionSpec turns user partition fields into an Iceberg spec over sc.
func bindPartitionSpec(sc *iceberg.Schema, fields []PartitionField) (*iceberg.PartitionSpec, error) {
	if len(fields) == 0 {
		return iceberg.UnpartitionedSpec, nil
	}
	pfs := make([]iceberg.PartitionField, 0, len(fields))
	seen := map[string]PartitionField{} // by partition field name
	timeOf := map[int]PartitionField{}  // year/month/day/hour field by source id
	for i, f := range fields {
		src, ok := sc.FindFieldByNameCaseInsensitive(f.Column)
		if !ok {
			return nil, fmt.Errorf("partition field %s: no column %q in the schema (%s)", f, f.Column, FormatSchema(sc))
		}
		switch f.Transform {
		case "year", "month", "day", "hour":
			if prev, ok := timeOf[src.ID]; ok {
				return nil, fmt.Errorf("partition field %s: column %s is already partitioned by %s; keep only one of year, month, day and hour per column", f, src.Name, prev)
			}
			timeOf[src.ID] = f
		}
		var tr iceberg.Transform
		name := src.Name
		switch f.Transform {
		case "identity":
			tr = iceberg.IdentityTransform{}
		case "year":
			tr, name = iceberg.YearTransform{}, src.Name+"_year"
		case "month":
			tr, name = iceberg.MonthTransform{}, src.Name+"_month"
		case "day":
			tr, name = iceberg.DayTransform{}, src.Name+"_day"
		case "hour":
			tr, name = iceberg.HourTransform{}, src.Name+"_hour"
		case "bucket":
			tr, name = iceberg.BucketTransform{NumBuckets: f.Width}, fmt.Sprintf("%s_bucket_%d", src.Name, f.Width)
		case "truncate":
			tr, name = iceberg.TruncateTransform{Width: f.Width}, fmt.Sprintf("%s_trunc_%d", src.Name, f.Width)
		default:
			return nil, fmt.Errorf("partition field %s: unknown transform %q", f, f.Transform)
		}
		if !tr.CanTransform(src.Type) {
			return nil, fmt.Errorf("partition field %s: transform %s cannot apply to column %s of type %s", f, f.Transform, src.Name, SQLType(src.Type))
		}
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("partition field %s: its name %s is already taken by partition field %s; remove one of them", f, name, prev)
		}
		seen[name] = f
		pfs = append(pfs, iceberg.PartitionField{SourceIDs: []int{src.ID}, FieldID: 1000 + i, Name: name, Transform: tr})
	}
	spec := iceberg.NewPartitionSpec(pfs...)
	return &spec, nil
}

// describePartitionSpec renders an Iceberg spec in ParsePartitionSpec syntax.
func describePartitionSpec(sc *iceberg.Schema, spec iceberg.PartitionSpec) []PartitionField {
	var out []PartitionField
	for _, f := range spec.Fields() {
		col := fmt.Sprint(f.SourceID())
		if src, ok := sc.FindFieldByID(f.SourceID()); ok {
			col = src.Name
		}
		pf := PartitionField{Column: col}
		switch t := f.Transform.(type) {
		case iceberg.IdentityTransform:
			pf.Transform = "identity"
		case iceberg.YearTransform:
			pf.Transform = "year"
		case iceberg.MonthTransform:
			pf.Transform = "month"
		case iceberg.DayTransform:
			pf.Transform = "day"
		case iceberg.HourTransform:
			pf.Transform = "hour"
		case iceberg.BucketTransform:
			pf.Transform, pf.Width = "bucket", t.NumBuckets
		case iceberg.TruncateTransform:
			pf.Transform, pf.Width = "truncate", t.Width
		default:
			pf.Transform = f.Transform.String()
		}
		out = append(out, pf)
	}
	return out
}
