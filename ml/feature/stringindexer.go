package feature

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// StringIndexerParams are StringIndexer's params (Spark's names).
type StringIndexerParams struct {
	InputCol        string `param:"inputCol" doc:"string (or integer/boolean) column to index"`
	OutputCol       string `param:"outputCol" doc:"double column of label indices"`
	HandleInvalid   string `param:"handleInvalid" doc:"unseen or NULL labels: error, skip (drop the row) or keep (index numLabels)"`
	StringOrderType string `param:"stringOrderType" doc:"frequencyDesc, frequencyAsc, alphabetDesc or alphabetAsc; frequency ties break alphabetically"`
}

// Validate checks the params.
func (p StringIndexerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	switch p.HandleInvalid {
	case "error", "skip", "keep":
	default:
		return fmt.Errorf("handleInvalid %q: use error, skip or keep", p.HandleInvalid)
	}
	return checkOrderType("stringOrderType", p.StringOrderType)
}

// StringIndexer maps a column's distinct values to indices 0, 1, … in the
// order stringOrderType gives (most frequent first by default).
type StringIndexer struct {
	P StringIndexerParams
}

var _ ml.Estimator = (*StringIndexer)(nil)

// NewStringIndexer returns a StringIndexer with Spark's defaults.
func NewStringIndexer() *StringIndexer {
	return &StringIndexer{P: StringIndexerParams{HandleInvalid: "error", StringOrderType: "frequencyDesc"}}
}

// StageName returns "StringIndexer".
func (s *StringIndexer) StageName() string { return "StringIndexer" }

// Params returns the params.
func (s *StringIndexer) Params() any { return &s.P }

// TransformSchema checks the input column and adds the output column.
func (s *StringIndexer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return indexerSchema(s.P, in, nil)
}

func indexerSchema(p StringIndexerParams, in *arrow.Schema, labels []string) (*arrow.Schema, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	idx := in.FieldIndices(p.InputCol)
	if len(idx) == 0 {
		return nil, fmt.Errorf("no input column %q; columns are %s", p.InputCol, strings.Join(ml.ColumnNames(in), ", "))
	}
	switch t := in.Field(idx[0]).Type; t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BOOL,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
	default:
		return nil, fmt.Errorf("input column %q has type %s; want a string, integer or boolean column", p.InputCol, t)
	}
	if len(in.FieldIndices(p.OutputCol)) > 0 {
		return nil, fmt.Errorf("output column %q already exists", p.OutputCol)
	}
	return arrow.NewSchema(append(in.Fields(), nominalField(p.OutputCol, labels)), nil), nil
}

// nominalField is a double column carrying Spark's ML attribute metadata
// (ml_attr: nominal with the label values), which later stages (trees,
// IndexToString) read.
func nominalField(name string, labels []string) arrow.Field {
	f := arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	if labels != nil {
		attr, _ := json.Marshal(map[string]any{"ml_attr": map[string]any{"type": "nominal", "name": name, "vals": labels}})
		f.Metadata = arrow.NewMetadata([]string{"ml_attr"}, []string{string(attr)})
	}
	return f
}

// labelStrings reads the column's values as strings; valid[i] is false for
// NULL.
func labelStrings(col *arrow.Chunked) ([]string, []bool, error) {
	var vals []string
	var valid []bool
	for _, c := range col.Chunks() {
		for i := 0; i < c.Len(); i++ {
			if c.IsNull(i) {
				vals, valid = append(vals, ""), append(valid, false)
				continue
			}
			var s string
			switch a := c.(type) {
			case *array.String:
				s = strings.Clone(a.Value(i))
			case *array.LargeString:
				s = strings.Clone(a.Value(i))
			case *array.StringView:
				s = strings.Clone(a.Value(i))
			case *array.Boolean:
				s = strconv.FormatBool(a.Value(i))
			default:
				s = c.ValueStr(i)
			}
			vals, valid = append(vals, s), append(valid, true)
		}
	}
	return vals, valid, nil
}

// Fit counts the labels and orders them.
func (s *StringIndexer) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	col, _ := f.Column(s.P.InputCol)
	vals, valid, err := labelStrings(col)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for i, v := range vals {
		if valid[i] {
			counts[v]++
		}
	}
	if len(counts) == 0 {
		return nil, fmt.Errorf("column %q has no non-NULL values to index", s.P.InputCol)
	}
	return &StringIndexerModel{P: s.P, Labels: sortLabels(counts, s.P.StringOrderType)}, nil
}

// sortLabels orders distinct values by a stringOrderType; frequency ties
// break alphabetically.
func sortLabels(counts map[string]int, order string) []string {
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.SortFunc(labels, func(a, b string) int {
		switch order {
		case "frequencyAsc":
			return cmp.Or(cmp.Compare(counts[a], counts[b]), strings.Compare(a, b))
		case "alphabetDesc":
			return strings.Compare(b, a)
		case "alphabetAsc":
			return strings.Compare(a, b)
		default:
			return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(a, b))
		}
	})
	return labels
}

// checkOrderType validates a stringOrderType-like param.
func checkOrderType(param, v string) error {
	switch v {
	case "frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc":
		return nil
	}
	return fmt.Errorf("%s %q: use frequencyDesc, frequencyAsc, alphabetDesc or alphabetAsc", param, v)
}

// StringIndexerModel maps labels to their indices.
type StringIndexerModel struct {
	P      StringIndexerParams
	Labels []string // index → label; not to be changed once the model is in use

	memo fieldMemo // the output field for the current params
}

// outField is the output column's field (memoized: its ml_attr JSON is
// the same for every call with the same params).
func (m *StringIndexerModel) outField() arrow.Field {
	return m.memo.get(m.P.OutputCol+"\x00"+m.P.HandleInvalid+"\x00"+strconv.Itoa(len(m.Labels)), func() arrow.Field {
		return nominalField(m.P.OutputCol, m.labelsOut())
	})
}

var _ ml.Model = (*StringIndexerModel)(nil)

// StageName returns "StringIndexerModel".
func (m *StringIndexerModel) StageName() string { return "StringIndexerModel" }

// Params returns the params.
func (m *StringIndexerModel) Params() any { return &m.P }

// TransformSchema adds the output column, with the labels as metadata.
//
// As in Spark, a fitted indexer whose input column is absent passes the
// frame through unchanged: a pipeline that indexes its label can score
// rows that have no label (serving, batch prediction). A later stage that
// reads the missing output column still fails, naming it.
func (m *StringIndexerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if m.skipsMissing(in) {
		return in, nil
	}
	if _, err := indexerSchema(m.P, in, nil); err != nil {
		return nil, err
	}
	return ml.AddFields(in, m.outField())
}

// skipsMissing reports whether in lacks the input column (and the output
// column), so Transform passes the frame through.
func (m *StringIndexerModel) skipsMissing(in *arrow.Schema) bool {
	return len(in.FieldIndices(m.P.InputCol)) == 0 && len(in.FieldIndices(m.P.OutputCol)) == 0 && m.P.Validate() == nil
}

func (m *StringIndexerModel) labelsOut() []string {
	if m.P.HandleInvalid == "keep" {
		return append(slices.Clone(m.Labels), "__unknown")
	}
	return m.Labels
}

// Transform adds the index column.
func (m *StringIndexerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if m.skipsMissing(f.Schema()) {
		return f, nil
	}
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	index := make(map[string]int, len(m.Labels))
	for i, l := range m.Labels {
		index[l] = i
	}
	col, _ := f.Column(m.P.InputCol)
	vals, valid, err := labelStrings(col)
	if err != nil {
		return nil, err
	}
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	keep := make([]bool, len(vals))
	dropped := 0
	for r, v := range vals {
		i, ok := index[v]
		if !valid[r] || !ok {
			switch m.P.HandleInvalid {
			case "error":
				what := fmt.Sprintf("unseen label %q", v)
				if !valid[r] {
					what = "NULL"
				}
				return nil, fmt.Errorf("column %s, row %d: %s; set handleInvalid to skip or keep, or fit on data that has it", m.P.InputCol, r+1, what)
			case "skip":
				dropped++
				continue
			default:
				i = len(m.Labels)
			}
		}
		keep[r] = true
		b.Append(float64(i))
	}
	out := b.NewArray()
	defer out.Release()
	src := f
	if dropped > 0 {
		if src, err = f.Filter(ctx, keep); err != nil {
			return nil, err
		}
	}
	return src.WithColumn(m.outField(), arrow.NewChunked(out.DataType(), []arrow.Array{out}))
}
