package loadtest

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table is a plain-text table with a header row and left-aligned columns.
type Table struct {
	Header []string
	Rows   [][]string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write prints t to w, columns padded to their widest cell and separated
// by two spaces, with a rule under the header.
func (t *Table) Write(w io.Writer) error {
	widths := make([]int, len(t.Header))
	measure := func(row []string) {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	line := func(row []string) string {
		var b strings.Builder
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
	var b strings.Builder
	b.WriteString(line(t.Header) + "\n")
	total := 0
	for _, w := range widths {
		total += w + 2
	}
	b.WriteString(strings.Repeat("-", max(total-2, 0)) + "\n")
	for _, r := range t.Rows {
		b.WriteString(line(r) + "\n")
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}
