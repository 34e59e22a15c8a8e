package bench

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Table is a Markdown table whose columns are padded to line up in a
// terminal too.
type Table struct {
	Header []string
	Rows   [][]string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Markdown renders the table.
func (t *Table) Markdown() string {
	width := make([]int, len(t.Header))
	all := append([][]string{t.Header}, t.Rows...)
	for _, r := range all {
		for i, c := range r {
			if i < len(width) {
				width[i] = max(width[i], utf8.RuneCountInString(c))
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := range width {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)) + " |")
		}
		b.WriteString("\n")
	}
	line(t.Header)
	b.WriteString("|")
	for _, w := range width {
		b.WriteString(strings.Repeat("-", w+2) + "|")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		line(r)
	}
	return b.String()
}

// Ms formats a duration in milliseconds with three significant digits.
func Ms(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}

// Rate formats rows per second.
func Rate(rowsPerSec float64) string {
	return fmt.Sprintf("%.2f M rows/s", rowsPerSec/1e6)
}

// MB formats bytes in megabytes (10^6).
func MB(bytes int64) string { return fmt.Sprintf("%.0f MB", float64(bytes)/1e6) }

// Ratio formats a/b as "1.23×" ("n/a" when b is 0).
func Ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// Verdict is "yes" when ok, else "**no**".
func Verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
