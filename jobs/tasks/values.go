package tasks

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/models"
)

// appendValue appends row i of a as JSON: numbers as numbers (decimals
// exactly; NaN and ±Inf as null), strings, booleans, null, timestamps as
// RFC 3339 strings (UTC; a timestamp without time zone is read as UTC),
// dates as YYYY-MM-DD, times as HH:MM:SS[.fff], lists as arrays, structs
// and maps as objects, ML vectors as arrays of numbers. Other types are
// written as their text.
func appendValue(dst []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	switch c := a.(type) {
	case *array.Timestamp:
		t := c.Value(i).ToTime(c.DataType().(*arrow.TimestampType).Unit)
		return strconv.AppendQuote(dst, t.UTC().Format(time.RFC3339Nano))
	case *array.Time32:
		return strconv.AppendQuote(dst, c.Value(i).FormattedString(c.DataType().(*arrow.Time32Type).Unit))
	case *array.Time64:
		return strconv.AppendQuote(dst, c.Value(i).FormattedString(c.DataType().(*arrow.Time64Type).Unit))
	case *array.Decimal128:
		return appendNumberText(dst, c.ValueStr(i))
	case *array.Decimal256:
		return appendNumberText(dst, c.ValueStr(i))
	case *array.Float16:
		return models.AppendFloat(dst, float64(c.Value(i).Float32()))
	case *array.Dictionary:
		return appendValue(dst, c.Dictionary(), c.GetValueIndex(i))
	case *array.Map:
		keys, items := c.Keys(), c.Items()
		s, e := c.ValueOffsets(i)
		dst = append(dst, '{')
		for k := s; k < e; k++ {
			if k > s {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, cellText(keys, int(k)))
			dst = append(dst, ':')
			dst = appendValue(dst, items, int(k))
		}
		return append(dst, '}')
	case *array.Struct:
		if ml.IsVector(c.DataType()) {
			break
		}
		st := c.DataType().(*arrow.StructType)
		dst = append(dst, '{')
		for f := 0; f < c.NumField(); f++ {
			if f > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, st.Field(f).Name)
			dst = append(dst, ':')
			dst = appendValue(dst, c.Field(f), i)
		}
		return append(dst, '}')
	case array.ListLike:
		s, e := c.ValueOffsets(i)
		vals := c.ListValues()
		dst = append(dst, '[')
		for k := s; k < e; k++ {
			if k > s {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, vals, int(k))
		}
		return append(dst, ']')
	}
	out, err := models.AppendJSON(dst, a, i)
	if err != nil {
		return appendJSONString(dst, a.ValueStr(i))
	}
	return out
}

// appendNumberText appends s when it is a JSON number, else s quoted.
func appendNumberText(dst []byte, s string) []byte {
	if json.Valid([]byte(s)) {
		return append(dst, s...)
	}
	return appendJSONString(dst, s)
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

// cellText is row i of a as text for the log: strings as they are, NULL,
// and everything else as its JSON form without quotes.
func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	// Arrow strings point into the batch's buffers, which the engine
	// reuses once the rows are read: copy them.
	switch c := a.(type) {
	case *array.String:
		return strings.Clone(c.Value(i))
	case *array.LargeString:
		return strings.Clone(c.Value(i))
	case *array.StringView:
		return strings.Clone(c.Value(i))
	case *array.Float64:
		v := c.Value(i)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	b := appendValue(nil, a, i)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) == nil {
			return s
		}
	}
	return string(b)
}

// rowValues returns row i of rec as values: column name → JSON. When
// names repeat, the first column wins.
func rowValues(rec arrow.RecordBatch, i int) values {
	out := make(values, rec.NumCols())
	for c := 0; c < int(rec.NumCols()); c++ {
		name := rec.ColumnName(c)
		if _, dup := out[name]; dup {
			continue
		}
		out[name] = appendValue(nil, rec.Column(c), i)
	}
	return out
}

// preview keeps the first rows of a query's result as text, for the log.
type preview struct {
	cols []string
	rows [][]string
	max  int
	n    int64 // every row seen
}

func (p *preview) add(rec arrow.RecordBatch) {
	if p.cols == nil {
		for c := 0; c < int(rec.NumCols()); c++ {
			p.cols = append(p.cols, rec.ColumnName(c))
		}
	}
	for r := 0; r < int(rec.NumRows()) && len(p.rows) < p.max; r++ {
		row := make([]string, rec.NumCols())
		for c := range row {
			row[c] = clipCell(cellText(rec.Column(c), r))
		}
		p.rows = append(p.rows, row)
	}
	p.n += rec.NumRows()
}

const maxCell = 40

func clipCell(s string) string {
	s = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
	if utf8.RuneCountInString(s) <= maxCell {
		return s
	}
	r := []rune(s)
	return string(r[:maxCell-1]) + "…"
}

// write prints the rows as an aligned text table, indented.
func (p *preview) write(w io.Writer) {
	if len(p.cols) == 0 {
		return
	}
	width := make([]int, len(p.cols))
	for c, name := range p.cols {
		width[c] = utf8.RuneCountInString(name)
	}
	for _, row := range p.rows {
		for c, cell := range row {
			width[c] = max(width[c], utf8.RuneCountInString(cell))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("  ")
		for c, cell := range cells {
			if c > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(cell)
			if c < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell)))
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(p.cols)
	sep := make([]string, len(p.cols))
	for c := range sep {
		sep[c] = strings.Repeat("-", width[c])
	}
	line(sep)
	for _, row := range p.rows {
		line(row)
	}
	if p.n > int64(len(p.rows)) {
		fmt.Fprintf(w, "  (%d rows, first %d shown)\n", p.n, len(p.rows))
	}
}
