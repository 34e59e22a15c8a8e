package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// RFormulaParams are RFormula's params (Spark's names).
type RFormulaParams struct {
	Formula                string `param:"formula" doc:"R model formula: label ~ terms, e.g. y ~ a + b + a:b + . - c (see RFormula)"`
	FeaturesCol            string `param:"featuresCol" doc:"vector column of the encoded terms"`
	LabelCol               string `param:"labelCol" doc:"double column of the label"`
	HandleInvalid          string `param:"handleInvalid" doc:"NULL values and unseen categories: error, skip (drop the row) or keep (NaN / an extra category)"`
	ForceIndexLabel        bool   `param:"forceIndexLabel" doc:"index a numeric label like a string one"`
	StringIndexerOrderType string `param:"stringIndexerOrderType" doc:"category order of string columns: frequencyDesc, frequencyAsc, alphabetDesc or alphabetAsc; the last is dropped"`
}

// Validate checks the params and parses the formula.
func (p RFormulaParams) Validate() error {
	if _, err := ParseFormula(p.Formula); err != nil {
		return err
	}
	if p.FeaturesCol == "" || p.LabelCol == "" {
		return errors.New("featuresCol and labelCol must be set")
	}
	switch p.HandleInvalid {
	case "error", "skip", "keep":
	default:
		return fmt.Errorf("handleInvalid %q: use error, skip or keep", p.HandleInvalid)
	}
	return checkOrderType("stringIndexerOrderType", p.StringIndexerOrderType)
}

// Formula is a parsed R model formula.
type Formula struct {
	Label     string
	Terms     []FormulaTerm // in order, before "-" removals are applied
	Intercept bool          // false after "- 1" or "+ 0"
}

// FormulaTerm is one additive term: a column, "." (every other column),
// or an interaction a:b:…; Remove marks a "- term".
type FormulaTerm struct {
	Cols   []string
	Remove bool
}

// ParseFormula parses "label ~ a + b + a:b + . - c - 1". Column names are
// letters, digits, _ and $, or any text in backquotes (`my col`).
func ParseFormula(s string) (*Formula, error) {
	toks, err := formulaTokens(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, errors.New("formula is empty; write e.g. label ~ a + b")
	}
	f := &Formula{Intercept: true}
	i := 0
	at := func() string {
		if i < len(toks) {
			return fmt.Sprintf("%q at column %d", toks[i].text, toks[i].pos+1)
		}
		return "the end"
	}
	if toks[i].kind != tokName || i+1 >= len(toks) || toks[i+1].text != "~" {
		return nil, fmt.Errorf("formula %q: want `label ~ terms`, found %s", s, at())
	}
	f.Label = toks[0].text
	i = 2
	sign := "+"
	if i < len(toks) && (toks[i].text == "-" || toks[i].text == "+") {
		sign = toks[i].text
		i++
	}
	for {
		if i >= len(toks) {
			return nil, fmt.Errorf("formula %q: a term is missing at the end", s)
		}
		t := toks[i]
		switch {
		case t.kind == tokNumber:
			switch {
			case t.text == "0" && sign == "+", t.text == "1" && sign == "-":
				f.Intercept = false
			case t.text == "1" && sign == "+", t.text == "0" && sign == "-":
				f.Intercept = true
			default:
				return nil, fmt.Errorf("formula %q: number %s at column %d; only 0 and 1 (the intercept) may appear", s, t.text, t.pos+1)
			}
			i++
		case t.kind == tokName || t.text == ".":
			term := FormulaTerm{Remove: sign == "-"}
			for {
				if i >= len(toks) || (toks[i].kind != tokName && toks[i].text != ".") {
					return nil, fmt.Errorf("formula %q: want a column name, found %s", s, at())
				}
				term.Cols = append(term.Cols, toks[i].text)
				i++
				if i < len(toks) && toks[i].text == ":" {
					i++
					continue
				}
				break
			}
			if len(term.Cols) > 1 && slices.Contains(term.Cols, ".") {
				return nil, fmt.Errorf("formula %q: \".\" cannot be part of an interaction", s)
			}
			f.Terms = append(f.Terms, term)
		default:
			return nil, fmt.Errorf("formula %q: want a term, found %s", s, at())
		}
		if i >= len(toks) {
			break
		}
		if toks[i].text != "+" && toks[i].text != "-" {
			return nil, fmt.Errorf("formula %q: want + or -, found %s", s, at())
		}
		sign = toks[i].text
		i++
	}
	return f, nil
}

const (
	tokName = iota
	tokNumber
	tokOp
)

type formulaToken struct {
	kind int
	text string
	pos  int
}

func formulaTokens(s string) ([]formulaToken, error) {
	var out []formulaToken
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case strings.ContainsRune("~+-:.", r):
			out = append(out, formulaToken{tokOp, string(r), i})
			i++
		case r == '`':
			j := i + 1
			for j < len(rs) && rs[j] != '`' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("formula %q: backquote at column %d is not closed", s, i+1)
			}
			if j == i+1 {
				return nil, fmt.Errorf("formula %q: empty `` name at column %d", s, i+1)
			}
			out = append(out, formulaToken{tokName, string(rs[i+1 : j]), i})
			i = j + 1
		case unicode.IsDigit(r):
			j := i
			for j < len(rs) && unicode.IsDigit(rs[j]) {
				j++
			}
			if j < len(rs) && (unicode.IsLetter(rs[j]) || rs[j] == '_') {
				for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '$') {
					j++
				}
				out = append(out, formulaToken{tokName, string(rs[i:j]), i})
			} else {
				out = append(out, formulaToken{tokNumber, string(rs[i:j]), i})
			}
			i = j
		case unicode.IsLetter(r) || r == '_' || r == '$':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '$') {
				j++
			}
			out = append(out, formulaToken{tokName, string(rs[i:j]), i})
			i = j
		default:
			return nil, fmt.Errorf("formula %q: unexpected %q at column %d", s, r, i+1)
		}
	}
	return out, nil
}

// RFormula is Spark's RFormula: it turns an R model formula into a
// features vector and a label column. String columns are indexed
// (stringIndexerOrderType) and one-hot encoded with the last category
// dropped; numeric and boolean columns are used as they are, vector
// columns element by element. An interaction a:b multiplies the encoded
// values of its columns (a string column inside an interaction keeps all
// its categories, as Spark's Interaction does). "." means every column
// but the label; "- term" removes a term; "- 1" or "+ 0" drops the
// intercept, in which case the first string main effect keeps all its
// categories (R's and Spark's convention). A string label is indexed like
// StringIndexer; a numeric one is cast to double unless forceIndexLabel.
type RFormula struct {
	P RFormulaParams
}

var _ ml.Estimator = (*RFormula)(nil)

// NewRFormula returns an RFormula with Spark's defaults.
func NewRFormula() *RFormula {
	return &RFormula{P: RFormulaParams{FeaturesCol: "features", LabelCol: "label", HandleInvalid: "error", StringIndexerOrderType: "frequencyDesc"}}
}

// StageName returns "RFormula".
func (r *RFormula) StageName() string { return "RFormula" }

// Params returns the params.
func (r *RFormula) Params() any { return &r.P }

// rfColumn is how one input column is encoded.
type rfColumn struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"` // numeric | string | vector
	Levels []string `json:"levels,omitempty"`
	Size   int      `json:"size,omitempty"`
}

// rfTerm is one resolved term: indices into the column list, and whether
// string columns drop their last level.
type rfTerm struct {
	Cols     []int `json:"cols"`
	DropLast bool  `json:"dropLast"`
}

type rfPlan struct {
	Columns     []rfColumn `json:"columns"`
	Terms       []rfTerm   `json:"terms"`
	Label       string     `json:"label"`
	LabelLevels []string   `json:"labelLevels,omitempty"` // indexed label
	LabelKind   string     `json:"labelKind"`             // numeric | string | none
}

// resolve expands the formula against a schema into terms of column
// names (deduplicated, removals applied).
func (p RFormulaParams) resolve(sc *arrow.Schema) (*Formula, [][]string, error) {
	f, err := ParseFormula(p.Formula)
	if err != nil {
		return nil, nil, err
	}
	var terms [][]string
	key := func(cols []string) string { return strings.Join(cols, "\x00") }
	has := map[string]bool{}
	add := func(cols []string) {
		if !has[key(cols)] {
			has[key(cols)] = true
			terms = append(terms, cols)
		}
	}
	for _, t := range f.Terms {
		if t.Remove {
			continue
		}
		if len(t.Cols) == 1 && t.Cols[0] == "." {
			for _, fl := range sc.Fields() {
				if fl.Name != f.Label && fl.Name != p.FeaturesCol {
					add([]string{fl.Name})
				}
			}
			continue
		}
		for _, c := range t.Cols {
			if len(sc.FieldIndices(c)) == 0 {
				msg := fmt.Sprintf("formula %q: no column %q", p.Formula, c)
				if near := ml.Nearest(c, ml.ColumnNames(sc)); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				}
				return nil, nil, errors.New(msg)
			}
		}
		add(t.Cols)
	}
	for _, t := range f.Terms {
		if !t.Remove {
			continue
		}
		if len(t.Cols) == 1 && t.Cols[0] == "." {
			return nil, nil, fmt.Errorf("formula %q: \"- .\" removes everything", p.Formula)
		}
		k := key(t.Cols)
		if !has[k] {
			return nil, nil, fmt.Errorf("formula %q: cannot remove %s, which is not a term", p.Formula, strings.Join(t.Cols, ":"))
		}
		delete(has, k)
		terms = slices.DeleteFunc(terms, func(c []string) bool { return key(c) == k })
	}
	if len(terms) == 0 {
		return nil, nil, fmt.Errorf("formula %q has no terms left", p.Formula)
	}
	return f, terms, nil
}

func rfKind(t arrow.DataType) (string, error) {
	switch {
	case ml.IsVector(t):
		return "vector", nil
	case ml.IsNumeric(t):
		return "numeric", nil
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "string", nil
	}
	return "", fmt.Errorf("type %s is not supported (use numbers, booleans, strings or vectors)", t)
}

// TransformSchema checks the formula against the input and adds the
// features column (and the label column when it is not there yet).
func (r *RFormula) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := r.P.Validate(); err != nil {
		return nil, err
	}
	f, terms, err := r.P.resolve(in)
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		for _, c := range t {
			if _, err := rfKind(in.Field(in.FieldIndices(c)[0]).Type); err != nil {
				return nil, fmt.Errorf("formula column %s: %w", c, err)
			}
		}
	}
	add := []arrow.Field{{Name: r.P.FeaturesCol, Type: ml.VectorType, Nullable: true}}
	if len(in.FieldIndices(f.Label)) > 0 && len(in.FieldIndices(r.P.LabelCol)) == 0 {
		add = append(add, arrow.Field{Name: r.P.LabelCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	return ml.AddFields(in, add...)
}

// Fit learns the categories of the string columns (and label).
func (r *RFormula) Fit(ctx context.Context, fr *ml.Frame) (ml.Model, error) {
	sc := fr.Schema()
	if _, err := r.TransformSchema(sc); err != nil {
		return nil, err
	}
	f, terms, _ := r.P.resolve(sc)
	plan := &rfPlan{Label: f.Label, LabelKind: "none"}
	index := map[string]int{}
	for _, t := range terms {
		for _, c := range t {
			if _, ok := index[c]; ok {
				continue
			}
			kind, _ := rfKind(sc.Field(sc.FieldIndices(c)[0]).Type)
			col := rfColumn{Name: c, Kind: kind}
			switch kind {
			case "string":
				levels, err := r.levels(fr, c)
				if err != nil {
					return nil, err
				}
				col.Levels = levels
			case "vector":
				size := -1
				if err := eachVector(ctx, mustColumn(fr, c), func(_ int, v ml.Vector, ok bool) error {
					if ok && size < 0 {
						size = v.Size
					}
					return nil
				}); err != nil {
					return nil, err
				}
				if size < 0 {
					return nil, fmt.Errorf("column %s: every vector is NULL, so its size is unknown", c)
				}
				col.Size = size
			}
			index[c] = len(plan.Columns)
			plan.Columns = append(plan.Columns, col)
		}
	}
	firstString := true
	for _, t := range terms {
		rt := rfTerm{DropLast: true}
		for _, c := range t {
			rt.Cols = append(rt.Cols, index[c])
		}
		if len(t) > 1 {
			rt.DropLast = false
		} else if plan.Columns[rt.Cols[0]].Kind == "string" {
			if !f.Intercept && firstString {
				rt.DropLast = false
			}
			firstString = false
		}
		plan.Terms = append(plan.Terms, rt)
	}
	if idx := sc.FieldIndices(f.Label); len(idx) > 0 && len(sc.FieldIndices(r.P.LabelCol)) == 0 {
		kind, err := rfKind(sc.Field(idx[0]).Type)
		if err != nil || kind == "vector" {
			return nil, fmt.Errorf("label column %s has type %s; want a number, boolean or string", f.Label, sc.Field(idx[0]).Type)
		}
		if kind == "string" || r.P.ForceIndexLabel {
			levels, err := r.labelLevels(fr, f.Label)
			if err != nil {
				return nil, err
			}
			plan.LabelKind, plan.LabelLevels = "string", levels
		} else {
			plan.LabelKind = "numeric"
		}
	}
	return &RFormulaModel{P: r.P, plan: plan}, nil
}

func mustColumn(f *ml.Frame, name string) *arrow.Chunked {
	c, _ := f.Column(name)
	return c
}

// levels orders a string column's distinct values, most frequent first
// by default (as StringIndexer), so the last — dropped — is the rarest.
func (r *RFormula) levels(f *ml.Frame, col string) ([]string, error) {
	vals, valid, err := labelStrings(mustColumn(f, col))
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
		return nil, fmt.Errorf("column %s has no non-NULL values", col)
	}
	return sortLabels(counts, r.P.StringIndexerOrderType), nil
}

// labelLevels indexes the label by frequency (Spark's label indexer).
func (r *RFormula) labelLevels(f *ml.Frame, col string) ([]string, error) {
	saved := r.P.StringIndexerOrderType
	r.P.StringIndexerOrderType = "frequencyDesc"
	defer func() { r.P.StringIndexerOrderType = saved }()
	return r.levels(f, col)
}

// RFormulaModel is a fitted RFormula.
type RFormulaModel struct {
	P    RFormulaParams
	plan *rfPlan
}

var _ ml.Model = (*RFormulaModel)(nil)

// StageName returns "RFormulaModel".
func (m *RFormulaModel) StageName() string { return "RFormulaModel" }

// Params returns the params.
func (m *RFormulaModel) Params() any { return &m.P }

// FeatureNames returns the names of the features vector's elements, as
// Spark's attribute names: column, column_level, a:b.
func (m *RFormulaModel) FeatureNames() []string {
	var out []string
	for _, t := range m.plan.Terms {
		names := []string{""}
		for _, ci := range t.Cols {
			parts := m.colNames(m.plan.Columns[ci], t.DropLast)
			var next []string
			for _, n := range names {
				for _, p := range parts {
					if n == "" {
						next = append(next, p)
					} else {
						next = append(next, n+":"+p)
					}
				}
			}
			names = next
		}
		out = append(out, names...)
	}
	return out
}

func (m *RFormulaModel) colNames(c rfColumn, dropLast bool) []string {
	switch c.Kind {
	case "string":
		n := len(c.Levels)
		if dropLast {
			n--
		}
		if m.P.HandleInvalid == "keep" && !dropLast {
			n++ // the extra "unknown" level
		}
		out := make([]string, n)
		for i := range out {
			if i < len(c.Levels) {
				out[i] = c.Name + "_" + c.Levels[i]
			} else {
				out[i] = c.Name + "_unknown"
			}
		}
		return out
	case "vector":
		out := make([]string, c.Size)
		for i := range out {
			out[i] = fmt.Sprintf("%s_%d", c.Name, i)
		}
		return out
	}
	return []string{c.Name}
}

// TransformSchema adds the features (and label) columns.
func (m *RFormulaModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if m.plan == nil {
		return nil, errors.New("RFormulaModel is not fitted")
	}
	var add []arrow.Field
	va := ml.VectorAttrs{}
	for i, n := range m.FeatureNames() {
		va.Numeric = append(va.Numeric, ml.Attr{Idx: i, Name: n})
	}
	va.NumAttrs = len(va.Numeric)
	for _, c := range m.plan.Columns {
		if len(in.FieldIndices(c.Name)) == 0 {
			return nil, fmt.Errorf("no column %q, which the formula uses; columns are %s", c.Name, strings.Join(ml.ColumnNames(in), ", "))
		}
	}
	add = append(add, arrow.Field{Name: m.P.FeaturesCol, Type: ml.VectorType, Nullable: true, Metadata: va.Metadata()})
	if m.plan.LabelKind != "none" && len(in.FieldIndices(m.plan.Label)) > 0 && len(in.FieldIndices(m.P.LabelCol)) == 0 {
		lf := arrow.Field{Name: m.P.LabelCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
		if m.plan.LabelKind == "string" {
			lf = nominalField(m.P.LabelCol, m.plan.LabelLevels)
		}
		add = append(add, lf)
	}
	return ml.AddFields(in, add...)
}

// rfValues is one column's data for encoding.
type rfValues struct {
	col   rfColumn
	nums  []float64
	valid []bool
	codes []int // string: level index, len(levels) for unseen, -1 for NULL
	vecs  *ml.VectorColumn
}

// Transform encodes the features (and label).
func (m *RFormulaModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := m.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	n := int(f.NumRows())
	cols := make([]rfValues, len(m.plan.Columns))
	for i, c := range m.plan.Columns {
		v := rfValues{col: c}
		chunked := mustColumn(f, c.Name)
		switch c.Kind {
		case "string":
			vals, valid, err := labelStrings(chunked)
			if err != nil {
				return nil, err
			}
			idx := make(map[string]int, len(c.Levels))
			for k, l := range c.Levels {
				idx[l] = k
			}
			v.codes = make([]int, n)
			for r := range vals {
				if !valid[r] {
					v.codes[r] = -1
				} else if k, ok := idx[vals[r]]; ok {
					v.codes[r] = k
				} else {
					v.codes[r] = len(c.Levels)
				}
			}
		case "vector":
			arr, err := ml.Flatten(chunked)
			if err != nil {
				return nil, err
			}
			defer arr.Release()
			if v.vecs, err = ml.NewVectorColumn(arr); err != nil {
				return nil, err
			}
		default:
			arr, err := ml.Flatten(chunked)
			if err != nil {
				return nil, err
			}
			v.nums, v.valid, err = ml.Float64s(arr)
			arr.Release()
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", c.Name, err)
			}
		}
		cols[i] = v
	}
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	keep := make([]bool, n)
	dropped := 0
	var buf []float64
	for r := 0; r < n; r++ {
		if r%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		buf = buf[:0]
		var bad string
		for _, t := range m.plan.Terms {
			start := len(buf)
			buf = append(buf, 1)
			for _, ci := range t.Cols {
				part, why := m.encode(&cols[ci], r, t.DropLast)
				if why != "" && bad == "" {
					bad = why
				}
				// Cartesian product of the values so far with part.
				prev := slices.Clone(buf[start:])
				buf = buf[:start]
				for _, a := range prev {
					for _, b := range part {
						buf = append(buf, a*b)
					}
				}
			}
		}
		if bad != "" {
			switch m.P.HandleInvalid {
			case "error":
				return nil, fmt.Errorf("row %d: %s; filter it, or set handleInvalid to skip or keep", r+1, bad)
			case "skip":
				dropped++
				continue
			}
		}
		keep[r] = true
		nnz := 0
		for _, x := range buf {
			if x != 0 {
				nnz++
			}
		}
		if nnz*2 < len(buf) {
			var idx []int32
			var vals []float64
			for j, x := range buf {
				if x != 0 {
					idx, vals = append(idx, int32(j)), append(vals, x)
				}
			}
			vb.Append(ml.Sparse(len(buf), idx, vals))
		} else {
			vb.Append(ml.Dense(slices.Clone(buf)...))
		}
	}
	vec := vb.NewArray()
	defer vec.Release()
	out := f
	var labels []float64
	addLabel := len(sc.FieldIndices(m.P.LabelCol)) > 0 && len(f.Schema().FieldIndices(m.P.LabelCol)) == 0
	if addLabel {
		if labels, err = m.labels(f); err != nil {
			return nil, err
		}
	}
	if dropped > 0 {
		if out, err = f.Filter(ctx, keep); err != nil {
			return nil, err
		}
		if labels != nil {
			kept := labels[:0:0]
			for r, k := range keep {
				if k {
					kept = append(kept, labels[r])
				}
			}
			labels = kept
		}
	}
	fv, _ := ml.FieldOf(sc, m.P.FeaturesCol)
	if out, err = out.WithColumn(fv, arrow.NewChunked(ml.VectorType, []arrow.Array{vec})); err != nil {
		return nil, err
	}
	if addLabel {
		lf, _ := ml.FieldOf(sc, m.P.LabelCol)
		if out, err = out.WithColumn(lf, ml.Float64Column(labels)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// encode returns column values of row r within a term, or a reason the
// row is invalid (NULL, NaN or an unseen category).
func (m *RFormulaModel) encode(v *rfValues, r int, dropLast bool) ([]float64, string) {
	c := v.col
	switch c.Kind {
	case "string":
		width := len(c.Levels)
		if dropLast {
			width--
		}
		keep := m.P.HandleInvalid == "keep"
		if keep && !dropLast {
			width++
		}
		out := make([]float64, width)
		code := v.codes[r]
		switch {
		case code < 0:
			if keep && !dropLast {
				out[width-1] = 1
			}
			return out, fmt.Sprintf("column %s is NULL", c.Name)
		case code == len(c.Levels):
			if keep && !dropLast {
				out[width-1] = 1
			}
			return out, fmt.Sprintf("column %s has a category not seen when fitting", c.Name)
		case code < width:
			out[code] = 1
		}
		return out, ""
	case "vector":
		if v.vecs.IsNull(r) {
			return make([]float64, c.Size), fmt.Sprintf("column %s is NULL", c.Name)
		}
		vec := v.vecs.At(r)
		if vec.Size != c.Size {
			return make([]float64, c.Size), fmt.Sprintf("column %s has a vector of size %d, fitted with %d", c.Name, vec.Size, c.Size)
		}
		return vec.AppendTo(nil), ""
	}
	x := v.nums[r]
	if math.IsNaN(x) {
		if v.valid != nil && !v.valid[r] {
			return []float64{x}, fmt.Sprintf("column %s is NULL", c.Name)
		}
		return []float64{x}, fmt.Sprintf("column %s is NaN", c.Name)
	}
	return []float64{x}, ""
}

func (m *RFormulaModel) labels(f *ml.Frame) ([]float64, error) {
	chunked := mustColumn(f, m.plan.Label)
	if m.plan.LabelKind == "string" {
		vals, valid, err := labelStrings(chunked)
		if err != nil {
			return nil, err
		}
		idx := map[string]int{}
		for k, l := range m.plan.LabelLevels {
			idx[l] = k
		}
		out := make([]float64, len(vals))
		for r, v := range vals {
			k, ok := idx[v]
			if !valid[r] || !ok {
				out[r] = math.NaN() // NULL or unseen label: NaN, as evaluators and fitting report it
				continue
			}
			out[r] = float64(k)
		}
		return out, nil
	}
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vals, _, err := ml.Float64s(arr)
	return vals, err
}

// SaveData writes the encoding plan.
func (m *RFormulaModel) SaveData(w *ml.DataWriter) error { return w.WriteJSON("plan", m.plan) }

// LoadData reads the encoding plan.
func (m *RFormulaModel) LoadData(r *ml.DataReader) error {
	m.plan = &rfPlan{}
	if err := r.ReadJSON("plan", m.plan); err != nil {
		return err
	}
	for _, t := range m.plan.Terms {
		for _, ci := range t.Cols {
			if ci < 0 || ci >= len(m.plan.Columns) {
				return fmt.Errorf("plan: term column %d out of range; the model directory is corrupt", ci)
			}
		}
	}
	return nil
}
