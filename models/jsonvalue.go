package models

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
)

// AppendJSON appends the JSON form of row i of a to dst, the way MLflow's
// scoring server writes values: numbers (floats as Python prints them:
// 1.0, 0.25, 1e-05), null for NULL, NaN and ±Inf (which JSON lacks),
// strings, base64 for binary, ISO 8601 for dates and timestamps, lists of
// numbers for vectors (dense form) and lists. It does not allocate beyond
// growing dst. Types it cannot write are an error naming the type.
func AppendJSON(dst []byte, a arrow.Array, i int) ([]byte, error) {
	if a.IsNull(i) {
		return append(dst, "null"...), nil
	}
	switch c := a.(type) {
	case *array.Float64:
		return AppendFloat(dst, c.Value(i)), nil
	case *array.Float32:
		return appendFloat32(dst, c.Value(i)), nil
	case *array.Int64:
		return strconv.AppendInt(dst, c.Value(i), 10), nil
	case *array.Int32:
		return strconv.AppendInt(dst, int64(c.Value(i)), 10), nil
	case *array.Int16:
		return strconv.AppendInt(dst, int64(c.Value(i)), 10), nil
	case *array.Int8:
		return strconv.AppendInt(dst, int64(c.Value(i)), 10), nil
	case *array.Uint64:
		return strconv.AppendUint(dst, c.Value(i), 10), nil
	case *array.Uint32:
		return strconv.AppendUint(dst, uint64(c.Value(i)), 10), nil
	case *array.Uint16:
		return strconv.AppendUint(dst, uint64(c.Value(i)), 10), nil
	case *array.Uint8:
		return strconv.AppendUint(dst, uint64(c.Value(i)), 10), nil
	case *array.Boolean:
		return strconv.AppendBool(dst, c.Value(i)), nil
	case *array.String:
		return AppendString(dst, c.Value(i)), nil
	case *array.LargeString:
		return AppendString(dst, c.Value(i)), nil
	case *array.Binary:
		return appendBase64(dst, c.Value(i)), nil
	case *array.LargeBinary:
		return appendBase64(dst, c.Value(i)), nil
	case *array.Decimal128:
		return AppendFloat(dst, c.Value(i).ToFloat64(c.DataType().(*arrow.Decimal128Type).Scale)), nil
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		t := c.Value(i).ToTime(unit)
		return appendTime(dst, t, c.DataType().(*arrow.TimestampType).TimeZone != ""), nil
	case *array.Date32:
		dst = append(dst, '"')
		dst = c.Value(i).ToTime().AppendFormat(dst, "2006-01-02")
		return append(dst, '"'), nil
	case *array.Date64:
		dst = append(dst, '"')
		dst = c.Value(i).ToTime().AppendFormat(dst, "2006-01-02")
		return append(dst, '"'), nil
	case *array.Struct:
		if ml.IsVector(c.DataType()) {
			return appendVector(dst, c, i)
		}
	case array.ListLike:
		s, e := c.ValueOffsets(i)
		vals := c.ListValues()
		dst = append(dst, '[')
		for k := s; k < e; k++ {
			if k > s {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = AppendJSON(dst, vals, int(k)); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	return dst, fmt.Errorf("cannot write Arrow type %s as JSON", a.DataType())
}

// appendVector writes row i of a vector column as a dense list.
func appendVector(dst []byte, s *array.Struct, i int) ([]byte, error) {
	typ, ok1 := s.Field(0).(*array.Int8)
	size, ok2 := s.Field(1).(*array.Int32)
	ind, ok3 := s.Field(2).(*array.List)
	val, ok4 := s.Field(3).(*array.List)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return dst, fmt.Errorf("malformed vector column")
	}
	iv, ok5 := ind.ListValues().(*array.Int32)
	vv, ok6 := val.ListValues().(*array.Float64)
	if !ok5 || !ok6 {
		return dst, fmt.Errorf("malformed vector column")
	}
	vs, ve := val.ValueOffsets(i)
	values := vv.Float64Values()[vs:ve]
	dst = append(dst, '[')
	if typ.Value(i) != 0 { // dense
		for k, v := range values {
			if k > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendFloat(dst, v)
		}
		return append(dst, ']'), nil
	}
	is, ie := ind.ValueOffsets(i)
	indices := iv.Int32Values()[is:ie]
	if len(indices) != len(values) {
		return dst, fmt.Errorf("malformed sparse vector at row %d", i+1)
	}
	n := int(size.Value(i))
	k := 0
	for j := 0; j < n; j++ {
		if j > 0 {
			dst = append(dst, ", "...)
		}
		if k < len(indices) && int(indices[k]) == j {
			dst = AppendFloat(dst, values[k])
			k++
			continue
		}
		dst = append(dst, "0.0"...)
	}
	return append(dst, ']'), nil
}

// AppendFloat appends v as Python's repr prints a float (1.0, 0.25,
// 1e-05, 1e+16), or null for NaN and ±Inf.
func AppendFloat(dst []byte, v float64) []byte {
	return appendFloatBits(dst, v, 64)
}

func appendFloat32(dst []byte, v float32) []byte { return appendFloatBits(dst, float64(v), 32) }

func appendFloatBits(dst []byte, v float64, bits int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(v)
	start := len(dst)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		dst = strconv.AppendFloat(dst, v, 'e', -1, bits)
		// Python writes 1e-05 and 1e+16: at least two exponent digits,
		// which Go's 'e' format already gives.
		return dst
	}
	dst = strconv.AppendFloat(dst, v, 'f', -1, bits)
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

// AppendString appends s as a JSON string.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendBase64(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

func appendTime(dst []byte, t time.Time, zoned bool) []byte {
	dst = append(dst, '"')
	if zoned {
		dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	} else {
		dst = t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.999999999")
	}
	return append(dst, '"')
}
