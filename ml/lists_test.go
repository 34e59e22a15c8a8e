package ml_test

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

func TestStringListsRoundTrip(t *testing.T) {
	rows := [][]string{{"a", "bc"}, nil, {}, {"", "é"}}
	valid := []bool{true, false, true, true}
	col := ml.StringListColumn(rows, valid)
	if !ml.IsStringList(col.DataType()) || col.Len() != 4 {
		t.Fatalf("column %s of %d rows", col.DataType(), col.Len())
	}
	got, gotValid, err := ml.StringLists(col)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if gotValid[i] != valid[i] || strings.Join(got[i], "|") != strings.Join(rows[i], "|") || (valid[i] && got[i] == nil) {
			t.Errorf("row %d: got %q (valid %v), want %q (valid %v)", i, got[i], gotValid[i], rows[i], valid[i])
		}
	}
}

func TestStringListsNullElement(t *testing.T) {
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	lb.Append(true)
	vb.Append("a")
	lb.Append(true)
	vb.Append("b")
	vb.AppendNull()
	a := lb.NewArray()
	_, _, err := ml.StringLists(arrow.NewChunked(a.DataType(), []arrow.Array{a}))
	if err == nil || !strings.Contains(err.Error(), "row 2: element 2 is NULL") {
		t.Fatalf("error %v; want it to name row 2, element 2", err)
	}
}

func BenchmarkStringListColumn(b *testing.B) {
	rows := make([][]string, 100_000)
	for i := range rows {
		rows[i] = []string{"spam", "ham", "eggs", "toast"}
	}
	b.ReportAllocs()
	for b.Loop() {
		ml.StringListColumn(rows, nil)
	}
}
