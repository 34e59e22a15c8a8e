package serving

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/models"
)

// plan is everything a loaded model needs to decode requests: the input
// columns and a pool of decoders with their builders.
type plan struct {
	model    *models.Model
	schema   *arrow.Schema
	names    []string
	types    []*colType
	required []bool
	index    map[string]int
	inputs   string // "a, b, c" for messages
	chain    *chain // nil: run the whole pipeline
	pool     sync.Pool
}

func newPlan(m *models.Model) *plan {
	sc := m.InputSchema
	p := &plan{model: m, schema: sc, index: make(map[string]int, sc.NumFields())}
	req := map[string]bool{}
	for _, c := range m.Signature.Inputs {
		req[c.Name] = c.Required
	}
	for i, f := range sc.Fields() {
		p.names = append(p.names, f.Name)
		p.types = append(p.types, newColType(f.Type))
		r, ok := req[f.Name]
		p.required = append(p.required, r || !ok)
		p.index[f.Name] = i
	}
	p.inputs = strings.Join(p.names, ", ")
	p.chain = newChain(m)
	p.pool.New = func() any { return p.newDecoder() }
	return p
}

// decoder turns one request body into a frame. Decoders are pooled per
// model; their builders and buffers are reused across requests.
type decoder struct {
	p      *plan
	sc     scanner
	cols   []colBuilder
	counts []int    // values appended per column (columnar inputs)
	seen   []uint32 // record generation that set each column
	gen    uint32
	pos    []int // dataframe_split: column position → input index (-1: ignored)
	rows   int
	fbuf   []float64
	bbuf   []byte
	body   []byte
	out    []byte
	output []byte // the output param, if given
	hasOut bool
	vals   []*arrow.Chunked // chain's columns by id
	raw    []float64        // kernel scratch
	prob   []float64
}

func (p *plan) newDecoder() *decoder {
	n := len(p.types)
	d := &decoder{p: p, counts: make([]int, n), seen: make([]uint32, n)}
	d.cols = make([]colBuilder, n)
	for j, t := range p.types {
		d.cols[j] = newColBuilder(t)
	}
	return d
}

func (p *plan) getDecoder() *decoder {
	d := p.pool.Get().(*decoder)
	d.rows, d.hasOut = 0, false
	d.output = d.output[:0]
	clear(d.counts)
	return d
}

// putDecoder returns d to the pool, dropping anything a failed request
// left in its builders. Oversized buffers are not kept.
func (p *plan) putDecoder(d *decoder) {
	for j := range d.cols {
		d.cols[j].discard()
	}
	clear(d.vals)
	if cap(d.body) > 1<<20 {
		d.body = nil
	}
	if cap(d.out) > 1<<20 {
		d.out = nil
	}
	p.pool.Put(d)
}

func badRequest(format string, args ...any) error {
	return apierr.New(apierr.BadRequest, format, args...)
}

// cellErr adds the column and row to a value error.
func (d *decoder) cellErr(j, row int, err error) error {
	var ce *cellError
	if errors.As(err, &ce) {
		return badRequest("column %q, row %d: %s", d.p.names[j], row+1, ce.Error())
	}
	return d.syntaxErr(err)
}

func (d *decoder) syntaxErr(err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return badRequest("%s", se.Error())
	}
	if apierr.As(err) != nil {
		return err
	}
	return badRequest("%v", err)
}

func (d *decoder) missing(j, row int) error {
	if row >= 0 {
		return badRequest("input is missing column %q (row %d); the model's inputs are %s", d.p.names[j], row+1, d.p.inputs)
	}
	return badRequest("input is missing column %q; the model's inputs are %s", d.p.names[j], d.p.inputs)
}

const formatHint = "the body must be a JSON object with one of dataframe_split, dataframe_records, instances or inputs"

// decodeJSON reads one of MLflow's JSON request bodies.
func (d *decoder) decodeJSON(body []byte) error {
	s := &d.sc
	s.reset(body)
	if s.peek() != '{' {
		if s.peek() == 0 {
			return badRequest("the body is empty; %s", formatHint)
		}
		if s.peek() == '[' {
			return badRequest("the body is a JSON array; %s", formatHint)
		}
		if err := s.skip(); err != nil {
			return d.syntaxErr(err)
		}
		return badRequest("%s", formatHint)
	}
	s.pos++
	found := ""
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		var format string
		switch string(key) {
		case "dataframe_split":
			format = "dataframe_split"
		case "dataframe_records":
			format = "dataframe_records"
		case "instances":
			format = "instances"
		case "inputs":
			format = "inputs"
		case "params":
			if err := d.params(); err != nil {
				return err
			}
			continue
		default:
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
			continue
		}
		if found != "" {
			return badRequest("the body has both %s and %s; give exactly one", found, format)
		}
		found = format
		switch format {
		case "dataframe_split":
			err = d.split()
		case "dataframe_records":
			err = d.records()
		case "instances":
			err = d.instances()
		default:
			err = d.inputs()
		}
		if err != nil {
			return err
		}
	}
	if err := s.end(); err != nil {
		return d.syntaxErr(err)
	}
	if found == "" {
		return badRequest("%s", formatHint)
	}
	return nil
}

// params reads {"output": "col"} (or a list of column names).
func (d *decoder) params() error {
	s := &d.sc
	if s.peek() != '{' {
		return badRequest("params must be a JSON object, e.g. {\"output\": \"probability\"}")
	}
	s.pos++
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			return nil
		}
		if string(key) != models.ParamOutput {
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
			continue
		}
		d.hasOut = true
		switch s.peek() {
		case '"':
			v, err := s.str()
			if err != nil {
				return d.syntaxErr(err)
			}
			d.output = append(d.output[:0], v...)
		case '[':
			s.pos++
			d.output = d.output[:0]
			for first := true; ; first = false {
				ok, err := s.more(']', first)
				if err != nil {
					return d.syntaxErr(err)
				}
				if !ok {
					break
				}
				v, err := s.str()
				if err != nil {
					return badRequest("params.output: want a column name or a list of them")
				}
				if len(d.output) > 0 {
					d.output = append(d.output, ',')
				}
				d.output = append(d.output, v...)
			}
		default:
			return badRequest("params.output: want a column name or a list of them")
		}
	}
}

// records reads [{col: v, …}, …].
func (d *decoder) records() error {
	s := &d.sc
	if s.peek() != '[' {
		return badRequest("dataframe_records must be a list of objects, one per row")
	}
	if err := s.enter(); err != nil {
		return d.syntaxErr(err)
	}
	s.pos++
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		if s.peek() != '{' {
			return badRequest("row %d: got %s, want an object {column: value}", d.rows+1, describe(s))
		}
		if err := d.record(); err != nil {
			return err
		}
	}
	s.leave()
	return nil
}

// record reads one {col: v, …} row.
func (d *decoder) record() error {
	s := &d.sc
	row := d.rows
	d.gen++
	if d.gen == 0 { // wrapped: old marks could collide
		clear(d.seen)
		d.gen = 1
	}
	s.pos++ // {
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		j, known := d.p.index[string(key)]
		if !known {
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
			continue
		}
		if d.seen[j] == d.gen {
			return badRequest("column %q, row %d: given twice", d.p.names[j], row+1)
		}
		d.seen[j] = d.gen
		if err := d.appendJSON(&d.cols[j]); err != nil {
			return d.cellErr(j, row, err)
		}
	}
	for j := range d.cols {
		if d.seen[j] != d.gen {
			if d.p.required[j] {
				return d.missing(j, row)
			}
			d.cols[j].appendNull()
		}
	}
	d.rows++
	return nil
}

// row reads one positional row [v, …]; pos maps positions to inputs
// (nil: the inputs in order).
func (d *decoder) row(pos []int) error {
	s := &d.sc
	row := d.rows
	width := len(d.cols)
	if pos != nil {
		width = len(pos)
	}
	s.pos++ // [
	k := 0
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		if k >= width {
			return badRequest("row %d has more than %d values; want one per column (%s)", row+1, width, d.columnsOf(pos))
		}
		j := k
		if pos != nil {
			j = pos[k]
		}
		k++
		if j < 0 {
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
			continue
		}
		if err := d.appendJSON(&d.cols[j]); err != nil {
			return d.cellErr(j, row, err)
		}
	}
	if k < width {
		return badRequest("row %d has %d values; want %d, one per column (%s)", row+1, k, width, d.columnsOf(pos))
	}
	d.rows++
	return nil
}

func (d *decoder) columnsOf(pos []int) string {
	if pos == nil {
		return d.p.inputs
	}
	return "the columns list"
}

// split reads {"columns": […], "data": [[…], …], "index": […]}, in any
// key order.
func (d *decoder) split() error {
	s := &d.sc
	if s.peek() != '{' {
		return badRequest("dataframe_split must be an object {\"columns\": [...], \"data\": [[...], ...]}")
	}
	s.pos++
	dataAt, haveCols := -1, false
	d.pos = d.pos[:0]
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		switch string(key) {
		case "columns":
			if err := d.splitColumns(); err != nil {
				return err
			}
			haveCols = true
		case "data":
			dataAt = s.pos
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
		default: // index and anything else
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
		}
	}
	if dataAt < 0 {
		return badRequest("dataframe_split has no data")
	}
	var pos []int
	if haveCols {
		pos = d.pos
		for j := range d.cols {
			if d.p.required[j] && d.counts[j] == 0 {
				return d.missing(j, -1)
			}
		}
	}
	end := s.pos
	s.pos = dataAt
	if s.peek() != '[' {
		return badRequest("dataframe_split.data must be a list of rows")
	}
	if err := s.enter(); err != nil {
		return d.syntaxErr(err)
	}
	s.pos++
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		if s.peek() != '[' {
			return badRequest("dataframe_split.data: row %d: got %s, want a list of values", d.rows+1, describe(s))
		}
		if err := d.row(pos); err != nil {
			return err
		}
	}
	s.leave()
	if haveCols { // optional columns the body left out
		for j := range d.cols {
			if d.counts[j] == 0 {
				for range d.rows {
					d.cols[j].appendNull()
				}
			}
		}
	}
	s.pos = end
	return nil
}

// splitColumns reads the columns list into d.pos, marking the inputs it
// names in d.counts.
func (d *decoder) splitColumns() error {
	s := &d.sc
	if s.peek() != '[' {
		return badRequest("dataframe_split.columns must be a list of column names")
	}
	s.pos++
	d.pos = d.pos[:0]
	clear(d.counts)
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			return nil
		}
		if s.peek() != '"' {
			return badRequest("dataframe_split.columns: got %s, want column names", describe(s))
		}
		name, err := s.str()
		if err != nil {
			return d.syntaxErr(err)
		}
		j, known := d.p.index[string(name)]
		if !known {
			d.pos = append(d.pos, -1)
			continue
		}
		if d.counts[j] > 0 {
			return badRequest("dataframe_split.columns lists %q twice", name)
		}
		d.counts[j] = 1
		d.pos = append(d.pos, j)
	}
}

// listLike reports whether column j holds arrays (lists or vectors).
func (d *decoder) listLike(j int) bool {
	k := d.p.types[j].kind
	return k == kVector || k == kList
}

// instances reads a list of records, of positional rows, or of values
// (single-input models).
func (d *decoder) instances() error {
	s := &d.sc
	if s.peek() != '[' {
		return badRequest("instances must be a list of rows")
	}
	if err := s.enter(); err != nil {
		return d.syntaxErr(err)
	}
	s.pos++
	single := len(d.cols) == 1
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		switch c := s.peek(); {
		case c == '{':
			err = d.record()
		case c == '[' && !(single && d.listLike(0)):
			err = d.row(nil)
		case single:
			if err = d.appendJSON(&d.cols[0]); err != nil {
				err = d.cellErr(0, d.rows, err)
			}
			d.rows++
		default:
			return badRequest("instances: row %d: got %s, want an object {column: value} or a list of %d values", d.rows+1, describe(s), len(d.cols))
		}
		if err != nil {
			return err
		}
	}
	s.leave()
	return nil
}

// inputs reads {col: [values…], …} (or {col: value} for one row), or a
// list as instances does.
func (d *decoder) inputs() error {
	s := &d.sc
	switch s.peek() {
	case '[':
		return d.instances()
	case '{':
	default:
		return badRequest("inputs must be an object {column: [values...]} or a list of rows")
	}
	s.pos++
	clear(d.counts)
	n := -1
	first := ""
	for firstKey := true; ; firstKey = false {
		key, ok, err := s.member(firstKey)
		if err != nil {
			return d.syntaxErr(err)
		}
		if !ok {
			break
		}
		j, known := d.p.index[string(key)]
		if !known {
			if err := s.skip(); err != nil {
				return d.syntaxErr(err)
			}
			continue
		}
		if d.counts[j] > 0 {
			return badRequest("inputs: column %q given twice", d.p.names[j])
		}
		cnt, err := d.columnValues(j)
		if err != nil {
			return err
		}
		if n >= 0 && cnt != n {
			return badRequest("inputs: column %q has %d values, column %q has %d; give every column the same number", d.p.names[j], cnt, first, n)
		}
		if n < 0 {
			n, first = cnt, d.p.names[j]
		}
		d.counts[j] = max(cnt, 1) // mark as given, even when empty
	}
	if n < 0 {
		n = 0
	}
	for j := range d.cols {
		if d.counts[j] == 0 {
			if d.p.required[j] {
				return d.missing(j, -1)
			}
			for range n {
				d.cols[j].appendNull()
			}
		}
	}
	d.rows = n
	return nil
}

// columnValues appends the values of one inputs column (a list, or one
// value) and returns how many.
func (d *decoder) columnValues(j int) (int, error) {
	s := &d.sc
	many := s.peek() == '['
	if many && d.listLike(j) {
		// [1, 2] is one array value; [[1, 2], …] a list of them.
		save := s.pos
		s.pos++
		c := s.peek()
		s.pos = save
		many = c == '[' || c == 'n' || c == ']'
	}
	if !many {
		if err := d.appendJSON(&d.cols[j]); err != nil {
			return 0, d.cellErr(j, 0, err)
		}
		return 1, nil
	}
	if err := s.enter(); err != nil {
		return 0, d.syntaxErr(err)
	}
	s.pos++
	k := 0
	for first := true; ; first = false {
		ok, err := s.more(']', first)
		if err != nil {
			return 0, d.syntaxErr(err)
		}
		if !ok {
			break
		}
		if err := d.appendJSON(&d.cols[j]); err != nil {
			return 0, d.cellErr(j, k, err)
		}
		k++
	}
	s.leave()
	return k, nil
}

// decodeCSV reads a CSV body with a header row. Empty cells are NULL.
func (d *decoder) decodeCSV(body []byte) error {
	r := csv.NewReader(bytes.NewReader(body))
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return badRequest("the CSV body is empty; send a header row and one row per input")
	}
	if err != nil {
		return badRequest("CSV: %v", err)
	}
	d.pos = d.pos[:0]
	clear(d.counts)
	for _, h := range header {
		j, known := d.p.index[strings.TrimSpace(h)]
		if !known {
			d.pos = append(d.pos, -1)
			continue
		}
		if d.counts[j] > 0 {
			return badRequest("CSV header lists %q twice", h)
		}
		d.counts[j] = 1
		d.pos = append(d.pos, j)
	}
	for j := range d.cols {
		if d.p.required[j] && d.counts[j] == 0 {
			return d.missing(j, -1)
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return badRequest("CSV: %v", err)
		}
		for k, cell := range rec {
			j := d.pos[k]
			if j < 0 {
				continue
			}
			if err := d.appendCell(&d.cols[j], cell); err != nil {
				return d.cellErr(j, d.rows, err)
			}
		}
		d.rows++
	}
	for j := range d.cols {
		if d.counts[j] == 0 {
			for range d.rows {
				d.cols[j].appendNull()
			}
		}
	}
	return nil
}

// appendCell appends one CSV cell.
func (d *decoder) appendCell(c *colBuilder, cell string) error {
	if cell == "" {
		c.appendNull()
		return nil
	}
	t := c.t
	switch t.kind {
	case kFloat64, kFloat32:
		f, err := parseFloat([]byte(cell))
		if err != nil {
			return &cellError{got: fmt.Sprintf("%q", cell), want: t.want}
		}
		if t.kind == kFloat64 {
			c.b.(*array.Float64Builder).Append(f)
		} else {
			c.b.(*array.Float32Builder).Append(float32(f))
		}
		return nil
	case kInt64, kInt32, kInt16, kInt8, kUint64, kUint32, kUint16, kUint8:
		return appendInt(t, c.b, []byte(cell))
	case kBool:
		v, err := strconv.ParseBool(cell)
		if err != nil {
			return &cellError{got: fmt.Sprintf("%q", cell), want: t.want + " (true or false)"}
		}
		c.b.(*array.BooleanBuilder).Append(v)
		return nil
	case kString, kLargeString, kBinary, kTimestamp, kDate32:
		return d.appendText(t, c.b, []byte(cell))
	case kVector, kList:
		saved := d.sc
		d.sc.reset([]byte(cell))
		err := d.appendJSON(c)
		if err == nil {
			err = d.sc.end()
		}
		d.sc = saved
		return err
	}
	if err := c.b.AppendValueFromString(cell); err != nil {
		return &cellError{got: fmt.Sprintf("%q", cell), want: t.want}
	}
	return nil
}

// frame builds the decoded columns into a frame, also returned column by
// column; the builders are reset.
func (d *decoder) frame() (*ml.Frame, []*arrow.Chunked, error) {
	cols := make([]*arrow.Chunked, len(d.cols))
	for j := range d.cols {
		a := d.cols[j].newArray()
		if a.Len() != d.rows {
			a.Release()
			for k := j + 1; k < len(d.cols); k++ {
				d.cols[k].discard()
			}
			return nil, nil, fmt.Errorf("internal: column %s has %d values for %d rows", d.p.names[j], a.Len(), d.rows)
		}
		cols[j] = arrow.NewChunked(a.DataType(), []arrow.Array{a})
		a.Release()
	}
	f, err := ml.NewFrame(d.p.schema, cols)
	return f, cols, err
}
