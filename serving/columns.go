package serving

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/models"
)

// kind is how a column's values are decoded.
type kind uint8

const (
	kFloat64 kind = iota
	kFloat32
	kInt64
	kInt32
	kInt16
	kInt8
	kUint64
	kUint32
	kUint16
	kUint8
	kBool
	kString
	kLargeString
	kBinary
	kTimestamp
	kDate32
	kVector
	kList
	kOther // anything else: Arrow's AppendValueFromString
)

// colType describes one input column's decoding.
type colType struct {
	kind kind
	typ  arrow.DataType
	unit arrow.TimeUnit // kTimestamp
	elem *colType       // kList
	want string         // the MLflow type name, for messages
}

func newColType(t arrow.DataType) *colType {
	ct := &colType{typ: t}
	if mt, err := models.ArrowToType(t); err == nil {
		ct.want = mt.String()
	} else {
		ct.want = t.String()
	}
	if ml.IsVector(t) {
		ct.kind = kVector
		return ct
	}
	switch t.ID() {
	case arrow.FLOAT64:
		ct.kind = kFloat64
	case arrow.FLOAT32:
		ct.kind = kFloat32
	case arrow.INT64:
		ct.kind = kInt64
	case arrow.INT32:
		ct.kind = kInt32
	case arrow.INT16:
		ct.kind = kInt16
	case arrow.INT8:
		ct.kind = kInt8
	case arrow.UINT64:
		ct.kind = kUint64
	case arrow.UINT32:
		ct.kind = kUint32
	case arrow.UINT16:
		ct.kind = kUint16
	case arrow.UINT8:
		ct.kind = kUint8
	case arrow.BOOL:
		ct.kind = kBool
	case arrow.STRING:
		ct.kind = kString
	case arrow.LARGE_STRING:
		ct.kind = kLargeString
	case arrow.BINARY:
		ct.kind = kBinary
	case arrow.TIMESTAMP:
		ct.kind, ct.unit = kTimestamp, t.(*arrow.TimestampType).Unit
	case arrow.DATE32:
		ct.kind = kDate32
	case arrow.LIST:
		ct.kind, ct.elem = kList, newColType(t.(*arrow.ListType).Elem())
	default:
		ct.kind = kOther
	}
	return ct
}

// cellError is a value of the wrong type or out of range; the decoder
// adds the column and row.
type cellError struct {
	got  string
	want string
}

func (e *cellError) Error() string { return "got " + e.got + ", want " + e.want }

// colBuilder accumulates one column of a request.
type colBuilder struct {
	t  *colType
	b  array.Builder     // nil for vectors
	vb *ml.VectorBuilder // vectors
}

func newColBuilder(t *colType) colBuilder {
	if t.kind == kVector {
		return colBuilder{t: t, vb: ml.NewVectorBuilder(memory.DefaultAllocator)}
	}
	return colBuilder{t: t, b: array.NewBuilder(memory.DefaultAllocator, t.typ)}
}

func (c *colBuilder) appendNull() {
	if c.vb != nil {
		c.vb.AppendNull()
		return
	}
	c.b.AppendNull()
}

func (c *colBuilder) newArray() arrow.Array {
	if c.vb != nil {
		return c.vb.NewArray()
	}
	return c.b.NewArray()
}

// discard empties the builder after a failed request.
func (c *colBuilder) discard() { c.newArray().Release() }

// describe names the JSON value at the scanner's position, for errors.
func describe(s *scanner) string {
	switch c := s.peek(); c {
	case '"':
		start := s.pos
		v, err := s.str()
		s.pos = start
		if err != nil {
			return "a string"
		}
		if len(v) > 40 {
			return fmt.Sprintf("string %q…", v[:40])
		}
		return fmt.Sprintf("string %q", v)
	case 't', 'f':
		return "a boolean"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 0:
		return "the end of input"
	default:
		start := s.pos
		n, err := s.number()
		s.pos = start
		if err != nil {
			return fmt.Sprintf("%q", c)
		}
		return "number " + string(n)
	}
}

// appendJSON reads one JSON value into c.
func (d *decoder) appendJSON(c *colBuilder) error {
	s := &d.sc
	if s.peek() == 'n' {
		if err := s.literal("null"); err != nil {
			return err
		}
		c.appendNull()
		return nil
	}
	if c.vb != nil {
		return d.appendVector(c)
	}
	return d.appendValue(c.t, c.b)
}

func (d *decoder) wrongType(t *colType) error {
	return &cellError{got: describe(&d.sc), want: t.want}
}

func isNumberStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') || c == 'N' || c == 'I' }

func (d *decoder) appendValue(t *colType, b array.Builder) error {
	s := &d.sc
	c := s.peek()
	if c == 'n' {
		if err := s.literal("null"); err != nil {
			return err
		}
		b.AppendNull()
		return nil
	}
	switch t.kind {
	case kFloat64, kFloat32:
		if !isNumberStart(c) {
			return d.wrongType(t)
		}
		num, err := s.number()
		if err != nil {
			return err
		}
		f, err := parseFloat(num)
		if err != nil {
			return &cellError{got: "number " + string(num), want: t.want}
		}
		if t.kind == kFloat64 {
			b.(*array.Float64Builder).Append(f)
		} else {
			b.(*array.Float32Builder).Append(float32(f))
		}
		return nil
	case kInt64, kInt32, kInt16, kInt8, kUint64, kUint32, kUint16, kUint8:
		if !isNumberStart(c) {
			return d.wrongType(t)
		}
		num, err := s.number()
		if err != nil {
			return err
		}
		return appendInt(t, b, num)
	case kBool:
		switch c {
		case 't':
			if err := s.literal("true"); err != nil {
				return err
			}
			b.(*array.BooleanBuilder).Append(true)
		case 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
			b.(*array.BooleanBuilder).Append(false)
		default:
			return d.wrongType(t)
		}
		return nil
	case kString, kLargeString, kBinary, kTimestamp, kDate32:
		if c != '"' {
			if (t.kind == kTimestamp || t.kind == kDate32) && isNumberStart(c) {
				num, err := s.number()
				if err != nil {
					return err
				}
				return appendEpochMillis(t, b, num)
			}
			return d.wrongType(t)
		}
		v, err := s.str()
		if err != nil {
			return err
		}
		return d.appendText(t, b, v)
	case kList:
		if c != '[' {
			return d.wrongType(t)
		}
		lb := b.(*array.ListBuilder)
		if err := s.enter(); err != nil {
			return err
		}
		s.pos++
		lb.Append(true)
		vb := lb.ValueBuilder()
		for first := true; ; first = false {
			ok, err := s.more(']', first)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := d.appendValue(t.elem, vb); err != nil {
				return err
			}
		}
		s.leave()
		return nil
	}
	// kOther: hand the token's text to Arrow.
	var text []byte
	var err error
	switch {
	case c == '"':
		text, err = s.str()
	case c == 't':
		err, text = s.literal("true"), []byte("true")
	case c == 'f':
		err, text = s.literal("false"), []byte("false")
	case isNumberStart(c):
		text, err = s.number()
	default:
		return d.wrongType(t)
	}
	if err != nil {
		return err
	}
	if err := b.AppendValueFromString(string(text)); err != nil {
		return &cellError{got: fmt.Sprintf("%q", text), want: t.want}
	}
	return nil
}

func (d *decoder) appendVector(c *colBuilder) error {
	s := &d.sc
	if s.peek() != '[' {
		return d.wrongType(c.t)
	}
	s.pos++
	vals := d.fbuf[:0]
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if !isNumberStart(s.peek()) {
			return &cellError{got: "an array holding " + describe(s), want: "array<double>"}
		}
		num, err := s.number()
		if err != nil {
			return err
		}
		f, err := parseFloat(num)
		if err != nil {
			return &cellError{got: "an array holding number " + string(num), want: "array<double>"}
		}
		vals = append(vals, f)
	}
	d.fbuf = vals
	c.vb.Append(ml.Vector{Size: len(vals), Values: vals})
	return nil
}

// appendText appends a value given as text (a JSON string, a CSV cell)
// to a column of a string, binary, date or timestamp type.
func (d *decoder) appendText(t *colType, b array.Builder, v []byte) error {
	switch t.kind {
	case kString:
		b.(*array.StringBuilder).BinaryBuilder.Append(v)
	case kLargeString:
		b.(*array.LargeStringBuilder).BinaryBuilder.Append(v)
	case kBinary:
		n := base64.StdEncoding.DecodedLen(len(v))
		if cap(d.bbuf) < n {
			d.bbuf = make([]byte, n)
		}
		k, err := base64.StdEncoding.Decode(d.bbuf[:n], v)
		if err != nil {
			return &cellError{got: "a string that is not base64", want: t.want + " (base64)"}
		}
		b.(*array.BinaryBuilder).Append(d.bbuf[:k])
	case kTimestamp, kDate32:
		tm, err := parseTime(string(v))
		if err != nil {
			return &cellError{got: fmt.Sprintf("string %q", v), want: t.want + " (ISO 8601, e.g. 2024-05-01T12:00:00)"}
		}
		if t.kind == kDate32 {
			b.(*array.Date32Builder).Append(arrow.Date32FromTime(tm))
			return nil
		}
		ts, err := arrow.TimestampFromTime(tm, t.unit)
		if err != nil {
			return &cellError{got: fmt.Sprintf("string %q", v), want: t.want + " in range"}
		}
		b.(*array.TimestampBuilder).Append(ts)
	default:
		return fmt.Errorf("internal: appendText on %s", t.typ)
	}
	return nil
}

func appendEpochMillis(t *colType, b array.Builder, num []byte) error {
	ms, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return &cellError{got: "number " + string(num), want: t.want + " (ISO 8601 string or epoch milliseconds)"}
	}
	tm := time.UnixMilli(ms).UTC()
	if t.kind == kDate32 {
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(tm))
		return nil
	}
	ts, err := arrow.TimestampFromTime(tm, t.unit)
	if err != nil {
		return &cellError{got: "number " + string(num), want: t.want + " in range"}
	}
	b.(*array.TimestampBuilder).Append(ts)
	return nil
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func parseTime(s string) (time.Time, error) {
	var err error
	for _, l := range timeLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// parseFloat parses a JSON number (or NaN, Infinity, -Infinity).
func parseFloat(num []byte) (float64, error) {
	switch string(num) {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(string(num), 64)
}

// appendInt parses an integer (1.0 and 1e3 count as integers, as pandas
// reads them) and checks the column type's range.
func appendInt(t *colType, b array.Builder, num []byte) error {
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		f, ferr := parseFloat(num)
		if ferr != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			if t.kind == kUint64 {
				if u, uerr := strconv.ParseUint(string(num), 10, 64); uerr == nil {
					b.(*array.Uint64Builder).Append(u)
					return nil
				}
			}
			return &cellError{got: "number " + string(num), want: t.want + " (a whole number)"}
		}
		v = int64(f)
	}
	out := func() error {
		return &cellError{got: "number " + string(num), want: t.want + " in range of " + strings.ToLower(t.typ.String())}
	}
	switch t.kind {
	case kInt64:
		b.(*array.Int64Builder).Append(v)
	case kInt32:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return out()
		}
		b.(*array.Int32Builder).Append(int32(v))
	case kInt16:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return out()
		}
		b.(*array.Int16Builder).Append(int16(v))
	case kInt8:
		if v < math.MinInt8 || v > math.MaxInt8 {
			return out()
		}
		b.(*array.Int8Builder).Append(int8(v))
	case kUint64:
		if v < 0 {
			return out()
		}
		b.(*array.Uint64Builder).Append(uint64(v))
	case kUint32:
		if v < 0 || v > math.MaxUint32 {
			return out()
		}
		b.(*array.Uint32Builder).Append(uint32(v))
	case kUint16:
		if v < 0 || v > math.MaxUint16 {
			return out()
		}
		b.(*array.Uint16Builder).Append(uint16(v))
	case kUint8:
		if v < 0 || v > math.MaxUint8 {
			return out()
		}
		b.(*array.Uint8Builder).Append(uint8(v))
	}
	return nil
}
