package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// checkOutput validates an --output value.
func checkOutput(format string) error {
	switch format {
	case "table", "csv", "json":
		return nil
	}
	return fmt.Errorf("--output %q: use table, csv or json", format)
}

// grid is a small in-memory result for printing: column names and rows of
// cells (nil cell: NULL).
type grid struct {
	cols []string
	rows [][]any
}

// printRows prints every row of rdr in format. For "table" it prints an
// aligned table with a row count footer.
func printRows(w io.Writer, format string, rdr array.RecordReader) (int64, error) {
	sc := rdr.Schema()
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		names := make([]string, len(sc.Fields()))
		for i, f := range sc.Fields() {
			names[i] = f.Name
		}
		if err := cw.Write(names); err != nil {
			return 0, err
		}
		var n int64
		rec := make([]string, len(names))
		for rdr.Next() {
			b := rdr.RecordBatch()
			for r := 0; r < int(b.NumRows()); r++ {
				for c := range rec {
					col := b.Column(c)
					if col.IsNull(r) {
						rec[c] = ""
					} else {
						rec[c] = cellString(col, r)
					}
				}
				if err := cw.Write(rec); err != nil {
					return n, err
				}
				n++
			}
		}
		cw.Flush()
		return n, cw.Error()
	case "json":
		g, err := collect(rdr)
		if err != nil {
			return 0, err
		}
		return int64(len(g.rows)), writeJSONRows(w, g)
	default:
		g, err := collect(rdr)
		if err != nil {
			return 0, err
		}
		writeTable(w, g)
		return int64(len(g.rows)), nil
	}
}

func collect(rdr array.RecordReader) (*grid, error) {
	g := &grid{}
	for _, f := range rdr.Schema().Fields() {
		g.cols = append(g.cols, f.Name)
	}
	for rdr.Next() {
		b := rdr.RecordBatch()
		for r := 0; r < int(b.NumRows()); r++ {
			row := make([]any, b.NumCols())
			for c := range row {
				col := b.Column(c)
				if !col.IsNull(r) {
					// Values must not alias the batch's buffers, which the
					// reader frees on Next.
					switch v := col.GetOneForMarshal(r).(type) {
					case string:
						row[c] = strings.Clone(v)
					case []byte:
						row[c] = bytes.Clone(v)
					default:
						row[c] = v
					}
					if isTemporal(col.DataType()) || isDecimal(col.DataType()) {
						row[c] = cellString(col, r)
					}
				}
			}
			g.rows = append(g.rows, row)
		}
	}
	return g, rdr.Err()
}

func isTemporal(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME32, arrow.TIME64, arrow.DURATION, arrow.INTERVAL_MONTH_DAY_NANO:
		return true
	}
	return false
}

func isDecimal(t arrow.DataType) bool {
	return t.ID() == arrow.DECIMAL128 || t.ID() == arrow.DECIMAL256 || t.ID() == arrow.DECIMAL32 || t.ID() == arrow.DECIMAL64
}

// cellString renders one non-null value.
func cellString(col arrow.Array, r int) string {
	switch c := col.(type) {
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType)
		t := c.Value(r).ToTime(unit.Unit)
		if unit.TimeZone != "" {
			return t.UTC().Format("2006-01-02 15:04:05.999999Z07:00")
		}
		return t.UTC().Format("2006-01-02 15:04:05.999999")
	case *array.Date32:
		return c.Value(r).ToTime().Format("2006-01-02")
	case *array.String:
		return c.Value(r)
	case *array.Float64:
		return fmt.Sprint(c.Value(r))
	case *array.Float32:
		return fmt.Sprint(c.Value(r))
	}
	return col.ValueStr(r)
}

func writeJSONRows(w io.Writer, g *grid) error {
	// Keep column order: encode each object by hand.
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i, row := range g.rows {
		if i > 0 {
			io.WriteString(w, ",")
		}
		io.WriteString(w, "\n  {")
		for c, name := range g.cols {
			if c > 0 {
				io.WriteString(w, ", ")
			}
			k, _ := json.Marshal(name)
			v, err := json.Marshal(row[c])
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s: %s", k, v)
		}
		io.WriteString(w, "}")
	}
	if len(g.rows) > 0 {
		io.WriteString(w, "\n")
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

func display(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return v
	case []byte:
		return fmt.Sprintf("%x", v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}

// writeTable prints an aligned table; numbers align right.
func writeTable(w io.Writer, g *grid) {
	widths := make([]int, len(g.cols))
	cells := make([][]string, len(g.rows))
	right := make([]bool, len(g.cols))
	for c, name := range g.cols {
		widths[c] = utf8.RuneCountInString(name)
	}
	for r, row := range g.rows {
		cells[r] = make([]string, len(row))
		for c, v := range row {
			s := strings.ReplaceAll(display(v), "\n", `\n`)
			cells[r][c] = s
			if n := utf8.RuneCountInString(s); n > widths[c] {
				widths[c] = n
			}
			switch v.(type) {
			case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
				right[c] = true
			}
		}
	}
	line := func(vals []string) {
		for c, v := range vals {
			if c > 0 {
				io.WriteString(w, "  ")
			}
			pad := strings.Repeat(" ", widths[c]-utf8.RuneCountInString(v))
			if right[c] {
				io.WriteString(w, pad+v)
			} else if c == len(vals)-1 {
				io.WriteString(w, v)
			} else {
				io.WriteString(w, v+pad)
			}
		}
		io.WriteString(w, "\n")
	}
	line(g.cols)
	sep := make([]string, len(g.cols))
	for c := range sep {
		sep[c] = strings.Repeat("-", widths[c])
	}
	line(sep)
	for _, row := range cells {
		line(row)
	}
	fmt.Fprintf(w, "(%s)\n", plural(int64(len(g.rows)), "row"))
}

// printGrid prints a grid built by a command (not from Arrow).
func printGrid(w io.Writer, format string, g *grid) error {
	switch format {
	case "json":
		return writeJSONRows(w, g)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(g.cols)
		for _, row := range g.rows {
			rec := make([]string, len(row))
			for i, v := range row {
				if v != nil {
					rec[i] = display(v)
				}
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	default:
		writeTable(w, g)
		return nil
	}
}
